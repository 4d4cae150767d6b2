//! `risk.md`: per scenario a table of each policy's tail statistics, the distributions, the
//! paired verdicts in sentences and the worst paths. Labels, meanings and number formats come
//! from the metric table, as in `report.md`.

use std::fmt::Write;

use super::stats::{CONFIDENCE, MIN_TAIL, paths_needed};
use super::{
    Distribution, Estimate, P95, P99, PairedComparison, PairedDifference, PolicyRisk, RiskReport,
    ScenarioRisk, TailStat, Verdict,
};
use crate::format::{compact, signed};
use crate::markdown::{table, text};
use crate::metric::{
    ATTACKER, BAD_DEBT, BORROW_CAPACITY, FAST, FIRE_SALE, LIQUIDATOR, Metric, by_key,
};
use crate::table::Table;

/// Worst paths listed per policy in `risk.md` (`risk.json` keeps more).
const WORST_PATHS_SHOWN: usize = 5;

/// What LaR95 is the percentile of.
const LIQUIDATED: &Metric = by_key("liquidated_collateral");

/// The label of liquidations counted fast plus slow.
const LIQUIDATIONS: &str = "Liquidations (fast + slow)";

/// Renders the report as Markdown.
pub(crate) fn markdown(report: &RiskReport) -> String {
    let mut out = String::from("# Breakwater risk report\n\n");
    let _ = writeln!(
        out,
        "Every policy of a scenario ran on the same paths (common random numbers: path k is the \
         same world under every policy). Intervals are {}% bootstrap percentile intervals over \
         {} resamples of the paths (seed {}). Amounts are in loan units (the local stablecoin, \
         i.e. US dollars at the scenario's scale).\n",
        CONFIDENCE / 10,
        report.resamples,
        report.seed
    );
    glossary(&mut out);
    for s in &report.scenarios {
        scenario(&mut out, s);
    }
    out
}

fn glossary(out: &mut String) {
    let terms = [
        ("VaR95", format!("the 95th percentile of {} over the paths.", BAD_DEBT.name)),
        (
            "ES95, ES99",
            format!(
                "expected shortfall, the mean {} of the worst 5% and 1% of paths.",
                BAD_DEBT.name
            ),
        ),
        ("LaR95", format!("the 95th percentile of {}.", LIQUIDATED.name)),
    ];
    for (term, meaning) in terms {
        let _ = writeln!(out, "- **{term}**: {}", text(&meaning));
    }
    for m in [BAD_DEBT, LIQUIDATED, BORROW_CAPACITY, FIRE_SALE, ATTACKER, LIQUIDATOR] {
        let _ = writeln!(out, "- **{}**: {}.", text(m.label), text(m.meaning));
    }
    let rule = format!(
        "A tail statistic is shown only when at least {MIN_TAIL} paths lie in its tail (VaR95, \
         ES95 and LaR95 need {} paths, ES99 {}); percentiles are nearest-rank.",
        paths_needed(P95),
        paths_needed(P99)
    );
    let _ = writeln!(out, "\n{}\n", text(&rule));
}

fn scenario(out: &mut String, s: &ScenarioRisk) {
    let _ = writeln!(out, "## {}\n", text(&s.scenario));
    table(out, &tails(s));
    out.push_str("\nDistributions over the paths:\n\n");
    table(out, &distributions(s));
    if !s.paired.is_empty() {
        out.push_str("\n**Paired differences** (A − B path by path, the mean per path):\n\n");
        for c in &s.paired {
            for line in paired(c) {
                let _ = writeln!(out, "- {}", text(&line));
            }
        }
    }
    let _ = writeln!(
        out,
        "\n**Worst paths** by {}, worst first (each can be re-run alone with its seed):\n",
        BAD_DEBT.name
    );
    for p in &s.policies {
        let _ = writeln!(out, "- {}", text(&worst(p)));
    }
    out.push('\n');
}

/// One row per policy: paths, bad debt's mean and tail, LaR95, mean borrow capacity.
fn tails(s: &ScenarioRisk) -> Table {
    let header = [
        "Policy".to_string(),
        "Paths".into(),
        format!("{} (mean)", BAD_DEBT.label),
        "VaR95".into(),
        "ES95".into(),
        "ES99".into(),
        "LaR95".into(),
        format!("{} (mean)", BORROW_CAPACITY.label),
    ];
    let rows = s
        .policies
        .iter()
        .map(|p| {
            vec![
                p.policy.clone(),
                p.paths.to_string(),
                estimate(BAD_DEBT, &p.bad_debt_mean),
                tail(BAD_DEBT, &p.var95),
                tail(BAD_DEBT, &p.es95),
                tail(BAD_DEBT, &p.es99),
                tail(LIQUIDATED, &p.lar95),
                estimate(BORROW_CAPACITY, &p.borrow_capacity.mean),
            ]
        })
        .collect();
    Table { header: header.to_vec(), rows }
}

/// One row per policy and figure: quantiles and the mean with its interval.
fn distributions(s: &ScenarioRisk) -> Table {
    let header = ["Policy", "Figure", "5%", "25%", "Median", "75%", "95%", "Mean"];
    let mut rows = Vec::new();
    for p in &s.policies {
        let figures: [(&str, &Metric, &Distribution); 5] = [
            (BORROW_CAPACITY.label, BORROW_CAPACITY, &p.borrow_capacity),
            (LIQUIDATIONS, FAST, &p.liquidations),
            (FIRE_SALE.label, FIRE_SALE, &p.fire_sale_loss),
            (ATTACKER.label, ATTACKER, &p.attacker_profit),
            (LIQUIDATOR.label, LIQUIDATOR, &p.liquidator_profit),
        ];
        for (label, metric, d) in figures {
            let quantiles = [d.p5, d.p25, d.p50, d.p75, d.p95].map(|q| metric.mean_text(q));
            let mut row = vec![p.policy.clone(), label.to_string()];
            row.extend(quantiles);
            row.push(estimate(metric, &d.mean));
            rows.push(row);
        }
    }
    Table { header: header.map(String::from).to_vec(), rows }
}

/// `9.1k [8.7k, 9.5k]`.
fn estimate(metric: &Metric, e: &Estimate) -> String {
    let f = |x| metric.mean_text(x);
    format!("{} [{}, {}]", f(e.value), f(e.low), f(e.high))
}

fn tail(metric: &Metric, t: &TailStat) -> String {
    match t {
        TailStat::Estimated(e) => estimate(metric, e),
        TailStat::TooFewPaths { paths, needs } => {
            format!("too few paths ({paths}; needs {needs})")
        }
    }
}

/// The comparison's two sentences: bad debt, then borrow capacity.
fn paired(c: &PairedComparison) -> [String; 2] {
    [(BAD_DEBT, &c.bad_debt), (BORROW_CAPACITY, &c.borrow_capacity)]
        .map(|(metric, d)| difference(c, metric, d))
}

/// `safeguarded is better than naive-spot on bad debt: …` or `No difference in bad debt is
/// shown between …`, with the mean difference and its interval.
fn difference(c: &PairedComparison, metric: &Metric, d: &PairedDifference) -> String {
    let f = |x| signed(x, compact);
    let numbers = format!(
        "{} − {} = {} per path, {}% interval [{}, {}], over {} paired paths",
        c.a,
        c.b,
        f(d.difference.value),
        CONFIDENCE / 10,
        f(d.difference.low),
        f(d.difference.high),
        c.paths
    );
    match &d.verdict {
        Verdict::Better { policy } => {
            let other = if *policy == c.a { &c.b } else { &c.a };
            format!("{policy} is better than {other} on {}: {numbers}.", metric.name)
        }
        Verdict::NoDifferenceShown => {
            format!(
                "No difference in {} is shown between {} and {}: {numbers}.",
                metric.name, c.a, c.b
            )
        }
    }
}

/// `naive-spot: path 17 (seed 123): 12.3k; …`.
fn worst(p: &PolicyRisk) -> String {
    if p.worst_paths.first().is_none_or(|w| w.bad_debt <= 0.0) {
        return format!("{}: no path has {}.", p.policy, BAD_DEBT.name);
    }
    let paths: Vec<String> = p
        .worst_paths
        .iter()
        .take(WORST_PATHS_SHOWN)
        .map(|w| format!("path {} (seed {}): {}", w.path, w.seed, BAD_DEBT.mean_text(w.bad_debt)))
        .collect();
    format!("{}: {}.", p.policy, paths.join("; "))
}
