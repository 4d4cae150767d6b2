//! Where a run's numbers come from: the scenario file's hash, the program, and the market's
//! parameters as deployed (read from the chain once, after deployment: the chain is what ran).

use std::collections::BTreeMap;

use alloy::{primitives::Address, providers::DynProvider};
use breakwater_chain::{
    World,
    bindings::{CircuitBreaker, ConservativeOracle, ILendingMarket},
};
use breakwater_world::{Reads, from_wad, read::call};
use sha2::{Digest, Sha256};

use crate::{Error, Result};

/// SHA-256 of `bytes`, in lowercase hex (what `sha256sum` prints).
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// The program: this crate's version and, when the build had one, the source's `git describe`.
pub(crate) fn program() -> String {
    let version = env!("CARGO_PKG_VERSION");
    match env!("BREAKWATER_GIT_DESCRIBE") {
        "" => format!("breakwater {version}"),
        git => format!("breakwater {version} (git {git})"),
    }
}

/// The market's parameters (`market.*`), and the conservative oracle's (`oracle.*`) and the
/// circuit breaker's (`breaker.*`) where the policy deployed them; fractions as decimals,
/// `_s` names in seconds.
pub(crate) async fn parameters(
    reads: &dyn Reads,
    world: &World<DynProvider>,
) -> Result<BTreeMap<String, f64>> {
    let market = *world.market.address();
    let m = call(reads, market, &ILendingMarket::paramsCall {}, None)
        .await
        .map_err(|e| Error::read("market.params()", e))?;
    let lif = call(reads, market, &ILendingMarket::liquidationIncentiveFactorCall {}, None)
        .await
        .map_err(|e| Error::read("market.liquidationIncentiveFactor()", e))?;
    let mut out: BTreeMap<String, f64> = [
        ("market.max_ltv", from_wad(m.maxLtv)),
        ("market.lltv", from_wad(m.lltv)),
        ("market.close_factor", from_wad(m.closeFactor)),
        ("market.liquidation_incentive", from_wad(lif)),
        ("market.reserve_factor", from_wad(m.reserveFactor)),
        ("market.keeper_fee", from_wad(m.keeperFee)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    if let Some(oracle) = world.conservative_oracle() {
        out.extend(oracle_parameters(reads, *oracle.address()).await?);
    }
    if let Some(breaker) = world.circuit_breaker() {
        out.extend(breaker_parameters(reads, *breaker.address()).await?);
    }
    Ok(out)
}

async fn oracle_parameters(reads: &dyn Reads, oracle: Address) -> Result<Vec<(String, f64)>> {
    let p = call(reads, oracle, &ConservativeOracle::paramsCall {}, None)
        .await
        .map_err(|e| Error::read("oracle.params()", e))?;
    let s = |v: u32| f64::from(v);
    let w = |v: u64| from_wad(alloy::primitives::U256::from(v));
    Ok([
        ("short_twap_window_s", s(p.shortTwapWindow)),
        ("long_twap_window_s", s(p.longTwapWindow)),
        ("heartbeat_s", s(p.heartbeat)),
        ("max_nav_age_s", s(p.maxNavAge)),
        ("haircut_per_day", w(p.haircutPerDay)),
        ("max_haircut", w(p.maxHaircut)),
        ("divergence_tolerance", w(p.divergenceTolerance)),
        ("base_confirmation_s", s(p.baseConfirmation)),
        ("min_confirmation_s", s(p.minConfirmation)),
        ("max_drop_per_hour", w(p.maxDropPerHour)),
        ("max_rise_per_hour", w(p.maxRisePerHour)),
    ]
    .into_iter()
    .map(|(k, v)| (format!("oracle.{k}"), v))
    .collect())
}

async fn breaker_parameters(reads: &dyn Reads, breaker: Address) -> Result<Vec<(String, f64)>> {
    let p = call(reads, breaker, &CircuitBreaker::paramsCall {}, None)
        .await
        .map_err(|e| Error::read("breaker.params()", e))?;
    let s = |v: u32| f64::from(v);
    let w = |v: u64| from_wad(alloy::primitives::U256::from(v));
    Ok([
        ("window_s", s(p.window)),
        ("level1_decline", w(p.level1Decline)),
        ("level2_decline", w(p.level2Decline)),
        ("level3_decline", w(p.level3Decline)),
        ("divergence_bound", w(p.divergenceBound)),
        ("divergence_window_s", s(p.divergenceWindow)),
        ("slippage", w(p.slippage)),
        ("refill_period_s", s(p.refillPeriod)),
        ("max_halt_s", s(p.maxHalt)),
        ("grace_period_s", s(p.gracePeriod)),
        ("cooldown_s", s(p.cooldown)),
    ]
    .into_iter()
    .map(|(k, v)| (format!("breaker.{k}"), v))
    .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_is_sha256_and_the_program_names_its_version() {
        // `printf abc | sha256sum`.
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(program().starts_with(&format!("breakwater {}", env!("CARGO_PKG_VERSION"))));
    }
}
