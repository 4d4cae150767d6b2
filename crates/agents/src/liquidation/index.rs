//! The borrower index: every position's borrow shares and collateral, rebuilt from the market's
//! logs exactly as the contract updates its storage, so that no per-position read is needed.

use std::collections::BTreeMap;

use alloy::primitives::{Address, U256};

use super::types::{LogEntry, MarketLog, RiskParams};

/// A position as the index knows it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IndexedPosition {
    /// Borrow shares (debt = shares converted at the market's totals).
    pub borrow_shares: U256,
    /// Collateral.
    pub collateral: U256,
}

/// Positions by borrower, in address order (iteration is deterministic).
#[derive(Debug, Clone, Default)]
pub struct BorrowerIndex {
    positions: BTreeMap<Address, IndexedPosition>,
    /// Open slow liquidations: id → (borrower, keeper).
    slow: BTreeMap<U256, (Address, Address)>,
    /// The last log applied, as (block, log index): older or equal logs are skipped, so an
    /// overlapping backfill after a reconnect is harmless.
    last: Option<(u64, u64)>,
    /// The latest risk parameters seen in a `ParamsSet` log.
    params: Option<RiskParams>,
}

impl BorrowerIndex {
    /// An empty index.
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies one log unless it is not newer than the last one applied; returns whether it
    /// was applied.
    pub fn apply(&mut self, entry: &LogEntry) -> bool {
        let at = (entry.block, entry.log_index);
        if self.last.is_some_and(|last| at <= last) {
            return false;
        }
        self.last = Some(at);
        match &entry.log {
            MarketLog::SupplyCollateral { borrower, assets } => {
                let p = self.positions.entry(*borrower).or_default();
                p.collateral = p.collateral.saturating_add(*assets);
            }
            MarketLog::WithdrawCollateral { borrower, assets } => {
                self.update(*borrower, |p| p.collateral = p.collateral.saturating_sub(*assets));
            }
            MarketLog::Borrow { borrower, shares } => {
                let p = self.positions.entry(*borrower).or_default();
                p.borrow_shares = p.borrow_shares.saturating_add(*shares);
            }
            MarketLog::Repay { borrower, shares } => {
                self.update(*borrower, |p| {
                    p.borrow_shares = p.borrow_shares.saturating_sub(*shares)
                });
            }
            MarketLog::Liquidate { borrower, repaid_shares, seized, .. } => {
                self.update(*borrower, |p| {
                    p.borrow_shares = p.borrow_shares.saturating_sub(*repaid_shares);
                    p.collateral = p.collateral.saturating_sub(*seized);
                    // The market realizes the rest as bad debt once no collateral is left.
                    if p.collateral.is_zero() {
                        p.borrow_shares = U256::ZERO;
                    }
                });
            }
            MarketLog::SlowLiquidationStarted { id, borrower, keeper, collateral } => {
                self.update(*borrower, |p| {
                    p.borrow_shares = U256::ZERO;
                    p.collateral = p.collateral.saturating_sub(*collateral);
                });
                self.slow.insert(*id, (*borrower, *keeper));
            }
            MarketLog::SlowLiquidationClosed { id } => {
                self.slow.remove(id);
            }
            MarketLog::ParamsSet(params) => self.params = Some(*params),
        }
        true
    }

    fn update(&mut self, borrower: Address, f: impl FnOnce(&mut IndexedPosition)) {
        if let Some(p) = self.positions.get_mut(&borrower) {
            f(p);
            if p.borrow_shares.is_zero() && p.collateral.is_zero() {
                self.positions.remove(&borrower);
            }
        }
    }

    /// The position of `borrower`, if it has any collateral or debt.
    pub fn get(&self, borrower: &Address) -> Option<&IndexedPosition> {
        self.positions.get(borrower)
    }

    /// Every position, in address order.
    pub fn iter(&self) -> impl Iterator<Item = (&Address, &IndexedPosition)> {
        self.positions.iter()
    }

    /// Number of positions with collateral or debt.
    pub fn len(&self) -> usize {
        self.positions.len()
    }

    /// Whether no position is known.
    pub fn is_empty(&self) -> bool {
        self.positions.is_empty()
    }

    /// Open slow liquidations: id → (borrower, keeper).
    pub fn open_slow_liquidations(&self) -> &BTreeMap<U256, (Address, Address)> {
        &self.slow
    }

    /// The last log applied, as (block, log index).
    pub fn last_applied(&self) -> Option<(u64, u64)> {
        self.last
    }

    /// The risk parameters of the latest `ParamsSet` log, if any was seen.
    pub fn params(&self) -> Option<RiskParams> {
        self.params
    }

    /// Forgets everything (after a chain reset).
    pub fn clear(&mut self) {
        *self = Self::default();
    }
}
