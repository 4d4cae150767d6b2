//! Where one market and its neighbours are: what the bot and the lab's liquidators need.

use alloy::primitives::Address;

/// Where the market and its neighbours are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MarketAddresses {
    /// The `LendingMarket`.
    pub market: Address,
    /// Its oracle (`ICollateralOracle`).
    pub oracle: Address,
    /// Its breaker (`ICircuitBreaker`).
    pub breaker: Address,
    /// The AMM (`ConstantProductPool`) where the collateral trades.
    pub pool: Address,
    /// The loan asset.
    pub stablecoin: Address,
    /// The collateral (the vault share, or a basket's tranche token).
    pub vault: Address,
    /// Whether the market has the redeem-to-repay slow path (a `RedeemToRepayMarket`).
    pub slow_path: bool,
}
