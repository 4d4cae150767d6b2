//! What a run measures, all in one place: folded from each mined block's logs (liquidations,
//! bad debt, sales, trips) and sampled from the view read before the next block (uncovered debt,
//! shadow insolvency, borrow capacity), then turned into the report's metrics and series.

use std::collections::{BTreeMap, BTreeSet};

use alloy::primitives::Address;
use breakwater_agents::crowd::{Position, View, Wallet};
use breakwater_report::{Metrics, Series};
use breakwater_world::BreakerLevel;

use crate::gap::{Gap, Holding};

/// What a borrower's open slow liquidations hold: shares still pending at the vault, and cash
/// it has settled that the market has not claimed.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Locked {
    pub(crate) shares: f64,
    pub(crate) cash: f64,
}

/// A time-weighted average: each sample counts for the time since the previous one (the state
/// it reads is what the previous block left, which held all that time).
#[derive(Debug, Default)]
struct TimeAverage {
    integral: f64,
    span: u64,
    last_t: Option<u64>,
    /// The first sample, the figure of a run that spans no time.
    first: f64,
}

impl TimeAverage {
    fn add(&mut self, t: u64, value: f64) {
        match self.last_t {
            Some(last) => {
                let dt = t.saturating_sub(last);
                self.integral += value * dt as f64;
                self.span += dt;
            }
            None => self.first = value,
        }
        self.last_t = Some(t);
    }

    fn mean(&self) -> f64 {
        if self.span > 0 { self.integral / self.span as f64 } else { self.first }
    }
}

/// What the run's totals need of the last sample.
#[derive(Debug, Clone, Copy, Default)]
struct Last {
    /// Seconds since the start.
    t: u64,
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
    overpaid: f64,
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
    capacity: TimeAverage,
    last: Last,
    series: Series,
    /// Bad debt against the real shortfall, per position.
    pub(crate) gap: Gap,
}

impl Tally {
    /// A tally for a market whose lenders supplied `lender_supply` at the start and whose
    /// liquidation incentive factor is `incentive_factor`.
    pub(crate) fn new(lender_supply: f64, incentive_factor: f64) -> Self {
        Self { lender_supply, gap: Gap::new(incentive_factor), ..Self::default() }
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

    /// Collateral sold by a liquidator: `shares` for `proceeds`, worth `fundamental` each.
    pub(crate) fn fire_sale(&mut self, shares: f64, proceeds: f64, fundamental: f64) {
        self.fire_sale_loss += shares * fundamental - proceeds;
    }

    /// Shares bought on the AMM: `shares` for `paid`, worth `fundamental` each.
    pub(crate) fn bought(&mut self, shares: f64, paid: f64, fundamental: f64) {
        self.overpaid += (paid - shares * fundamental).max(0.0);
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
    /// it, what each borrower's open slow liquidations hold (`locked`), the market's reserves,
    /// and with a basket the junior tranche's claim at the fundamental values.
    pub(crate) fn sample(
        &mut self,
        t: u64,
        view: &View,
        locked: &BTreeMap<Address, Locked>,
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
            let holding = Holding {
                debt: p.debt,
                collateral: p.collateral,
                locked_shares: locked.shares,
                locked_cash: locked.cash,
            };
            uncovered += holding.uncovered(view.fundamental).max(0.0);
            self.gap.sample(*who, holding, view.fundamental);
            let healthy = p.health(view.oracle_price, view.liquidation_ltv) >= 1.0;
            if healthy && p.collateral * spot < p.debt {
                shadow += p.debt;
            }
        }
        // Like capacity: the level read at `t` held since the previous sample.
        if view.breaker_level >= BreakerLevel::Halted.as_u8() {
            self.halted_s += t.saturating_sub(self.last.t);
        }
        self.capacity.add(t, capacity);
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
        self.last = Last { t, uncovered, reserves };
    }

    /// The report's figures, from the `last` view: the liquidators' wallets, queued redemptions
    /// and starting capital, and the attacker's wallet, position and capital, valued at the
    /// fundamental.
    pub(crate) fn finish(
        self,
        last: &View,
        liquidators: &[(Wallet, Locked, f64)],
        attacker: Option<(Wallet, Position, f64)>,
    ) -> (Metrics, Series) {
        let f = last.fundamental;
        let worth = |w: &Wallet| w.stable + w.shares * f;
        let liquidator_profit: f64 = liquidators
            .iter()
            .map(|(w, queued, capital)| worth(w) + queued.shares * f + queued.cash - capital)
            .sum();
        let attacker_profit = attacker.map_or(0.0, |(w, p, capital)| {
            // It walks away from a loan worth more than its collateral.
            worth(&w) + (p.collateral * f - p.debt).max(0.0) - capital
        });
        let last = &self.last;
        let bad_debt = self.realized + last.uncovered;
        let pct =
            |x: f64| if self.lender_supply > 0.0 { 100.0 * x / self.lender_supply } else { 0.0 };
        let lender_loss = self.socialized + (last.uncovered - last.reserves).max(0.0);
        let gap = self.gap.finish();
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
            borrow_capacity: self.capacity.mean(),
            shadow_insolvency: self.max_shadow,
            overpaid: self.overpaid,
            real_shortfall: gap.real_shortfall,
            gap_incentive: gap.items.incentive,
            gap_below_fundamental: gap.items.below_fundamental,
            gap_slow_path: gap.items.slow_path,
            gap_interest: gap.items.interest,
            gap_fundamental: gap.items.fundamental,
            gap_borrower: gap.items.borrower,
            gap_equity: gap.items.equity,
        };
        (metrics, self.series)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The view before a block: one borrower with `collateral` shares, borrowing at price 1 and
    /// max LTV 0.5 (so its capacity is half its collateral).
    fn view(collateral: f64) -> View {
        View {
            borrow_price: 1.0,
            max_ltv: 0.5,
            nav: 1.0,
            fundamental: 1.0,
            positions: [(Address::repeat_byte(1), Position { collateral, debt: 0.0 })].into(),
            ..View::default()
        }
    }

    /// The run's borrow capacity when samples come every `spacing` seconds over 12 hours of a
    /// history whose collateral is 1,000 for the first 3 hours and 4,000 after: a sample at `t`
    /// reads what the block before it left, which held since the previous sample.
    fn capacity(spacing: u64) -> f64 {
        let mut tally = Tally::new(1e6, 1.05);
        let held = |t: u64| if t <= 3 * 3_600 { 1_000.0 } else { 4_000.0 };
        for t in (0..=12 * 3_600).step_by(spacing as usize) {
            tally.sample(t, &view(held(t)), &BTreeMap::new(), 0.0, None);
        }
        let last = view(4_000.0);
        tally.finish(&last, &[], None).0.borrow_capacity
    }

    #[test]
    fn borrow_capacity_weighs_each_sample_by_the_time_it_stands_for() {
        // 3 h at 500 and 9 h at 2,000: 1,625, whether sampled every 2 minutes or every hour.
        let (fine, coarse) = (capacity(120), capacity(3_600));
        assert!((fine - 1_625.0).abs() < 1e-9, "{fine}");
        assert!((coarse - 1_625.0).abs() < 1e-9, "{coarse}");
        // A per-sample mean would have moved with the spacing.
        assert!((capacity(3 * 3_600) - 1_625.0).abs() < 1e-9);
    }

    #[test]
    fn halted_time_counts_each_sample_back_to_the_previous_one_like_capacity() {
        // Halted from 3 h to 9 h; sampled every 10 minutes, then one coarse 3-hour step (a time
        // skip) after the halt ended: 6 h, not 6 h plus the skip.
        let mut tally = Tally::new(1e6, 1.05);
        let times = (0..=9 * 3_600).step_by(600).chain([12 * 3_600]);
        for t in times {
            let halted = t > 3 * 3_600 && t <= 9 * 3_600;
            let level = if halted { BreakerLevel::Halted } else { BreakerLevel::Normal };
            let v = View { breaker_level: level.as_u8(), ..view(1_000.0) };
            tally.sample(t, &v, &BTreeMap::new(), 0.0, None);
        }
        let (m, _) = tally.finish(&view(1_000.0), &[], None);
        assert_eq!(m.halted_s, 6 * 3_600);
    }

    #[test]
    fn a_liquidator_s_queued_redemptions_count_in_its_profit() {
        // 100 of capital; 50 left in cash after repaying debt for shares that now wait in the
        // vault's queue (80 pending, 10 of cash settled and unclaimed): at F = 0.5 it has 50 +
        // 40 + 10. Counting its wallet alone would have called it a loss of 50.
        let tally = Tally::new(1e6, 1.05);
        let wallet = Wallet { stable: 50.0, shares: 0.0, lp: 0.0 };
        let queued = Locked { shares: 80.0, cash: 10.0 };
        let last = View { fundamental: 0.5, ..view(0.0) };
        let (m, _) = tally.finish(&last, &[(wallet, queued, 100.0)], None);
        assert!(m.liquidator_profit.abs() < 1e-12, "{}", m.liquidator_profit);
    }

    #[test]
    fn fire_sales_are_valued_at_the_fundamental_value_and_overpayments_are_counted() {
        let mut tally = Tally::new(1e6, 1.05);
        // A stale NAV of 1 would call a sale of 100 shares for 60 a loss of 40; at F = 0.5 the
        // liquidator sold above the value: a gain of 10 for the borrowers' collateral.
        tally.fire_sale(100.0, 60.0, 0.5);
        // A buyer paying 60 for 100 shares worth 0.5 overpaid by 10; one paying 40, not at all.
        tally.bought(100.0, 60.0, 0.5);
        tally.bought(100.0, 40.0, 0.5);
        tally.sample(0, &view(0.0), &BTreeMap::new(), 0.0, None);
        let (m, _) = tally.finish(&view(0.0), &[], None);
        assert!((m.fire_sale_loss + 10.0).abs() < 1e-12, "{}", m.fire_sale_loss);
        assert!((m.overpaid - 10.0).abs() < 1e-12, "{}", m.overpaid);
    }
}
