//! The lab's commands end to end: one short run writes a complete report; a bad scenario file
//! is named with its field and leaves no report behind.

use std::process::Output;

use anyhow::{Result, ensure};

mod common;
use common::{breakwater, fixture, temp_dir, text};

#[test]
fn run_writes_the_report_and_prints_the_summary() -> Result<()> {
    let dir = temp_dir("run")?;
    let out = dir.join("report");
    let run: Output = breakwater()
        .args(["run", "--policy", "naive-nav", "--seed", "3", "--out"])
        .arg(&out)
        .arg(fixture())
        .output()?;
    ensure!(run.status.success(), "{}", text(&run.stderr));
    let stdout = text(&run.stdout);
    ensure!(stdout.contains("every-event") && stdout.contains("naive-nav"), "{stdout}");
    ensure!(stdout.contains("bot:liquidate"), "no activity table: {stdout}");
    for file in ["report.json", "report.md", "index.html", "charts/every-event-prices.svg"] {
        ensure!(out.join(file).is_file(), "{file} missing");
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json"))?)?;
    let run0 = &json["runs"][0];
    ensure!(run0["policy"] == "naive-nav" && run0["seed"] == 3 && run0["scale"] == 0.0001);
    ensure!(run0["metrics"]["liquidations"].as_u64().is_some_and(|n| n > 0), "{}", run0["metrics"]);
    std::fs::remove_dir_all(dir).ok();
    Ok(())
}

#[test]
fn a_bad_scenario_file_is_named_and_nothing_is_written() -> Result<()> {
    let dir = temp_dir("bad")?;
    let bad = dir.join("broken.toml");
    let text_in = std::fs::read_to_string(fixture())?.replacen("loss = 0.3", "loss = -2", 1);
    std::fs::write(&bad, text_in)?;
    let out = dir.join("report");
    for args in [vec!["run"], vec!["matrix"], vec!["sweep"]] {
        let run = breakwater().args(&args).arg("--out").arg(&out).arg(&bad).output()?;
        ensure!(!run.status.success(), "{args:?} accepted a bad file");
        let err = text(&run.stderr);
        ensure!(err.contains("broken.toml") && err.contains("events[2].loss"), "{args:?}: {err}");
        ensure!(!out.exists(), "{args:?} wrote {}", out.display());
    }
    let missing = breakwater().args(["run", "no-such-scenario.toml"]).output()?;
    ensure!(!missing.status.success() && text(&missing.stderr).contains("no-such-scenario.toml"));
    std::fs::remove_dir_all(dir).ok();
    Ok(())
}
