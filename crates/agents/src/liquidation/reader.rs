//! The bot's on-chain reads, through the [`Reads`] seam (JSON-RPC or an in-process EVM): the
//! market's parameters once, one snapshot per block (price, totals, breaker allowance, pool
//! reserves, balances: independent calls sent together, all pinned to the block), and the
//! batched `positionsHealth` confirmation. The lab's liquidators read through the same code.

use std::sync::Arc;

use alloy::{
    primitives::{Address, U256},
    sol_types::SolCall,
};
// Bound through the interfaces: their named outputs are the stable surface.
use breakwater_bindings::{
    ICircuitBreaker, ICollateralOracle, IConstantProductPool, ILendingMarket, IRedeemToRepayMarket,
    IRwaVault, RwaVault, Stablecoin,
};
pub use breakwater_world::MarketAddresses;
use breakwater_world::{Reads, read::call};

use super::types::{MarketSnapshot, PositionHealth, RedemptionQuote, Restrictions, RiskParams};
use crate::{Error, Result, collector::NewBlock};

/// Typed reads of the market, its oracle, breaker and pool.
#[derive(Debug, Clone)]
pub struct MarketReader {
    reads: Arc<dyn Reads>,
    at: MarketAddresses,
    account: Address,
    /// Also read the vault's NAV and queue (for a bot that may redeem).
    redemptions: bool,
}

impl MarketReader {
    /// Reads through `reads` (a provider, or an in-process EVM); balances are `account`'s.
    pub fn new(reads: impl Reads + 'static, addresses: &MarketAddresses, account: Address) -> Self {
        Self { reads: Arc::new(reads), at: *addresses, account, redemptions: false }
    }

    /// The same reader, its snapshots also carrying the vault's NAV and redemption queue.
    pub fn with_redemptions(mut self) -> Self {
        self.redemptions = true;
        self
    }

    /// Whether its snapshots carry the vault's NAV and queue.
    pub fn redeems(&self) -> bool {
        self.redemptions
    }

    /// Whether the market has the slow redeem-to-repay path.
    pub fn slow_path(&self) -> bool {
        self.at.slow_path
    }

    /// `c` on `to` at `block`, its failure named `what`.
    async fn read<C: SolCall>(
        &self,
        what: &str,
        to: Address,
        c: C,
        block: Option<u64>,
    ) -> Result<C::Return> {
        call(self.reads.as_ref(), to, &c, block).await.map_err(|e| Error::read(what, e))
    }

    /// The market's risk parameters now.
    pub async fn params(&self) -> Result<RiskParams> {
        let p = self
            .read("LendingMarket.params()", self.at.market, ILendingMarket::paramsCall {}, None)
            .await?;
        Ok(RiskParams {
            lltv: p.lltv,
            close_factor: p.closeFactor,
            dust_debt: p.dustDebt,
            keeper_fee: p.keeperFee,
        })
    }

    /// Everything the agent needs about `block`, read at that block.
    pub async fn snapshot(&self, block: &NewBlock) -> Result<MarketSnapshot> {
        let (at, a, me) = (Some(block.number), &self.at, self.account);
        let (
            price,
            anchor,
            totals,
            allowance,
            reserves,
            loan_balance,
            collateral_balance,
            redemption,
        ) = tokio::try_join!(
            self.read(
                "oracle.liquidationPrice()",
                a.oracle,
                ICollateralOracle::liquidationPriceCall {},
                at
            ),
            self.read("oracle.anchorPrice()", a.oracle, ICollateralOracle::anchorPriceCall {}, at),
            self.read("LendingMarket.totals()", a.market, ILendingMarket::totalsCall {}, at),
            self.read(
                "breaker.previewLiquidationAllowance()",
                a.breaker,
                ICircuitBreaker::previewLiquidationAllowanceCall {},
                at,
            ),
            self.read("pool.getReserves()", a.pool, IConstantProductPool::getReservesCall {}, at),
            self.read(
                "stablecoin.balanceOf()",
                a.stablecoin,
                Stablecoin::balanceOfCall { account: me },
                at
            ),
            self.read("vault.balanceOf()", a.vault, Stablecoin::balanceOfCall { account: me }, at),
            async { Ok(self.redemption(at).await) },
        )?;
        let limits = Restrictions::apply(
            (allowance.seizable, allowance.confirmedOnly),
            self.at.slow_path,
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
            redemption,
        })
    }

    /// The collateral vault's NAV and queue at `at`; `None` when the collateral is not such a
    /// vault (a tranche token) or the read fails: the bot then only sells or holds.
    async fn redemption(&self, at: Option<u64>) -> Option<Box<RedemptionQuote>> {
        if !self.redemptions {
            return None;
        }
        let v = self.at.vault;
        let (nav, pending, supply, gate) = tokio::try_join!(
            self.read("vault.navInfo()", v, IRwaVault::navInfoCall {}, at),
            self.read("vault.totalPendingShares()", v, IRwaVault::totalPendingSharesCall {}, at),
            self.read("vault.totalSupply()", v, Stablecoin::totalSupplyCall {}, at),
            self.read("vault.gateWad()", v, RwaVault::gateWadCall {}, at),
        )
        .ok()?;
        Some(Box::new(RedemptionQuote { nav: nav.navPerShare, pending, supply, gate }))
    }

    /// The vault's request count at `at`, and which requests from `from` on this account
    /// controls (one `redeemRequest` read each, up to 256 in flight).
    pub async fn own_requests(&self, from: u64, at: Option<u64>) -> Result<(u64, Vec<u64>)> {
        const IN_FLIGHT: u64 = 256;
        let v = self.at.vault;
        let count = self.read("vault.requestCount()", v, RwaVault::requestCountCall {}, at).await?;
        let count = u64::try_from(count).unwrap_or(u64::MAX);
        let mut mine = Vec::new();
        for first in (from..count).step_by(IN_FLIGHT as usize) {
            let reads = (first..count.min(first + IN_FLIGHT)).map(|id| async move {
                let c = RwaVault::redeemRequestCall { requestId: U256::from(id) };
                let request = self.read("vault.redeemRequest()", v, c, at).await?;
                Ok::<_, Error>((request.controller == self.account).then_some(id))
            });
            mine.extend(futures::future::try_join_all(reads).await?.into_iter().flatten());
        }
        Ok((count, mine))
    }

    /// `redeemStatus` of each of `ids` at `at`: (id, shares pending, assets claimable).
    pub async fn redemptions_status(
        &self,
        ids: &[u64],
        at: Option<u64>,
    ) -> Result<Vec<(u64, U256, U256)>> {
        let v = self.at.vault;
        let reads = ids.iter().map(|&id| async move {
            let c = IRwaVault::redeemStatusCall { requestId: U256::from(id) };
            let s = self.read("vault.redeemStatus()", v, c, at).await?;
            Ok::<_, Error>((id, s.pendingShares, s.claimableAssets))
        });
        futures::future::try_join_all(reads).await
    }

    /// The vault's redemption request behind slow liquidation `id`, at `at`.
    pub async fn slow_liquidation_request(&self, id: U256, at: Option<u64>) -> Result<u64> {
        let c = IRedeemToRepayMarket::slowLiquidationCall { id };
        let s = self.read("market.slowLiquidation()", self.at.market, c, at).await?;
        Ok(u64::try_from(s.requestId).unwrap_or(u64::MAX))
    }

    /// `positionsHealth(borrowers)` at `block`: one call.
    pub async fn positions_health(
        &self,
        block: u64,
        borrowers: Vec<Address>,
    ) -> Result<Vec<PositionHealth>> {
        let what = format!("LendingMarket.positionsHealth({} borrowers)", borrowers.len());
        let health = self
            .read(
                &what,
                self.at.market,
                ILendingMarket::positionsHealthCall { borrowers },
                Some(block),
            )
            .await?;
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
        let c = Stablecoin::allowanceCall { owner: self.account, spender: self.at.market };
        self.read("stablecoin.allowance(liquidator, market)", self.at.stablecoin, c, None).await
    }
}
