//! Monte Carlo: many paths of each scenario under each policy. Path k of a study seeded S has
//! seed [`path_seed`]`(S, k)`: it draws the scenario's distributions and the crowd from that seed
//! alone, so it is the same world under every policy (common random numbers), whatever N, the
//! shard or the order in which paths finish.
//!
//! The world (contracts and their configuration) is not uncertain: each scenario × policy is
//! deployed once on an embedded Anvil, loaded into an in-process EVM, and every path starts from
//! a copy of that state. Paths run `jobs` at a time; each path's state is dropped when it ends,
//! only its metrics are kept, and its series only if it is among the worst few of its
//! scenario × policy (what the tail report charts).

use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex, PoisonError},
    time::Instant,
};

use breakwater_chain::Policy;
use breakwater_evm::EvmChain;
use breakwater_report::{PathResult, Run};
use tokio::{sync::Semaphore, task::JoinSet};

use crate::{
    Error, OnProgress, Outcome, Progress, Result, RunOptions, Scenario,
    backend::{self, Backend},
    engine::{Deployed, run_deployed},
    jobs::join_all,
    node::lab_node,
    uncertain::path_seed,
};

/// Which paths a process runs: path k belongs to shard k mod `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// This shard, from 0.
    pub index: u64,
    /// Shards in the study.
    pub count: u64,
}

impl Shard {
    /// The whole study in one process.
    pub const ALL: Self = Self { index: 0, count: 1 };

    /// Whether path `path` is this shard's.
    pub fn owns(self, path: u64) -> bool {
        path % self.count.max(1) == self.index
    }
}

/// A Monte Carlo study: scenarios × policies × paths 0..`paths` (this shard's share).
#[derive(Debug, Clone)]
pub struct Study {
    /// The scenarios, with their distributions.
    pub scenarios: Vec<Arc<Scenario>>,
    /// The policies, each run on every path.
    pub policies: Vec<Policy>,
    /// The study's seed.
    pub seed: u64,
    /// Paths in the whole study.
    pub paths: u64,
    /// This process's share.
    pub shard: Shard,
    /// Paths run at once.
    pub jobs: usize,
    /// Per scenario × policy, the worst paths (by bad debt) whose whole run, series included,
    /// is kept.
    pub keep_worst: usize,
}

/// What a study produced in this process.
#[derive(Debug, Clone)]
pub struct StudyOutcome {
    /// Every path's metrics, sorted by scenario, policy and path.
    pub paths: Vec<PathResult>,
    /// The kept runs (the worst paths of each scenario × policy, worst first), in scenario and
    /// policy order.
    pub worst: Vec<Run>,
    /// Wall-clock seconds, deployments included.
    pub seconds: f64,
}

/// One path to run: which group (scenario × policy) and which path.
#[derive(Debug, Clone, Copy)]
struct PathJob {
    group: usize,
    path: u64,
}

impl Study {
    /// The paths this shard runs, group-major (scenario, then policy, then path).
    fn jobs(&self) -> Vec<PathJob> {
        let groups = self.scenarios.len() * self.policies.len();
        (0..groups)
            .flat_map(|group| {
                (0..self.paths)
                    .filter(|&p| self.shard.owns(p))
                    .map(move |path| PathJob { group, path })
            })
            .collect()
    }

    /// Paths this shard runs in all.
    pub fn len(&self) -> usize {
        self.jobs().len()
    }

    /// Whether this shard has nothing to run.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn group(&self, group: usize) -> (&Arc<Scenario>, Policy) {
        let n = self.policies.len();
        (&self.scenarios[group / n], self.policies[group % n])
    }

    /// Runs the study. `done` is called as each path finishes (in whatever order they
    /// finish) with its result, and `options.progress` as each advances ([`Progress::job`]
    /// counts paths in scenario, policy, path order). Only the in-process backend reuses a
    /// deployment: `options.backend` is ignored. The first failure stops the rest.
    pub async fn run(
        &self,
        options: &RunOptions,
        done: impl Fn(&PathResult, &Outcome) + Send + Sync + 'static,
    ) -> Result<StudyOutcome> {
        let started = Instant::now();
        let permits = Arc::new(Semaphore::new(self.jobs.max(1)));
        let done = Arc::new(done);
        let worst = Arc::new(Mutex::new(Worst::new(self.keep_worst)));
        let mut jobs_by_group: BTreeMap<usize, Vec<(usize, PathJob)>> = BTreeMap::new();
        for (i, job) in self.jobs().into_iter().enumerate() {
            jobs_by_group.entry(job.group).or_default().push((i, job));
        }
        let mut set = JoinSet::new();
        for (group, jobs) in jobs_by_group {
            let (scenario, policy) = self.group(group);
            let ctx = GroupCtx {
                scenario: Arc::clone(scenario),
                policy,
                seed: self.seed,
                permits: Arc::clone(&permits),
                options: options.clone(),
            };
            let (done, worst) = (Arc::clone(&done), Arc::clone(&worst));
            set.spawn(async move { ctx.run(jobs, done, worst).await });
        }
        let mut paths: Vec<PathResult> =
            join_all(set, "path").await?.into_iter().flatten().collect();
        paths.sort_by(|a: &PathResult, b| {
            (&a.scenario, &a.policy, a.path).cmp(&(&b.scenario, &b.policy, b.path))
        });
        let worst = std::mem::replace(
            &mut *worst.lock().unwrap_or_else(PoisonError::into_inner),
            Worst::new(0),
        );
        Ok(StudyOutcome {
            paths,
            worst: worst.into_runs(),
            seconds: started.elapsed().as_secs_f64(),
        })
    }
}

/// What the paths of one scenario × policy share.
struct GroupCtx {
    scenario: Arc<Scenario>,
    policy: Policy,
    seed: u64,
    permits: Arc<Semaphore>,
    options: RunOptions,
}

impl GroupCtx {
    /// Deploys once, then runs the group's paths (`(job index, job)`), each on its own copy of
    /// the deployed state.
    async fn run(
        self,
        jobs: Vec<(usize, PathJob)>,
        done: Arc<impl Fn(&PathResult, &Outcome) + Send + Sync + 'static>,
        worst: Arc<Mutex<Worst>>,
    ) -> Result<Vec<PathResult>> {
        let (deployed, evm) = {
            let _permit = self.permits.acquire().await.map_err(|e| Error::Setup(e.to_string()))?;
            deploy(&self.scenario, self.policy, &self.options).await?
        };
        let ctx = Arc::new((self, deployed, evm));
        let mut set = JoinSet::new();
        for (i, job) in jobs {
            let (ctx, done, worst) = (Arc::clone(&ctx), Arc::clone(&done), Arc::clone(&worst));
            set.spawn(async move {
                let (me, deployed, evm) = &*ctx;
                let _permit =
                    me.permits.acquire().await.map_err(|e| Error::Setup(e.to_string()))?;
                let seed = path_seed(me.seed, job.path);
                let progress = me.options.progress.clone().map(|p| {
                    OnProgress::new(move |progress: Progress| {
                        p.call(Progress { job: i, ..progress })
                    })
                });
                let outcome = run_path(me, deployed.clone(), evm.clone(), seed, progress)
                    .await
                    .map_err(|e| {
                        Error::Setup(format!(
                            "{} under {}, path {} (seed {seed}): {e}",
                            me.scenario.origin, me.policy, job.path
                        ))
                    })?;
                let result = PathResult {
                    scenario: outcome.run.scenario.clone(),
                    policy: outcome.run.policy.clone(),
                    path: job.path,
                    seed,
                    metrics: outcome.run.metrics.clone(),
                };
                done(&result, &outcome);
                worst.lock().unwrap_or_else(PoisonError::into_inner).offer(job.path, outcome.run);
                Ok::<_, Error>(result)
            });
        }
        join_all(set, "path").await
    }
}

/// One path: the scenario drawn for `seed`, run on a copy of the deployed state.
async fn run_path(
    g: &GroupCtx,
    deployed: Deployed,
    evm: EvmChain,
    seed: u64,
    progress: Option<OnProgress>,
) -> Result<Outcome> {
    let scenario = g.scenario.realize(seed)?;
    run_deployed(deployed, Backend::in_process(evm), &scenario, g.policy, seed, progress).await
}

/// Deploys `scenario`'s world for `policy` on a fresh embedded Anvil and loads it into an
/// in-process EVM; the node stops on return.
async fn deploy(
    scenario: &Scenario,
    policy: Policy,
    options: &RunOptions,
) -> Result<(Deployed, EvmChain)> {
    let chain = lab_node(options).await?;
    let (deployed, lab) = Deployed::on(&chain, scenario, policy).await?;
    let evm = backend::load(&lab).await?;
    Ok((deployed, evm))
}

/// The worst paths of each scenario × policy by bad debt (ties: the lower path first), with
/// their whole runs: at most `keep` each, whatever order paths finish in.
struct Worst {
    keep: usize,
    /// By (scenario, policy): (bad debt, path, run), worst first.
    by_group: BTreeMap<(String, String), Vec<Kept>>,
}

/// A kept path: its bad debt, its index and its run.
type Kept = (f64, u64, Run);

impl Worst {
    fn new(keep: usize) -> Self {
        Self { keep, by_group: BTreeMap::new() }
    }

    fn offer(&mut self, path: u64, run: Run) {
        if self.keep == 0 {
            return;
        }
        let kept = self.by_group.entry((run.scenario.clone(), run.policy.clone())).or_default();
        kept.push((run.metrics.bad_debt, path, run));
        kept.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        kept.truncate(self.keep);
    }

    fn into_runs(self) -> Vec<Run> {
        self.by_group
            .into_values()
            .flat_map(|kept| kept.into_iter().map(|(_, _, run)| run))
            .collect()
    }
}
