//! The scenario lab's commands: `run` (one scenario, one policy), `matrix` (scenarios ×
//! policies), `sweep` (a scenario's `[sweep]` under each policy) and `demo` (all of it: the
//! README's main command). Each writes a report directory and prints a summary table fitted
//! to the terminal, or with `--json` one JSON object; progress goes to stderr.

use std::{
    path::{Path, PathBuf},
    sync::Arc,
    time::Instant,
};

use anyhow::{Context, Result, bail};
use breakwater_chain::{BreakerKind, MarketKind, OracleKind, Policy};
use breakwater_report::{Written, summary_table, write};
use breakwater_sim::{
    BackendKind, Job, Kept, Outcome, RunOptions, Scenario, matrix, report, run_all, sweep,
};
use clap::Args;
use clap::builder::TypedValueParser;
use serde_json::{Map, Value, json};

use crate::{
    out::outln,
    progress::{Reporter, Ui},
    table,
};

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

    /// Where to write the report [default: reports/run/<scenario>/<policy>-seed<seed> for
    /// `run`, reports/<command> otherwise (reports/sweep-<scenario> for `sweep`)].
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,

    /// Print one JSON object on stdout (every run's figures, the report's paths) instead of
    /// the tables.
    #[arg(long)]
    json: bool,

    /// Where runs execute once their world is deployed on Anvil: `evm`, in process (revm), or
    /// `anvil`, over JSON-RPC (the reference; `--keep-alive` runs there). Same numbers on both.
    #[arg(long, default_value_t = BackendKind::Evm, value_parser = backend_parser())]
    backend: BackendKind,
}

/// `--backend`'s values, from [`BackendKind::ALL`].
fn backend_parser() -> impl TypedValueParser<Value = BackendKind> {
    clap::builder::PossibleValuesParser::new(BackendKind::ALL.map(BackendKind::name))
        .try_map(|name| name.parse::<BackendKind>())
}

/// Arguments of `breakwater run`.
#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// The scenario file.
    file: PathBuf,
    /// The policy.
    #[arg(long, default_value_t = Policy::Safeguarded, value_parser = crate::policy_parser())]
    policy: Policy,
    /// Keep the run's node (its world in the final state) until Ctrl-C, to inspect it with
    /// `cast`: writes deployment.json and abi/ next to the report and prints the RPC URL. The
    /// run then executes on Anvil (`--backend anvil`), whatever `--backend` says.
    #[arg(long)]
    keep_alive: bool,
    /// Replay path K of a `risk` study (with `--study-seed`): runs with that path's seed, the
    /// one `risk` prints beside it.
    #[arg(long, value_name = "K", requires = "study_seed", conflicts_with = "seed")]
    path: Option<u64>,
    /// The `risk` study's seed, for `--path`.
    #[arg(long, value_name = "S", requires = "path")]
    study_seed: Option<u64>,
    #[command(flatten)]
    options: LabOptions,
}

/// Arguments of `breakwater matrix` and `breakwater demo`.
#[derive(Debug, Args)]
pub(crate) struct MatrixArgs {
    /// Scenario files [default: every shipped scenario].
    files: Vec<PathBuf>,
    /// Policies, comma-separated [default: all].
    #[arg(long, value_delimiter = ',', value_parser = crate::policy_parser())]
    policies: Vec<Policy>,
    #[command(flatten)]
    options: LabOptions,
}

/// Arguments of `breakwater demo`.
#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    #[command(flatten)]
    matrix: MatrixArgs,
    /// Monte Carlo paths per scenario and policy in the demo's risk section (0: none).
    #[arg(long, default_value_t = crate::risk::DEMO_PATHS)]
    paths: u64,
}

/// Arguments of `breakwater sweep`.
#[derive(Debug, Args)]
pub(crate) struct SweepArgs {
    /// The scenario file (with a `[sweep]` table).
    file: PathBuf,
    /// Policies, comma-separated [default: all].
    #[arg(long, value_delimiter = ',', value_parser = crate::policy_parser())]
    policies: Vec<Policy>,
    #[command(flatten)]
    options: LabOptions,
}

/// What one lab command does: its jobs, how it is named, where it writes.
struct Lab<'a> {
    /// The command, for the JSON summary (`run`, `matrix`, `sweep`, `demo`).
    command: &'static str,
    /// The progress label and the report's `generated_by`.
    what: String,
    dir: PathBuf,
    options: &'a LabOptions,
    keep_alive: bool,
    ui: Ui,
}

pub(crate) async fn run(mut args: RunArgs, ui: Ui) -> Result<()> {
    let scenario = Arc::new(load(&args.file)?);
    let name = scenario.name();
    if let (Some(path), Some(study)) = (args.path, args.study_seed) {
        args.options.seed = breakwater_sim::path_seed(study, path);
    }
    let (policy, seed) = (args.policy, args.options.seed);
    let jobs = matrix(&[scenario], &[policy], seed);
    let default = Path::new("reports/run").join(&name).join(format!("{policy}-seed{seed}"));
    let lab = Lab {
        command: "run",
        what: format!("run {name} {policy} seed {seed}"),
        dir: args.options.out.clone().unwrap_or(default),
        options: &args.options,
        keep_alive: args.keep_alive,
        ui,
    };
    lab.execute(jobs).await
}

pub(crate) async fn matrix_cmd(args: MatrixArgs, ui: Ui) -> Result<()> {
    let scenarios = scenarios(&args.files)?;
    let jobs = matrix(&scenarios, &policies(&args.policies), args.options.seed);
    Lab::named("matrix", "matrix".into(), &args.options, ui).execute(jobs).await
}

pub(crate) async fn sweep_cmd(args: SweepArgs, ui: Ui) -> Result<()> {
    let scenario = load(&args.file)?;
    let jobs = sweep(&scenario, &policies(&args.policies), args.options.seed)?;
    let name = format!("sweep-{}", scenario.name());
    Lab::named("sweep", name, &args.options, ui).execute(jobs).await
}

/// The demo: every shipped scenario under every policy, plus every scenario's sweep, then a
/// Monte Carlo study of them (`risk/` in the report directory).
pub(crate) async fn demo(args: DemoArgs, ui: Ui) -> Result<()> {
    let options = &args.matrix.options;
    let scenarios = scenarios(&args.matrix.files)?;
    let policies = policies(&args.matrix.policies);
    let mut jobs = matrix(&scenarios, &policies, options.seed);
    for s in scenarios.iter().filter(|s| s.sweep.is_some()) {
        jobs.extend(sweep(s, &policies, options.seed)?);
    }
    let lab = Lab::named("demo", "demo".into(), options, ui);
    let dir = lab.dir.clone();
    lab.execute(jobs).await?;
    if args.paths == 0 {
        return Ok(());
    }
    let study = breakwater_sim::Study {
        scenarios,
        policies,
        seed: options.seed,
        paths: args.paths,
        shard: breakwater_sim::Shard::ALL,
        jobs: options.jobs,
        keep_worst: crate::risk::DEMO_WORST,
    };
    crate::risk::demo_section(&study, &dir, options.json, ui).await
}

/// A shipped scenario file.
pub(crate) fn shipped(file: &str) -> PathBuf {
    Path::new(SCENARIOS).join(file)
}

fn load(path: &Path) -> Result<Scenario> {
    Ok(Scenario::load(path)?)
}

pub(crate) fn policies(given: &[Policy]) -> Vec<Policy> {
    if given.is_empty() { Policy::ALL.to_vec() } else { given.to_vec() }
}

/// The given files, or every `*.toml` of the shipped scenarios in name order.
pub(crate) fn scenarios(files: &[PathBuf]) -> Result<Vec<Arc<Scenario>>> {
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

impl<'a> Lab<'a> {
    /// A command writing `reports/<name>/` unless told otherwise.
    fn named(command: &'static str, name: String, options: &'a LabOptions, ui: Ui) -> Self {
        let dir = options.out.clone().unwrap_or_else(|| PathBuf::from("reports").join(&name));
        Self { command, what: name, dir, options, keep_alive: false, ui }
    }

    async fn execute(self, jobs: Vec<Job>) -> Result<()> {
        // A report that cannot be written fails now, not after the runs.
        writable(&self.dir)?;
        let started = Instant::now();
        let progress = Reporter::start(self.ui.mode(), self.what.clone(), jobs.len());
        let run_options = RunOptions {
            progress: progress.callback(),
            keep_alive: self.keep_alive,
            // A kept world is a node to point `cast` at: the run stays on Anvil.
            backend: if self.keep_alive { BackendKind::Anvil } else { self.options.backend },
            ..RunOptions::default()
        };
        let on_done = Arc::clone(&progress);
        let done = move |job: &Job, outcome: &Outcome| {
            on_done.finished(&format!(
                "  {:<18} {:<13} {:>5} blocks {:>6} txs {:>6.1}s  bad debt {:.0}",
                job.scenario.name(),
                job.policy.name(),
                outcome.blocks,
                outcome.transactions,
                outcome.seconds,
                outcome.run.metrics.bad_debt
            ));
        };
        let results = run_all(jobs, self.options.jobs, &run_options, done).await;
        progress.finish();
        let results = results?;
        let generated_by = format!(
            "breakwater {} {} (seed {})",
            env!("CARGO_PKG_VERSION"),
            self.what,
            self.options.seed
        );
        let report = report(generated_by, &results);
        let written = write(&report, &self.dir)
            .with_context(|| format!("writing the report to {}", self.dir.display()))?;
        let seconds = started.elapsed().as_secs_f64();
        let kept = match results.as_slice() {
            [(job, outcome)] if self.keep_alive => {
                let kept = outcome.kept.clone().context("the run's node was not kept")?;
                Some(self.keep(&kept, job.policy).await?)
            }
            _ => None,
        };
        if self.options.json {
            let summary = self.json(&results, &written, seconds, kept.as_ref());
            outln!("{}", serde_json::to_string_pretty(&summary)?)?;
        } else {
            self.print(&results, &report, &written, seconds)?;
            if let Some(k) = &kept {
                print_kept(k)?;
            }
        }
        if let Some(k) = kept {
            tokio::signal::ctrl_c().await.context("waiting for Ctrl-C")?;
            tracing::info!(rpc = %k.rpc_url, "Ctrl-C: stopping the run's node");
        }
        Ok(())
    }

    /// The summary table, for one run the transactions by kind, and where the report is.
    fn print(
        &self,
        results: &[(Job, Outcome)],
        report: &breakwater_report::Report,
        written: &Written,
        seconds: f64,
    ) -> Result<()> {
        outln!("{}", table::fit(&summary_table(report), table::width()))?;
        // One run: also who did what (a quick check that each agent acted, and what reverted).
        if let [(_, outcome)] = results {
            outln!("transactions (ok / reverted):")?;
            for (label, a) in &outcome.activity {
                // Why they reverted, by the contract's custom error.
                let why: Vec<String> = a.reverts.iter().map(|(e, n)| format!("{e} {n}")).collect();
                let why =
                    if why.is_empty() { String::new() } else { format!("  ({})", why.join(", ")) };
                outln!("  {label:<32} {:>6} / {}{why}", a.ok, a.reverted)?;
            }
        }
        outln!(
            "{} runs in {seconds:.0}s. Report: {} (open {})",
            results.len(),
            written.json.display(),
            written.html.display()
        )
    }

    /// The `--json` summary: the command, the report's files, and per run its identity, figures
    /// and engine counts.
    fn json(
        &self,
        results: &[(Job, Outcome)],
        written: &Written,
        seconds: f64,
        kept: Option<&KeptWorld>,
    ) -> Value {
        let runs: Vec<Value> = results
            .iter()
            .map(|(job, o)| {
                let activity: Map<String, Value> = o
                    .activity
                    .iter()
                    .map(|(k, a)| {
                        let v = json!({ "ok": a.ok, "reverted": a.reverted, "reverts": a.reverts });
                        (k.clone(), v)
                    })
                    .collect();
                json!({
                    "scenario": o.run.scenario,
                    "policy": o.run.policy,
                    "seed": o.run.seed,
                    "swept": job.swept,
                    "blocks": o.blocks,
                    "transactions": o.transactions,
                    "seconds": o.seconds,
                    "metrics": o.run.metrics,
                    "activity": activity,
                })
            })
            .collect();
        let mut summary = json!({
            "command": self.command,
            "seed": self.options.seed,
            "seconds": seconds,
            "report": {
                "dir": self.dir,
                "json": written.json,
                "markdown": written.markdown,
                "html": written.html,
            },
            "runs": runs,
        });
        if let (Some(k), Value::Object(o)) = (kept, &mut summary) {
            o.insert(
                "keep_alive".into(),
                json!({ "rpc_url": k.rpc_url, "chain_id": k.chain_id, "manifest": k.manifest,
                        "abi_dir": k.abi_dir }),
            );
        }
        summary
    }

    /// Turns automine back on (the engine mined by hand) and writes the manifest, with the
    /// ABI of each of its contracts beside it, into the report directory.
    async fn keep(&self, kept: &Kept, policy: Policy) -> Result<KeptWorld> {
        let chain = &kept.chain;
        chain.set_automine(true).await.context("turning automine back on")?;
        let manifest = self.dir.join("deployment.json");
        let abi_dir = self.dir.join("abi");
        let mut root: Value =
            serde_json::from_str(&kept.manifest).context("the run's deployment manifest")?;
        let abis = abi_map(&root, policy);
        std::fs::create_dir_all(&abi_dir)
            .with_context(|| format!("creating {}", abi_dir.display()))?;
        let mut names: Vec<&str> = Vec::new();
        collect_names(&abis, &mut names);
        names.sort_unstable();
        names.dedup();
        for name in names {
            let text = breakwater_chain::bindings::abi(name)
                .with_context(|| format!("no ABI for {name} in the bindings"))?;
            let path = abi_dir.join(format!("{name}.json"));
            std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        }
        if let Value::Object(o) = &mut root {
            o.insert("rpcUrl".into(), chain.url().into());
            o.insert("abi".into(), abis);
        }
        let text = serde_json::to_string_pretty(&root)? + "\n";
        std::fs::write(&manifest, text)
            .with_context(|| format!("writing {}", manifest.display()))?;
        let market = root["contracts"]["market"].as_str().or(root["tranche"]["market"].as_str());
        Ok(KeptWorld {
            rpc_url: chain.url().to_string(),
            chain_id: chain.chain_id(),
            manifest,
            abi_dir,
            market: market.unwrap_or_default().to_string(),
            _kept: kept.clone(),
        })
    }
}

/// Creates `dir` if missing and checks that a file can be written in it (then removes it).
pub(crate) fn writable(dir: &Path) -> Result<()> {
    let fail = |e: std::io::Error| {
        anyhow::anyhow!("cannot write the report to {} (--out): {e}", dir.display())
    };
    std::fs::create_dir_all(dir).map_err(fail)?;
    let probe = dir.join(".breakwater-write-check");
    std::fs::write(&probe, b"").map_err(fail)?;
    std::fs::remove_file(&probe).map_err(fail)
}

/// A run's node kept for inspection, and where its manifest is.
struct KeptWorld {
    rpc_url: String,
    chain_id: u64,
    manifest: PathBuf,
    abi_dir: PathBuf,
    market: String,
    /// Holds the node: it stops when this is dropped.
    _kept: Kept,
}

fn print_kept(k: &KeptWorld) -> Result<()> {
    let abi = k.abi_dir.join("LendingMarket.json");
    outln!(
        "RPC {} (chain id {}): the run's world, automine on; Ctrl-C stops the node",
        k.rpc_url,
        k.chain_id
    )?;
    outln!("manifest {} (ABIs in {})", k.manifest.display(), k.abi_dir.display())?;
    outln!("  cast call {} \"totals()\" --rpc-url {}", k.market, k.rpc_url)?;
    outln!("  cast interface {}", abi.display())
}

/// The manifest's `abi` object: the same shape as its addresses (`contracts`, or `stablecoin`,
/// `constituents` and `tranche` for a basket), each address replaced by the path of its
/// contract's ABI, relative to the manifest.
fn abi_map(root: &Value, policy: Policy) -> Value {
    let file = |name: &str| Value::from(format!("abi/{name}.json"));
    let oracle = match policy.oracle() {
        OracleKind::Spot => "SpotOracle",
        OracleKind::Nav => "NavOracle",
        OracleKind::Conservative => "ConservativeOracle",
    };
    let breaker = match policy.breaker() {
        BreakerKind::Permissive => "PermissiveBreaker",
        BreakerKind::Circuit => "CircuitBreaker",
    };
    let market = match policy.market() {
        MarketKind::RedeemToRepay => "RedeemToRepayMarket",
        MarketKind::FastOnly => "LendingMarket",
    };
    let world = json!({
        "vault": file("RwaVault"), "pool": file("ConstantProductPool"),
        "rateModel": file("KinkedRateModel"), "oracle": file(oracle),
        "breaker": file(breaker), "market": file(market),
    });
    if root.get("tranche").is_none() {
        let mut contracts = world;
        if let Value::Object(o) = &mut contracts {
            o.insert("stablecoin".into(), file("Stablecoin"));
        }
        return json!({ "contracts": contracts });
    }
    // The senior market is priced off its pool under naive-spot, through the waterfall else,
    // and has no circuit breaker of its own (chain::deploy_basket).
    let senior_oracle =
        if policy.oracle() == OracleKind::Spot { "SpotOracle" } else { "SeniorTrancheOracle" };
    json!({
        "stablecoin": file("Stablecoin"),
        "constituents": { "contracts": world },
        "tranche": {
            "vault": file("TrancheVault"), "senior": file("TrancheToken"),
            "junior": file("TrancheToken"), "pool": file("ConstantProductPool"),
            "oracle": file(senior_oracle), "breaker": file("PermissiveBreaker"),
            "rateModel": file("KinkedRateModel"), "market": file("LendingMarket"),
        },
    })
}

/// Every contract name in an [`abi_map`].
fn collect_names<'v>(value: &'v Value, names: &mut Vec<&'v str>) {
    match value {
        Value::String(s) => {
            if let Some(name) = s.strip_prefix("abi/").and_then(|n| n.strip_suffix(".json")) {
                names.push(name);
            }
        }
        Value::Object(o) => o.values().for_each(|v| collect_names(v, names)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_abi_map_names_each_policy_s_modules() {
        let world = json!({ "contracts": {} });
        let map = abi_map(&world, Policy::NaiveSpot);
        assert_eq!(map["contracts"]["oracle"], "abi/SpotOracle.json");
        assert_eq!(map["contracts"]["breaker"], "abi/PermissiveBreaker.json");
        let map = abi_map(&world, Policy::NoSlowPath);
        assert_eq!(map["contracts"]["oracle"], "abi/ConservativeOracle.json");
        assert_eq!(map["contracts"]["breaker"], "abi/CircuitBreaker.json");
        let basket = abi_map(&json!({ "tranche": {} }), Policy::NaiveNav);
        assert_eq!(basket["tranche"]["oracle"], "abi/SeniorTrancheOracle.json");
        assert_eq!(basket["constituents"]["contracts"]["oracle"], "abi/NavOracle.json");
        let mut names = Vec::new();
        collect_names(&basket, &mut names);
        for name in names {
            assert!(breakwater_chain::bindings::abi(name).is_some(), "no ABI for {name}");
        }
    }
}
