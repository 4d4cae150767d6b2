//! What a run measures, all in one place: folded from each mined block's logs (liquidations,
//! bad debt, sales, trips) and sampled from the view read before the next block (uncovered debt,
//! shadow insolvency, borrow capacity), then turned into the report's metrics and series.

use std::collections::{BTreeMap, BTreeSet};

use alloy::primitives::Address;
use breakwater_agents::crowd::{Position, View, Wallet};
use breakwater_report::{Metrics, Series};
use breakwater_world::BreakerLevel;

/// What the run's totals need of the last sample.
#[derive(Debug, Clone, Copy, Default)]
struct Last {
    /// Seconds since the start.
    t: u64,
    breaker_level: u8,
    /// Open positions' debt above their collateral's fundamental value.
    uncovered: f64,
    /// Market reserves (absorb bad debt before lenders).
    reserves: f64,
}

/// The running tally of one run.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    lender_supply: f64,
    shock_at: Option<u64>,
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
    last: Last,
    series: Series,
}

impl Tally {
    /// A tally for a market whose lenders supplied `lender_supply` at the start.
    pub(crate) fn new(lender_supply: f64) -> Self {
        Self { lender_supply, ..Self::default() }
    }

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

    /// A scenario event fired at `t`: a marker on the report's timelines.
    pub(crate) fn event(&mut self, t: u64, kind: &str, label: String) {
        self.series.events.push(breakwater_report::Event { t, kind: kind.into(), label });
    }

    /// The scenario's shock fired at `t` (the first time counts).
    pub(crate) fn shock(&mut self, t: u64) {
        self.shock_at.get_or_insert(t);
    }

    /// Samples the state before a block, `t` seconds since the start: `view` as the agents see
    /// it, the value `locked` in each borrower's open slow liquidations, the market's reserves,
    /// and with a basket the junior tranche's claim at the fundamental values.
    pub(crate) fn sample(
        &mut self,
        t: u64,
        view: &View,
        locked: &BTreeMap<Address, f64>,
        reserves: f64,
        junior: Option<f64>,
    ) {
        let spot = view.spot();
        // Uncovered: debt above the collateral's fundamental value (and what its slow
        // liquidation will pay); shadow: debt healthy by the oracle but above the collateral's
        // AMM value; capacity: what posted collateral could borrow now, zero while the breaker
        // closes borrowing.
        let (mut uncovered, mut shadow, mut capacity) = (0.0, 0.0, 0.0);
        for (who, p) in &view.positions {
            if view.breaker_level == BreakerLevel::Normal.as_u8() {
                capacity += p.collateral * view.borrow_price * view.max_ltv;
            }
            let locked = locked.get(who).copied().unwrap_or_default();
            uncovered += (p.debt - p.collateral * view.fundamental - locked).max(0.0);
            let healthy = p.health(view.oracle_price, view.liquidation_ltv) >= 1.0;
            if healthy && p.collateral * spot < p.debt {
                shadow += p.debt;
            }
        }
        let dt = t.saturating_sub(self.last.t);
        if self.last.breaker_level >= BreakerLevel::Halted.as_u8() {
            self.halted_s += dt;
        }
        self.capacity_sum += capacity;
        self.samples += 1;
        if view.nav > 0.0 && spot > 0.0 {
            let ratio = spot / view.nav;
            self.min_market_to_nav = Some(self.min_market_to_nav.map_or(ratio, |m| m.min(ratio)));
        }
        self.max_shadow = self.max_shadow.max(shadow);
        let x = &mut self.series;
        x.t.push(t);
        x.spot.push(spot);
        x.nav.push(view.nav);
        x.fundamental.push(view.fundamental);
        x.oracle.push(view.oracle_price);
        x.liquidations.push(self.liquidations);
        x.bad_debt.push(self.realized + uncovered);
        x.breaker_level.push(view.breaker_level);
        x.shadow_insolvency.push(shadow);
        x.pool_depth.push(view.pool_quote);
        x.junior.extend(junior);
        x.borrow_price.push(view.borrow_price);
        x.slow_liquidations.push(self.slow_liquidations);
        x.under_review.push(view.under_review);
        self.last = Last { t, breaker_level: view.breaker_level, uncovered, reserves };
    }

    /// The report's figures, from the `last` view: the liquidators' wallets and starting
    /// capital, and the attacker's wallet, position and capital, valued at the fundamental.
    pub(crate) fn finish(
        self,
        last: &View,
        liquidators: &[(Wallet, f64)],
        attacker: Option<(Wallet, Position, f64)>,
    ) -> (Metrics, Series) {
        let f = last.fundamental;
        let worth = |w: &Wallet| w.stable + w.shares * f;
        let liquidator_profit: f64 = liquidators.iter().map(|(w, c)| worth(w) - c).sum();
        let attacker_profit = attacker.map_or(0.0, |(w, p, capital)| {
            // It walks away from a loan worth more than its collateral.
            worth(&w) + (p.collateral * f - p.debt).max(0.0) - capital
        });
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
