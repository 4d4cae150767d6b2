//! The scenario lab's commands: `run` (one scenario, one policy), `matrix` (scenarios ×
//! policies), `sweep` (a scenario's `[sweep]` under each policy) and `demo` (all of it: the
//! README's main command). Each writes `reports/<name>/` and prints a summary table.

use std::{
    path::{Path, PathBuf},
    sync::Arc,
    time::Instant,
};

use anyhow::{Context, Result, bail};
use breakwater_chain::Policy;
use breakwater_report::{summary_table, write};
use breakwater_sim::{Job, Outcome, RunOptions, Scenario, matrix, report, run_all, sweep};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

/// The shipped scenarios (a path in the source tree, so a fresh clone finds them).
const SCENARIOS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../sim/scenarios");

/// Options every lab command takes.
#[derive(Debug, Args)]
pub(crate) struct LabOptions {
    /// RNG seed: the same seed gives the same numbers.
    #[arg(long, default_value_t = 42)]
    seed: u64,

    /// Runs at once, each on its own Anvil.
    #[arg(long, default_value_t = 2)]
    jobs: usize,

    /// Where to write the report [default: reports/<command or scenario>].
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

/// Arguments of `breakwater run`.
#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// The scenario file.
    file: PathBuf,
    /// The policy.
    #[arg(long, default_value = "safeguarded")]
    policy: Policy,
    #[command(flatten)]
    options: LabOptions,
}

/// Arguments of `breakwater matrix` and `breakwater demo`.
#[derive(Debug, Args)]
pub(crate) struct MatrixArgs {
    /// Scenario files [default: every shipped scenario].
    files: Vec<PathBuf>,
    /// Policies, comma-separated [default: all six].
    #[arg(long, value_delimiter = ',')]
    policies: Vec<Policy>,
    #[command(flatten)]
    options: LabOptions,
}

/// Arguments of `breakwater sweep`.
#[derive(Debug, Args)]
pub(crate) struct SweepArgs {
    /// The scenario file (with a `[sweep]` table).
    file: PathBuf,
    /// Policies, comma-separated [default: all six].
    #[arg(long, value_delimiter = ',')]
    policies: Vec<Policy>,
    #[command(flatten)]
    options: LabOptions,
}

pub(crate) async fn run(args: RunArgs) -> Result<()> {
    let scenario = Arc::new(load(&args.file)?);
    let name = scenario.name();
    let jobs = matrix(&[scenario], &[args.policy], args.options.seed);
    execute(jobs, &args.options, &format!("run {name}"), &name).await
}

pub(crate) async fn matrix_cmd(args: MatrixArgs) -> Result<()> {
    let scenarios = scenarios(&args.files)?;
    let jobs = matrix(&scenarios, &policies(&args.policies), args.options.seed);
    execute(jobs, &args.options, "matrix", "matrix").await
}

pub(crate) async fn sweep_cmd(args: SweepArgs) -> Result<()> {
    let scenario = load(&args.file)?;
    let jobs = sweep(&scenario, &policies(&args.policies), args.options.seed)?;
    let name = format!("sweep-{}", scenario.name());
    execute(jobs, &args.options, &name, &name).await
}

/// The demo: every shipped scenario under every policy, plus every scenario's sweep.
pub(crate) async fn demo(args: MatrixArgs) -> Result<()> {
    let scenarios = scenarios(&args.files)?;
    let policies = policies(&args.policies);
    let mut jobs = matrix(&scenarios, &policies, args.options.seed);
    for s in scenarios.iter().filter(|s| s.sweep.is_some()) {
        jobs.extend(sweep(s, &policies, args.options.seed)?);
    }
    execute(jobs, &args.options, "demo", "demo").await
}

/// A shipped scenario file.
pub(crate) fn shipped(file: &str) -> PathBuf {
    Path::new(SCENARIOS).join(file)
}

fn load(path: &Path) -> Result<Scenario> {
    Ok(Scenario::load(path)?)
}

fn policies(given: &[Policy]) -> Vec<Policy> {
    if given.is_empty() { Policy::ALL.to_vec() } else { given.to_vec() }
}

/// The given files, or every `*.toml` of the shipped scenarios in name order.
fn scenarios(files: &[PathBuf]) -> Result<Vec<Arc<Scenario>>> {
    let files = if files.is_empty() {
        let dir = Path::new(SCENARIOS);
        let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
            .with_context(|| format!("reading the scenarios in {}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        found.sort();
        found
    } else {
        files.to_vec()
    };
    if files.is_empty() {
        bail!("no scenario files found in {SCENARIOS}");
    }
    // Every file is checked before anything runs: a bad one fails fast, naming itself.
    files.iter().map(|f| load(f).map(Arc::new)).collect()
}

async fn execute(jobs: Vec<Job>, options: &LabOptions, what: &str, name: &str) -> Result<()> {
    let started = Instant::now();
    let bar = ProgressBar::new(jobs.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len} runs, {elapsed} {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(what.to_string());
    let progress = bar.clone();
    let done = move |job: &Job, outcome: &Outcome| {
        progress.inc(1);
        progress.println(format!(
            "  {:<18} {:<13} {:>5} blocks {:>6} txs {:>6.1}s  bad debt {:.0}",
            job.scenario.name(),
            job.policy.name(),
            outcome.blocks,
            outcome.transactions,
            outcome.seconds,
            outcome.run.metrics.bad_debt
        ));
    };
    let results = run_all(jobs, options.jobs, &RunOptions::default(), done).await?;
    bar.finish_and_clear();
    let generated_by =
        format!("breakwater {} {what} (seed {})", env!("CARGO_PKG_VERSION"), options.seed);
    let report = report(generated_by, &results);
    let dir = options.out.clone().unwrap_or_else(|| PathBuf::from("reports").join(name));
    let written =
        write(&report, &dir).with_context(|| format!("writing the report to {}", dir.display()))?;
    println!("{}", summary_table(&report));
    // One run: also who did what (a quick check that each agent acted, and what reverted).
    if let [(_, outcome)] = results.as_slice() {
        println!("transactions (ok / reverted):");
        for (label, a) in &outcome.activity {
            println!("  {label:<32} {:>6} / {}", a.ok, a.reverted);
        }
    }
    println!(
        "{} runs in {:.0}s. Report: {} (open {})",
        results.len(),
        started.elapsed().as_secs_f64(),
        written.json.display(),
        written.html.display()
    );
    Ok(())
}
