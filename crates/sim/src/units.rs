//! The lab's conversions between the contracts' 1e18 fixed point and the agents' `f64`.

use alloy::primitives::U256;

pub(crate) const WAD_U128: u128 = 1_000_000_000_000_000_000;

/// Converts loan units or shares to the contracts' 1e18 fixed point (negative and NaN to 0).
pub(crate) fn wad(x: f64) -> U256 {
    if x.is_finite() && x > 0.0 { U256::from((x * 1e18) as u128) } else { U256::ZERO }
}

/// Converts 1e18 fixed point to `f64` (exactly for values below 2^53 wei, then rounded).
pub(crate) fn float(x: U256) -> f64 {
    let (hi, lo) = x.div_rem(U256::from(WAD_U128));
    u128::try_from(hi).map_or(f64::MAX, |h| h as f64)
        + u128::try_from(lo).map_or(0.0, |l| l as f64) / 1e18
}
