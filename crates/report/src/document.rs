//! The report's content, built once and rendered both as Markdown and as HTML.

use crate::figures::{Figure, scenario_figures, sweep_figure};
use crate::format::{compact, scale, slug};
use crate::group::{Scenario, scenarios};
use crate::headline::{Headline, headline};
use crate::metric::{GAP_ITEMS, gap};
use crate::model::Report;
use crate::reading::reading;
use crate::table::{self, Table};
use crate::timeline::{Timeline, timeline};

/// Everything the report says, in order.
pub(crate) struct Document {
    pub(crate) generated_by: String,
    /// A report-wide scale note when every scenario shares one scale.
    pub(crate) scale_note: Option<String>,
    pub(crate) scenarios: Vec<Section>,
    pub(crate) sweeps: Vec<Section>,
    /// Per scenario of the Monte Carlo: its name and its two figures (frontier, histograms).
    pub(crate) risk: Vec<(String, String, String)>,
}

/// One scenario or sweep.
pub(crate) struct Section {
    /// Unique anchor for the table of contents.
    pub(crate) id: String,
    pub(crate) heading: String,
    /// Scenarios only: the scenario's description, under the heading (may be empty).
    pub(crate) description: String,
    /// Lines under the heading (scale, seeds, parameter).
    pub(crate) intro: String,
    pub(crate) table: Table,
    pub(crate) reading: Vec<String>,
    /// Scenarios only: bad debt against the real shortfall, the gap itemized.
    pub(crate) gap: Option<Gap>,
    /// Scenarios only: the scenario file's hash, the program and the deployed parameters.
    pub(crate) provenance: Option<Provenance>,
    pub(crate) figures: Vec<Figure>,
    /// Scenarios only: the model's scale (fraction of real-world size).
    pub(crate) scale: Option<f64>,
    /// Scenarios only: the page's headline figures and sentences.
    pub(crate) headline: Option<Headline>,
    /// Scenarios only: the interactive timeline's data.
    pub(crate) timeline: Option<Timeline>,
}

fn scale_note(x: f64) -> String {
    if x == 1.0 {
        "Figures are at real-world size.".into()
    } else {
        format!(
            "Figures are at scale {} of the real-world ones; divide by the scale for real-world size.",
            scale(x)
        )
    }
}

/// Bad debt against the real shortfall, and what the gap between them is made of.
pub(crate) struct Gap {
    /// What the gap is, then one sentence per run with bad debt.
    pub(crate) sentences: Vec<String>,
    pub(crate) table: Table,
}

/// Where a scenario's numbers come from.
pub(crate) struct Provenance {
    /// `Scenario file SHA-256: …`, `Program: …` (one line per distinct value).
    pub(crate) lines: Vec<String>,
    /// The deployed parameters, per run.
    pub(crate) parameters: Table,
}

/// What the gap is, said once per scenario.
const GAP_MEANING: &str = "Bad debt minus the real shortfall is the gap: what the market's \
    mechanisms added to the loss the assets themselves caused. The real shortfall is, for each \
    position that ended in bad debt, its debt above its collateral at the fundamental value just \
    before its first liquidation (or at the end if it was never liquidated); the items after the \
    gap column add up to it.";

fn gap_section(sc: &Scenario<'_>) -> Gap {
    let mut sentences = vec![GAP_MEANING.to_string()];
    for r in sc.runs.iter().filter(|r| r.metrics.bad_debt > 0.0) {
        let m = &r.metrics;
        let largest = GAP_ITEMS
            .iter()
            .max_by(|a, b| a.get(m).abs().total_cmp(&b.get(m).abs()))
            .filter(|g| g.get(m) != 0.0);
        let what = largest
            .map_or(String::new(), |g| format!(", mostly {} ({})", g.name, compact(g.get(m))));
        sentences.push(format!(
            "{}: bad debt {} against a real shortfall of {}, a gap of {}{what}.",
            r.policy,
            compact(m.bad_debt),
            compact(m.real_shortfall),
            compact(gap(m)),
        ));
    }
    Gap { sentences, table: table::gap_table(sc) }
}

fn provenance(sc: &Scenario<'_>) -> Provenance {
    let mut lines: Vec<String> = Vec::new();
    let hashes = distinct(sc.runs.iter().map(|r| r.provenance.scenario_sha256.as_str()));
    lines.extend(hashes.iter().map(|h| format!("Scenario file SHA-256: {h}.")));
    let programs = distinct(sc.runs.iter().map(|r| r.provenance.program.as_str()));
    lines.extend(programs.iter().map(|p| format!("Program: {p}.")));
    Provenance { lines, parameters: table::parameters(sc) }
}

/// The non-empty values, each once, in order.
fn distinct<'a>(values: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut out: Vec<&str> = values.filter(|v| !v.is_empty()).collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Builds the document, charts included.
pub(crate) fn build(report: &Report) -> Document {
    let groups = scenarios(report);
    let uniform = groups.windows(2).all(|w| w[0].scale == w[1].scale);
    let mut ids: Vec<String> = Vec::new();
    let scenarios = groups
        .iter()
        .map(|sc| {
            let id = unique(&mut ids, format!("scenario-{}", slug(sc.name)));
            Section {
                heading: sc.title.to_string(),
                description: sc.description.to_string(),
                intro: format!("Scenario {}. {}", sc.name, scale_note(sc.scale)),
                table: table::comparison(sc),
                reading: reading(sc),
                gap: Some(gap_section(sc)),
                provenance: Some(provenance(sc)),
                figures: scenario_figures(sc),
                scale: Some(sc.scale),
                headline: Some(headline(sc, risk_of(report, sc.name))),
                timeline: Some(timeline(sc, format!("timeline-{id}"))),
                id,
            }
        })
        .collect();
    let sweeps = report
        .sweeps
        .iter()
        .map(|sw| {
            let title = groups
                .iter()
                .find(|g| g.name == sw.scenario)
                .map_or(sw.scenario.as_str(), |g| g.title);
            let id = unique(&mut ids, format!("sweep-{}", slug(&sw.scenario)));
            Section {
                heading: format!("Sweep: {title}, {}", sw.parameter),
                description: String::new(),
                gap: None,
                provenance: None,
                intro: format!(
                    "Scenario {}; bad debt (and its % of lender supply) per value of {}.",
                    sw.scenario, sw.parameter
                ),
                table: table::sweep(sw),
                reading: Vec::new(),
                figures: vec![sweep_figure(sw, title, id.clone())],
                scale: None,
                headline: None,
                timeline: None,
                id,
            }
        })
        .collect();
    Document {
        generated_by: report.generated_by.clone(),
        scale_note: groups.first().filter(|_| uniform).map(|g| scale_note(g.scale)),
        scenarios,
        sweeps,
        risk: report.risk.iter().flat_map(crate::risk::figures).collect(),
    }
}

/// The Monte Carlo of scenario `name`, if the report carries one.
fn risk_of<'a>(report: &'a Report, name: &str) -> Option<&'a crate::ScenarioRisk> {
    report.risk.as_ref()?.scenarios.iter().find(|s| s.scenario == name)
}

/// `id`, or `id-2`, `id-3`... if already taken; records it.
fn unique(taken: &mut Vec<String>, id: String) -> String {
    let mut out = id.clone();
    let mut n = 2;
    while taken.contains(&out) {
        out = format!("{id}-{n}");
        n += 1;
    }
    taken.push(out.clone());
    out
}
