//! The scenario lab's report: the data model written as `report.json`, and its renderings.

mod model;

pub use model::{Metrics, Report, Run, Series, Sweep, SweepPoint};
