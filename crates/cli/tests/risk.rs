//! `breakwater risk` and `breakwater merge` end to end on a short fixture (2 policies × 6
//! paths): shards merged give the single process's summary byte for byte, whichever way each
//! shard learned its index; a worst path replays alone with the command printed beside it.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, ensure};
use serde_json::Value;

mod common;
use common::{breakwater, temp_dir, text};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../sim/tests/fixtures/uncertain.toml")
}

const STUDY: [&str; 6] = ["--paths", "6", "--policies", "naive-spot,safeguarded", "--seed", "9"];

/// Runs `risk` on the fixture with `extra` arguments and environment; returns stdout.
fn risk(out: &Path, extra: &[&str], env: &[(&str, &str)]) -> Result<String> {
    let mut cmd = breakwater();
    cmd.arg("-q").arg("risk").arg(fixture()).args(STUDY).args(extra).arg("--out").arg(out);
    cmd.env_remove("JOB_COMPLETION_INDEX").env_remove("SLURM_ARRAY_TASK_ID");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let run = cmd.output()?;
    ensure!(run.status.success(), "risk {extra:?}: {}", text(&run.stderr));
    Ok(text(&run.stdout))
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("reading {}", path.display()))
}

#[test]
fn shards_merged_give_the_single_process_summary_and_a_worst_path_replays_alone() -> Result<()> {
    let dir = temp_dir("risk")?;
    let single = dir.join("single");
    let stdout = risk(&single, &[], &[])?;
    ensure!(stdout.contains("12 paths"), "{stdout}");
    let lines = std::fs::read_to_string(single.join("paths-0.jsonl"))?;
    ensure!(lines.lines().count() == 12, "{lines}");
    ensure!(single.join("worst/report.json").is_file(), "no worst-path report");

    // Three shards, told their index three ways, each in its own directory.
    let shards = [dir.join("s0"), dir.join("s1"), dir.join("s2")];
    risk(&shards[0], &["--shard", "0/3"], &[])?;
    risk(&shards[1], &["--shards", "3"], &[("JOB_COMPLETION_INDEX", "1")])?;
    risk(&shards[2], &["--shards", "3"], &[("SLURM_ARRAY_TASK_ID", "2")])?;
    ensure!(!shards[0].join("risk.json").exists(), "a shard wrote a partial summary");
    let merged = dir.join("merged");
    let merge = breakwater().arg("merge").args(&shards).arg("--out").arg(&merged).output()?;
    ensure!(merge.status.success(), "merge: {}", text(&merge.stderr));
    for file in ["risk.json", "risk.md"] {
        ensure!(read(&single.join(file))? == read(&merged.join(file))?, "{file} differs");
    }

    // A missing shard is named.
    let partial =
        breakwater().arg("merge").args(&shards[..2]).arg("--out").arg(dir.join("x")).output()?;
    ensure!(
        !partial.status.success() && text(&partial.stderr).contains("shards 2 of 3 are missing")
    );

    // The first worst path's printed command replays it alone, to the same figures.
    let line = stdout.lines().find(|l| l.contains("breakwater run ")).context("no worst path")?;
    let words: Vec<&str> = line.split_whitespace().collect();
    let at = |flag: &str| words.iter().position(|w| *w == flag).map(|i| words[i + 1]);
    let (policy, seed, path) = (
        at("--policy").context("policy")?,
        at("--seed").context("seed")?,
        at("path").context("path")?,
    );
    let replay = dir.join("replay");
    let run = breakwater()
        .args(["-q", "run", "--policy", policy, "--seed", seed, "--out"])
        .arg(&replay)
        .arg(fixture())
        .output()?;
    ensure!(run.status.success(), "replay: {}", text(&run.stderr));
    let report: Value = serde_json::from_slice(&read(&replay.join("report.json"))?)?;
    let studied: Value = lines
        .lines()
        .map(serde_json::from_str::<Value>)
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .find(|p| p["policy"] == policy && p["path"].as_u64() == path.parse().ok())
        .context("the path's line")?;
    ensure!(report["runs"][0]["metrics"] == studied["metrics"], "the replay's figures differ");
    // --path K --study-seed S runs the same seed.
    let by_path = dir.join("by-path");
    let run = breakwater()
        .args(["-q", "run", "--policy", policy, "--path", path, "--study-seed", "9", "--out"])
        .arg(&by_path)
        .arg(fixture())
        .output()?;
    ensure!(run.status.success(), "run --path: {}", text(&run.stderr));
    let report: Value = serde_json::from_slice(&read(&by_path.join("report.json"))?)?;
    let ran = &report["runs"][0]["seed"];
    ensure!(ran.as_u64() == seed.parse().ok(), "ran seed {ran}, printed {seed}");
    std::fs::remove_dir_all(dir).ok();
    Ok(())
}
