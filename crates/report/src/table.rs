//! Tables shared by the Markdown and HTML renderings.

use crate::figures::sweep_policies;
use crate::format::{compact, pct};
use crate::group::Scenario;
use crate::metric::{BAD_DEBT, GAP_ITEMS, METRICS, Metric, REAL_SHORTFALL, gap};
use crate::model::{Run, Sweep};

/// A table of preformatted cells; the first column is text, the others are figures.
pub(crate) struct Table {
    pub(crate) header: Vec<String>,
    pub(crate) rows: Vec<Vec<String>>,
}

/// A scenario's comparison: one row per run in run order, one column per metric (the gap's
/// items have a table of their own: [`gap_table`]).
pub(crate) fn comparison(sc: &Scenario<'_>) -> Table {
    let columns: Vec<&Metric> =
        METRICS.iter().filter(|m| !GAP_ITEMS.iter().any(|g| g.key == m.key)).collect();
    let mut header = vec!["Policy".to_string()];
    header.extend(columns.iter().map(|m| m.label.to_string()));
    let rows = sc
        .runs
        .iter()
        .map(|r| {
            std::iter::once(run_name(sc, r))
                .chain(columns.iter().map(|m| m.cell(&r.metrics)))
                .collect()
        })
        .collect();
    Table { header, rows }
}

/// The gap between bad debt and the real shortfall, by mechanism: one row per run, its items
/// summing to the gap column.
pub(crate) fn gap_table(sc: &Scenario<'_>) -> Table {
    let mut header: Vec<String> =
        vec!["Policy".into(), BAD_DEBT.label.into(), REAL_SHORTFALL.label.into(), "Gap".into()];
    header.extend(GAP_ITEMS.iter().map(|m| m.label.to_string()));
    let rows = sc
        .runs
        .iter()
        .map(|r| {
            let m = &r.metrics;
            [run_name(sc, r), BAD_DEBT.cell(m), REAL_SHORTFALL.cell(m), compact(gap(m))]
                .into_iter()
                .chain(GAP_ITEMS.iter().map(|g| g.cell(m)))
                .collect()
        })
        .collect();
    Table { header, rows }
}

/// A run's row name: its policy, and its seed when some policy ran with several.
fn run_name(sc: &Scenario<'_>, r: &Run) -> String {
    if sc.multi_seed() { format!("{} (seed {})", r.policy, r.seed) } else { r.policy.clone() }
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

/// The deployed parameters of each run: one row per parameter (every name any run has, in
/// name order), one column per run, `-` where a run's policy has no such parameter. Exact
/// values: this is provenance, not a summary.
pub(crate) fn parameters(sc: &Scenario<'_>) -> Table {
    let mut names: Vec<&str> =
        sc.runs.iter().flat_map(|r| r.provenance.parameters.keys().map(String::as_str)).collect();
    names.sort_unstable();
    names.dedup();
    let mut header = vec!["Parameter".to_string()];
    header.extend(sc.runs.iter().map(|r| run_name(sc, r)));
    let rows = names
        .iter()
        .map(|name| {
            let cells = sc.runs.iter().map(|r| {
                r.provenance.parameters.get(*name).map_or_else(|| "-".into(), |v| format!("{v}"))
            });
            std::iter::once(name.to_string()).chain(cells).collect()
        })
        .collect();
    Table { header, rows }
}
