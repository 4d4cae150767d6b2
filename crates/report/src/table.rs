//! Tables shared by the Markdown and HTML renderings, and the metric columns with their
//! glossary.

use crate::figures::sweep_policies;
use crate::format::{compact, duration, fixed, opt_duration, pct};
use crate::group::Scenario;
use crate::model::{Metrics, Sweep};

/// A metric as a table column: its field name, header, one-line meaning and formatting.
pub(crate) struct Column {
    pub(crate) field: &'static str,
    pub(crate) header: &'static str,
    pub(crate) meaning: &'static str,
    pub(crate) cell: fn(&Metrics) -> String,
}

/// Every metric, in the model's order; the meanings follow the model's doc comments.
#[rustfmt::skip]
pub(crate) const COLUMNS: [Column; 17] = [
    Column { field: "bad_debt", header: "Bad debt", cell: |m| compact(m.bad_debt),
        meaning: "debt left uncovered: realized bad debt plus, at the end, open debt above the collateral's fundamental value (what the assets are really worth, whether reported or not)" },
    Column { field: "bad_debt_pct", header: "Bad debt %", cell: |m| pct(m.bad_debt_pct),
        meaning: "bad debt as a percentage of the market's lender supply" },
    Column { field: "liquidations", header: "Fast liq.", cell: |m| m.liquidations.to_string(),
        meaning: "fast liquidations (transactions that succeeded)" },
    Column { field: "slow_liquidations", header: "Slow liq.", cell: |m| m.slow_liquidations.to_string(),
        meaning: "positions moved to the slow redeem-to-repay path" },
    Column { field: "liquidated_collateral", header: "Liquidated coll.", cell: |m| compact(m.liquidated_collateral),
        meaning: "collateral seized by fast liquidations, valued at the NAV of the moment" },
    Column { field: "fire_sale_loss", header: "Fire-sale loss", cell: |m| compact(m.fire_sale_loss),
        meaning: "collateral sold on the AMM by liquidators below NAV: NAV value minus proceeds" },
    Column { field: "min_market_to_nav", header: "Min mkt/NAV", cell: |m| fixed(m.min_market_to_nav, 3),
        meaning: "lowest AMM spot price / reported NAV seen" },
    Column { field: "first_liquidation_after_s", header: "First liq. after", cell: |m| opt_duration(m.first_liquidation_after_s),
        meaning: "time from the first shock event to the first liquidation (fast or slow), if any" },
    Column { field: "cascade_rounds", header: "Cascade rounds", cell: |m| m.cascade_rounds.to_string(),
        meaning: "liquidation waves: blocks in which a borrower not liquidated before is liquidated" },
    Column { field: "breaker_trips", header: "Breaker trips", cell: |m| m.breaker_trips.to_string(),
        meaning: "times the breaker raised its level" },
    Column { field: "halted_s", header: "Halted", cell: |m| duration(m.halted_s),
        meaning: "time during which fast liquidation was halted" },
    Column { field: "borrower_penalties", header: "Borrower penalties", cell: |m| compact(m.borrower_penalties),
        meaning: "liquidation incentives paid by borrowers: seized value at NAV minus debt repaid" },
    Column { field: "liquidator_profit", header: "Liquidator profit", cell: |m| compact(m.liquidator_profit),
        meaning: "liquidation bots' gain, marked at the final fundamental value" },
    Column { field: "attacker_profit", header: "Attacker profit", cell: |m| compact(m.attacker_profit),
        meaning: "the oracle-arbitrage attacker's gain, marked at the final fundamental value (defaulted loans count)" },
    Column { field: "lender_loss_pct", header: "Lender loss %", cell: |m| pct(m.lender_loss_pct),
        meaning: "lenders' loss as a percentage of their supply (bad debt not covered by reserves)" },
    Column { field: "borrow_capacity", header: "Borrow capacity", cell: |m| compact(m.borrow_capacity),
        meaning: "average over the run of what the posted collateral could borrow (collateral × the oracle's borrow price × max LTV; zero while the breaker closes borrowing): capital efficiency, one of the safeguards' costs" },
    Column { field: "shadow_insolvency", header: "Shadow insolvency", cell: |m| compact(m.shadow_insolvency),
        meaning: "peak debt solvent by the oracle but insolvent at the AMM price" },
];

/// A table of preformatted cells; the first column is text, the others are figures.
pub(crate) struct Table {
    pub(crate) header: Vec<String>,
    pub(crate) rows: Vec<Vec<String>>,
}

/// A scenario's comparison: one row per run in run order, one column per metric.
pub(crate) fn comparison(sc: &Scenario<'_>) -> Table {
    let multi = sc.multi_seed();
    let mut header = vec!["Policy".to_string()];
    header.extend(COLUMNS.iter().map(|c| c.header.to_string()));
    let rows = sc
        .runs
        .iter()
        .map(|r| {
            let name =
                if multi { format!("{} (seed {})", r.policy, r.seed) } else { r.policy.clone() };
            std::iter::once(name).chain(COLUMNS.iter().map(|c| (c.cell)(&r.metrics))).collect()
        })
        .collect();
    Table { header, rows }
}

/// A sweep: one row per swept value (ascending), one column per policy with bad debt and its
/// percentage; `-` where a policy has no point.
pub(crate) fn sweep(sweep: &Sweep) -> Table {
    let policies = sweep_policies(sweep);
    let mut values: Vec<f64> = sweep.points.iter().map(|p| p.value).collect();
    values.sort_by(f64::total_cmp);
    values.dedup();
    let mut header = vec![sweep.parameter.clone()];
    header.extend(policies.iter().map(|p| format!("{p}: bad debt (%)")));
    let rows = values
        .iter()
        .map(|&v| {
            let cells = policies.iter().map(|p| {
                sweep.points.iter().find(|pt| pt.value == v && pt.policy == *p).map_or_else(
                    || "-".to_string(),
                    |pt| {
                        format!(
                            "{} ({})",
                            compact(pt.metrics.bad_debt),
                            pct(pt.metrics.bad_debt_pct)
                        )
                    },
                )
            });
            std::iter::once(compact(v)).chain(cells).collect()
        })
        .collect();
    Table { header, rows }
}
