//! What a run measured: folded from each mined block's logs and from the state read before the
//! next block, then turned into the report's metrics and series.

use std::collections::BTreeSet;

use alloy::primitives::Address;
use breakwater_report::{Metrics, Series};

/// One block's state as the metrics see it (loan units and shares as `f64`).
#[derive(Debug, Clone, Default)]
pub(crate) struct Sample {
    /// Seconds since the start.
    pub(crate) t: u64,
    pub(crate) spot: f64,
    pub(crate) nav: f64,
    pub(crate) fundamental: f64,
    pub(crate) oracle: f64,
    pub(crate) breaker_level: u8,
    pub(crate) pool_depth: f64,
    /// Open positions' debt above their collateral's fundamental value.
    pub(crate) uncovered: f64,
    /// Debt healthy by the oracle but above the collateral's AMM value.
    pub(crate) shadow: f64,
    /// What posted collateral could borrow now: collateral × borrow price × max LTV, zero
    /// while the breaker closes borrowing.
    pub(crate) capacity: f64,
    /// Market reserves (absorb bad debt before lenders).
    pub(crate) reserves: f64,
    /// With a basket: the junior tranche's claim at the fundamental values.
    pub(crate) junior: Option<f64>,
    /// The oracle's borrow price.
    pub(crate) borrow_price: f64,
    /// The vault's NAV is under review.
    pub(crate) under_review: bool,
}

/// The running tally of one run.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    pub(crate) lender_supply: f64,
    pub(crate) shock_at: Option<u64>,
    liquidations: u64,
    slow_liquidations: u64,
    liquidated_collateral: f64,
    fire_sale_loss: f64,
    penalties: f64,
    realized: f64,
    socialized: f64,
    trips: u64,
    halted_s: u64,
    first_liquidation: Option<u64>,
    liquidated: BTreeSet<Address>,
    rounds: BTreeSet<u64>,
    min_market_to_nav: Option<f64>,
    max_shadow: f64,
    capacity_sum: f64,
    samples: u64,
    last: Sample,
    series: Series,
}

impl Tally {
    /// A fast liquidation at `t` (seconds), in block `block`.
    pub(crate) fn liquidation(
        &mut self,
        t: u64,
        block: u64,
        borrower: Address,
        repaid: f64,
        seized: f64,
        nav: f64,
    ) {
        self.liquidations += 1;
        self.liquidated_collateral += seized * nav;
        self.penalties += seized * nav - repaid;
        self.first(t, block, borrower);
    }

    /// A position moved to the slow path.
    pub(crate) fn slow_liquidation(&mut self, t: u64, block: u64, borrower: Address) {
        self.slow_liquidations += 1;
        self.first(t, block, borrower);
    }

    fn first(&mut self, t: u64, block: u64, borrower: Address) {
        self.first_liquidation.get_or_insert(t);
        if self.liquidated.insert(borrower) {
            self.rounds.insert(block);
        }
    }

    /// A keeper fee paid out of a slow liquidation's proceeds (the borrower's penalty there).
    pub(crate) fn keeper_fee(&mut self, fee: f64) {
        self.penalties += fee;
    }

    /// Debt written off.
    pub(crate) fn bad_debt(&mut self, amount: f64, socialized: f64) {
        self.realized += amount;
        self.socialized += socialized;
    }

    /// Collateral sold by a liquidator: `shares` for `proceeds` at `nav`.
    pub(crate) fn fire_sale(&mut self, shares: f64, proceeds: f64, nav: f64) {
        self.fire_sale_loss += shares * nav - proceeds;
    }

    /// The breaker tripped.
    pub(crate) fn trip(&mut self) {
        self.trips += 1;
    }

    /// Records the state before a block; `dt` is the time since the previous sample.
    /// A scenario event fired at `t`: a marker on the report's timelines.
    pub(crate) fn event(&mut self, t: u64, kind: &str, label: String) {
        self.series.events.push(breakwater_report::Event { t, kind: kind.into(), label });
    }

    pub(crate) fn sample(&mut self, s: Sample) {
        let dt = s.t.saturating_sub(self.last.t);
        if self.last.breaker_level >= 3 {
            self.halted_s += dt;
        }
        self.capacity_sum += s.capacity;
        self.samples += 1;
        if s.nav > 0.0 && s.spot > 0.0 {
            let ratio = s.spot / s.nav;
            self.min_market_to_nav = Some(self.min_market_to_nav.map_or(ratio, |m| m.min(ratio)));
        }
        self.max_shadow = self.max_shadow.max(s.shadow);
        let x = &mut self.series;
        x.t.push(s.t);
        x.spot.push(s.spot);
        x.nav.push(s.nav);
        x.fundamental.push(s.fundamental);
        x.oracle.push(s.oracle);
        x.liquidations.push(self.liquidations);
        x.bad_debt.push(self.realized + s.uncovered);
        x.breaker_level.push(s.breaker_level);
        x.shadow_insolvency.push(s.shadow);
        x.pool_depth.push(s.pool_depth);
        x.junior.extend(s.junior);
        x.borrow_price.push(s.borrow_price);
        x.slow_liquidations.push(self.slow_liquidations);
        x.under_review.push(s.under_review);
        self.last = s;
    }

    /// The report's figures; `profits` are the liquidators' and the attacker's gains.
    pub(crate) fn finish(self, liquidator_profit: f64, attacker_profit: f64) -> (Metrics, Series) {
        let last = &self.last;
        let bad_debt = self.realized + last.uncovered;
        let pct =
            |x: f64| if self.lender_supply > 0.0 { 100.0 * x / self.lender_supply } else { 0.0 };
        let lender_loss = self.socialized + (last.uncovered - last.reserves).max(0.0);
        let metrics = Metrics {
            bad_debt,
            bad_debt_pct: pct(bad_debt),
            liquidations: self.liquidations,
            slow_liquidations: self.slow_liquidations,
            liquidated_collateral: self.liquidated_collateral,
            fire_sale_loss: self.fire_sale_loss,
            min_market_to_nav: self.min_market_to_nav.unwrap_or(1.0),
            first_liquidation_after_s: match (self.first_liquidation, self.shock_at) {
                (Some(first), Some(shock)) => Some(first.saturating_sub(shock)),
                (Some(first), None) => Some(first),
                _ => None,
            },
            cascade_rounds: self.rounds.len() as u64,
            breaker_trips: self.trips,
            halted_s: self.halted_s,
            borrower_penalties: self.penalties,
            liquidator_profit,
            attacker_profit,
            lender_loss_pct: pct(lender_loss),
            borrow_capacity: self.capacity_sum / self.samples.max(1) as f64,
            shadow_insolvency: self.max_shadow,
        };
        (metrics, self.series)
    }
}
