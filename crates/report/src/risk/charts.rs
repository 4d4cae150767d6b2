//! `risk.html`: per scenario, the risk frontier (each policy's bad-debt tail against the borrow
//! capacity it keeps, both with their intervals) and the bad-debt distributions as small
//! multiples on the scenario's shared bins. One self-contained offline page of inline SVG,
//! like `index.html`.

use super::{Estimate, PolicyRisk, RiskReport, ScenarioRisk};
use crate::format::{compact, escape};
use crate::policy::color;
use crate::svg::{Svg, Ticks};

const WIDTH: f64 = 640.0;
const MARGIN: (f64, f64, f64, f64) = (95.0, 20.0, 30.0, 45.0); // left, right, top, bottom

/// The bad-debt figure the frontier plots: VaR95 where every policy has paths enough for it,
/// else the mean (an interval either way), and its name.
fn tail(sc: &ScenarioRisk) -> (&'static str, Vec<Estimate>) {
    let var: Option<Vec<Estimate>> =
        sc.policies.iter().map(|p| p.var95.estimate().copied()).collect();
    match var {
        Some(v) => ("bad debt VaR95", v),
        None => ("mean bad debt (too few paths for VaR95)", {
            sc.policies.iter().map(|p| p.bad_debt_mean).collect()
        }),
    }
}

/// The frontier: x the mean borrow capacity, y the bad-debt tail, a cross of intervals per
/// policy.
pub(crate) fn frontier(sc: &ScenarioRisk) -> String {
    let (what, ys) = tail(sc);
    let xs: Vec<Estimate> = sc.policies.iter().map(|p| p.borrow_capacity.mean).collect();
    let (l, r, t, b) = MARGIN;
    let height = 320.0;
    let xt = Ticks::new(min(&xs, |e| e.low), max(&xs, |e| e.high), 5);
    let yt = Ticks::new(0.0f64.min(min(&ys, |e| e.low)), max(&ys, |e| e.high), 5);
    let px = |v: f64| l + (v - xt.lo) / (xt.hi - xt.lo) * (WIDTH - l - r);
    let py = |v: f64| height - b - (v - yt.lo) / (yt.hi - yt.lo) * (height - t - b);
    let mut svg = Svg::new(WIDTH, height, &format!("{}: risk frontier", sc.scenario));
    axes(&mut svg, (&xt, &px), (&yt, &py), height);
    svg.text(
        WIDTH / 2.0,
        height - 8.0,
        "text-anchor=\"middle\"",
        "mean borrow capacity (loan units)",
    );
    svg.text(14.0, t - 10.0, "", &format!("{what} (loan units), 95% intervals"));
    for (i, ((p, x), y)) in sc.policies.iter().zip(&xs).zip(&ys).enumerate() {
        let c = color(&p.policy);
        svg.line((px(x.low), py(y.value)), (px(x.high), py(y.value)), c);
        svg.line((px(x.value), py(y.low)), (px(x.value), py(y.high)), c);
        svg.circle((px(x.value), py(y.value)), 4.0, c);
        // Staggered, so that policies at the same point stay readable.
        let dy = 6.0 + 12.0 * (i % 3) as f64;
        svg.text(px(x.value) + 6.0, py(y.value) - dy, &format!("fill=\"{c}\""), &p.policy);
    }
    svg.finish()
}

/// Bad debt's distribution per policy: one histogram each, on the scenario's bins, the share of
/// paths per bin.
pub(crate) fn histograms(sc: &ScenarioRisk) -> String {
    let (l, r, _, b) = MARGIN;
    let row = 70.0;
    let height = 20.0 + row * sc.policies.len() as f64 + b;
    let edges = &sc.bad_debt_edges;
    let xt = Ticks::new(*edges.first().unwrap_or(&0.0), *edges.last().unwrap_or(&1.0), 6);
    let px = |v: f64| l + (v - xt.lo) / (xt.hi - xt.lo) * (WIDTH - l - r);
    let mut svg = Svg::new(WIDTH, height, &format!("{}: bad debt over the paths", sc.scenario));
    for (i, p) in sc.policies.iter().enumerate() {
        let base = 20.0 + row * (i as f64 + 1.0) - 8.0;
        bars(&mut svg, p, edges, &px, (base, row - 22.0));
        svg.line((l, base), (WIDTH - r, base), "#999999");
        svg.text(l - 6.0, base - 4.0, "text-anchor=\"end\"", &p.policy);
    }
    let axis = height - b + 4.0;
    for v in &xt.values {
        svg.text(px(*v), axis + 14.0, "text-anchor=\"middle\"", &xt.label(*v));
    }
    svg.text(WIDTH / 2.0, height - 8.0, "text-anchor=\"middle\"", "bad debt per path (loan units)");
    svg.finish()
}

fn bars(
    svg: &mut Svg,
    p: &PolicyRisk,
    edges: &[f64],
    px: &dyn Fn(f64) -> f64,
    (base, h): (f64, f64),
) {
    let n = p.paths.max(1) as f64;
    let top = p.bad_debt_histogram.iter().copied().max().unwrap_or(0).max(1) as f64 / n;
    for (k, count) in p.bad_debt_histogram.iter().enumerate() {
        let (Some(lo), Some(hi)) = (edges.get(k), edges.get(k + 1)) else { continue };
        if *count == 0 {
            continue;
        }
        let share = *count as f64 / n;
        let height = h * share / top;
        let width = (px(*hi) - px(*lo) - 1.0).max(1.0);
        svg.rect((px(*lo), base - height), (width, height), color(&p.policy), "none");
    }
}

fn axes(
    svg: &mut Svg,
    (xt, px): (&Ticks, &dyn Fn(f64) -> f64),
    (yt, py): (&Ticks, &dyn Fn(f64) -> f64),
    height: f64,
) {
    let (l, r, t, b) = MARGIN;
    for v in &yt.values {
        svg.line((l, py(*v)), (WIDTH - r, py(*v)), "#eeeeee");
        svg.text(l - 6.0, py(*v) + 4.0, "text-anchor=\"end\"", &yt.label(*v));
    }
    for v in &xt.values {
        svg.text(px(*v), height - b + 16.0, "text-anchor=\"middle\"", &xt.label(*v));
    }
    svg.line((l, height - b), (WIDTH - r, height - b), "#999999");
    svg.line((l, t), (l, height - b), "#999999");
}

fn min(v: &[Estimate], f: impl Fn(&Estimate) -> f64) -> f64 {
    v.iter().map(f).fold(f64::INFINITY, f64::min)
}

fn max(v: &[Estimate], f: impl Fn(&Estimate) -> f64) -> f64 {
    v.iter().map(f).fold(f64::NEG_INFINITY, f64::max)
}

/// The page.
pub(crate) fn html(report: &RiskReport) -> String {
    let mut out = String::from(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>Breakwater risk report</title>\
         <style>body{font-family:Helvetica,Arial,sans-serif;max-width:700px;margin:2em auto;color:#222}\
         figure{margin:1em 0}</style></head><body>\n<h1>Breakwater risk report</h1>\n",
    );
    out.push_str(&format!(
        "<p>Paths per policy, bootstrap 95% intervals ({} resamples); policies compared on common \
         random numbers. The numbers, paired verdicts and worst paths are in \
         <a href=\"risk.md\">risk.md</a> and <a href=\"risk.json\">risk.json</a>.</p>\n",
        report.resamples
    ));
    for sc in &report.scenarios {
        let paths = sc.policies.iter().map(|p| p.paths).max().unwrap_or(0);
        out.push_str(&format!(
            "<section class=\"risk\" id=\"risk-{0}\"><h2>{0}</h2><p>{1} paths; bad debt up to {2}.</p>\n",
            escape(&sc.scenario),
            paths,
            compact(*sc.bad_debt_edges.last().unwrap_or(&0.0))
        ));
        out.push_str(&format!("<figure class=\"frontier\">{}</figure>\n", frontier(sc)));
        out.push_str(&format!(
            "<figure class=\"histograms\">{}</figure></section>\n",
            histograms(sc)
        ));
    }
    out.push_str("</body></html>\n");
    out
}
