//! The data behind the HTML page's interactive timelines: one JSON object per scenario with each
//! policy's series (hours on the x axis), event markers, review and breaker periods, and the
//! shock window the page zooms to first. The drawing is `timeline.js` over uPlot.

use crate::group::Scenario;
use crate::model::{BREAKER_NORMAL, Run};
use serde::Serialize;

/// Above this many samples a run is thinned (every k-th sample, the last kept) for the page.
const MAX_SAMPLES: usize = 4000;

/// One scenario's timelines.
#[derive(Serialize)]
pub(crate) struct Timeline {
    /// The HTML id of the scenario's timeline block.
    pub(crate) id: String,
    pub(crate) title: String,
    /// `[from, to]` in hours: where the scenario's stress happens, padded; none if calm.
    pub(crate) shock: Option<[f64; 2]>,
    /// The policy shown first (safeguarded if it ran).
    pub(crate) first: usize,
    pub(crate) runs: Vec<RunData>,
}

/// One policy's series.
#[derive(Serialize)]
pub(crate) struct RunData {
    pub(crate) policy: String,
    pub(crate) seed: u64,
    /// Hours since the start.
    x: Vec<f64>,
    spot: Vec<Option<f64>>,
    nav: Vec<Option<f64>>,
    fundamental: Vec<Option<f64>>,
    oracle: Vec<Option<f64>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    borrow: Vec<Option<f64>>,
    depth: Vec<Option<f64>>,
    shadow: Vec<Option<f64>>,
    bad_debt: Vec<Option<f64>>,
    fast: Vec<u64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    slow: Vec<u64>,
    /// The run's slow liquidations in all (for a note when `slow` is not recorded).
    slow_total: u64,
    breaker: Vec<u8>,
    /// Periods `[from, to]` (hours) with the NAV under review.
    review: Vec<[f64; 2]>,
    /// Whether `review` comes from the run's own record (else from breach/resolution events).
    review_recorded: bool,
    events: Vec<Marker>,
    /// Whether the markers are the scenario's events (else derived: NAV changes).
    events_recorded: bool,
}

/// An event marker.
#[derive(Serialize)]
struct Marker {
    x: f64,
    label: String,
}

/// Hours, to the microhour (3.6 ms): shorter JSON than 1/3600's full expansion, as exact.
fn hours(t: u64) -> f64 {
    (t as f64 / 3600.0 * 1e6).round() / 1e6
}

fn finite(v: &[f64], keep: &[usize]) -> Vec<Option<f64>> {
    keep.iter().map(|&i| v.get(i).copied().filter(|x| x.is_finite())).collect()
}

/// Which samples to keep: all of them, or every k-th and the last.
fn kept(n: usize) -> Vec<usize> {
    let step = n.div_ceil(MAX_SAMPLES).max(1);
    let mut out: Vec<usize> = (0..n).step_by(step).collect();
    if n > 0 && out.last() != Some(&(n - 1)) {
        out.push(n - 1);
    }
    out
}

/// A readable label for an event kind (`lp_withdrawal` → `LP withdrawal`).
fn event_label(kind: &str, label: &str) -> String {
    if !label.is_empty() {
        return label.to_string();
    }
    match kind {
        "nav_report" => "NAV report".into(),
        "impairment" => "loss (fundamental)".into(),
        "rumour" => "rumour".into(),
        "lp_withdrawal" => "LP withdrawal".into(),
        "custodian_breach" => "custodian breach".into(),
        "review_resolved" => "review ends".into(),
        "oracle_stall" => "oracle stall".into(),
        other => other.replace('_', " "),
    }
}

/// Contiguous spans of samples where `on` holds, in hours.
fn spans(x: &[f64], on: impl Fn(usize) -> bool) -> Vec<[f64; 2]> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, &xi) in x.iter().enumerate() {
        match (on(i), start) {
            (true, None) => start = Some(xi),
            (false, Some(s)) => {
                out.push([s, xi]);
                start = None;
            }
            _ => {}
        }
    }
    if let (Some(s), Some(&end)) = (start, x.last()) {
        out.push([s, end]);
    }
    out
}

fn run_data(run: &Run) -> RunData {
    let s = &run.series;
    let n = s.t.len();
    let keep = kept(n);
    let x: Vec<f64> = keep.iter().map(|&i| hours(s.t[i])).collect();
    let pick_u = |v: &[u64]| -> Vec<u64> {
        if v.len() == n { keep.iter().map(|&i| v[i]).collect() } else { Vec::new() }
    };
    let full = |v: &[f64]| if v.len() == n { finite(v, &keep) } else { vec![None; keep.len()] };
    let review_recorded = s.under_review.len() == n && n > 0;
    let review = if review_recorded {
        let flags: Vec<bool> = keep.iter().map(|&i| s.under_review[i]).collect();
        spans(&x, |i| flags[i])
    } else {
        // From the events: a breach opens a review, its resolution closes it.
        let end = x.last().copied().unwrap_or(0.0);
        let mut out = Vec::new();
        let mut open: Option<f64> = None;
        for e in &s.events {
            match e.kind.as_str() {
                "custodian_breach" => {
                    open.get_or_insert(hours(e.t));
                }
                "review_resolved" => {
                    if let Some(from) = open.take() {
                        out.push([from, hours(e.t)]);
                    }
                }
                _ => {}
            }
        }
        out.extend(open.map(|from| [from, end]));
        out
    };
    let events_recorded = !s.events.is_empty();
    let events = if events_recorded {
        s.events
            .iter()
            .filter(|e| e.kind != "skip")
            .map(|e| Marker { x: hours(e.t), label: event_label(&e.kind, &e.label) })
            .collect()
    } else {
        nav_changes(run)
    };
    RunData {
        policy: run.policy.clone(),
        seed: run.seed,
        spot: full(&s.spot),
        nav: full(&s.nav),
        fundamental: full(&s.fundamental),
        oracle: full(&s.oracle),
        borrow: if s.borrow_price.len() == n { finite(&s.borrow_price, &keep) } else { Vec::new() },
        depth: full(&s.pool_depth),
        shadow: full(&s.shadow_insolvency),
        bad_debt: full(&s.bad_debt),
        fast: pick_u(&s.liquidations),
        slow: pick_u(&s.slow_liquidations),
        slow_total: run.metrics.slow_liquidations,
        breaker: if s.breaker_level.len() == n {
            keep.iter().map(|&i| s.breaker_level[i]).collect()
        } else {
            Vec::new()
        },
        review,
        review_recorded,
        events,
        events_recorded,
        x,
    }
}

/// Without recorded events: a marker wherever the reported NAV moves by more than 0.1%, and
/// wherever the pool's depth falls by more than a quarter from one sample to the next (LPs
/// leaving).
fn nav_changes(run: &Run) -> Vec<Marker> {
    let s = &run.series;
    let jumps = |v: &[f64], by: f64, what: &str, falls_only: bool| -> Vec<Marker> {
        let mut out = Vec::new();
        for i in 1..v.len().min(s.t.len()) {
            let (a, b) = (v[i - 1], v[i]);
            let change = (b - a) / a;
            if a.is_finite() && b.is_finite() && a > 0.0 && change.abs() > by {
                if falls_only && change > 0.0 {
                    continue;
                }
                out.push(Marker {
                    x: hours(s.t[i]),
                    label: format!("{what} {:+.1}%", change * 100.0),
                });
            }
        }
        // A series that jumps every block is noise, not an event worth a marker.
        if out.len() > 12 { Vec::new() } else { out }
    };
    let mut out = jumps(&s.nav, 1e-3, "NAV", false);
    out.extend(jumps(&s.pool_depth, 0.25, "pool depth", true));
    out.sort_by(|a, b| a.x.total_cmp(&b.x));
    out
}

/// Where the stress is: from the first sign of it (a price off NAV by 3%, a fundamental off NAV by
/// 1%, a breaker level, a liquidation, a non-routine event) to the last liquidation or breaker
/// change, padded; over every policy's run.
fn shock_window(runs: &[&Run]) -> Option<[f64; 2]> {
    let (mut from, mut to) = (u64::MAX, 0u64);
    let mut end = 0u64;
    for r in runs {
        let s = &r.series;
        end = end.max(s.t.last().copied().unwrap_or(0));
        for (i, &t) in s.t.iter().enumerate() {
            let off = |a: Option<&f64>, b: Option<&f64>, by: f64| match (a, b) {
                (Some(&a), Some(&b)) if a.is_finite() && b.is_finite() && b > 0.0 => {
                    (a / b - 1.0).abs() > by
                }
                _ => false,
            };
            let level = s.breaker_level.get(i).copied().unwrap_or(BREAKER_NORMAL);
            let changed = |v: &[u64]| i > 0 && v.get(i) != v.get(i - 1);
            let moved = changed(&s.liquidations)
                || changed(&s.slow_liquidations)
                || (i > 0 && s.breaker_level.get(i) != s.breaker_level.get(i - 1));
            let stressed = level != BREAKER_NORMAL
                || off(s.spot.get(i), s.nav.get(i), 0.03)
                || off(s.fundamental.get(i), s.nav.get(i), 0.01);
            if stressed || moved {
                from = from.min(t);
            }
            if moved {
                to = to.max(t);
            }
        }
        for e in &s.events {
            if !matches!(e.kind.as_str(), "skip" | "nav_report") {
                from = from.min(e.t);
                to = to.max(e.t);
            }
        }
    }
    if from == u64::MAX {
        return None;
    }
    let to = to.max(from + 3600);
    let pad = (to - from) / 8 + 3600;
    let (a, b) = (from.saturating_sub(pad), (to + pad).min(end));
    // A window as long as the run zooms nowhere.
    (b > a && (b - a) * 10 < end * 9).then(|| [hours(a), hours(b)])
}

/// One scenario's timeline data; `id` is its HTML id.
pub(crate) fn timeline(sc: &Scenario<'_>, id: String) -> Timeline {
    let runs = sc.first_runs();
    let first = runs.iter().position(|r| r.policy == crate::policy::SAFEGUARDED).unwrap_or(0);
    Timeline {
        id,
        title: sc.title.to_string(),
        shock: shock_window(&runs),
        first,
        runs: runs.iter().map(|r| run_data(r)).collect(),
    }
}

/// Every timeline as one JSON document safe inside a `<script>` element.
pub(crate) fn json(timelines: &[&Timeline]) -> String {
    // serde_json writes non-finite floats as null; `<` only occurs inside strings, where
    // `\u003c` means the same, so no `</script>` can close the element early.
    serde_json::to_string(timelines).unwrap_or_else(|_| "[]".into()).replace('<', "\\u003c")
}
