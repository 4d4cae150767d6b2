//! The scenario lab: scenario files ([`Scenario`]), the deterministic block-stepping engine
//! ([`run`]), and the matrix and sweep drivers that fill a [`breakwater_report::Report`].

mod basket;
pub mod bench;
mod crowd;
mod engine;
mod error;
mod lab;
mod metrics;
pub mod scenario;

pub use engine::{Activity, Kept, OnProgress, Outcome, Progress, RunOptions, run};
pub use error::{Error, Result};
pub use lab::{Job, matrix, report, run_all, sweep};
pub use scenario::{Scenario, ScenarioError};
