//! The market's fixed-point math, mirrored bit for bit (`WadMath`, `SharesMath` and the
//! liquidation formulas of `LendingMarket.sol`), so that the bot's local health checks and
//! liquidation amounts agree with what the contract will compute.
//!
//! Where Solidity would revert (overflow, division by zero), these saturate at `U256::MAX`:
//! the bot only needs to rank and shortlist, and the on-chain confirmation has the last word.

use alloy::primitives::{U256, U512};

/// 1e18: the scale of prices and factors.
pub const WAD: U256 = U256::from_limbs([1_000_000_000_000_000_000, 0, 0, 0]);
/// `SharesMath.VIRTUAL_SHARES`.
pub const VIRTUAL_SHARES: U256 = U256::from_limbs([1_000_000, 0, 0, 0]);
/// `SharesMath.VIRTUAL_ASSETS`.
pub const VIRTUAL_ASSETS: U256 = U256::from_limbs([1, 0, 0, 0]);
/// `LendingMarket.MAX_LIF` (1.15).
pub const MAX_LIF: U256 = U256::from_limbs([1_150_000_000_000_000_000, 0, 0, 0]);
/// `LendingMarket.LIF_CURSOR` (0.3).
pub const LIF_CURSOR: U256 = U256::from_limbs([300_000_000_000_000_000, 0, 0, 0]);
/// `ConstantProductPool.FEE_BPS` (checked against the contract by `tests/math_vs_contracts.rs`).
pub const POOL_FEE_BPS: u64 = 30;
/// What a swap keeps of its input after the pool's fee, 1 − FEE_BPS/10,000 = 0.997: the lab's
/// f64 estimates use it; the bot's exact quotes use [`amm_amount_out`].
pub const POOL_FEE_FACTOR: f64 = (10_000 - POOL_FEE_BPS) as f64 / 10_000.0;

fn narrow(x: U512) -> U256 {
    if x > U512::from(U256::MAX) { U256::MAX } else { U256::from_limbs_slice(&x.as_limbs()[..4]) }
}

/// ⌊x·y/d⌋ with a 512-bit intermediate (OpenZeppelin's `Math.mulDiv`).
pub fn mul_div_down(x: U256, y: U256, d: U256) -> U256 {
    if d.is_zero() {
        return U256::MAX;
    }
    narrow(U512::from(x) * U512::from(y) / U512::from(d))
}

/// ⌈x·y/d⌉ with a 512-bit intermediate.
pub fn mul_div_up(x: U256, y: U256, d: U256) -> U256 {
    if d.is_zero() {
        return U256::MAX;
    }
    let d = U512::from(d);
    narrow((U512::from(x) * U512::from(y)).div_ceil(d))
}

/// `WadMath.mulWadDown`.
pub fn mul_wad_down(x: U256, y: U256) -> U256 {
    mul_div_down(x, y, WAD)
}

/// `WadMath.mulWadUp`.
pub fn mul_wad_up(x: U256, y: U256) -> U256 {
    mul_div_up(x, y, WAD)
}

/// `WadMath.divWadDown`.
pub fn div_wad_down(x: U256, y: U256) -> U256 {
    mul_div_down(x, WAD, y)
}

/// `WadMath.divWadUp`.
pub fn div_wad_up(x: U256, y: U256) -> U256 {
    mul_div_up(x, WAD, y)
}

/// `SharesMath.toAssetsUp`: a borrower's debt from its borrow shares.
pub fn to_assets_up(shares: U256, total_assets: U256, total_shares: U256) -> U256 {
    mul_div_up(shares, total_assets.saturating_add(VIRTUAL_ASSETS), total_shares + VIRTUAL_SHARES)
}

/// `SharesMath.toSharesDown`: the shares a repayment of `assets` burns.
pub fn to_shares_down(assets: U256, total_assets: U256, total_shares: U256) -> U256 {
    mul_div_down(assets, total_shares + VIRTUAL_SHARES, total_assets.saturating_add(VIRTUAL_ASSETS))
}

/// `LendingMarket.liquidationIncentiveFactor`: min(MAX_LIF, 1 / (β·LLTV + 1 − β)).
pub fn liquidation_incentive_factor(lltv: U256) -> U256 {
    div_wad_down(WAD, mul_wad_down(LIF_CURSOR, lltv) + WAD - LIF_CURSOR).min(MAX_LIF)
}

/// `LendingMarket._healthFactor`: collateral × price × LLTV / debt, `U256::MAX` without debt.
pub fn health_factor(collateral: U256, debt: U256, price: U256, lltv: U256) -> U256 {
    if debt.is_zero() {
        return U256::MAX;
    }
    div_wad_down(mul_wad_down(mul_wad_down(collateral, price), lltv), debt)
}

/// `LendingMarket._maxRepay`: the close factor's cap on one liquidation, or the whole debt when
/// what would remain is dust.
pub fn max_repay(debt: U256, close_factor: U256, dust_debt: U256) -> U256 {
    let capped = mul_wad_up(debt, close_factor);
    if debt - capped.min(debt) < dust_debt { debt } else { capped }
}

/// What a fast liquidation would repay and seize (`LendingMarket._liquidationAmounts`, before
/// the conversion of the repayment to shares and back, which can only lower it, never raise it:
/// `tests/math_vs_contracts.rs` checks both steps against the contract).
pub fn liquidation_amounts(
    repay_assets: U256,
    max_repay: U256,
    collateral: U256,
    price: U256,
    lif: U256,
) -> (U256, U256) {
    let mut repaid = repay_assets.min(max_repay);
    let mut seized =
        if price.is_zero() { collateral } else { div_wad_down(mul_wad_down(repaid, lif), price) };
    if seized >= collateral {
        seized = collateral;
        repaid = div_wad_up(mul_wad_up(seized, price), lif).min(repaid);
    }
    (repaid, seized)
}

/// The largest repayment whose seizure stays within `allowance` collateral (the breaker's fast
/// budget): ⌊⌊allowance·price⌋/LIF⌋, so that ⌊⌊repay·LIF⌋/price⌋ ≤ allowance.
pub fn repay_for_seizure(allowance: U256, price: U256, lif: U256) -> U256 {
    if allowance == U256::MAX || price.is_zero() {
        return U256::MAX;
    }
    div_wad_down(mul_wad_down(allowance, price), lif)
}

/// `ConstantProductPool._amountOut`: the output of swapping `amount_in` into a pool holding
/// `reserve_in` and `reserve_out`, after the 0.30% fee.
pub fn amm_amount_out(amount_in: U256, reserve_in: U256, reserve_out: U256) -> U256 {
    let in_with_fee = amount_in.saturating_mul(U256::from(10_000 - POOL_FEE_BPS));
    mul_div_down(
        in_with_fee,
        reserve_out,
        reserve_in.saturating_mul(U256::from(10_000)).saturating_add(in_with_fee),
    )
}

/// The most base that can be sold into the pool with an average price no worse than
/// `(1 − slippage)` × spot (fee included): the closed form of `out ≥ spot·dx·(1 − s)` for x·y=k,
/// dx ≤ x·(f − (1 − s)) / (f·(1 − s)) with f = 0.997. Zero when the fee alone exceeds `slippage`.
pub fn max_sell_within_slippage(reserve_base: U256, slippage: U256) -> U256 {
    let f = U256::from(10_000 - POOL_FEE_BPS) * WAD / U256::from(10_000);
    let keep = WAD.saturating_sub(slippage);
    if keep.is_zero() {
        return U256::MAX;
    }
    if f <= keep {
        return U256::ZERO;
    }
    mul_div_down(reserve_base, div_wad_down(f - keep, mul_wad_up(f, keep)), WAD)
}

/// The seizure that maximises `amm_amount_out(s) − s·price/LIF` (the profit of seizing `s` at
/// `price` with the bonus `lif` and selling it at once): where the pool's marginal price has
/// fallen to `price/LIF`. With f = 0.997: (R_in + f·s)² = R_in·R_out·f·LIF/price, so
/// s* = (√(R_in·R_out·f·LIF/price) − R_in)/f. Zero when even the first unit loses money.
pub fn most_profitable_seizure(
    price: U256,
    lif: U256,
    reserve_in: U256,
    reserve_out: U256,
) -> U256 {
    if price.is_zero() {
        return U256::MAX;
    }
    let f = U512::from(10_000 - POOL_FEE_BPS);
    let target = U512::from(reserve_in) * U512::from(reserve_out) * f * U512::from(lif)
        / (U512::from(price) * U512::from(10_000));
    let root = target.root(2);
    let r_in = U512::from(reserve_in);
    if root <= r_in {
        return U256::ZERO;
    }
    narrow((root - r_in) * U512::from(10_000) / f)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wad(x: f64) -> U256 {
        U256::from((x * 1e6).round() as u128) * U256::from(1_000_000_000_000u64)
    }

    #[test]
    fn lif_matches_the_contract_at_lltv_80() {
        // 1 / (0.3 · 0.8 + 0.7) = 1 / 0.94 = 1.063829787234042553
        assert_eq!(
            liquidation_incentive_factor(wad(0.8)),
            U256::from(1_063_829_787_234_042_553u128)
        );
        // Low LLTVs hit the 1.15 cap.
        assert_eq!(liquidation_incentive_factor(wad(0.1)), MAX_LIF);
    }

    #[test]
    fn max_repay_applies_close_factor_then_dust() {
        assert_eq!(max_repay(wad(100.0), wad(0.5), wad(1.0)), wad(50.0));
        // 1.5 would remain, above dust: capped.
        assert_eq!(max_repay(wad(3.0), wad(0.5), wad(1.0)), wad(1.5));
        // 0.75 would remain, below dust: the whole debt.
        assert_eq!(max_repay(wad(1.5), wad(0.5), wad(1.0)), wad(1.5));
    }

    #[test]
    fn seizure_is_capped_by_collateral_and_repay_shrinks() {
        let lif = wad(1.1);
        let (repaid, seized) = liquidation_amounts(wad(50.0), wad(50.0), wad(100.0), wad(1.0), lif);
        assert_eq!((repaid, seized), (wad(50.0), wad(55.0)));
        let (repaid, seized) = liquidation_amounts(wad(50.0), wad(50.0), wad(11.0), wad(1.0), lif);
        assert_eq!((repaid, seized), (wad(10.0), wad(11.0)));
    }

    #[test]
    fn repay_for_seizure_never_exceeds_the_allowance() {
        let (price, lif) = (U256::from(987_654_321_987_654_321u128), wad(1.0638));
        for allowance in [1u64, 7, 1_000_003, 999_999_999_999] {
            let allowance = U256::from(allowance) * U256::from(1_000_000_007u64);
            let repay = repay_for_seizure(allowance, price, lif);
            let (_, seized) = liquidation_amounts(repay, U256::MAX, U256::MAX, price, lif);
            assert!(seized <= allowance, "{seized} > {allowance}");
        }
        assert_eq!(repay_for_seizure(U256::MAX, wad(1.0), lif), U256::MAX);
    }

    #[test]
    fn slippage_bound_closed_form_holds() {
        let (rb, rq) = (wad(1000.0), wad(1000.0));
        let dx = max_sell_within_slippage(rb, wad(0.05));
        let out = amm_amount_out(dx, rb, rq);
        // The average price is within 5% of spot (1.0), and selling 1% more would not be.
        assert!(out >= mul_wad_down(dx, wad(0.95)), "{out} {dx}");
        let more = dx + dx / U256::from(100);
        assert!(amm_amount_out(more, rb, rq) < mul_wad_down(more, wad(0.95)));
        assert_eq!(max_sell_within_slippage(rb, wad(0.002)), U256::ZERO);
    }

    #[test]
    fn mul_div_saturates_instead_of_panicking() {
        assert_eq!(mul_div_down(U256::MAX, U256::MAX, U256::from(1)), U256::MAX);
        assert_eq!(mul_div_up(U256::from(1), U256::from(1), U256::ZERO), U256::MAX);
        assert_eq!(mul_div_up(U256::from(7), U256::from(3), U256::from(2)), U256::from(11));
        assert_eq!(health_factor(wad(1.0), U256::ZERO, wad(1.0), wad(0.8)), U256::MAX);
    }

    #[test]
    fn most_profitable_seizure_is_a_maximum() {
        let (r_in, r_out, lif) = (wad(10_000.0), wad(9_000.0), wad(1.0638));
        let price = wad(0.9);
        let profit = |s: U256| {
            let out = amm_amount_out(s, r_in, r_out);
            let cost = mul_div_down(mul_wad_down(s, price), WAD, lif);
            out.saturating_sub(cost)
        };
        let s = most_profitable_seizure(price, lif, r_in, r_out);
        assert!(s > wad(250.0) && s < wad(350.0), "{s}"); // ≈ R·(√(0.997·1.0638) − 1) = 298
        let step = wad(1.0);
        assert!(profit(s) >= profit(s - step) && profit(s) >= profit(s + step));
        // Priced above what the pool pays (after the bonus): nothing is worth seizing.
        assert_eq!(most_profitable_seizure(wad(0.97), lif, r_in, r_out), U256::ZERO);
    }
}
