//! Tables shared by the Markdown and HTML renderings.

use crate::figures::sweep_policies;
use crate::format::{compact, pct};
use crate::group::Scenario;
use crate::metric::METRICS;
use crate::model::Sweep;

/// A table of preformatted cells; the first column is text, the others are figures.
pub(crate) struct Table {
    pub(crate) header: Vec<String>,
    pub(crate) rows: Vec<Vec<String>>,
}

/// A scenario's comparison: one row per run in run order, one column per metric.
pub(crate) fn comparison(sc: &Scenario<'_>) -> Table {
    let multi = sc.multi_seed();
    let mut header = vec!["Policy".to_string()];
    header.extend(METRICS.iter().map(|m| m.label.to_string()));
    let rows = sc
        .runs
        .iter()
        .map(|r| {
            let name =
                if multi { format!("{} (seed {})", r.policy, r.seed) } else { r.policy.clone() };
            std::iter::once(name).chain(METRICS.iter().map(|m| m.cell(&r.metrics))).collect()
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
