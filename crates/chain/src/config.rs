//! The typed deployment configuration: a TOML file whose every field has a default, so an empty
//! file (or none) gives a sensible local world. Values use human units: fractions and token
//! amounts as decimals (`0.7`, `1_000_000`), durations as `"30m"`, `"6h"`, `"30d"`.
//!
//! ```toml
//! policy = "safeguarded"
//!
//! [market]
//! max_ltv = 0.7
//! liquidation_ltv = 0.8
//!
//! [oracle]
//! long_twap_window = "6h"
//! ```
//!
//! [`DeployConfig::validate`] mirrors the contracts' parameter bounds and the relations between
//! fields, and names the file and the field of each problem:
//! `config.toml: market.max_ltv = 0.95 must be below market.liquidation_ltv = 0.9`.

use std::path::Path;

use alloy::primitives::{Address, U256};
use serde::{Deserialize, Serialize};

use crate::{
    Error, Result,
    policy::Policy,
    units::{Seconds, WAD, Wad},
};

/// Everything a deployment needs besides the chain and the policy override.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeployConfig {
    /// The policy deployed when none is given on the command line.
    pub policy: Policy,
    /// The loan asset (the local test token).
    pub stablecoin: StablecoinConfig,
    /// The RWA vault.
    pub vault: VaultConfig,
    /// The AMM where vault shares trade.
    pub amm: AmmConfig,
    /// The lending market.
    pub market: MarketConfig,
    /// The kinked interest rate model.
    pub rates: RatesConfig,
    /// The conservative oracle (policies safeguarded, oracle-only, no-slow-path).
    pub oracle: OracleConfig,
    /// The circuit breaker (policies safeguarded, breaker-only, no-slow-path).
    pub breaker: BreakerConfig,
    /// Who holds the operational roles.
    pub roles: RolesConfig,
    /// What is done only on a development chain (Anvil).
    pub local: LocalConfig,
    /// Where this configuration came from, for error messages.
    #[serde(skip)]
    pub origin: String,
}

impl Default for DeployConfig {
    fn default() -> Self {
        Self {
            policy: Policy::Safeguarded,
            stablecoin: StablecoinConfig::default(),
            vault: VaultConfig::default(),
            amm: AmmConfig::default(),
            market: MarketConfig::default(),
            rates: RatesConfig::default(),
            oracle: OracleConfig::default(),
            breaker: BreakerConfig::default(),
            roles: RolesConfig::default(),
            local: LocalConfig::default(),
            origin: "<defaults>".into(),
        }
    }
}

/// The stablecoin: Breakwater deploys its own test token (18 decimals, minter role).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StablecoinConfig {
    /// ERC20 name.
    pub name: String,
    /// ERC20 symbol.
    pub symbol: String,
}

impl Default for StablecoinConfig {
    fn default() -> Self {
        Self { name: "Breakwater USD".into(), symbol: "bwUSD".into() }
    }
}

/// The tokenized SPV.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VaultConfig {
    /// ERC20 name of the share.
    pub name: String,
    /// ERC20 symbol of the share.
    pub symbol: String,
    /// NAV per share at deployment, in stablecoin.
    pub initial_nav: Wad,
    /// Time between a redemption request's epoch end and its settlement.
    pub notice_period: Seconds,
    /// Redemption epoch (the gate applies per epoch).
    pub epoch_length: Seconds,
    /// Largest fraction of supply settled per epoch.
    pub gate: Wad,
    /// Largest NAV move a reporter may apply alone (larger ones wait for the confirmer).
    pub max_nav_move: Wad,
    /// Whether transfers are restricted to an allowlist (deployer, roles, pool, market and the
    /// funded local accounts are allowlisted).
    pub allowlist: bool,
}

impl Default for VaultConfig {
    fn default() -> Self {
        Self {
            name: "RWA Credit Fund".into(),
            symbol: "RWAC".into(),
            initial_nav: Wad::ONE,
            notice_period: Seconds::days(30),
            epoch_length: Seconds::days(1),
            gate: wad("0.1"),
            max_nav_move: wad("0.1"),
            allowlist: false,
        }
    }
}

/// The constant-product pool.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AmmConfig {
    /// LP token name.
    pub lp_name: String,
    /// LP token symbol.
    pub lp_symbol: String,
    /// Vault shares seeded into the pool, paired with stablecoin at the initial NAV.
    pub seed_shares: Wad,
    /// The pool writes at most one TWAP observation per this many seconds (a ring slot then
    /// spans at least this long, whatever the trading frequency).
    pub observation_period: Seconds,
    /// Size of the observation ring, grown in steps after deployment. With the period it sets the
    /// span every TWAP window must fit in (the oracle and breaker refuse longer windows).
    pub observation_cardinality: u16,
}

impl Default for AmmConfig {
    fn default() -> Self {
        Self {
            lp_name: "RWAC/bwUSD LP".into(),
            lp_symbol: "RWAC-LP".into(),
            seed_shares: Wad::units(1_000_000),
            observation_period: Seconds(60),
            // 1,536 one-minute slots: 25.6 h, above the oracle's 24-h confirmation window.
            observation_cardinality: 1536,
        }
    }
}

/// The lending market's risk parameters and seed liquidity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MarketConfig {
    /// Borrowing keeps debt ≤ collateral × borrowPrice × max_ltv.
    pub max_ltv: Wad,
    /// Liquidatable once debt > collateral × liquidationPrice × liquidation_ltv.
    pub liquidation_ltv: Wad,
    /// Share of the debt one liquidation may repay.
    pub close_factor: Wad,
    /// Share of interest kept as reserves (which absorb bad debt first).
    pub reserve_factor: Wad,
    /// Share of slow-path proceeds paid to whoever started it.
    pub keeper_fee: Wad,
    /// Debt below which a liquidation may close the whole position.
    pub dust_debt: Wad,
    /// Cap on supplied stablecoin.
    pub supply_cap: Wad,
    /// Cap on borrowed stablecoin.
    pub borrow_cap: Wad,
    /// Cap on posted collateral (vault shares).
    pub collateral_cap: Wad,
    /// Stablecoin the deployer supplies at deployment, so borrowing works at once.
    pub seed_supply: Wad,
}

impl Default for MarketConfig {
    fn default() -> Self {
        Self {
            max_ltv: wad("0.7"),
            liquidation_ltv: wad("0.8"),
            close_factor: wad("0.5"),
            reserve_factor: wad("0.1"),
            keeper_fee: wad("0.01"),
            dust_debt: Wad::ONE,
            supply_cap: Wad::units(100_000_000),
            borrow_cap: Wad::units(100_000_000),
            collateral_cap: Wad::units(100_000_000),
            seed_supply: Wad::units(1_000_000),
        }
    }
}

/// The kinked rate model, rates per year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RatesConfig {
    /// Rate at zero utilization.
    pub base_rate: Wad,
    /// Rate added from zero to the kink.
    pub slope1: Wad,
    /// Rate added from the kink to full utilization.
    pub slope2: Wad,
    /// Utilization where the second slope starts.
    pub kink: Wad,
}

impl Default for RatesConfig {
    fn default() -> Self {
        Self { base_rate: wad("0.02"), slope1: wad("0.08"), slope2: Wad::ONE, kink: wad("0.8") }
    }
}

/// The conservative oracle's parameters (see `IConservativeOracle.OracleParams`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OracleConfig {
    /// TWAP window of borrowPrice's market check.
    pub short_twap_window: Seconds,
    /// TWAP window of the market level liquidationPrice may follow.
    pub long_twap_window: Seconds,
    /// NAV age before the staleness haircut starts.
    pub heartbeat: Seconds,
    /// NAV age beyond which borrowing closes.
    pub max_nav_age: Seconds,
    /// Haircut growth per day past the heartbeat.
    pub haircut_per_day: Wad,
    /// Haircut cap.
    pub max_haircut: Wad,
    /// Market below haircut NAV by less than this is noise.
    pub divergence_tolerance: Wad,
    /// How long a divergence of exactly the tolerance must last before the price follows.
    pub base_confirmation: Seconds,
    /// Floor of the confirmation time for large divergences.
    pub min_confirmation: Seconds,
    /// liquidationPrice falls at most this fraction per hour.
    pub max_drop_per_hour: Wad,
    /// liquidationPrice rises at most this fraction per hour.
    pub max_rise_per_hour: Wad,
}

impl Default for OracleConfig {
    fn default() -> Self {
        Self {
            short_twap_window: Seconds::minutes(30),
            long_twap_window: Seconds::hours(6),
            heartbeat: Seconds::days(35),
            max_nav_age: Seconds::days(45),
            haircut_per_day: wad("0.005"),
            max_haircut: wad("0.25"),
            divergence_tolerance: wad("0.03"),
            base_confirmation: Seconds::hours(24),
            min_confirmation: Seconds::hours(1),
            max_drop_per_hour: wad("0.02"),
            max_rise_per_hour: wad("0.01"),
        }
    }
}

/// The circuit breaker's parameters (see `ICircuitBreakerAdmin.BreakerParams`). Whether the
/// slow path is enabled comes from the policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BreakerConfig {
    /// Rolling window of the liquidation-price decline.
    pub window: Seconds,
    /// Decline that closes new borrows (level 1).
    pub level1_decline: Wad,
    /// Decline that throttles fast liquidation (level 2).
    pub level2_decline: Wad,
    /// Decline that halts fast liquidation (level 3).
    pub level3_decline: Wad,
    /// NAV above the market TWAP by more than this halts.
    pub divergence_bound: Wad,
    /// TWAP window of the divergence check and the depth estimate.
    pub divergence_window: Seconds,
    /// Price impact the throttle budget may cause per refill period.
    pub slippage: Wad,
    /// Time for the throttle budget to refill completely.
    pub refill_period: Seconds,
    /// A halt steps down by itself after this long.
    pub max_halt: Seconds,
    /// After a halt, no liquidation at all for this long.
    pub grace_period: Seconds,
    /// After a halt ends, automatic triggers cannot halt again for this long.
    pub cooldown: Seconds,
}

impl Default for BreakerConfig {
    fn default() -> Self {
        Self {
            window: Seconds::hours(1),
            level1_decline: wad("0.07"),
            level2_decline: wad("0.13"),
            level3_decline: wad("0.2"),
            divergence_bound: wad("0.15"),
            divergence_window: Seconds::minutes(30),
            slippage: wad("0.02"),
            refill_period: Seconds::hours(1),
            max_halt: Seconds::hours(6),
            grace_period: Seconds::hours(1),
            cooldown: Seconds::hours(24),
        }
    }
}

/// Holders of the operational roles; each defaults to the deployer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RolesConfig {
    /// Receives subscription cash; refills the redemption buffer.
    pub custodian: Option<Address>,
    /// Reports NAV.
    pub nav_reporter: Option<Address>,
    /// Confirms NAV moves above the single-move bound.
    pub nav_confirmer: Option<Address>,
    /// Pauses the vault, sets NAV status, trips the breaker.
    pub guardian: Option<Address>,
}

/// Development-chain extras, skipped on any other chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LocalConfig {
    /// How many of the node's accounts (`eth_accounts`) receive stablecoin.
    pub fund_accounts: usize,
    /// Stablecoin minted to each of them.
    pub stablecoin_per_account: Wad,
    /// Time skipped after seeding the pool, so TWAPs average over real liquidity (0: none).
    pub warmup: Seconds,
}

impl Default for LocalConfig {
    fn default() -> Self {
        Self {
            fund_accounts: 10,
            stablecoin_per_account: Wad::units(1_000_000),
            warmup: Seconds::days(1),
        }
    }
}

/// A decimal literal known to be valid (defaults only).
pub(crate) fn wad(s: &str) -> Wad {
    s.parse().unwrap_or_default()
}

/// A file's text and the name errors give it.
pub(crate) fn read_file(path: &Path) -> Result<(String, String)> {
    let text = std::fs::read_to_string(path)
        .map_err(|source| Error::Io { path: path.to_path_buf(), source })?;
    Ok((text, path.display().to_string()))
}

/// Writes `text` to `path`, creating parent directories.
pub(crate) fn write_file(path: &Path, text: &str) -> Result<()> {
    let io = |source| Error::Io { path: path.to_path_buf(), source };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    std::fs::write(path, text).map_err(io)
}

/// Parses TOML (unknown fields are errors); `origin` names the text in errors.
pub(crate) fn parse_toml<T: serde::de::DeserializeOwned>(text: &str, origin: &str) -> Result<T> {
    toml::from_str(text).map_err(|e| Error::Config {
        file: origin.to_string(),
        problems: vec![e.to_string().trim_end().to_string()],
    })
}

impl RolesConfig {
    /// The role holders, the `admin` for any not given.
    pub(crate) fn resolve(&self, admin: Address) -> crate::Roles {
        crate::Roles {
            admin,
            custodian: self.custodian.unwrap_or(admin),
            nav_reporter: self.nav_reporter.unwrap_or(admin),
            nav_confirmer: self.nav_confirmer.unwrap_or(admin),
            guardian: self.guardian.unwrap_or(admin),
        }
    }
}

/// `load`, `from_toml` and `to_toml` for a configuration file type with an `origin` field.
macro_rules! toml_file {
    ($config:ty) => {
        impl $config {
            /// Reads and parses a TOML file (unknown fields are errors), without validating it.
            pub fn load(path: impl AsRef<std::path::Path>) -> $crate::Result<Self> {
                let (text, origin) = $crate::config::read_file(path.as_ref())?;
                Self::from_toml(&text, &origin)
            }

            /// Parses TOML text; `origin` names it in errors (a file name).
            pub fn from_toml(text: &str, origin: &str) -> $crate::Result<Self> {
                let config: Self = $crate::config::parse_toml(text, origin)?;
                Ok(Self { origin: origin.to_string(), ..config })
            }

            /// The configuration as TOML (every field, defaults included).
            pub fn to_toml(&self) -> String {
                toml::to_string_pretty(self).unwrap_or_default()
            }
        }
    };
}
pub(crate) use toml_file;

toml_file!(DeployConfig);

impl DeployConfig {
    /// Checks every field against the contracts' bounds and the relations between fields, for
    /// the given policy; all problems are reported at once.
    pub fn validate(&self, policy: Policy) -> Result<()> {
        Checks(self.problems(policy)).into_result(&self.origin)
    }

    pub(crate) fn problems(&self, policy: Policy) -> Vec<String> {
        let mut p = Checks::default();
        let (v, a, m, r, o, b) =
            (&self.vault, &self.amm, &self.market, &self.rates, &self.oracle, &self.breaker);

        // Vault (RwaVault's constructor bounds).
        p.range_wad("vault.initial_nav", v.initial_nav, "0.000000000000000001", "100000000");
        p.range_secs("vault.notice_period", v.notice_period, Seconds(0), Seconds::days(365));
        p.range_secs("vault.epoch_length", v.epoch_length, Seconds::hours(1), Seconds::days(90));
        p.range_wad("vault.gate", v.gate, "0.001", "1");
        p.range_wad("vault.max_nav_move", v.max_nav_move, "0.001", "0.5");

        // AMM.
        p.range_wad("amm.seed_shares", a.seed_shares, "0.000000000000000001", "1000000000000000");
        p.range_secs("amm.observation_period", a.observation_period, Seconds(1), Seconds::days(1));
        if a.observation_cardinality == 0 {
            p.push("amm.observation_cardinality = 0 must be at least 1".into());
        }

        // Market (LendingMarket._setParams).
        p.range_wad("market.liquidation_ltv", m.liquidation_ltv, "0.05", "0.98");
        if m.max_ltv >= m.liquidation_ltv {
            p.push(format!(
                "market.max_ltv = {} must be below market.liquidation_ltv = {}",
                m.max_ltv, m.liquidation_ltv
            ));
        } else if m.liquidation_ltv.raw() - m.max_ltv.raw() < wad("0.02").raw() {
            p.push(format!(
                "market.max_ltv = {} must be at least 0.02 below market.liquidation_ltv = {} \
                 (the market's MIN_LTV_BUFFER)",
                m.max_ltv, m.liquidation_ltv
            ));
        }
        p.range_wad("market.max_ltv", m.max_ltv, "0.01", "0.98");
        p.range_wad("market.close_factor", m.close_factor, "0.05", "1");
        p.range_wad("market.reserve_factor", m.reserve_factor, "0", "0.5");
        p.range_wad("market.keeper_fee", m.keeper_fee, "0", "0.05");
        p.range_wad("market.dust_debt", m.dust_debt, "0", "1000000");
        // LendingMarket.MAX_CAP (2^128 − 1) and MAX_COLLATERAL_CAP (2^120 − 1), in tokens.
        let (cap_max, collateral_cap_max) =
            (Wad(U256::from(u128::MAX)), Wad((U256::from(1) << 120) - U256::from(1)));
        for (name, cap, max, shown) in [
            ("market.supply_cap", m.supply_cap, cap_max, "3.4e20"),
            ("market.borrow_cap", m.borrow_cap, cap_max, "3.4e20"),
            ("market.collateral_cap", m.collateral_cap, collateral_cap_max, "1.3e18"),
        ] {
            if cap.raw().is_zero() || cap > max {
                p.push(format!("{name} = {cap} must be positive and below {shown}"));
            }
        }
        if m.seed_supply > m.supply_cap {
            p.push(format!(
                "market.seed_supply = {} exceeds market.supply_cap = {}",
                m.seed_supply, m.supply_cap
            ));
        }

        // Rates (KinkedRateModel).
        for (name, rate) in [
            ("rates.base_rate", r.base_rate),
            ("rates.slope1", r.slope1),
            ("rates.slope2", r.slope2),
        ] {
            p.range_wad(name, rate, "0", "10");
        }
        if r.kink.raw().is_zero() || r.kink >= Wad::ONE {
            p.push(format!("rates.kink = {} must be above 0 and below 1", r.kink));
        }

        if matches!(policy.oracle(), crate::policy::OracleKind::Conservative) {
            o.check(&mut p);
        }

        if matches!(policy.breaker(), crate::policy::BreakerKind::Circuit) {
            b.check(&mut p);
        }

        // A warm-up shorter than the TWAP windows would average the empty pool into them.
        if policy.reads_twap() && self.local.warmup.0 > 0 {
            let mut needed = vec![];
            if matches!(policy.oracle(), crate::policy::OracleKind::Conservative) {
                needed.push(("oracle.long_twap_window", o.long_twap_window));
            }
            if matches!(policy.breaker(), crate::policy::BreakerKind::Circuit) {
                needed.push(("breaker.divergence_window", b.divergence_window));
            }
            for (name, window) in needed {
                if self.local.warmup < window {
                    p.push(format!(
                        "local.warmup = {} must be at least {name} = {window} (or 0 for none), \
                         else the TWAP averages in the empty pool",
                        self.local.warmup
                    ));
                }
            }
        }
        p.0
    }
}

impl OracleConfig {
    /// ConservativeOracle._setParams' bounds and relations.
    fn check(&self, p: &mut Checks) {
        let o = self;
        p.range_secs(
            "oracle.short_twap_window",
            o.short_twap_window,
            Seconds::minutes(5),
            Seconds::days(1),
        );
        p.at_least(
            "oracle.long_twap_window",
            o.long_twap_window,
            "oracle.short_twap_window",
            o.short_twap_window,
        );
        p.range_secs("oracle.long_twap_window", o.long_twap_window, Seconds(0), Seconds::days(7));
        p.range_secs("oracle.heartbeat", o.heartbeat, Seconds::hours(1), Seconds::days(90));
        p.at_least("oracle.max_nav_age", o.max_nav_age, "oracle.heartbeat", o.heartbeat);
        p.range_secs("oracle.max_nav_age", o.max_nav_age, Seconds(0), Seconds::days(365));
        p.range_wad("oracle.haircut_per_day", o.haircut_per_day, "0", "0.05");
        p.range_wad("oracle.max_haircut", o.max_haircut, "0", "0.5");
        p.range_wad("oracle.divergence_tolerance", o.divergence_tolerance, "0.005", "0.5");
        p.range_secs(
            "oracle.base_confirmation",
            o.base_confirmation,
            Seconds::minutes(5),
            Seconds::days(7),
        );
        p.range_secs(
            "oracle.min_confirmation",
            o.min_confirmation,
            Seconds::minutes(5),
            Seconds::days(7),
        );
        if o.min_confirmation > o.base_confirmation {
            p.push(format!(
                "oracle.min_confirmation = {} must not exceed oracle.base_confirmation = {}",
                o.min_confirmation, o.base_confirmation
            ));
        }
        p.range_wad("oracle.max_drop_per_hour", o.max_drop_per_hour, "0.001", "0.5");
        p.range_wad("oracle.max_rise_per_hour", o.max_rise_per_hour, "0.001", "0.5");
    }
}

impl BreakerConfig {
    /// CircuitBreaker._setParams' bounds and relations.
    fn check(&self, p: &mut Checks) {
        let b = self;
        p.range_secs("breaker.window", b.window, Seconds::minutes(4), Seconds::days(7));
        p.range_wad("breaker.level1_decline", b.level1_decline, "0.01", "0.5");
        p.range_wad("breaker.level2_decline", b.level2_decline, "0", "0.7");
        p.range_wad("breaker.level3_decline", b.level3_decline, "0", "0.9");
        for (lo, lo_v, hi, hi_v) in [
            (
                "breaker.level1_decline",
                b.level1_decline,
                "breaker.level2_decline",
                b.level2_decline,
            ),
            (
                "breaker.level2_decline",
                b.level2_decline,
                "breaker.level3_decline",
                b.level3_decline,
            ),
        ] {
            if hi_v <= lo_v {
                p.push(format!("{hi} = {hi_v} must be above {lo} = {lo_v}"));
            }
        }
        p.range_wad("breaker.divergence_bound", b.divergence_bound, "0.01", "0.9");
        p.range_secs(
            "breaker.divergence_window",
            b.divergence_window,
            Seconds::minutes(1),
            Seconds::days(7),
        );
        p.range_wad("breaker.slippage", b.slippage, "0.001", "0.5");
        p.range_secs(
            "breaker.refill_period",
            b.refill_period,
            Seconds::minutes(1),
            Seconds::days(7),
        );
        p.range_secs("breaker.max_halt", b.max_halt, Seconds::minutes(1), Seconds::days(7));
        p.range_secs("breaker.grace_period", b.grace_period, Seconds(0), Seconds::days(1));
        p.at_least("breaker.cooldown", b.cooldown, "breaker.grace_period", b.grace_period);
        p.range_secs("breaker.cooldown", b.cooldown, Seconds(0), Seconds::days(30));
    }
}

mod checks;
pub(crate) use checks::Checks;

/// Converts a config fraction to the contracts' `uint64` (validated ranges always fit).
pub(crate) fn frac64(w: Wad) -> u64 {
    w.to_u64().unwrap_or(u64::MAX)
}

/// Converts a config duration to the contracts' `uint32` (validated ranges always fit).
pub(crate) fn secs32(s: Seconds) -> u32 {
    s.to_u32().unwrap_or(u32::MAX)
}

/// 1e18 as a `U256`.
pub(crate) fn wad_unit() -> U256 {
    U256::from(WAD)
}

#[cfg(test)]
mod tests;
