//! Many runs: the scenario × policy matrix and sweeps, run a few at a time (each on its own
//! Anvil), collected in job order whatever order they finish in.

use std::sync::Arc;

use breakwater_chain::Policy;
use breakwater_report::{Report, Sweep, SweepPoint};
use tokio::{sync::Semaphore, task::JoinSet};

use crate::{Error, OnProgress, Outcome, Progress, Result, RunOptions, Scenario, run};

/// One run to do.
#[derive(Debug, Clone)]
pub struct Job {
    /// The scenario (with any swept value already applied).
    pub scenario: Arc<Scenario>,
    /// The policy.
    pub policy: Policy,
    /// The seed.
    pub seed: u64,
    /// The swept value, for a sweep's runs.
    pub swept: Option<f64>,
}

/// Every scenario under every policy, scenario-major.
pub fn matrix(scenarios: &[Arc<Scenario>], policies: &[Policy], seed: u64) -> Vec<Job> {
    scenarios
        .iter()
        .flat_map(|s| {
            policies.iter().map(|p| Job { scenario: Arc::clone(s), policy: *p, seed, swept: None })
        })
        .collect()
}

/// The scenario's `[sweep]`: every value under every policy, value-major.
pub fn sweep(scenario: &Scenario, policies: &[Policy], seed: u64) -> Result<Vec<Job>> {
    let spec = scenario.sweep.as_ref().ok_or_else(|| {
        Error::Scenario(crate::ScenarioError {
            file: scenario.origin.clone(),
            problems: vec!["sweep: missing (add a [sweep] table to sweep this scenario)".into()],
        })
    })?;
    let mut jobs = Vec::new();
    for value in &spec.values {
        let s = Arc::new(scenario.with_swept(*value)?);
        jobs.extend(policies.iter().map(|p| Job {
            scenario: Arc::clone(&s),
            policy: *p,
            seed,
            swept: Some(*value),
        }));
    }
    Ok(jobs)
}

/// Runs `jobs`, `parallel` at a time; `done` is called as each finishes, and any
/// [`RunOptions::progress`] as each advances, with [`Progress::job`] its index in `jobs`.
/// Results come back in job order. The first failure stops the rest.
pub async fn run_all(
    jobs: Vec<Job>,
    parallel: usize,
    options: &RunOptions,
    done: impl Fn(&Job, &Outcome) + Send + Sync + 'static,
) -> Result<Vec<(Job, Outcome)>> {
    let permits = Arc::new(Semaphore::new(parallel.max(1)));
    let done = Arc::new(done);
    let mut set = JoinSet::new();
    for (i, job) in jobs.into_iter().enumerate() {
        let (permits, done, mut options) =
            (Arc::clone(&permits), Arc::clone(&done), options.clone());
        options.progress = options.progress.map(|p| {
            OnProgress::new(move |progress: Progress| p.call(Progress { job: i, ..progress }))
        });
        set.spawn(async move {
            let _permit = permits.acquire_owned().await.map_err(|e| Error::Setup(e.to_string()))?;
            let outcome =
                run(&job.scenario, job.policy, job.seed, &options).await.map_err(|e| {
                    Error::Setup(format!("{} under {}: {e}", job.scenario.origin, job.policy))
                })?;
            done(&job, &outcome);
            Ok::<_, Error>((i, job, outcome))
        });
    }
    let mut results = join_all(set, "run").await?;
    results.sort_by_key(|(i, _, _)| *i);
    Ok(results.into_iter().map(|(_, j, o)| (j, o)).collect())
}

/// Every task's result, in the order they finish; at the first error (or a `what` that
/// panicked) the others are aborted and the error returned.
pub(crate) async fn join_all<T: 'static>(
    mut set: JoinSet<Result<T>>,
    what: &str,
) -> Result<Vec<T>> {
    let mut results = Vec::new();
    while let Some(joined) = set.join_next().await {
        match joined.map_err(|e| Error::Setup(format!("a {what} panicked: {e}")))? {
            Ok(r) => results.push(r),
            Err(e) => {
                set.abort_all();
                return Err(e);
            }
        }
    }
    Ok(results)
}

/// A report from finished jobs: runs without a swept value become `runs`, the others `sweeps`
/// (one per scenario, in first-seen order).
pub fn report(generated_by: String, results: &[(Job, Outcome)]) -> Report {
    let mut report = Report { generated_by, runs: Vec::new(), sweeps: Vec::new(), risk: None };
    for (job, outcome) in results {
        let Some(value) = job.swept else {
            report.runs.push(outcome.run.clone());
            continue;
        };
        let name = outcome.run.scenario.clone();
        let point = SweepPoint {
            value,
            policy: outcome.run.policy.clone(),
            metrics: outcome.run.metrics.clone(),
        };
        match report.sweeps.iter_mut().find(|s| s.scenario == name) {
            Some(sweep) => sweep.points.push(point),
            None => {
                let parameter = job.scenario.sweep_label.clone();
                report.sweeps.push(Sweep { scenario: name, parameter, points: vec![point] });
            }
        }
    }
    report
}
