//! Deploys and wires the whole world for a policy: stablecoin, vault, pool, rate model, the
//! policy's oracle and breaker, and the market; grants roles, applies the allowlist, seeds the
//! pool and the market, and on a development chain funds the accounts and warms up the TWAPs.

use alloy::{
    primitives::{Address, U256, keccak256},
    providers::Provider,
};
use breakwater_bindings::{
    CircuitBreaker, ConservativeOracle, ConstantProductPool, KinkedRateModel, LendingMarket,
    NavOracle, PermissiveBreaker, RedeemToRepayMarket, RwaVault, SpotOracle, Stablecoin,
};
use tracing::{Instrument, info, info_span};

use crate::{
    Addresses, Chain, DeployConfig, Deployment, Result, Roles,
    config::{frac64, secs32, wad_unit},
    policy::{BreakerKind, MarketKind, OracleKind, Policy},
    tx,
};

/// Observation slots a single transaction may pre-write: growing the ring by much more at once
/// exceeds a block's gas.
const CARDINALITY_STEP: u16 = 128;

/// Deploys and wires the world for `policy` on `chain`, sending from [`Chain::sender`], after
/// validating `config` for that policy. Returns the [`Deployment`] (write it with
/// [`Deployment::write`]).
pub async fn deploy(chain: &Chain, config: &DeployConfig, policy: Policy) -> Result<Deployment> {
    config.validate(policy)?;
    let span = info_span!("deploy", %policy, chain_id = chain.chain_id());
    deploy_inner(chain, config, policy).instrument(span).await
}

async fn deploy_inner(chain: &Chain, config: &DeployConfig, policy: Policy) -> Result<Deployment> {
    let me = chain.sender();
    let roles = config.roles.resolve(me);
    let stablecoin = deploy_stablecoin(chain, &config.stablecoin).await?;
    deploy_on(chain, config, policy, stablecoin, roles).await
}

/// Deploys the test stablecoin, with the deployer as admin and minter.
pub(crate) async fn deploy_stablecoin(
    chain: &Chain,
    config: &crate::StablecoinConfig,
) -> Result<Address> {
    let me = chain.sender();
    let builder = Stablecoin::deploy_builder(
        chain.provider().clone(),
        config.name.clone(),
        config.symbol.clone(),
        me,
    );
    let stablecoin = tx::deploy("deploy Stablecoin", builder.from(me)).await?;
    info!(%stablecoin, "Stablecoin deployed");
    Ok(stablecoin)
}

/// Deploys a vault world that lends `stablecoin`: everything but the stablecoin itself.
pub(crate) async fn deploy_on(
    chain: &Chain,
    config: &DeployConfig,
    policy: Policy,
    stablecoin: Address,
    roles: Roles,
) -> Result<Deployment> {
    let p = chain.provider().clone();
    let me = chain.sender();
    let (v, a, m, r) = (&config.vault, &config.amm, &config.market, &config.rates);

    let vault = tx::deploy(
        "deploy RwaVault",
        RwaVault::deploy_builder(
            p.clone(),
            v.name.clone(),
            v.symbol.clone(),
            stablecoin,
            me,
            roles.custodian,
            v.initial_nav.raw(),
            v.notice_period.0,
            v.epoch_length.0,
            v.gate.raw(),
            v.max_nav_move.raw(),
        )
        .from(me),
    )
    .await?;
    info!(%vault, "RwaVault deployed");
    let vault_c = RwaVault::new(vault, p.clone());
    for (role, holder) in [
        ("NAV_REPORTER_ROLE", roles.nav_reporter),
        ("NAV_CONFIRMER_ROLE", roles.nav_confirmer),
        ("GUARDIAN_ROLE", roles.guardian),
    ] {
        let step = format!("grant RwaVault {role} to {holder}");
        tx::send(&step, vault_c.grantRole(role_id(role), holder).from(me)).await?;
    }

    // ------------------------------------------------------------ the AMM
    let pool = deploy_pool(chain, vault, stablecoin, a).await?;

    // ------------------------------------------------------------ rate model, oracle, breaker
    let rate_model = deploy_rate_model(chain, r).await?;

    let oracle = deploy_oracle(chain, config, policy, vault, pool).await?;
    info!(%oracle, kind = ?policy.oracle(), "oracle deployed");

    let breaker =
        deploy_breaker(chain, config, policy, [oracle, vault, pool], roles.guardian).await?;
    info!(%breaker, kind = ?policy.breaker(), "breaker deployed");

    // ------------------------------------------------------------ the market
    let modules = MarketModules { oracle, breaker, rate_model };
    let market = deploy_market(chain, policy.market(), stablecoin, vault, modules, m).await?;
    if let BreakerKind::Circuit = policy.breaker() {
        let c = CircuitBreaker::new(breaker, p.clone());
        tx::send("CircuitBreaker.setMarket", c.setMarket(market).from(me)).await?;
    }

    // ------------------------------------------------------------ allowlist
    let funded: Vec<Address> = if chain.is_dev() {
        chain.accounts().iter().copied().take(config.local.fund_accounts).collect()
    } else {
        Vec::new()
    };
    if v.allowlist {
        allowlist(chain, vault, roles, [&[pool, market][..], &funded[..]].concat()).await?;
    }

    let usd = Stablecoin::new(stablecoin, p.clone());
    seed(chain, config, [stablecoin, vault, pool, market]).await?;

    // ------------------------------------------------------------ development chain extras
    if chain.is_dev() {
        let per_account = config.local.stablecoin_per_account.raw();
        if !per_account.is_zero() {
            for account in &funded {
                let step = format!("fund {account} with stablecoin");
                tx::send(&step, usd.mint(*account, per_account).from(me)).await?;
            }
            info!(accounts = funded.len(), each = %config.local.stablecoin_per_account, "accounts funded");
        }
        if config.local.warmup.0 > 0 {
            let at = chain.advance(config.local.warmup.0).await?;
            info!(warmup = %config.local.warmup, timestamp = at, "time advanced for TWAP history");
        }
    }

    let block = chain.block_number().await?;
    let timestamp = chain.latest_timestamp().await?;
    let deployment = Deployment {
        chain_id: chain.chain_id(),
        block,
        policy,
        contracts: Addresses { stablecoin, vault, pool, rate_model, oracle, breaker, market },
        deployer: Some(me),
        roles: Some(roles),
        actors: funded,
        timestamp: Some(timestamp),
        rpc_url: chain.embedded().map(|_| chain.url().to_string()),
    };
    info!(block, %market, "world deployed and wired");
    Ok(deployment)
}

/// Allowlists the roles and `others` on the vault, then turns its allowlist on.
async fn allowlist(
    chain: &Chain,
    vault: Address,
    roles: Roles,
    others: Vec<Address>,
) -> Result<()> {
    let (p, me) = (chain.provider().clone(), chain.sender());
    let vault_c = RwaVault::new(vault, p);
    let mut allowed =
        vec![me, roles.custodian, roles.nav_reporter, roles.nav_confirmer, roles.guardian];
    allowed.extend(others);
    allowed.sort();
    allowed.dedup();
    for account in allowed {
        let step = format!("allowlist {account} on the vault");
        tx::send(&step, vault_c.setAllowlisted(account, true).from(me)).await?;
    }
    tx::send("enable the vault's allowlist", vault_c.setAllowlistEnabled(true).from(me)).await?;
    Ok(())
}

/// The policy's oracle over `vault` and `pool`.
async fn deploy_oracle(
    chain: &Chain,
    config: &DeployConfig,
    policy: Policy,
    vault: Address,
    pool: Address,
) -> Result<Address> {
    let (p, me) = (chain.provider().clone(), chain.sender());
    Ok(match policy.oracle() {
        OracleKind::Spot => {
            tx::deploy("deploy SpotOracle", SpotOracle::deploy_builder(p.clone(), pool).from(me))
                .await?
        }
        OracleKind::Nav => {
            tx::deploy("deploy NavOracle", NavOracle::deploy_builder(p.clone(), vault).from(me))
                .await?
        }
        OracleKind::Conservative => {
            let o = &config.oracle;
            let params = ConservativeOracle::OracleParams {
                shortTwapWindow: secs32(o.short_twap_window),
                longTwapWindow: secs32(o.long_twap_window),
                heartbeat: secs32(o.heartbeat),
                maxNavAge: secs32(o.max_nav_age),
                haircutPerDay: frac64(o.haircut_per_day),
                maxHaircut: frac64(o.max_haircut),
                divergenceTolerance: frac64(o.divergence_tolerance),
                baseConfirmation: secs32(o.base_confirmation),
                minConfirmation: secs32(o.min_confirmation),
                maxDropPerHour: frac64(o.max_drop_per_hour),
                maxRisePerHour: frac64(o.max_rise_per_hour),
            };
            tx::deploy(
                "deploy ConservativeOracle",
                ConservativeOracle::deploy_builder(p.clone(), vault, pool, me, params).from(me),
            )
            .await?
        }
    })
}

/// The policy's breaker over `[oracle, vault, pool]` (a circuit breaker's guardian role granted).
async fn deploy_breaker(
    chain: &Chain,
    config: &DeployConfig,
    policy: Policy,
    [oracle, vault, pool]: [Address; 3],
    guardian: Address,
) -> Result<Address> {
    let (p, me) = (chain.provider().clone(), chain.sender());
    Ok(match policy.breaker() {
        BreakerKind::Permissive => {
            tx::deploy(
                "deploy PermissiveBreaker",
                PermissiveBreaker::deploy_builder(p.clone()).from(me),
            )
            .await?
        }
        BreakerKind::Circuit => {
            let b = &config.breaker;
            let params = CircuitBreaker::BreakerParams {
                window: secs32(b.window),
                level1Decline: frac64(b.level1_decline),
                level2Decline: frac64(b.level2_decline),
                level3Decline: frac64(b.level3_decline),
                divergenceBound: frac64(b.divergence_bound),
                divergenceWindow: secs32(b.divergence_window),
                slippage: frac64(b.slippage),
                refillPeriod: secs32(b.refill_period),
                maxHalt: secs32(b.max_halt),
                gracePeriod: secs32(b.grace_period),
                cooldown: secs32(b.cooldown),
            };
            let breaker = tx::deploy(
                "deploy CircuitBreaker",
                CircuitBreaker::deploy_builder(p.clone(), oracle, vault, pool, me, params).from(me),
            )
            .await?;
            let step = format!("grant CircuitBreaker GUARDIAN_ROLE to {}", guardian);
            let c = CircuitBreaker::new(breaker, p.clone());
            tx::send(&step, c.grantRole(role_id("GUARDIAN_ROLE"), guardian).from(me)).await?;
            breaker
        }
    })
}

/// Seeds the pool at the initial NAV and the market's supply, from the deployer's newly minted
/// stablecoin.
async fn seed(
    chain: &Chain,
    config: &DeployConfig,
    [stablecoin, vault, pool, market]: [Address; 4],
) -> Result<()> {
    let (p, me) = (chain.provider().clone(), chain.sender());
    let (v, a, m) = (&config.vault, &config.amm, &config.market);
    let vault_c = RwaVault::new(vault, p.clone());
    let pool_c = ConstantProductPool::new(pool, p.clone());
    let usd = Stablecoin::new(stablecoin, p.clone());
    let nav = v.initial_nav.raw();
    let seed_shares = a.seed_shares.raw();
    let seed_quote = seed_shares * nav / wad_unit();
    // Subscribing rounds shares down: pay enough that at least `seed_shares` are minted.
    let subscribe_assets = (seed_shares * nav).div_ceil(wad_unit());
    let seed_supply = m.seed_supply.raw();
    let minted = subscribe_assets + seed_quote + seed_supply;
    tx::send("mint the seed stablecoin", usd.mint(me, minted).from(me)).await?;
    tx::send("approve the vault", usd.approve(vault, subscribe_assets).from(me)).await?;
    tx::send("subscribe seed shares", vault_c.subscribe(subscribe_assets, me).from(me)).await?;
    tx::send("approve the pool (shares)", vault_c.approve(pool, seed_shares).from(me)).await?;
    tx::send("approve the pool (stablecoin)", usd.approve(pool, seed_quote).from(me)).await?;
    let deadline = U256::from(chain.latest_timestamp().await? + 3600);
    tx::send(
        "seed the pool",
        pool_c.addLiquidity(seed_shares, seed_quote, U256::ZERO, me, deadline).from(me),
    )
    .await?;
    info!(shares = %a.seed_shares, price = %v.initial_nav, "pool seeded");
    if !seed_supply.is_zero() {
        let market_c = LendingMarket::new(market, p.clone());
        tx::send("approve the market", usd.approve(market, seed_supply).from(me)).await?;
        tx::send("seed the market's supply", market_c.supply(seed_supply, me).from(me)).await?;
        info!(supply = %m.seed_supply, "market seeded");
    }

    Ok(())
}

/// Deploys a constant-product pool of `base` against `quote` and grows its observation ring to
/// the configured cardinality.
pub(crate) async fn deploy_pool(
    chain: &Chain,
    base: Address,
    quote: Address,
    a: &crate::AmmConfig,
) -> Result<Address> {
    let (p, me) = (chain.provider().clone(), chain.sender());
    let target = a.observation_cardinality.max(1);
    let mut cardinality = target.min(64);
    let builder = ConstantProductPool::deploy_builder(
        p.clone(),
        base,
        quote,
        a.lp_name.clone(),
        a.lp_symbol.clone(),
        secs32(a.observation_period),
        cardinality,
    );
    let pool = tx::deploy("deploy ConstantProductPool", builder.from(me)).await?;
    info!(%pool, %base, "ConstantProductPool deployed");
    let pool_c = ConstantProductPool::new(pool, p);
    while cardinality < target {
        cardinality = cardinality.saturating_add(CARDINALITY_STEP).min(target);
        let step = format!("grow the pool's observation ring to {cardinality}");
        tx::send(&step, pool_c.increaseObservationCardinality(cardinality).from(me)).await?;
    }
    Ok(pool)
}

pub(crate) async fn deploy_rate_model(chain: &Chain, r: &crate::RatesConfig) -> Result<Address> {
    let builder = KinkedRateModel::deploy_builder(
        chain.provider().clone(),
        r.base_rate.raw(),
        r.slope1.raw(),
        r.slope2.raw(),
        r.kink.raw(),
    );
    tx::deploy("deploy KinkedRateModel", builder.from(chain.sender())).await
}

/// The modules a market is wired to.
pub(crate) struct MarketModules {
    pub oracle: Address,
    pub breaker: Address,
    pub rate_model: Address,
}

/// Deploys a market of `kind` lending `loan` against `collateral`, administered by the deployer.
pub(crate) async fn deploy_market(
    chain: &Chain,
    kind: MarketKind,
    loan: Address,
    collateral: Address,
    modules: MarketModules,
    m: &crate::MarketConfig,
) -> Result<Address> {
    let (me, p) = (chain.sender(), chain.provider().clone());
    let MarketModules { oracle, breaker, rate_model } = modules;
    // Both constructors take the same arguments; each binding has its own `MarketParams` type.
    macro_rules! deploy {
        ($market:ident) => {{
            let params = $market::MarketParams {
                maxLtv: m.max_ltv.raw(),
                lltv: m.liquidation_ltv.raw(),
                closeFactor: m.close_factor.raw(),
                reserveFactor: m.reserve_factor.raw(),
                keeperFee: m.keeper_fee.raw(),
                dustDebt: m.dust_debt.raw(),
                supplyCap: m.supply_cap.raw(),
                borrowCap: m.borrow_cap.raw(),
                collateralCap: m.collateral_cap.raw(),
            };
            let builder = $market::deploy_builder(
                p, loan, collateral, oracle, breaker, rate_model, me, params,
            );
            tx::deploy(concat!("deploy ", stringify!($market)), builder.from(me)).await?
        }};
    }
    let market = match kind {
        MarketKind::RedeemToRepay => deploy!(RedeemToRepayMarket),
        MarketKind::FastOnly => deploy!(LendingMarket),
    };
    info!(%market, %collateral, ?kind, "market deployed");
    Ok(market)
}

/// An AccessControl role id: `keccak256(name)`.
pub fn role_id(name: &str) -> alloy::primitives::B256 {
    keccak256(name.as_bytes())
}

/// Fails unless the node's code at every manifest address is non-empty: catches a manifest from
/// another chain or a restarted node before anything is sent.
pub async fn check_code(chain: &Chain, deployment: &Deployment) -> Result<()> {
    let fields: Vec<(String, Address)> = deployment
        .contracts
        .named()
        .into_iter()
        .map(|(k, a)| (format!("contracts.{k}"), a))
        .collect();
    check_addresses(chain, deployment.chain_id, &fields).await
}

/// [`check_code`] for any manifest: its chain id and its `(field, address)` pairs.
pub(crate) async fn check_addresses(
    chain: &Chain,
    chain_id: u64,
    fields: &[(String, Address)],
) -> Result<()> {
    if chain_id != chain.chain_id() {
        return Err(crate::Error::WrongChain {
            manifest: chain_id,
            node: chain.chain_id(),
            url: chain.url().to_string(),
        });
    }
    for (field, address) in fields {
        let code = chain
            .provider()
            .get_code_at(*address)
            .await
            .map_err(|e| crate::Error::rpc(format!("eth_getCode({address})"), e))?;
        if code.is_empty() {
            return Err(crate::Error::NotDeployed {
                field: field.clone(),
                address: *address,
                url: chain.url().to_string(),
            });
        }
    }
    Ok(())
}
