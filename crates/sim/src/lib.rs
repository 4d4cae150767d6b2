//! The scenario lab: scenario files ([`Scenario`]), the deterministic block-stepping engine
//! ([`run`]), and the matrix and sweep drivers that fill a [`breakwater_report::Report`].

mod actions;
mod backend;
mod basket;
pub mod bench;
mod blocks;
mod bots;
mod crowd;
mod engine;
mod error;
mod event;
mod gap;
mod jobs;
mod node;
mod observer;
mod paths;
mod provenance;
mod realize;
pub mod scenario;
mod tally;
mod timeline;
pub mod uncertain;
mod validate;
mod wallets;

pub use backend::BackendKind;
pub use engine::{Activity, Kept, OnProgress, Outcome, Progress, RunOptions, run};
pub use error::{Error, Result};
pub use jobs::{Job, matrix, report, run_all, sweep};
pub use paths::{Shard, Study, StudyOutcome};
pub use scenario::{Scenario, ScenarioError};
pub use uncertain::{Distribution, Uncertain, path_seed};
