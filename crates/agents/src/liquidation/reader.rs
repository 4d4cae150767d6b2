//! The bot's on-chain reads: the market's parameters once, one snapshot per block (price,
//! totals, breaker allowance, pool reserves, balances: independent calls sent together, all
//! pinned to the block), and the batched `positionsHealth` confirmation.

use alloy::{
    eips::BlockId,
    primitives::{Address, U256},
    providers::DynProvider,
};
// Bound through the interfaces: their named outputs are the stable surface.
use breakwater_bindings::{
    ICircuitBreaker, ICollateralOracle, IConstantProductPool, ILendingMarket, Stablecoin,
};

use super::types::{MarketSnapshot, PositionHealth, Restrictions, RiskParams};
use crate::{Error, Result, collector::NewBlock};

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
    /// The collateral (the vault share).
    pub vault: Address,
    /// Whether the market has the redeem-to-repay slow path (a `RedeemToRepayMarket`).
    pub slow_path: bool,
}

/// Typed reads of the market, its oracle, breaker and pool.
#[derive(Debug, Clone)]
pub struct MarketReader {
    market: ILendingMarket::ILendingMarketInstance<DynProvider>,
    oracle: ICollateralOracle::ICollateralOracleInstance<DynProvider>,
    breaker: ICircuitBreaker::ICircuitBreakerInstance<DynProvider>,
    pool: IConstantProductPool::IConstantProductPoolInstance<DynProvider>,
    stablecoin: Stablecoin::StablecoinInstance<DynProvider>,
    vault: Stablecoin::StablecoinInstance<DynProvider>,
    account: Address,
    slow_path: bool,
}

impl MarketReader {
    /// Binds the reads to `provider`; balances are `account`'s.
    pub fn new(provider: DynProvider, addresses: &MarketAddresses, account: Address) -> Self {
        Self {
            market: ILendingMarket::new(addresses.market, provider.clone()),
            oracle: ICollateralOracle::new(addresses.oracle, provider.clone()),
            breaker: ICircuitBreaker::new(addresses.breaker, provider.clone()),
            pool: IConstantProductPool::new(addresses.pool, provider.clone()),
            stablecoin: Stablecoin::new(addresses.stablecoin, provider.clone()),
            // Only `balanceOf` is used: any ERC20 binding will do.
            vault: Stablecoin::new(addresses.vault, provider),
            account,
            slow_path: addresses.slow_path,
        }
    }

    /// The market's risk parameters now.
    pub async fn params(&self) -> Result<RiskParams> {
        let p = self
            .market
            .params()
            .call()
            .await
            .map_err(|e| Error::call("LendingMarket.params()", &e))?;
        Ok(RiskParams {
            lltv: p.lltv,
            close_factor: p.closeFactor,
            dust_debt: p.dustDebt,
            keeper_fee: p.keeperFee,
        })
    }

    /// Everything the agent needs about `block`, read at that block.
    pub async fn snapshot(&self, block: &NewBlock) -> Result<MarketSnapshot> {
        let at = BlockId::number(block.number);
        let price = self.oracle.liquidationPrice().block(at);
        let anchor = self.oracle.anchorPrice().block(at);
        let totals = self.market.totals().block(at);
        let allowance = self.breaker.previewLiquidationAllowance().block(at);
        let reserves = self.pool.getReserves().block(at);
        let loan = self.stablecoin.balanceOf(self.account).block(at);
        let held = self.vault.balanceOf(self.account).block(at);
        let (price, anchor, totals, allowance, reserves, loan, held) = tokio::join!(
            price.call(),
            anchor.call(),
            totals.call(),
            allowance.call(),
            reserves.call(),
            loan.call(),
            held.call()
        );
        let price = price.map_err(|e| Error::call("oracle.liquidationPrice()", &e))?;
        let anchor = anchor.map_err(|e| Error::call("oracle.anchorPrice()", &e))?;
        let totals = totals.map_err(|e| Error::call("LendingMarket.totals()", &e))?;
        let allowance =
            allowance.map_err(|e| Error::call("breaker.previewLiquidationAllowance()", &e))?;
        let reserves = reserves.map_err(|e| Error::call("pool.getReserves()", &e))?;
        let loan_balance = loan.map_err(|e| Error::call("stablecoin.balanceOf()", &e))?;
        let collateral_balance = held.map_err(|e| Error::call("vault.balanceOf()", &e))?;
        let limits = Restrictions::apply(
            (allowance.seizable, allowance.confirmedOnly),
            self.slow_path,
            price,
            anchor,
        );
        Ok(MarketSnapshot {
            block: block.number,
            timestamp: block.timestamp,
            base_fee: block.base_fee,
            liquidation_price: limits.liquidation_price,
            total_borrow_assets: totals.totalBorrowAssets,
            total_borrow_shares: totals.totalBorrowShares,
            fast_allowance: limits.fast_allowance,
            slow_path_open: limits.slow_path_open,
            pool_base: reserves.reserveBase,
            pool_quote: reserves.reserveQuote,
            loan_balance,
            collateral_balance,
        })
    }

    /// `positionsHealth(borrowers)` at `block`: one call.
    pub async fn positions_health(
        &self,
        block: u64,
        borrowers: Vec<Address>,
    ) -> Result<Vec<PositionHealth>> {
        let n = borrowers.len();
        let health = self
            .market
            .positionsHealth(borrowers)
            .block(BlockId::number(block))
            .call()
            .await
            .map_err(|e| {
                Error::call(format!("LendingMarket.positionsHealth({n} borrowers)"), &e)
            })?;
        Ok(health
            .into_iter()
            .map(|h| PositionHealth {
                borrower: h.borrower,
                collateral: h.collateral,
                debt: h.debt,
                health_factor: h.healthFactor,
                liquidatable: h.liquidatable,
                max_repay: h.maxRepay,
                seizable: h.seizable,
            })
            .collect())
    }

    /// The stablecoin allowance `account` gave the market.
    pub async fn market_allowance(&self) -> Result<U256> {
        self.stablecoin
            .allowance(self.account, *self.market.address())
            .call()
            .await
            .map_err(|e| Error::call("stablecoin.allowance(liquidator, market)", &e))
    }
}
