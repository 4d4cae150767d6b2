//! RWA²: a tranche product over several vault worlds that share one stablecoin, and the market
//! that lends against its senior token.
//!
//! Each constituent is a whole vault world (vault, pool, the policy's oracle and breaker, its own
//! market), deployed as [`crate::deploy`] would, but on the one stablecoin every market lends: the
//! shared rail. Over them a `TrancheVault` issues senior and junior tokens; the deployer seeds both
//! tranches, a senior/stablecoin pool and the senior market.
//!
//! The senior market's oracle follows the policy: the senior pool's spot price (naive-spot), or
//! a `SeniorTrancheOracle` over the constituents' own oracles: unstressed for NAV oracles, with the
//! configured stress and review haircut for conservative ones. Its breaker is always the
//! `PermissiveBreaker`: the `CircuitBreaker` and the slow path read a vault's NAV and redemption
//! queue, which a tranche token does not have. The constituent markets get the policy's breaker.
//!
//! ```toml
//! policy = "safeguarded"
//!
//! [tranche]
//! min_junior_ratio = 0.2
//! seed_junior_units = 300_000
//!
//! [[constituents]]
//! unit_shares = 1.0
//! [constituents.vault]
//! name = "RWA Treasury Fund"
//! symbol = "RWAT"
//! notice_period = "2d"
//! ```

use std::path::Path;

use alloy::primitives::{Address, U256};
use breakwater_bindings::{
    ConstantProductPool, LendingMarket, PermissiveBreaker, RwaVault, SeniorTrancheOracle,
    SpotOracle, Stablecoin, TrancheToken, TrancheVault,
};
use serde::{Deserialize, Serialize};
use tracing::{Instrument, info, info_span};

use crate::{
    AmmConfig, BreakerConfig, Chain, DeployConfig, Error, LocalConfig, MarketConfig, OracleConfig,
    RatesConfig, Result, Roles, RolesConfig, StablecoinConfig, VaultConfig,
    config::{Checks, toml_file, wad, wad_unit, write_file},
    deploy::{
        MarketModules, check_addresses, deploy_market, deploy_on, deploy_pool, deploy_rate_model,
        deploy_stablecoin, role_id,
    },
    manifest::{Addresses, address_object},
    policy::{MarketKind, OracleKind, Policy},
    tx,
    units::{Seconds, Wad},
};
use breakwater_world::Tranche;

/// The RWA² world: constituents, the tranche vault, the senior market.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BasketConfig {
    /// The policy deployed when none is given.
    pub policy: Policy,
    /// The one loan asset every constituent settles in and every market lends.
    pub stablecoin: StablecoinConfig,
    /// The basket's vaults, in order (at most 8).
    pub constituents: Vec<ConstituentConfig>,
    /// The tranche vault and the senior token's oracle.
    pub tranche: TrancheConfig,
    /// The senior token's pool against the stablecoin (`seed_shares`: senior tokens seeded at par).
    pub senior_amm: AmmConfig,
    /// The market lending against the senior token.
    pub senior_market: MarketConfig,
    /// The senior market's rate model.
    pub senior_rates: RatesConfig,
    /// Who holds the operational roles, on every constituent vault and the tranche vault.
    pub roles: RolesConfig,
    /// What is done only on a development chain.
    pub local: LocalConfig,
    /// Where this configuration came from, for error messages.
    #[serde(skip)]
    pub origin: String,
}

/// One constituent: its weight in a basket unit and its vault world.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConstituentConfig {
    /// Vault shares in one basket unit.
    pub unit_shares: Wad,
    /// The vault.
    pub vault: VaultConfig,
    /// Its pool.
    pub amm: AmmConfig,
    /// Its own lending market.
    pub market: MarketConfig,
    /// That market's rate model.
    pub rates: RatesConfig,
    /// Its conservative oracle (policies that use one).
    pub oracle: OracleConfig,
    /// Its circuit breaker (policies that use one).
    pub breaker: BreakerConfig,
}

/// The tranche vault, the senior oracle, and the tranches the deployer seeds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrancheConfig {
    /// Name of the product; the tokens are "<name> Senior" and "<name> Junior".
    pub name: String,
    /// Symbol prefix; the tokens are "<symbol>-S" and "<symbol>-J".
    pub symbol: String,
    /// The junior's minimum share of basket value after a senior deposit or junior redemption.
    pub min_junior_ratio: Wad,
    /// NAV age beyond which a constituent counts as stale (deposits and redemptions wait).
    pub max_nav_age: Seconds,
    /// Basket value the conservative senior oracle assumes lost beyond what prices show.
    pub stress: Wad,
    /// Extra haircut on a constituent under review, in the conservative senior oracle.
    pub review_haircut: Wad,
    /// Basket units the deployer deposits into the junior tranche.
    pub seed_junior_units: Wad,
    /// Basket units the deployer then deposits into the senior tranche.
    pub seed_senior_units: Wad,
}

impl Default for TrancheConfig {
    fn default() -> Self {
        Self {
            name: "RWA Basket".into(),
            symbol: "RWAB".into(),
            min_junior_ratio: wad("0.2"),
            max_nav_age: Seconds::days(45),
            stress: wad("0.1"),
            review_haircut: wad("0.3"),
            seed_junior_units: Wad::units(300_000),
            seed_senior_units: Wad::units(700_000),
        }
    }
}

impl Default for ConstituentConfig {
    fn default() -> Self {
        let world = DeployConfig::default();
        Self {
            unit_shares: Wad::ONE,
            vault: world.vault,
            amm: world.amm,
            market: world.market,
            rates: world.rates,
            oracle: world.oracle,
            breaker: world.breaker,
        }
    }
}

impl ConstituentConfig {
    /// A default constituent with its own vault identity and redemption terms.
    fn named(name: &str, symbol: &str, notice: Seconds, epoch: Seconds, gate: &str) -> Self {
        let mut c = Self::default();
        c.vault.name = name.into();
        c.vault.symbol = symbol.into();
        c.vault.notice_period = notice;
        c.vault.epoch_length = epoch;
        c.vault.gate = wad(gate);
        c.amm.lp_name = format!("{symbol}/bwUSD LP");
        c.amm.lp_symbol = format!("{symbol}-LP");
        c
    }
}

impl Default for BasketConfig {
    fn default() -> Self {
        let senior_amm = AmmConfig {
            lp_name: "RWAB-S/bwUSD LP".into(),
            lp_symbol: "RWAB-S-LP".into(),
            ..AmmConfig::default()
        };
        Self {
            policy: Policy::Safeguarded,
            stablecoin: StablecoinConfig::default(),
            // Diversified on paper: fast treasuries, monthly credit, quarterly property.
            // (name, symbol, notice days, epoch days, gate)
            constituents: [
                ("RWA Treasury Fund", "RWAT", 2, 1, "0.5"),
                ("RWA Credit Fund", "RWAC", 30, 1, "0.1"),
                ("RWA Property Fund", "RWAP", 90, 30, "0.05"),
            ]
            .map(|(name, symbol, notice, epoch, gate)| {
                ConstituentConfig::named(
                    name,
                    symbol,
                    Seconds::days(notice),
                    Seconds::days(epoch),
                    gate,
                )
            })
            .to_vec(),
            tranche: TrancheConfig::default(),
            senior_amm,
            senior_market: MarketConfig::default(),
            senior_rates: RatesConfig::default(),
            roles: RolesConfig::default(),
            local: LocalConfig::default(),
            origin: "<defaults>".into(),
        }
    }
}

toml_file!(BasketConfig);

impl BasketConfig {
    /// Constituent `index` as a single-world configuration (no funding, no warm-up of its own).
    fn world(&self, index: usize) -> DeployConfig {
        let c = &self.constituents[index];
        DeployConfig {
            policy: self.policy,
            stablecoin: self.stablecoin.clone(),
            vault: c.vault.clone(),
            amm: c.amm.clone(),
            market: c.market.clone(),
            rates: c.rates.clone(),
            oracle: c.oracle.clone(),
            breaker: c.breaker.clone(),
            roles: self.roles.clone(),
            local: LocalConfig {
                fund_accounts: 0,
                warmup: self.local.warmup,
                ..self.local.clone()
            },
            origin: self.origin.clone(),
        }
    }

    /// Checks every constituent as a world for `policy`, the tranche parameters against the
    /// contracts' bounds, and that the seed keeps the subordination; all problems at once.
    pub fn validate(&self, policy: Policy) -> Result<()> {
        let mut p = Checks::default();
        let n = self.constituents.len();
        if n == 0 || n > 8 {
            p.push(format!("constituents: {n} given, between 1 and 8 are needed"));
        }
        for i in 0..n {
            for problem in self.world(i).problems(policy) {
                p.push(format!("constituents[{i}].{problem}"));
            }
            let name = format!("constituents[{i}].unit_shares");
            p.range_wad(
                &name,
                self.constituents[i].unit_shares,
                "0.000000000000000001",
                "1000000000",
            );
            for j in 0..i {
                if self.constituents[j].vault.symbol == self.constituents[i].vault.symbol {
                    p.push(format!(
                        "constituents[{i}].vault.symbol = {} repeats constituents[{j}]'s",
                        self.constituents[i].vault.symbol
                    ));
                }
            }
        }
        let t = &self.tranche;
        p.range_wad("tranche.min_junior_ratio", t.min_junior_ratio, "0.01", "0.9");
        p.range_secs("tranche.max_nav_age", t.max_nav_age, Seconds::days(1), Seconds::days(365));
        p.range_wad("tranche.stress", t.stress, "0", "0.5");
        p.range_wad("tranche.review_haircut", t.review_haircut, "0", "1");
        p.range_wad(
            "tranche.seed_junior_units",
            t.seed_junior_units,
            "0.000000000000000001",
            "1000000000000",
        );
        p.range_wad("tranche.seed_senior_units", t.seed_senior_units, "0", "1000000000000");
        // At deployment every constituent is at its initial NAV: units are worth the same in both
        // tranches, so the subordination is a ratio of units.
        let (junior, senior) = (float(t.seed_junior_units), float(t.seed_senior_units));
        if junior + senior > 0.0 && junior / (junior + senior) < float(t.min_junior_ratio) {
            p.push(format!(
                "tranche.seed_junior_units = {} is below tranche.min_junior_ratio = {} of the \
                 seeded units ({} in all)",
                t.seed_junior_units,
                t.min_junior_ratio,
                Wad::from_raw(t.seed_junior_units.raw() + t.seed_senior_units.raw())
            ));
        }
        let pool_seed = self.senior_amm.seed_shares;
        if !t.seed_senior_units.raw().is_zero() && float(pool_seed) > senior * self.unit_nav() {
            p.push(format!(
                "senior_amm.seed_shares = {pool_seed} exceeds the senior tokens the seed mints \
                 (tranche.seed_senior_units × the unit's initial value = {:.0})",
                senior * self.unit_nav()
            ));
        }
        p.into_result(&self.origin)
    }

    /// A basket unit's value at the constituents' initial NAVs.
    fn unit_nav(&self) -> f64 {
        self.constituents.iter().map(|c| float(c.unit_shares) * float(c.vault.initial_nav)).sum()
    }
}

/// A config amount as a float, for checks between fields (exact enough for a bound).
fn float(w: Wad) -> f64 {
    f64::from(w.raw()) / 1e18
}

/// One deployed constituent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConstituentDeployment {
    /// The vault's symbol, naming the constituent.
    pub symbol: String,
    /// Vault shares in one basket unit.
    pub unit_shares: Wad,
    /// Its world: `vault`, `pool`, `oracle`, `breaker`, `market`, on the shared stablecoin.
    pub contracts: Addresses,
}

/// The tranche product and the senior market.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrancheAddresses {
    /// The `TrancheVault`.
    pub vault: Address,
    /// Its senior `TrancheToken`, the senior market's collateral.
    pub senior: Address,
    /// Its junior `TrancheToken`.
    pub junior: Address,
    /// The senior/stablecoin `ConstantProductPool`.
    pub pool: Address,
    /// The senior market's oracle (`SpotOracle` or `SeniorTrancheOracle`).
    pub oracle: Address,
    /// The senior market's `PermissiveBreaker`.
    pub breaker: Address,
    /// The senior market's rate model.
    pub rate_model: Address,
    /// The `LendingMarket` lending the stablecoin against the senior token.
    pub market: Address,
}

/// A deployed RWA² world.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BasketDeployment {
    /// The chain id.
    pub chain_id: u64,
    /// The block once everything was deployed and wired.
    pub block: u64,
    /// Its timestamp (after any warm-up).
    pub timestamp: u64,
    /// The policy every market is wired for.
    pub policy: Policy,
    /// The shared loan asset.
    pub stablecoin: Address,
    /// The constituents, in basket order.
    pub constituents: Vec<ConstituentDeployment>,
    /// The tranche product and its market.
    pub tranche: TrancheAddresses,
    /// Holders of the operational roles.
    pub roles: Roles,
    /// Accounts funded with stablecoin on a development chain.
    pub actors: Vec<Address>,
}

impl BasketDeployment {
    /// The manifest as pretty JSON: the single-world manifest's fields per constituent, plus the
    /// tranche product.
    pub fn to_json(&self) -> String {
        let constituents: Vec<_> = self
            .constituents
            .iter()
            .map(|c| {
                // The stablecoin is the basket's, written once at the top.
                let own = c.contracts.named().into_iter().filter(|(k, _)| *k != "stablecoin");
                serde_json::json!({
                    "symbol": c.symbol,
                    "unitShares": c.unit_shares.to_string(),
                    "contracts": address_object(own),
                })
            })
            .collect();
        let json = serde_json::json!({
            "chainId": self.chain_id,
            "block": self.block,
            "timestamp": self.timestamp,
            "policy": self.policy.name(),
            "stablecoin": self.stablecoin.to_checksum(None),
            "constituents": constituents,
            "tranche": address_object(self.tranche.named()),
            "roles": address_object(self.roles.named()),
            "actors": self.actors.iter().map(|a| a.to_checksum(None)).collect::<Vec<_>>(),
        });
        serde_json::to_string_pretty(&json).unwrap_or_default() + "\n"
    }

    /// Fails unless the node is the manifest's chain and every tranche-side address holds code.
    pub async fn check_code(&self, chain: &Chain) -> Result<()> {
        // The fields it always checked: not the junior token nor the senior rate model.
        let tranche =
            self.tranche.named().into_iter().filter(|(k, _)| !["junior", "rateModel"].contains(k));
        let fields: Vec<(String, Address)> =
            std::iter::once(("stablecoin".to_string(), self.stablecoin))
                .chain(tranche.map(|(k, a)| (format!("tranche.{k}"), a)))
                .collect();
        check_addresses(chain, self.chain_id, &fields).await
    }

    /// Writes the manifest, creating parent directories.
    pub fn write(&self, path: impl AsRef<Path>) -> Result<()> {
        write_file(path.as_ref(), &self.to_json())
    }
}

/// Deploys and wires the RWA² world for `policy` after validating `config` for it.
pub async fn deploy_basket(
    chain: &Chain,
    config: &BasketConfig,
    policy: Policy,
) -> Result<BasketDeployment> {
    config.validate(policy)?;
    let span = info_span!("deploy_basket", %policy, chain_id = chain.chain_id());
    deploy_basket_inner(chain, config, policy).instrument(span).await
}

async fn deploy_basket_inner(
    chain: &Chain,
    config: &BasketConfig,
    policy: Policy,
) -> Result<BasketDeployment> {
    let p = chain.provider().clone();
    let me = chain.sender();
    let roles = config.roles.resolve(me);
    let stablecoin = deploy_stablecoin(chain, &config.stablecoin).await?;
    let usd = Stablecoin::new(stablecoin, p.clone());

    // ------------------------------------------------------------ the constituent worlds
    let mut constituents = Vec::with_capacity(config.constituents.len());
    for (i, c) in config.constituents.iter().enumerate() {
        // The warm-up runs once, at the end, for every pool at once.
        let mut world = config.world(i);
        world.local.warmup = Seconds(0);
        let d = deploy_on(chain, &world, policy, stablecoin, roles).await?;
        info!(symbol = %c.vault.symbol, vault = %d.contracts.vault, "constituent deployed");
        constituents.push(ConstituentDeployment {
            symbol: c.vault.symbol.clone(),
            unit_shares: c.unit_shares,
            contracts: d.contracts,
        });
    }

    let t = &config.tranche;
    let tranche = deploy_tranche_vault(chain, t, &constituents).await?;
    let tranche_c = TrancheVault::new(tranche, p.clone());
    let senior =
        tranche_c.seniorToken().call().await.map_err(|e| Error::contract("seniorToken()", &e))?;
    let junior =
        tranche_c.juniorToken().call().await.map_err(|e| Error::contract("juniorToken()", &e))?;
    info!(%tranche, %senior, %junior, "TrancheVault deployed");
    if roles.guardian != me {
        let step = format!("grant TrancheVault GUARDIAN_ROLE to {}", roles.guardian);
        tx::send(&step, tranche_c.grantRole(role_id("GUARDIAN_ROLE"), roles.guardian).from(me))
            .await?;
    }

    seed_tranches(chain, config, &constituents, tranche, stablecoin).await?;

    // ------------------------------------------------------------ the senior pool
    let pool = deploy_pool(chain, senior, stablecoin, &config.senior_amm).await?;
    seed_senior_pool(chain, config, [stablecoin, senior, pool]).await?;

    // ------------------------------------------------------------ the senior market
    let oracles: Vec<Address> = constituents.iter().map(|c| c.contracts.oracle).collect();
    let oracle = deploy_senior_oracle(chain, config, policy, [tranche, pool], oracles).await?;
    let breaker = tx::deploy(
        "deploy PermissiveBreaker (senior)",
        PermissiveBreaker::deploy_builder(p.clone()).from(me),
    )
    .await?;
    let rate_model = deploy_rate_model(chain, &config.senior_rates).await?;
    let m = &config.senior_market;
    // The senior token has no redemption queue: a fast-only market, by construction.
    let modules = MarketModules { oracle, breaker, rate_model };
    let market = deploy_market(chain, MarketKind::FastOnly, stablecoin, senior, modules, m).await?;
    let supply = m.seed_supply.raw();
    if !supply.is_zero() {
        let market_c = LendingMarket::new(market, p.clone());
        tx::send("mint the senior market's seed", usd.mint(me, supply).from(me)).await?;
        tx::send("approve the senior market", usd.approve(market, supply).from(me)).await?;
        tx::send("seed the senior market's supply", market_c.supply(supply, me).from(me)).await?;
    }

    // ------------------------------------------------------------ development chain extras
    let mut actors = Vec::new();
    if chain.is_dev() {
        actors = chain.accounts().iter().copied().take(config.local.fund_accounts).collect();
        let per_account = config.local.stablecoin_per_account.raw();
        for account in actors.iter().filter(|_| !per_account.is_zero()) {
            let step = format!("fund {account} with stablecoin");
            tx::send(&step, usd.mint(*account, per_account).from(me)).await?;
        }
        if config.local.warmup.0 > 0 {
            chain.advance(config.local.warmup.0).await?;
        }
    }
    let deployment = BasketDeployment {
        chain_id: chain.chain_id(),
        block: chain.block_number().await?,
        timestamp: chain.latest_timestamp().await?,
        policy,
        stablecoin,
        constituents,
        tranche: TrancheAddresses {
            vault: tranche,
            senior,
            junior,
            pool,
            oracle,
            breaker,
            rate_model,
            market,
        },
        roles,
        actors,
    };
    info!(block = deployment.block, %market, "RWA² world deployed and wired");
    Ok(deployment)
}

/// The `TrancheVault` over the constituents, valuing them at NAV.
async fn deploy_tranche_vault(
    chain: &Chain,
    t: &TrancheConfig,
    constituents: &[ConstituentDeployment],
) -> Result<Address> {
    let (p, me) = (chain.provider().clone(), chain.sender());
    let members: Vec<TrancheVault::Constituent> = constituents
        .iter()
        .map(|c| TrancheVault::Constituent {
            vault: c.contracts.vault,
            unitShares: alloy::primitives::Uint::<96, 2>::saturating_from(c.unit_shares.raw()),
            // Deposits and redemptions value the tranches at NAV, as the product's own books do.
            priceSource: Address::ZERO,
        })
        .collect();
    tx::deploy(
        "deploy TrancheVault",
        TrancheVault::deploy_builder(
            p.clone(),
            t.name.clone(),
            t.symbol.clone(),
            members,
            me,
            t.min_junior_ratio.raw(),
            t.max_nav_age.0,
        )
        .from(me),
    )
    .await
}

/// Buys the constituents' shares the seed units need and deposits the junior, then the senior,
/// seed (the senior deposit needs its subordination in place).
async fn seed_tranches(
    chain: &Chain,
    config: &BasketConfig,
    constituents: &[ConstituentDeployment],
    tranche: Address,
    stablecoin: Address,
) -> Result<()> {
    let (p, me, t) = (chain.provider().clone(), chain.sender(), &config.tranche);
    let usd = Stablecoin::new(stablecoin, p.clone());
    let tranche_c = TrancheVault::new(tranche, p.clone());
    let seeds = [
        (Tranche::Junior, t.seed_junior_units.raw()),
        (Tranche::Senior, t.seed_senior_units.raw()),
    ];
    let mut needed = vec![U256::ZERO; constituents.len()];
    for (_, units) in seeds.iter().filter(|(_, u)| !u.is_zero()) {
        let shares = tranche_c
            .sharesForUnits(*units)
            .call()
            .await
            .map_err(|e| Error::contract("sharesForUnits()", &e))?;
        for (need, s) in needed.iter_mut().zip(shares) {
            *need += s;
        }
    }
    for ((c, cfg), shares) in constituents.iter().zip(&config.constituents).zip(&needed) {
        let vault = RwaVault::new(c.contracts.vault, p.clone());
        if cfg.vault.allowlist {
            let step = format!("allowlist the TrancheVault on {}", c.symbol);
            tx::send(&step, vault.setAllowlisted(tranche, true).from(me)).await?;
        }
        // Subscribing rounds shares down: pay enough that at least `shares` are minted.
        let assets = (*shares * cfg.vault.initial_nav.raw()).div_ceil(wad_unit());
        tx::send("mint stablecoin for the basket seed", usd.mint(me, assets).from(me)).await?;
        tx::send("approve the vault", usd.approve(c.contracts.vault, assets).from(me)).await?;
        let step = format!("subscribe {} shares for the basket seed", c.symbol);
        tx::send(&step, vault.subscribe(assets, me).from(me)).await?;
        let step = format!("approve the TrancheVault for {}", c.symbol);
        tx::send(&step, vault.approve(tranche, *shares).from(me)).await?;
    }
    // Junior first: the senior deposit needs its subordination in place.
    for (side, units) in seeds.iter().filter(|(_, u)| !u.is_zero()) {
        let step = match side {
            Tranche::Junior => "seed the junior tranche",
            Tranche::Senior => "seed the senior tranche",
        };
        tx::send(step, tranche_c.deposit(side.as_u8(), *units, me, U256::ZERO).from(me)).await?;
    }
    Ok(())
}

/// Seeds the senior pool at par with newly minted stablecoin and the deployer's senior tokens.
async fn seed_senior_pool(
    chain: &Chain,
    config: &BasketConfig,
    [stablecoin, senior, pool]: [Address; 3],
) -> Result<()> {
    let (p, me, t) = (chain.provider().clone(), chain.sender(), &config.tranche);
    let usd = Stablecoin::new(stablecoin, p.clone());
    let seed = config.senior_amm.seed_shares.raw();
    if !t.seed_senior_units.raw().is_zero() {
        let senior_c = TrancheToken::new(senior, p.clone());
        let pool_c = ConstantProductPool::new(pool, p.clone());
        tx::send("mint the senior pool's stablecoin", usd.mint(me, seed).from(me)).await?;
        tx::send("approve the senior pool (stablecoin)", usd.approve(pool, seed).from(me)).await?;
        tx::send("approve the senior pool (senior)", senior_c.approve(pool, seed).from(me)).await?;
        let deadline = U256::from(chain.latest_timestamp().await? + 3600);
        // At par: one senior token is one unit of principal, fully covered at deployment.
        tx::send(
            "seed the senior pool",
            pool_c.addLiquidity(seed, seed, U256::ZERO, me, deadline).from(me),
        )
        .await?;
    }
    Ok(())
}

/// The senior market's oracle: the senior pool's spot, or the waterfall over the constituents'
/// `oracles` (stressed, with a review haircut, for the conservative policies).
async fn deploy_senior_oracle(
    chain: &Chain,
    config: &BasketConfig,
    policy: Policy,
    [tranche, pool]: [Address; 2],
    oracles: Vec<Address>,
) -> Result<Address> {
    let (p, me, t) = (chain.provider().clone(), chain.sender(), &config.tranche);
    Ok(match policy.oracle() {
        OracleKind::Spot => {
            tx::deploy(
                "deploy SpotOracle (senior)",
                SpotOracle::deploy_builder(p.clone(), pool).from(me),
            )
            .await?
        }
        kind => {
            let conservative = kind == OracleKind::Conservative;
            let (stress, haircut) = if conservative {
                (t.stress.raw(), t.review_haircut.raw())
            } else {
                (U256::ZERO, U256::ZERO)
            };
            tx::deploy(
                "deploy SeniorTrancheOracle",
                SeniorTrancheOracle::deploy_builder(p.clone(), tranche, oracles, stress, haircut)
                    .from(me),
            )
            .await?
        }
    })
}
