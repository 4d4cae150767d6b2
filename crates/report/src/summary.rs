//! The terminal summary: a fixed-width table, one row per run.

use crate::metric::{
    ATTACKER, BAD_DEBT, BAD_DEBT_PCT, BORROW_CAPACITY, BREAKER_TRIPS, FIRE_SALE, FIRST_LIQUIDATION,
    HALTED, MIN_MARKET_TO_NAV, Metric, OVERPAID, REAL_SHORTFALL,
};
use crate::model::{Report, Run};

/// One column of the summary: the run's name or a metric, or both liquidation counts in one.
enum Column {
    Scenario,
    Policy,
    Metric(&'static Metric),
    Liquidations,
}

/// The header of the column that holds both liquidation counts.
const LIQUIDATIONS: &str = "liq fast/slow";

const COLUMNS: [Column; 14] = [
    Column::Scenario,
    Column::Policy,
    Column::Metric(BAD_DEBT),
    Column::Metric(BAD_DEBT_PCT),
    Column::Metric(REAL_SHORTFALL),
    Column::Liquidations,
    Column::Metric(FIRE_SALE),
    Column::Metric(OVERPAID),
    Column::Metric(MIN_MARKET_TO_NAV),
    Column::Metric(FIRST_LIQUIDATION),
    Column::Metric(BREAKER_TRIPS),
    Column::Metric(HALTED),
    Column::Metric(ATTACKER),
    Column::Metric(BORROW_CAPACITY),
];

/// The summary's columns a narrow terminal may drop, least telling first. The scenario, the
/// policy, any seed and the bad debt in % of supply always stay.
pub const SUMMARY_DROP_ORDER: [&str; 11] = [
    OVERPAID.short,
    ATTACKER.short,
    FIRST_LIQUIDATION.short,
    MIN_MARKET_TO_NAV.short,
    BREAKER_TRIPS.short,
    HALTED.short,
    FIRE_SALE.short,
    REAL_SHORTFALL.short,
    BORROW_CAPACITY.short,
    LIQUIDATIONS,
    BAD_DEBT.short,
];

impl Column {
    fn header(&self) -> &'static str {
        match self {
            Self::Scenario => "scenario",
            Self::Policy => "policy",
            Self::Metric(m) => m.short,
            Self::Liquidations => LIQUIDATIONS,
        }
    }

    fn cell(&self, r: &Run) -> String {
        match self {
            Self::Scenario => r.scenario.clone(),
            Self::Policy => r.policy.clone(),
            Self::Metric(m) => m.cell(&r.metrics),
            Self::Liquidations => {
                format!("{}/{}", r.metrics.liquidations, r.metrics.slow_liquidations)
            }
        }
    }
}

/// A plain-text fixed-width table of every run's key figures, for the terminal. Text columns
/// are left-aligned, figures right-aligned; a seed column appears when some scenario and
/// policy ran with several seeds.
pub fn summary_table(report: &Report) -> String {
    let multi_seed = report.runs.iter().enumerate().any(|(i, a)| {
        report.runs[..i].iter().any(|b| a.scenario == b.scenario && a.policy == b.policy)
    });
    let mut header: Vec<String> = COLUMNS.iter().map(|c| c.header().to_string()).collect();
    let mut rows: Vec<Vec<String>> =
        report.runs.iter().map(|r| COLUMNS.iter().map(|c| c.cell(r)).collect()).collect();
    if multi_seed {
        header.insert(2, "seed".into());
        for (row, run) in rows.iter_mut().zip(&report.runs) {
            row.insert(2, run.seed.to_string());
        }
    }
    let text_cols = 2;
    let widths: Vec<usize> = (0..header.len())
        .map(|i| rows.iter().chain([&header]).map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    let line = |cells: &[String]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (c, &w))| if i < text_cols { format!("{c:<w$}") } else { format!("{c:>w$}") })
            .collect();
        padded.join("  ").trim_end().to_string()
    };
    let mut out = line(&header);
    out.push('\n');
    out.push_str(&widths.iter().map(|&w| "-".repeat(w)).collect::<Vec<_>>().join("  "));
    out.push('\n');
    for row in &rows {
        out.push_str(&line(row));
        out.push('\n');
    }
    out
}
