//! The scenario lab's report: the data model written as `report.json`, and its renderings: a
//! terminal summary ([`summary_table`]), and on disk ([`write()`]) `report.md`, `charts/*.svg` and
//! one self-contained `index.html`.
//!
//! The Monte Carlo risk report ([`summarize`] many paths, [`write_risk`]) writes `risk.json`,
//! `risk.md` and `risk.html` beside it; a [`Report`] that carries one (`risk`) also shows its
//! risk frontiers and bad-debt distributions in `index.html`, after the headline.
//!
//! Every rendering is deterministic: the same [`Report`] gives byte-identical files.

mod chart;
mod document;
mod figures;
mod format;
mod group;
mod headline;
mod html;
mod markdown;
mod metric;
mod model;
mod policy;
mod reading;
mod risk;
mod summary;
mod svg;
mod table;
mod timeline;
mod write;

pub use model::{Event, Metrics, Provenance, Report, Run, Series, Sweep, SweepPoint};
pub use policy::POLICIES;
pub use risk::{
    Distribution, Estimate, HISTOGRAM_BINS, PairedComparison, PairedDifference, PathResult,
    PolicyRisk, RiskOptions, RiskReport, ScenarioRisk, TailStat, Verdict, WORST_PATHS_KEPT,
    WorstPath, summarize, write_risk,
};
pub use summary::{SUMMARY_DROP_ORDER, summary_table};
pub use write::{Error, Written, write};
