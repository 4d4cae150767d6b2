//! The liquidation agent: pure and deterministic. It keeps the borrower index, computes every
//! position's health locally each block, shortlists the ones at risk for one batched on-chain
//! confirmation, and plans liquidations, most profitable first, within the close factor, the
//! breaker's fast allowance and its stablecoin inventory; it falls back to the slow path when
//! fast liquidation is halted or throttled, and sells (or holds) the seized collateral.
//!
//! No clock, no randomness, no I/O: ties are broken by address, maps are ordered, and timeouts
//! are counted in blocks. A live strategy and a scenario engine feed it the same events.

use std::collections::BTreeMap;

use alloy::primitives::{Address, U256};
use tracing::{debug, info, warn};

use super::{
    index::BorrowerIndex,
    types::{
        CollateralPolicy, Fees, LiquidationAction, LiquidationConfig, LiquidationEvent,
        LiquidationOrder, MarketLog, MarketSnapshot, PositionHealth, RevertReason, RiskParams,
        SellOrder, TxKind, TxOutcome,
    },
};
use breakwater_world::{from_wad, to_wad};

use crate::{
    engine::Agent,
    math::{self, WAD},
};

/// How long a swap may wait to be mined, in seconds of block time.
const SELL_DEADLINE: u64 = 300;

/// Counters of what the agent decided and what became of it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AgentStats {
    /// Snapshots (blocks) processed.
    pub blocks: u64,
    /// Positions shortlisted for confirmation, summed over blocks.
    pub shortlisted: u64,
    /// Fast liquidations decided.
    pub liquidations: u64,
    /// Slow liquidations decided.
    pub slow_liquidations: u64,
    /// Sales decided.
    pub sales: u64,
    /// Redemption requests decided (seized collateral worth more redeemed than sold).
    pub redemptions: u64,
    /// Claims of settled redemptions decided.
    pub claims: u64,
    /// Settlements of its slow liquidations decided.
    pub slow_settlements: u64,
    /// Transactions mined successfully.
    pub mined: u64,
    /// Reverts because the position was no longer liquidatable (races lost).
    pub lost_races: u64,
    /// Other reverts.
    pub reverts: u64,
    /// Transactions that failed to send or confirm.
    pub failures: u64,
}

/// A liquidatable position with the most it could yield on its own.
struct Candidate<'a> {
    health: &'a PositionHealth,
    profit: Option<U256>,
}

/// The pure liquidation agent (see the module docs).
#[derive(Debug, Clone)]
pub struct LiquidationAgent {
    config: LiquidationConfig,
    params: Option<RiskParams>,
    index: BorrowerIndex,
    snapshot: Option<MarketSnapshot>,
    /// Borrower → block its transaction was decided in.
    pending: BTreeMap<Address, u64>,
    /// Borrower → first block it may be tried again.
    cooldown: BTreeMap<Address, u64>,
    /// Block the pending sale was decided in.
    sell_pending: Option<u64>,
    stats: AgentStats,
}

impl LiquidationAgent {
    /// A new agent with an empty index.
    pub fn new(config: LiquidationConfig) -> Self {
        Self {
            config,
            params: None,
            index: BorrowerIndex::new(),
            snapshot: None,
            pending: BTreeMap::new(),
            cooldown: BTreeMap::new(),
            sell_pending: None,
            stats: AgentStats::default(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &LiquidationConfig {
        &self.config
    }

    /// The borrower index.
    pub fn index(&self) -> &BorrowerIndex {
        &self.index
    }

    /// What the agent has decided so far.
    pub fn stats(&self) -> AgentStats {
        self.stats
    }

    /// Borrowers with a transaction in flight.
    pub fn pending(&self) -> impl Iterator<Item = &Address> {
        self.pending.keys()
    }

    /// Positions whose health, computed locally from the index and `snapshot`, is below
    /// 1 + the shortlist margin, most at risk first (ties by address), without those in flight
    /// or cooling down, at most `max_confirm`.
    pub fn shortlist(&self, snapshot: &MarketSnapshot) -> Vec<Address> {
        let Some(params) = self.params else { return Vec::new() };
        let threshold = WAD.saturating_add(self.config.shortlist_margin);
        let mut at_risk: Vec<(U256, Address)> = self
            .index
            .iter()
            .filter(|(_, p)| !p.borrow_shares.is_zero())
            .filter(|(b, _)| self.available(b, snapshot.block))
            .filter_map(|(b, p)| {
                let debt = math::to_assets_up(
                    p.borrow_shares,
                    snapshot.total_borrow_assets,
                    snapshot.total_borrow_shares,
                );
                let hf = math::health_factor(
                    p.collateral,
                    debt,
                    snapshot.liquidation_price,
                    params.lltv,
                );
                (hf < threshold).then_some((hf, *b))
            })
            .collect();
        at_risk.sort_unstable();
        at_risk.truncate(self.config.max_confirm);
        at_risk.into_iter().map(|(_, b)| b).collect()
    }

    fn available(&self, borrower: &Address, block: u64) -> bool {
        !self.pending.contains_key(borrower)
            && self.cooldown.get(borrower).is_none_or(|&b| block >= b)
    }

    /// The fees to offer at the latest snapshot's base fee.
    fn fees(&self) -> Fees {
        Fees::for_block(self.snapshot.as_ref().map_or(0, |s| s.base_fee), self.config.priority_fee)
    }

    /// Gas cost of one liquidation in loan units at this block's fees.
    fn gas_cost(&self, s: &MarketSnapshot) -> U256 {
        let per_gas = s.base_fee.saturating_add(self.config.priority_fee);
        let wei = U256::from(self.config.gas_per_liquidation) * U256::from(per_gas);
        math::mul_wad_down(wei, self.config.native_price)
    }

    /// What `seized` collateral is worth to the bot: its AMM proceeds (given the reserves) when
    /// it sells, its value at the liquidation price when it holds, the better of its proceeds
    /// and its redemption's worth today when it chooses.
    fn value(&self, seized: U256, price: U256, reserves: (U256, U256), s: &MarketSnapshot) -> U256 {
        let sold = || math::amm_amount_out(seized, reserves.0, reserves.1);
        match self.config.collateral {
            CollateralPolicy::Sell { .. } => sold(),
            CollateralPolicy::Hold => math::mul_wad_down(seized, price),
            CollateralPolicy::SellOrRedeem { .. } => {
                let redeemed = self.redemption_worth(s).map(|w| math::mul_wad_down(seized, w));
                sold().max(redeemed.unwrap_or_default())
            }
        }
    }

    /// What a share queued for redemption now is worth to the bot today (1e18), when it may
    /// redeem and the collateral is a vault whose queue it could read.
    fn redemption_worth(&self, s: &MarketSnapshot) -> Option<U256> {
        let CollateralPolicy::SellOrRedeem { terms, .. } = self.config.collateral else {
            return None;
        };
        let q = s.redemption.as_deref()?;
        Some(to_wad(terms.value(from_wad(q.nav), &q.queue())))
    }

    /// Plans the block's transactions from the confirmed positions: fast liquidations by
    /// expected profit (each standalone), then allocated in that order against the fast
    /// allowance, the inventory and the pool's depth; slow liquidations for what fast
    /// liquidation cannot take when the slow path is open; then a sale of held collateral.
    pub fn plan(
        &mut self,
        snapshot: &MarketSnapshot,
        positions: &[PositionHealth],
    ) -> Vec<LiquidationAction> {
        let mut actions = Vec::new();
        let Some(params) = self.params else { return actions };
        let (price, lif) = (snapshot.liquidation_price, params.lif());
        let fees = Fees::for_block(snapshot.base_fee, self.config.priority_fee);
        let gas = self.gas_cost(snapshot);
        let reserves = (snapshot.pool_base, snapshot.pool_quote);
        let mut inventory = snapshot.loan_balance.min(self.config.inventory.unwrap_or(U256::MAX));
        let mut allowance = snapshot.fast_allowance;

        let mut candidates: Vec<Candidate<'_>> = positions
            .iter()
            .filter(|h| h.liquidatable && !h.debt.is_zero())
            .filter(|h| self.available(&h.borrower, snapshot.block))
            .map(|h| {
                let (repaid, seized) =
                    math::liquidation_amounts(h.max_repay, h.max_repay, h.collateral, price, lif);
                let value = self.value(seized, price, reserves, snapshot);
                let profit = value.checked_sub(repaid).and_then(|p| p.checked_sub(gas));
                Candidate { health: h, profit }
            })
            .collect();
        // Most profitable first; unprofitable ones last, most indebted first (for the slow path).
        candidates.sort_by(|a, b| {
            b.profit
                .cmp(&a.profit)
                .then(b.health.debt.cmp(&a.health.debt))
                .then(a.health.borrower.cmp(&b.health.borrower))
        });

        let mut pool = reserves;
        for c in candidates {
            if actions.len() >= self.config.max_per_block {
                break;
            }
            let h = c.health;
            let worth = self.redemption_worth(snapshot);
            let fast =
                self.fast_order(h, (price, lif, gas, fees), inventory, allowance, pool, worth);
            match fast {
                Some((order, out)) => {
                    inventory -= order.repay.min(inventory);
                    if allowance != U256::MAX {
                        allowance -= order.expected_seized.min(allowance);
                    }
                    if let Some(out) = out {
                        pool = (pool.0 + order.expected_seized, pool.1 - out.min(pool.1));
                    }
                    info!(
                        borrower = %h.borrower, repay = %order.repay, seize = %order.expected_seized,
                        profit = %order.expected_profit, hf = %h.health_factor, "liquidating"
                    );
                    self.pending.insert(h.borrower, snapshot.block);
                    self.stats.liquidations += 1;
                    actions.push(LiquidationAction::Liquidate(order));
                }
                None if self.slow_worthwhile(snapshot, &params, h, gas, allowance, price, lif) => {
                    info!(borrower = %h.borrower, debt = %h.debt, "moving to the slow path");
                    self.pending.insert(h.borrower, snapshot.block);
                    self.stats.slow_liquidations += 1;
                    actions.push(LiquidationAction::SlowLiquidate { borrower: h.borrower, fees });
                }
                None => debug!(borrower = %h.borrower, profit = ?c.profit, "not worth liquidating"),
            }
        }
        actions.extend(self.plan_sale(snapshot, fees));
        actions
    }

    /// The fast liquidation of `h` within the caps, with the AMM output of its seizure when it
    /// is to be sold, if it clears the minimum profit. `worth` is what a share redeemed is
    /// worth to the bot today, if it may redeem.
    fn fast_order(
        &self,
        h: &PositionHealth,
        (price, lif, gas, fees): (U256, U256, U256, Fees),
        inventory: U256,
        allowance: U256,
        pool: (U256, U256),
        worth: Option<U256>,
    ) -> Option<(LiquidationOrder, Option<U256>)> {
        // A seller takes no more than the pool pays for: beyond the most profitable seizure,
        // each extra unit sells for less than it cost. One who may redeem is not bound by it.
        let cap = match (self.config.collateral, worth) {
            (CollateralPolicy::Hold, _) | (CollateralPolicy::SellOrRedeem { .. }, Some(_)) => {
                allowance
            }
            _ => allowance.min(math::most_profitable_seizure(price, lif, pool.0, pool.1)),
        };
        let repay = h.max_repay.min(inventory).min(math::repay_for_seizure(cap, price, lif));
        if repay.is_zero() {
            return None;
        }
        let (repaid, seized) =
            math::liquidation_amounts(repay, h.max_repay, h.collateral, price, lif);
        if seized.is_zero() || seized > allowance {
            return None;
        }
        let out = math::amm_amount_out(seized, pool.0, pool.1);
        let redeemed = worth.map(|w| math::mul_wad_down(seized, w)).unwrap_or_default();
        // What it will do with the seizure, and what that is worth.
        let (value, sold) = match self.config.collateral {
            CollateralPolicy::Sell { .. } => (out, Some(out)),
            CollateralPolicy::Hold => (math::mul_wad_down(seized, price), None),
            CollateralPolicy::SellOrRedeem { .. } if out >= redeemed => (out, Some(out)),
            CollateralPolicy::SellOrRedeem { .. } => (redeemed, None),
        };
        // Strictly more than the repayment, the gas and the minimum profit.
        if value <= repaid.saturating_add(gas).saturating_add(self.config.min_profit) {
            return None;
        }
        let tolerance = math::mul_wad_up(seized, self.config.seize_tolerance);
        let order = LiquidationOrder {
            borrower: h.borrower,
            repay,
            min_seized: seized - tolerance.min(seized),
            expected_seized: seized,
            expected_profit: value - repaid.saturating_add(gas).min(value),
            fees,
        };
        Some((order, sold))
    }

    /// Whether to move `h` to the slow path: enabled, open, fast liquidation cannot take it
    /// (halted, or the throttle's budget is spent), and the keeper fee covers the gas.
    #[allow(clippy::too_many_arguments)]
    fn slow_worthwhile(
        &self,
        s: &MarketSnapshot,
        params: &RiskParams,
        h: &PositionHealth,
        gas: U256,
        allowance: U256,
        price: U256,
        lif: U256,
    ) -> bool {
        if !self.config.slow_path || !s.slow_path_open {
            return false;
        }
        let (_, seizable) =
            math::liquidation_amounts(h.max_repay, h.max_repay, h.collateral, price, lif);
        if allowance >= seizable && !allowance.is_zero() {
            return false; // fast liquidation could take it: it was just not profitable
        }
        // The keeper fee is a share of the proceeds that repay the debt: about debt × fee.
        let fee = math::mul_wad_down(h.debt, params.keeper_fee);
        fee >= gas.saturating_add(self.config.min_profit)
    }

    /// A sale of held collateral, if the policy sells and the pool can take some within the
    /// slippage bound; or, if it may redeem and the pool pays less than a redemption is worth,
    /// a redemption request for all of it.
    fn plan_sale(&mut self, s: &MarketSnapshot, fees: Fees) -> Option<LiquidationAction> {
        let max_slippage = self.config.collateral.max_slippage()?;
        if self.sell_pending.is_some() || s.collateral_balance.is_zero() {
            return None;
        }
        let amount = if s.pool_base.is_zero() {
            U256::ZERO
        } else {
            s.collateral_balance.min(math::max_sell_within_slippage(s.pool_base, max_slippage))
        };
        if let Some(worth) = self.redemption_worth(s) {
            let out = math::amm_amount_out(amount, s.pool_base, s.pool_quote);
            if amount.is_zero() || out < math::mul_wad_down(amount, worth) {
                self.sell_pending = Some(s.block);
                self.stats.redemptions += 1;
                info!(shares = %s.collateral_balance, "redeeming seized collateral: the pool pays less");
                return Some(LiquidationAction::Redeem { shares: s.collateral_balance, fees });
            }
        }
        if amount.is_zero() {
            debug!(held = %s.collateral_balance, "pool too thin to sell within the slippage bound");
            return None;
        }
        let spot = math::mul_div_down(s.pool_quote, WAD, s.pool_base);
        let min_out =
            math::mul_wad_down(math::mul_wad_down(amount, spot), WAD.saturating_sub(max_slippage));
        if min_out.is_zero() {
            return None;
        }
        self.sell_pending = Some(s.block);
        self.stats.sales += 1;
        info!(%amount, %min_out, "selling seized collateral");
        Some(LiquidationAction::Sell(SellOrder {
            amount,
            min_out,
            deadline: s.timestamp + SELL_DEADLINE,
            fees,
        }))
    }

    fn on_snapshot(&mut self, snapshot: MarketSnapshot) -> Vec<LiquidationAction> {
        let block = snapshot.block;
        let timeout = self.config.pending_timeout;
        self.pending.retain(|b, sent| {
            let keep = block.saturating_sub(*sent) <= timeout;
            if !keep {
                warn!(borrower = %b, sent = *sent, "no outcome in time: the borrower may be retried");
            }
            keep
        });
        self.cooldown.retain(|_, until| block < *until);
        if self.sell_pending.is_some_and(|sent| block.saturating_sub(sent) > timeout) {
            self.sell_pending = None;
        }
        self.stats.blocks += 1;
        let shortlist = self.shortlist(&snapshot);
        self.stats.shortlisted += shortlist.len() as u64;
        let actions = if shortlist.is_empty() {
            let fees = Fees::for_block(snapshot.base_fee, self.config.priority_fee);
            self.plan_sale(&snapshot, fees).into_iter().collect()
        } else {
            vec![LiquidationAction::ConfirmHealth { block, borrowers: shortlist }]
        };
        self.snapshot = Some(snapshot);
        actions
    }

    fn on_outcome(&mut self, outcome: &TxOutcome) {
        let block = self.snapshot.as_ref().map_or(0, |s| s.block);
        match outcome {
            TxOutcome::Mined { .. } => self.stats.mined += 1,
            TxOutcome::Reverted { reason: RevertReason::NotLiquidatable, .. } => {
                self.stats.lost_races += 1;
            }
            TxOutcome::Reverted { kind, reason } => {
                self.stats.reverts += 1;
                if let (TxKind::Liquidate(b) | TxKind::SlowLiquidate(b), RevertReason::Other(_)) =
                    (kind, reason)
                {
                    self.cooldown.insert(*b, block + self.config.cooldown);
                }
            }
            TxOutcome::Failed { .. } => self.stats.failures += 1,
        }
        match outcome.kind() {
            TxKind::Liquidate(b) | TxKind::SlowLiquidate(b) => {
                self.pending.remove(b);
            }
            TxKind::Sell | TxKind::Redeem => self.sell_pending = None,
            TxKind::Claim | TxKind::SettleSlow | TxKind::Approve => {}
        }
    }
}

impl Agent for LiquidationAgent {
    type Event = LiquidationEvent;
    type Action = LiquidationAction;

    fn on_event(&mut self, event: LiquidationEvent) -> Vec<LiquidationAction> {
        match event {
            LiquidationEvent::Params(params) => {
                self.params = Some(params);
                Vec::new()
            }
            LiquidationEvent::Logs(entries) => {
                for entry in &entries {
                    if self.index.apply(entry)
                        && let MarketLog::ParamsSet(params) = &entry.log
                    {
                        self.params = Some(*params);
                    }
                }
                Vec::new()
            }
            LiquidationEvent::Reset => {
                self.index.clear();
                self.pending.clear();
                self.cooldown.clear();
                self.sell_pending = None;
                self.snapshot = None;
                Vec::new()
            }
            LiquidationEvent::Snapshot(snapshot) => self.on_snapshot(snapshot),
            LiquidationEvent::Health { block, positions } => {
                match self.snapshot.take() {
                    Some(s) if s.block == block => {
                        let actions = self.plan(&s, &positions);
                        self.snapshot = Some(s);
                        actions
                    }
                    other => {
                        // A confirmation for another block than the latest snapshot is stale.
                        self.snapshot = other;
                        Vec::new()
                    }
                }
            }
            LiquidationEvent::Outcome(outcome) => {
                self.on_outcome(&outcome);
                Vec::new()
            }
            LiquidationEvent::Claimable(ids) => {
                let fees = self.fees();
                self.stats.claims += ids.len() as u64;
                ids.into_iter().map(|id| LiquidationAction::Claim { id, fees }).collect()
            }
            LiquidationEvent::Settleable(ids) => {
                let fees = self.fees();
                self.stats.slow_settlements += ids.len() as u64;
                ids.into_iter().map(|id| LiquidationAction::SettleSlow { id, fees }).collect()
            }
        }
    }
}
