//! The report's content, built once and rendered both as Markdown and as HTML.

use crate::figures::{Figure, scenario_figures, sweep_figure};
use crate::format::{scale, slug};
use crate::group::scenarios;
use crate::headline::{Headline, headline};
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
}

/// One scenario or sweep.
pub(crate) struct Section {
    /// Unique anchor for the table of contents.
    pub(crate) id: String,
    pub(crate) heading: String,
    /// Lines under the heading (scale, seeds, parameter).
    pub(crate) intro: String,
    pub(crate) table: Table,
    pub(crate) reading: Vec<String>,
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
                intro: format!("Scenario {}. {}", sc.name, scale_note(sc.scale)),
                table: table::comparison(sc),
                reading: reading(sc),
                figures: scenario_figures(sc),
                scale: Some(sc.scale),
                headline: Some(headline(sc)),
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
    }
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
