//! The report's charts: per scenario (prices, liquidations, bad debt, breaker, and for RWA² the
//! junior tranche) and per sweep.

use crate::chart::{Chart, Line, Panel, Style};
use crate::format::slug;
use crate::group::Scenario;
use crate::model::{BREAKER_NORMAL, Run, Sweep};

/// One chart file: its path relative to the report's directory, a caption and the SVG.
pub(crate) struct Figure {
    pub(crate) file: String,
    pub(crate) caption: String,
    pub(crate) svg: String,
}

fn policy_style(policy: &str, step: bool, markers: bool) -> Style {
    Style { color: crate::policy::color(policy), dash: None, step, markers }
}

/// Hours since the start, per sample.
fn hours(run: &Run) -> impl Iterator<Item = f64> + '_ {
    run.series.t.iter().map(|&t| t as f64 / 3600.0)
}

fn points(run: &Run, ys: impl Iterator<Item = f64>) -> Vec<(f64, f64)> {
    hours(run).zip(ys).collect()
}

/// The charts of one scenario, drawing each policy's first seed.
pub(crate) fn scenario_figures(sc: &Scenario<'_>) -> Vec<Figure> {
    let runs = sc.first_runs();
    let seed_note = if sc.multi_seed() { " (first seed of each policy)" } else { "" };
    let base = slug(sc.name);
    let per_policy = |kind: &str, y_label: &str, step: bool, y: &dyn Fn(&Run) -> Vec<f64>| Chart {
        title: format!("{}: {kind}{seed_note}", sc.title),
        x_label: "time (h)".into(),
        y_label: y_label.into(),
        y_zero: true,
        legend: runs
            .iter()
            .map(|r| (r.policy.clone(), policy_style(&r.policy, step, false)))
            .collect(),
        panels: vec![Panel {
            title: String::new(),
            lines: runs
                .iter()
                .map(|r| Line {
                    style: policy_style(&r.policy, step, false),
                    points: points(r, y(r).into_iter()),
                })
                .collect(),
        }],
    };
    let mut out = vec![
        figure(format!("{base}-prices"), "Prices per policy", &prices_chart(sc, &runs, seed_note)),
        figure(
            format!("{base}-liquidations"),
            "Cumulative fast liquidations",
            &per_policy("cumulative fast liquidations", "liquidations", false, &|r| {
                r.series.liquidations.iter().map(|&v| v as f64).collect()
            }),
        ),
        figure(
            format!("{base}-bad-debt"),
            "Bad debt over time",
            &per_policy("bad debt over time", "bad debt (loan units)", false, &|r| {
                r.series.bad_debt.clone()
            }),
        ),
    ];
    if runs.iter().any(|r| !r.series.junior.is_empty()) {
        let chart =
            per_policy("junior tranche's true value", "junior claim (loan units)", false, &|r| {
                r.series.junior.clone()
            });
        out.push(figure(format!("{base}-junior"), "The junior tranche's true value", &chart));
    }
    if sc.runs.iter().any(|r| r.series.breaker_level.iter().any(|&l| l != BREAKER_NORMAL)) {
        // One panel per policy: six step lines on one axis hide each other.
        let mut chart = per_policy("breaker level", "level (0 normal, 3 halted)", true, &|r| {
            r.series.breaker_level.iter().map(|&v| f64::from(v)).collect()
        });
        let lines = std::mem::take(&mut chart.panels[0].lines);
        chart.panels = runs
            .iter()
            .zip(lines)
            .map(|(r, line)| Panel { title: r.policy.clone(), lines: vec![line] })
            .collect();
        out.push(figure(format!("{base}-breaker"), "Circuit-breaker level", &chart));
    }
    out
}

/// Small multiples, one panel per policy: the four prices of the collateral.
fn prices_chart(sc: &Scenario<'_>, runs: &[&Run], seed_note: &str) -> Chart {
    type Pick = fn(&Run) -> &Vec<f64>;
    let kinds: [(&str, Style, Pick); 4] = [
        ("spot (AMM)", style("#D55E00", None), |r| &r.series.spot),
        ("NAV (reported)", style("#0072B2", None), |r| &r.series.nav),
        ("fundamental", style("#009E73", Some("6 4")), |r| &r.series.fundamental),
        ("oracle", style("#000000", Some("2 3")), |r| &r.series.oracle),
    ];
    // An RWA² market's collateral is the senior tranche's token.
    let rwa2 = runs.iter().any(|r| !r.series.junior.is_empty());
    let collateral = if rwa2 { "a senior token" } else { "a vault share" };
    Chart {
        title: format!("{}: prices of {collateral}{seed_note}", sc.title),
        x_label: "time (h)".into(),
        y_label: "price (loan units)".into(),
        y_zero: false,
        legend: kinds.iter().map(|(label, s, _)| (label.to_string(), *s)).collect(),
        panels: runs
            .iter()
            .map(|r| Panel {
                title: r.policy.clone(),
                lines: kinds
                    .iter()
                    .map(|(_, s, pick)| Line {
                        style: *s,
                        points: points(r, pick(r).iter().copied()),
                    })
                    .collect(),
            })
            .collect(),
    }
}

fn style(color: &'static str, dash: Option<&'static str>) -> Style {
    Style { color, dash, step: false, markers: false }
}

fn figure(stem: String, caption: &str, chart: &Chart) -> Figure {
    Figure { file: format!("charts/{stem}.svg"), caption: caption.into(), svg: chart.render() }
}

/// A sweep's chart: bad debt against the swept value, one line with markers per policy.
/// `stem` is the file's unique name (`sweep-<scenario>`, suffixed when a scenario has several).
pub(crate) fn sweep_figure(sweep: &Sweep, title: &str, stem: String) -> Figure {
    let policies = sweep_policies(sweep);
    let chart = Chart {
        title: format!("{title}: bad debt vs {}", sweep.parameter),
        x_label: sweep.parameter.clone(),
        y_label: "bad debt (loan units)".into(),
        y_zero: true,
        legend: policies.iter().map(|p| (p.to_string(), policy_style(p, false, true))).collect(),
        panels: vec![Panel {
            title: String::new(),
            lines: policies
                .iter()
                .map(|p| {
                    let mut pts: Vec<(f64, f64)> = sweep
                        .points
                        .iter()
                        .filter(|pt| pt.policy == *p)
                        .map(|pt| (pt.value, pt.metrics.bad_debt))
                        .collect();
                    pts.sort_by(|a, b| a.0.total_cmp(&b.0));
                    Line { style: policy_style(p, false, true), points: pts }
                })
                .collect(),
        }],
    };
    figure(stem, &format!("Bad debt vs {}", sweep.parameter), &chart)
}

/// A sweep's policies, in the order of their first point.
pub(crate) fn sweep_policies(sweep: &Sweep) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for pt in &sweep.points {
        if !out.contains(&pt.policy.as_str()) {
            out.push(&pt.policy);
        }
    }
    out
}
