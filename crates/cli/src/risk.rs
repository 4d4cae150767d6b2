//! `breakwater risk` (a Monte Carlo study: paths of each scenario under each policy, on common
//! random numbers) and `breakwater merge` (a study's shards into one summary).
//!
//! A study writes, into its directory: `paths-<K>.jsonl`, one `PathResult` per line as each path
//! finishes (shard K; 0 for a whole study); `shard-<K>.json` once the shard is complete (what
//! it ran: seed, paths, shard, scenarios and policies); and for a whole study the summary
//! (`risk.json`, `risk.md`, from the report crate) and `worst/` (the worst paths' full runs, as a
//! lab report). Shards of one study may share a directory or not: `merge` reads every shard's
//! files, checks that they are one complete study, and writes the same summary a single process
//! would have.

use std::{
    collections::BTreeMap,
    fs::File,
    io::{BufRead as _, BufReader, BufWriter, Write as _},
    path::{Path, PathBuf},
    sync::{Arc, Mutex, PoisonError},
};

use anyhow::{Context, Result, bail, ensure};
use breakwater_chain::Policy;
use breakwater_report::{PathResult, Report, RiskOptions, RiskReport, summarize, write_risk};
use breakwater_sim::{RunOptions, Shard, Study, StudyOutcome};
use clap::Args;
use serde_json::{Value, json};

use crate::{
    out::{note, outln},
    progress::{Reporter, Ui},
    scenarios::{policies, scenarios, writable},
};

/// The demo's Monte Carlo paths per scenario and policy: what fits in about 4 minutes on 2
/// cores in release (README, "Monte Carlo").
pub(crate) const DEMO_PATHS: u64 = 25;

/// The demo's worst paths kept whole per scenario and policy.
pub(crate) const DEMO_WORST: usize = 1;

/// The environment variables a scheduler sets to a task's index: Kubernetes Indexed Jobs,
/// then Slurm job arrays.
const SHARD_INDEX_VARS: [&str; 2] = ["JOB_COMPLETION_INDEX", "SLURM_ARRAY_TASK_ID"];

/// Arguments of `breakwater risk`.
#[derive(Debug, Args)]
pub(crate) struct RiskArgs {
    /// Scenario files [default: every shipped scenario].
    pub(crate) files: Vec<PathBuf>,
    /// Paths per scenario and policy (path k is the same world under every policy).
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) paths: u64,
    /// Policies, comma-separated [default: all].
    #[arg(long, value_delimiter = ',', value_parser = crate::policy_parser())]
    pub(crate) policies: Vec<Policy>,
    /// The study's seed: path k's seed, which replays it alone, derives from it.
    #[arg(long, default_value_t = 42)]
    pub(crate) seed: u64,
    /// Run only shard K of N (`2/8`, from 0): the paths k with k mod N = K.
    #[arg(long, value_name = "K/N", value_parser = parse_shard, conflicts_with = "shards")]
    pub(crate) shard: Option<Shard>,
    /// The number of shards, the index coming from JOB_COMPLETION_INDEX (Kubernetes Indexed
    /// Job) or SLURM_ARRAY_TASK_ID (Slurm array, `--array=0-<N-1>`).
    #[arg(long, value_name = "N")]
    pub(crate) shards: Option<u64>,
    /// Where to write [default: reports/risk].
    #[arg(long, value_name = "DIR")]
    pub(crate) out: Option<PathBuf>,
    /// Paths run at once (each on its own copy of the deployed world, in process).
    #[arg(long, default_value_t = 2)]
    pub(crate) jobs: usize,
    /// Worst paths listed (with the command that replays each) and kept whole in `worst/`,
    /// per scenario and policy.
    #[arg(long, default_value_t = 3)]
    pub(crate) worst: usize,
}

/// Arguments of `breakwater merge`.
#[derive(Debug, Args)]
pub(crate) struct MergeArgs {
    /// Directories holding a study's shards (`paths-<K>.jsonl` and `shard-<K>.json`).
    #[arg(required = true)]
    dirs: Vec<PathBuf>,
    /// Where to write the summary.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Worst paths listed per scenario and policy.
    #[arg(long, default_value_t = 3)]
    worst: usize,
}

/// `K/N` with K < N.
fn parse_shard(text: &str) -> Result<Shard, String> {
    let parse = |x: &str| x.trim().parse::<u64>().map_err(|e| format!("`{x}`: {e}"));
    let (k, n) = text.split_once('/').ok_or_else(|| format!("`{text}`: expected K/N, e.g. 0/4"))?;
    let (index, count) = (parse(k)?, parse(n)?);
    if count == 0 || index >= count {
        return Err(format!("`{text}`: the shard K must be below the count N (K from 0)"));
    }
    Ok(Shard { index, count })
}

/// The shard to run: `--shard`, or `--shards` with the index from the scheduler's variable.
fn shard(args: &RiskArgs, env: impl Fn(&str) -> Option<String>) -> Result<Shard> {
    if let Some(s) = args.shard {
        return Ok(s);
    }
    let Some(count) = args.shards else { return Ok(Shard::ALL) };
    let (var, value) = SHARD_INDEX_VARS
        .iter()
        .find_map(|v| env(v).map(|x| (*v, x)))
        .with_context(|| {
            format!("--shards {count}: no shard index (set --shard K/N, or run as a Kubernetes Indexed Job or a Slurm array: {})", SHARD_INDEX_VARS.join(" or "))
        })?;
    parse_shard(&format!("{}/{count}", value.trim()))
        .map_err(|e| anyhow::anyhow!("{var}={value}: {e}"))
}

pub(crate) async fn risk(args: RiskArgs, ui: Ui) -> Result<()> {
    let shard = shard(&args, |v| std::env::var(v).ok())?;
    let dir = args.out.clone().unwrap_or_else(|| PathBuf::from("reports/risk"));
    let study = Study {
        scenarios: scenarios(&args.files)?,
        policies: policies(&args.policies),
        seed: args.seed,
        paths: args.paths,
        shard,
        jobs: args.jobs,
        keep_worst: args.worst,
    };
    let outcome = run_study(&study, &dir, ui).await?;
    let rate = outcome.paths.len() as f64 / outcome.seconds.max(1e-9);
    outln!(
        "{} paths ({} scenarios x {} policies x {} paths{}) in {:.0}s: {rate:.2} paths/s",
        outcome.paths.len(),
        study.scenarios.len(),
        study.policies.len(),
        study.paths,
        if shard.count > 1 {
            format!(", shard {}/{}", shard.index, shard.count)
        } else {
            String::new()
        },
        outcome.seconds
    )?;
    if shard.count > 1 {
        return outln!(
            "shard written to {}: merge the {} shards with `breakwater merge DIR… --out DIR`",
            dir.display(),
            shard.count
        );
    }
    let files = files(&study);
    summarize_into(&outcome.paths, study.seed, &files, &dir, args.worst)
}

/// Runs `study`, streaming each path's line into `dir/paths-<K>.jsonl`; writes the shard's
/// record once complete, and the worst paths' runs as a lab report in `dir/worst` (a whole
/// study) or `dir/worst-<K>`.
pub(crate) async fn run_study(study: &Study, dir: &Path, ui: Ui) -> Result<StudyOutcome> {
    writable(dir)?;
    let k = study.shard.index;
    let lines_path = dir.join(format!("paths-{k}.jsonl"));
    let record = dir.join(format!("shard-{k}.json"));
    // A shard re-run starts over: its old record would claim the new file complete.
    std::fs::remove_file(&record).ok();
    let lines =
        File::create(&lines_path).with_context(|| format!("creating {}", lines_path.display()))?;
    let lines = Arc::new(Mutex::new(BufWriter::new(lines)));
    let what = format!("risk {} paths seed {}", study.paths, study.seed);
    let progress = Reporter::start(ui.mode(), what, study.len());
    let options = RunOptions { progress: progress.callback(), ..RunOptions::default() };
    let (sink, on_done, failed) =
        (Arc::clone(&lines), Arc::clone(&progress), Arc::new(Mutex::new(None)));
    let write_failed = Arc::clone(&failed);
    let outcome = study
        .run(&options, move |path, _| {
            on_done.finished_silently();
            // A line per path, flushed: a killed shard leaves whole lines behind.
            let mut out = sink.lock().unwrap_or_else(PoisonError::into_inner);
            let written = serde_json::to_string(path)
                .map_err(std::io::Error::other)
                .and_then(|line| writeln!(out, "{line}"))
                .and_then(|()| out.flush());
            if let Err(e) = written {
                write_failed.lock().unwrap_or_else(PoisonError::into_inner).get_or_insert(e);
            }
        })
        .await;
    progress.finish();
    let outcome = outcome?;
    if let Some(e) = failed.lock().unwrap_or_else(PoisonError::into_inner).take() {
        bail!("writing {}: {e}", lines_path.display());
    }
    let shard = json!({
        "seed": study.seed,
        "paths": study.paths,
        "shard": { "index": k, "count": study.shard.count },
        "policies": study.policies.iter().map(|p| p.name()).collect::<Vec<_>>(),
        "files": files(study),
        "results": outcome.paths.len(),
    });
    std::fs::write(&record, serde_json::to_string_pretty(&shard)? + "\n")
        .with_context(|| format!("writing {}", record.display()))?;
    if !outcome.worst.is_empty() {
        let worst = if study.shard.count > 1 { format!("worst-{k}") } else { "worst".into() };
        let report = Report {
            generated_by: format!(
                "breakwater {} risk: the worst paths (seed {})",
                env!("CARGO_PKG_VERSION"),
                study.seed
            ),
            runs: outcome.worst.clone(),
            sweeps: Vec::new(),
            risk: None,
        };
        breakwater_report::write(&report, &dir.join(&worst))
            .with_context(|| format!("writing the worst paths to {}", dir.join(worst).display()))?;
    }
    Ok(outcome)
}

/// The demo's Monte Carlo section: the study into `<report dir>/risk/` and its summary, which
/// the demo's report then carries (`index.html` shows the risk frontiers and links `risk.md`).
pub(crate) async fn demo_section(
    study: &Study,
    report_dir: &Path,
    json: bool,
    ui: Ui,
) -> Result<()> {
    let dir = report_dir.join("risk");
    let outcome = run_study(study, &dir, ui).await?;
    let risk =
        summarize(&outcome.paths, &RiskOptions { seed: study.seed, ..RiskOptions::default() });
    write_risk(&risk, &dir).with_context(|| format!("writing the summary to {}", dir.display()))?;
    // The demo's report, written before the study ran, again with the study in it.
    let json_path = report_dir.join("report.json");
    let text = std::fs::read_to_string(&json_path)
        .with_context(|| format!("reading {}", json_path.display()))?;
    let mut report: Report = serde_json::from_str(&text)
        .with_context(|| format!("reading back {}", json_path.display()))?;
    report.risk = Some(risk);
    breakwater_report::write(&report, report_dir)
        .with_context(|| format!("writing the report to {}", report_dir.display()))?;
    let rate = outcome.paths.len() as f64 / outcome.seconds.max(1e-9);
    let line = format!(
        "Monte Carlo: {} paths ({} per scenario and policy) in {:.0}s, {rate:.2} paths/s. Summary: {} (and in {})",
        outcome.paths.len(),
        study.paths,
        outcome.seconds,
        dir.join("risk.md").display(),
        report_dir.join("index.html").display()
    );
    // With --json, stdout holds the one JSON object.
    if json {
        note(&line);
        Ok(())
    } else {
        outln!("{line}")
    }
}

/// Scenario name → the file it was read from (what a replay command names).
fn files(study: &Study) -> BTreeMap<String, String> {
    study.scenarios.iter().map(|s| (s.name(), s.origin.clone())).collect()
}

/// The summary of a whole study's paths into `dir`, and its worst paths with their replays.
fn summarize_into(
    paths: &[PathResult],
    seed: u64,
    files: &BTreeMap<String, String>,
    dir: &Path,
    worst: usize,
) -> Result<()> {
    let report = summarize(paths, &RiskOptions { seed, ..RiskOptions::default() });
    write_risk(&report, dir)
        .with_context(|| format!("writing the summary to {}", dir.display()))?;
    print_worst(&report, paths, files, worst)?;
    outln!("Summary: {} and {}", dir.join("risk.md").display(), dir.join("risk.json").display())
}

/// Each scenario × policy's worst paths, with the command that replays each alone.
fn print_worst(
    report: &RiskReport,
    paths: &[PathResult],
    files: &BTreeMap<String, String>,
    k: usize,
) -> Result<()> {
    if k == 0 {
        return Ok(());
    }
    let seeds: BTreeMap<(&str, &str, u64), &PathResult> =
        paths.iter().map(|p| ((p.scenario.as_str(), p.policy.as_str(), p.path), p)).collect();
    let mut groups: Vec<(&str, &str)> = seeds.keys().map(|(s, p, _)| (*s, *p)).collect();
    groups.dedup();
    outln!("worst paths (replay one alone with the command beside it):")?;
    for (scenario, policy) in groups {
        for path in report.worst_paths(scenario, policy, k) {
            let Some(p) = seeds.get(&(scenario, policy, path)) else { continue };
            let file = files.get(scenario).map_or(scenario, String::as_str);
            outln!(
                "  {scenario:<24} {policy:<13} path {path:>5}  bad debt {:>10.0}  breakwater run {file} --policy {policy} --seed {}",
                p.metrics.bad_debt,
                p.seed
            )?;
        }
    }
    Ok(())
}

pub(crate) async fn merge(args: MergeArgs) -> Result<()> {
    let mut records = BTreeMap::new();
    let mut paths = Vec::new();
    for dir in &args.dirs {
        let entries =
            std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))?;
        let mut names: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        names.sort();
        for path in names {
            let name =
                path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            if let Some(k) = name.strip_prefix("shard-").and_then(|n| n.strip_suffix(".json")) {
                let record = read_record(&path)?;
                if records.insert(k.to_string(), (path.clone(), record)).is_some() {
                    bail!("shard {k} appears twice (again in {})", path.display());
                }
            } else if name.starts_with("paths-") && name.ends_with(".jsonl") {
                paths.extend(read_lines(&path)?);
            }
        }
    }
    let (seed, files) = check_complete(&records, &paths)?;
    note(&format!("merging {} paths from {} shards", paths.len(), records.len()));
    summarize_into(&paths, seed, &files, &args.out, args.worst)
}

fn read_record(path: &Path) -> Result<Value> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{}: not a shard record", path.display()))
}

fn read_lines(path: &Path) -> Result<Vec<PathResult>> {
    let file = File::open(path).with_context(|| format!("reading {}", path.display()))?;
    let mut out = Vec::new();
    for (i, line) in BufReader::new(file).lines().enumerate() {
        let line = line.with_context(|| format!("reading {}", path.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        let result = serde_json::from_str(&line)
            .with_context(|| format!("{}:{}: not a path's result", path.display(), i + 1))?;
        out.push(result);
    }
    Ok(out)
}

/// Checks that the records describe one study whose every shard is there and complete, and
/// that every path appears once; returns the study's seed and its files.
fn check_complete(
    records: &BTreeMap<String, (PathBuf, Value)>,
    paths: &[PathResult],
) -> Result<(u64, BTreeMap<String, String>)> {
    let Some((_, (first_path, first))) = records.iter().next() else {
        bail!(
            "no shard-<K>.json found: is a shard still running, or is this not a study's directory?"
        );
    };
    let study = |v: &Value| {
        (
            v["seed"].clone(),
            v["paths"].clone(),
            v["shard"]["count"].clone(),
            v["policies"].clone(),
            v["files"].clone(),
        )
    };
    let count = first["shard"]["count"].as_u64().context("shard record without shard.count")?;
    for (path, record) in records.values() {
        ensure!(
            study(record) == study(first),
            "{} and {} are shards of different studies (seed, paths, shard count, policies or files differ)",
            first_path.display(),
            path.display()
        );
    }
    let missing: Vec<String> =
        (0..count).map(|k| k.to_string()).filter(|k| !records.contains_key(k)).collect();
    ensure!(
        missing.is_empty(),
        "shards {} of {count} are missing (no shard-<K>.json: not run, or not finished)",
        missing.join(", ")
    );
    let expected: u64 = records.values().filter_map(|(_, r)| r["results"].as_u64()).sum();
    let mut seen = std::collections::BTreeSet::new();
    for p in paths {
        ensure!(
            seen.insert((&p.scenario, &p.policy, p.path)),
            "{} {} path {} appears twice",
            p.scenario,
            p.policy,
            p.path
        );
    }
    ensure!(
        paths.len() as u64 == expected,
        "{} path lines but the shards ran {expected}",
        paths.len()
    );
    let seed = first["seed"].as_u64().context("shard record without seed")?;
    let files = serde_json::from_value(first["files"].clone()).context("shard record's files")?;
    Ok((seed, files))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_parse_from_the_flag_or_the_scheduler_s_variable() {
        assert_eq!(parse_shard("2/8"), Ok(Shard { index: 2, count: 8 }));
        assert!(
            parse_shard("8/8").is_err() && parse_shard("1").is_err() && parse_shard("0/0").is_err()
        );
        let args = |shards| RiskArgs {
            files: Vec::new(),
            paths: 10,
            policies: Vec::new(),
            seed: 1,
            shard: None,
            shards,
            out: None,
            jobs: 1,
            worst: 0,
        };
        let k8s = |v: &str| (v == "JOB_COMPLETION_INDEX").then(|| "3".to_string());
        let slurm = |v: &str| (v == "SLURM_ARRAY_TASK_ID").then(|| "1".to_string());
        assert_eq!(shard(&args(Some(4)), k8s).ok(), Some(Shard { index: 3, count: 4 }));
        assert_eq!(shard(&args(Some(2)), slurm).ok(), Some(Shard { index: 1, count: 2 }));
        assert_eq!(shard(&args(None), k8s).ok(), Some(Shard::ALL));
        let err = shard(&args(Some(2)), k8s).expect_err("index 3 of 2");
        assert!(err.to_string().contains("JOB_COMPLETION_INDEX=3"), "{err}");
        let err = shard(&args(Some(2)), |_| None).expect_err("no index");
        assert!(err.to_string().contains("SLURM_ARRAY_TASK_ID"), "{err}");
    }
}
