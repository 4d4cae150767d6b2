//! The terminal summary: a fixed-width table, one row per run.

use crate::format::{compact, duration, fixed, opt_duration, pct};
use crate::model::{Report, Run};

type Cell = fn(&Run) -> String;

const COLUMNS: [(&str, Cell); 12] = [
    ("scenario", |r| r.scenario.clone()),
    ("policy", |r| r.policy.clone()),
    ("bad debt", |r| compact(r.metrics.bad_debt)),
    ("bad debt %", |r| pct(r.metrics.bad_debt_pct)),
    ("liq fast/slow", |r| format!("{}/{}", r.metrics.liquidations, r.metrics.slow_liquidations)),
    ("fire-sale loss", |r| compact(r.metrics.fire_sale_loss)),
    ("min mkt/NAV", |r| fixed(r.metrics.min_market_to_nav, 3)),
    ("1st liq after", |r| opt_duration(r.metrics.first_liquidation_after_s)),
    ("trips", |r| r.metrics.breaker_trips.to_string()),
    ("halted", |r| duration(r.metrics.halted_s)),
    ("attacker profit", |r| compact(r.metrics.attacker_profit)),
    ("borrow capacity", |r| compact(r.metrics.borrow_capacity)),
];

/// A plain-text fixed-width table of every run's key figures, for the terminal. Text columns
/// are left-aligned, figures right-aligned; a seed column appears when some scenario and
/// policy ran with several seeds.
pub fn summary_table(report: &Report) -> String {
    let multi_seed = report.runs.iter().enumerate().any(|(i, a)| {
        report.runs[..i].iter().any(|b| a.scenario == b.scenario && a.policy == b.policy)
    });
    let mut header: Vec<String> = COLUMNS.iter().map(|c| c.0.to_string()).collect();
    let mut rows: Vec<Vec<String>> =
        report.runs.iter().map(|r| COLUMNS.iter().map(|c| (c.1)(r)).collect()).collect();
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
