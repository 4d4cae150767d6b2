//! Every metric's definition, once: its key in `report.json`, its names, its meaning, its unit
//! (which fixes how it is printed) and which direction is better. The tables, the glossary, the
//! terminal summary, the reading and the headline all read [`METRICS`]; adding a metric to
//! [`Metrics`] means adding one entry here (a test fails until it is).

use crate::format::{compact, duration, fixed, opt_duration, pct};
use crate::model::Metrics;

/// What a metric's number is, and so how it is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    /// Loan units: `12.3k`.
    Amount,
    /// A percentage: `1.23%`.
    Percent,
    /// A whole count: `42`.
    Count,
    /// A ratio with three decimals: `0.410`.
    Ratio,
    /// Seconds, printed as a duration (`2h05m`); `-` when absent.
    Seconds,
}

/// Which way a metric is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Better {
    Lower,
    Higher,
    /// Neither: a count or a time that reads differently from scenario to scenario.
    Neither,
}

/// One metric.
pub(crate) struct Metric {
    /// The field's name in [`Metrics`] and `report.json`.
    pub(crate) key: &'static str,
    /// The column header of the report's tables and glossary.
    pub(crate) label: &'static str,
    /// The column header of the terminal summary (narrower).
    pub(crate) short: &'static str,
    /// The name in the reading's sentences (lowercase prose).
    pub(crate) name: &'static str,
    /// One-line meaning, for the glossary; it follows the model's doc comment.
    pub(crate) meaning: &'static str,
    pub(crate) unit: Unit,
    pub(crate) better: Better,
    /// The run's figure (`None` where the metric has no value, e.g. no liquidation at all).
    pub(crate) value: fn(&Metrics) -> Option<f64>,
}

impl Metric {
    /// The figure as a table cell.
    pub(crate) fn cell(&self, m: &Metrics) -> String {
        let v = (self.value)(m);
        match self.unit {
            Unit::Amount => compact(v.unwrap_or(0.0)),
            Unit::Percent => pct(v.unwrap_or(0.0)),
            Unit::Count => format!("{}", v.unwrap_or(0.0) as u64),
            Unit::Ratio => fixed(v.unwrap_or(0.0), 3),
            Unit::Seconds => opt_duration(v.map(|s| s as u64)),
        }
    }

    /// A mean over seeds, in prose: counts become fractional, so they print like amounts.
    pub(crate) fn mean_text(&self, v: f64) -> String {
        match self.unit {
            Unit::Amount | Unit::Count => compact(v),
            Unit::Percent => pct(v),
            Unit::Ratio => fixed(v, 3),
            Unit::Seconds => duration(v.round() as u64),
        }
    }

    /// The figure, `0` where absent (for means over seeds).
    pub(crate) fn get(&self, m: &Metrics) -> f64 {
        (self.value)(m).unwrap_or(0.0)
    }

    /// Whether `a` is better than `b` by more than rounding noise (never for [`Better::Neither`]).
    pub(crate) fn better(&self, a: f64, b: f64) -> bool {
        !same(a, b)
            && match self.better {
                Better::Lower => a < b,
                Better::Higher => a > b,
                Better::Neither => false,
            }
    }
}

/// Two figures this close count as equal (rounding noise from the simulator).
pub(crate) fn same(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

macro_rules! metric {
    // A field read as it is.
    ($key:ident, $label:literal, $short:literal, $name:literal, $unit:ident, $better:ident,
     $meaning:literal) => {
        metric!($key, $label, $short, $name, $unit, $better, $meaning, |m| Some(m.$key as f64))
    };
    ($key:ident, $label:literal, $short:literal, $name:literal, $unit:ident, $better:ident,
     $meaning:literal, $value:expr) => {
        Metric {
            key: stringify!($key),
            label: $label,
            short: $short,
            name: $name,
            meaning: $meaning,
            unit: Unit::$unit,
            better: Better::$better,
            value: $value,
        }
    };
}

/// Every metric, in the model's order.
#[rustfmt::skip]
pub(crate) const METRICS: [Metric; 26] = [
    metric!(bad_debt, "Bad debt", "bad debt", "bad debt", Amount, Lower,
        "debt left uncovered: realized bad debt plus, at the end, open debt above the collateral's fundamental value (what the assets are really worth, whether reported or not)"),
    metric!(bad_debt_pct, "Bad debt %", "bad debt %", "bad debt %", Percent, Lower,
        "bad debt as a percentage of the market's lender supply"),
    metric!(liquidations, "Fast liq.", "fast liq.", "fast liquidations", Count, Neither,
        "fast liquidations (transactions that succeeded)"),
    metric!(slow_liquidations, "Slow liq.", "slow liq.", "slow liquidations", Count, Neither,
        "positions moved to the slow redeem-to-repay path"),
    metric!(liquidated_collateral, "Liquidated coll.", "liquidated coll.", "liquidated collateral", Amount, Neither,
        "collateral seized by fast liquidations, valued at the NAV of the moment"),
    metric!(fire_sale_loss, "Fire-sale loss", "fire-sale loss", "fire-sale loss", Amount, Lower,
        "collateral sold on the AMM by liquidators below its fundamental value (what the assets are really worth, not the possibly stale NAV): fundamental value minus proceeds"),
    metric!(min_market_to_nav, "Min mkt/NAV", "min mkt/NAV", "minimum market/NAV", Ratio, Higher,
        "lowest AMM spot price / reported NAV seen"),
    metric!(first_liquidation_after_s, "First liq. after", "1st liq after", "first liquidation after", Seconds, Neither,
        "time from the first shock event to the first liquidation (fast or slow), if any",
        |m| m.first_liquidation_after_s.map(|s| s as f64)),
    metric!(cascade_rounds, "Cascade rounds", "cascade rounds", "cascade rounds", Count, Lower,
        "liquidation waves: blocks in which a borrower not liquidated before is liquidated"),
    metric!(breaker_trips, "Breaker trips", "trips", "breaker trips", Count, Neither,
        "times the breaker raised its level"),
    metric!(halted_s, "Halted", "halted", "halted time", Seconds, Neither,
        "time during which fast liquidation was halted"),
    metric!(borrower_penalties, "Borrower penalties", "borrower penalties", "borrower penalties", Amount, Lower,
        "liquidation incentives paid by borrowers: seized value at NAV minus debt repaid"),
    metric!(liquidator_profit, "Liquidator profit", "liquidator profit", "liquidator profit", Amount, Neither,
        "liquidation bots' gain, marked at the final fundamental value (their queued redemptions included)"),
    metric!(attacker_profit, "Attacker profit", "attacker profit", "attacker profit", Amount, Lower,
        "the oracle-arbitrage attacker's gain, marked at the final fundamental value (defaulted loans count)"),
    metric!(lender_loss_pct, "Lender loss %", "lender loss %", "lender loss %", Percent, Lower,
        "lenders' loss as a percentage of their supply (bad debt not covered by reserves)"),
    metric!(borrow_capacity, "Borrow capacity", "borrow capacity", "borrow capacity", Amount, Higher,
        "time-weighted average over the run of what the posted collateral could borrow (collateral × the oracle's borrow price × max LTV; zero while the breaker closes borrowing): capital efficiency, one of the safeguards' costs"),
    metric!(shadow_insolvency, "Shadow insolvency", "shadow insolvency", "shadow insolvency", Amount, Lower,
        "peak debt solvent by the oracle but insolvent at the AMM price"),
    metric!(overpaid, "Overpaid", "overpaid", "overpaid", Amount, Lower,
        "what buyers on the AMM paid above the fundamental value of the shares they got, Σ max(0, paid − shares × fundamental): a loss traders bear, not lenders"),
    metric!(real_shortfall, "Real shortfall", "real shortfall", "real shortfall", Amount, Lower,
        "of the positions that ended in bad debt, debt above the collateral's fundamental value just before each one's first liquidation (or at the end if never liquidated): the loss no liquidation design could avoid"),
    metric!(gap_incentive, "Gap: incentives", "gap incentives", "liquidation incentives", Amount, Lower,
        "part of bad debt − real shortfall: liquidation incentives, seized × fundamental × i / (1 + i), i the market's incentive"),
    metric!(gap_below_fundamental, "Gap: seized below F", "gap below F", "seizures below the fundamental value", Amount, Lower,
        "part of the gap: collateral seized at an oracle price below the fundamental value (fire sales feeding the oracle), seized × fundamental / (1 + i) − repaid"),
    metric!(gap_slow_path, "Gap: slow path", "gap slow", "the slow path", Amount, Lower,
        "part of the gap: shares locked into the slow path at the fundamental value minus what their redemption paid to the debt (keeper fee, NAV below the fundamental value, surplus)"),
    metric!(gap_interest, "Gap: interest", "gap interest", "interest", Amount, Lower,
        "part of the gap: interest accrued on the debt after the real shortfall was taken"),
    metric!(gap_fundamental, "Gap: F moved", "gap F moved", "the fundamental value moving", Amount, Neither,
        "part of the gap: the fundamental value moving afterwards, −collateral × its change (negative when it recovered)"),
    metric!(gap_borrower, "Gap: borrower flows", "gap borrower", "the borrowers' own flows", Amount, Neither,
        "part of the gap: the borrowers' own flows, borrowing and collateral withdrawals (+), repayments and top-ups (−)"),
    metric!(gap_equity, "Gap: equity used", "gap equity", "equity used up", Amount, Neither,
        "part of the gap: minus the equity (collateral at the fundamental value above the debt) the positions still had at their first liquidation, plus any left at the end"),
];

/// The items of `bad_debt − real_shortfall`, by mechanism: they sum to it.
pub(crate) const GAP_ITEMS: [&Metric; 7] = [
    by_key("gap_below_fundamental"),
    by_key("gap_incentive"),
    by_key("gap_slow_path"),
    by_key("gap_interest"),
    by_key("gap_fundamental"),
    by_key("gap_borrower"),
    by_key("gap_equity"),
];

/// The metric with this key; a key not in [`METRICS`] is a bug in this crate.
pub(crate) const fn by_key(key: &str) -> &'static Metric {
    let mut i = 0;
    while i < METRICS.len() {
        if const_eq(METRICS[i].key, key) {
            return &METRICS[i];
        }
        i += 1;
    }
    panic!("no such metric")
}

const fn const_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The metrics other modules name, checked at compile time.
pub(crate) const BAD_DEBT: &Metric = by_key("bad_debt");
pub(crate) const BAD_DEBT_PCT: &Metric = by_key("bad_debt_pct");
pub(crate) const FAST: &Metric = by_key("liquidations");
pub(crate) const SLOW: &Metric = by_key("slow_liquidations");
pub(crate) const FIRE_SALE: &Metric = by_key("fire_sale_loss");
pub(crate) const MIN_MARKET_TO_NAV: &Metric = by_key("min_market_to_nav");
pub(crate) const FIRST_LIQUIDATION: &Metric = by_key("first_liquidation_after_s");
pub(crate) const BREAKER_TRIPS: &Metric = by_key("breaker_trips");
pub(crate) const HALTED: &Metric = by_key("halted_s");
pub(crate) const ATTACKER: &Metric = by_key("attacker_profit");
pub(crate) const LIQUIDATOR: &Metric = by_key("liquidator_profit");
pub(crate) const BORROW_CAPACITY: &Metric = by_key("borrow_capacity");
pub(crate) const OVERPAID: &Metric = by_key("overpaid");
pub(crate) const REAL_SHORTFALL: &Metric = by_key("real_shortfall");

/// The gap between bad debt and the real shortfall.
pub(crate) fn gap(m: &Metrics) -> f64 {
    m.bad_debt - m.real_shortfall
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_of_the_model_has_one_definition_in_order() {
        let m = Metrics {
            bad_debt: 1.0,
            bad_debt_pct: 2.0,
            liquidations: 3,
            slow_liquidations: 4,
            liquidated_collateral: 5.0,
            fire_sale_loss: 6.0,
            min_market_to_nav: 7.0,
            first_liquidation_after_s: Some(8),
            cascade_rounds: 9,
            breaker_trips: 10,
            halted_s: 11,
            borrower_penalties: 12.0,
            liquidator_profit: 13.0,
            attacker_profit: 14.0,
            lender_loss_pct: 15.0,
            borrow_capacity: 16.0,
            shadow_insolvency: 17.0,
            overpaid: 18.0,
            real_shortfall: 19.0,
            gap_incentive: 20.0,
            gap_below_fundamental: 21.0,
            gap_slow_path: 22.0,
            gap_interest: 23.0,
            gap_fundamental: 24.0,
            gap_borrower: 25.0,
            gap_equity: 26.0,
        };
        let json = serde_json::to_value(&m).expect("serializes");
        let fields = json.as_object().expect("an object");
        assert_eq!(fields.len(), METRICS.len(), "a field without a definition");
        for (i, d) in METRICS.iter().enumerate() {
            // Each definition reads its own field: the values above are 1, 2, 3, ... in order.
            assert_eq!(fields[d.key].as_f64(), Some(i as f64 + 1.0), "{}", d.key);
            assert_eq!((d.value)(&m), Some(i as f64 + 1.0), "{}", d.key);
        }
    }

    #[test]
    fn the_gap_items_are_every_gap_metric_once() {
        let gap_keys: Vec<&str> =
            METRICS.iter().map(|m| m.key).filter(|k| k.starts_with("gap_")).collect();
        let mut items: Vec<&str> = GAP_ITEMS.iter().map(|m| m.key).collect();
        assert_eq!(items.len(), gap_keys.len(), "a gap metric outside GAP_ITEMS");
        items.sort_unstable();
        items.dedup();
        assert_eq!(items.len(), GAP_ITEMS.len(), "a gap item listed twice");
        assert!(items.iter().all(|k| gap_keys.contains(k)));
    }

    #[test]
    fn direction_and_cells() {
        assert!(BAD_DEBT.better(1.0, 2.0) && !BAD_DEBT.better(2.0, 1.0));
        assert!(BORROW_CAPACITY.better(2.0, 1.0));
        assert!(!BAD_DEBT.better(1.0, 1.0 + 1e-12), "rounding noise is a tie");
        assert!(!FAST.better(1.0, 2.0));
        let m = Metrics { first_liquidation_after_s: None, ..sample() };
        assert_eq!(FIRST_LIQUIDATION.cell(&m), "-");
        assert_eq!(MIN_MARKET_TO_NAV.cell(&m), "0.410");
        assert_eq!(FAST.cell(&m), "12");
        assert_eq!(HALTED.cell(&m), "2h05m");
    }

    fn sample() -> Metrics {
        Metrics {
            bad_debt: 0.0,
            bad_debt_pct: 0.0,
            liquidations: 12,
            slow_liquidations: 0,
            liquidated_collateral: 0.0,
            fire_sale_loss: 0.0,
            min_market_to_nav: 0.41,
            first_liquidation_after_s: Some(5),
            cascade_rounds: 0,
            breaker_trips: 0,
            halted_s: 7500,
            borrower_penalties: 0.0,
            liquidator_profit: 0.0,
            attacker_profit: 0.0,
            lender_loss_pct: 0.0,
            borrow_capacity: 0.0,
            shadow_insolvency: 0.0,
            ..Metrics::default()
        }
    }
}
