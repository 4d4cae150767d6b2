//! What the binary prints and where, end to end on the short test scenario (about 100 blocks,
//! a few seconds a run): a reader that leaves early, progress lines when stderr is no terminal,
//! `--json`, one report directory per policy and seed, `run --keep-alive`, and option errors
//! in the units the user typed.

use std::{
    io::{BufRead as _, BufReader},
    path::{Path, PathBuf},
    process::Stdio,
};

use anyhow::{Context, Result, ensure};
use breakwater_chain::{Chain, Deployment, check_code};

mod common;
use common::{Reaped, breakwater, ctrl_c, fixture, temp_dir, text};

#[test]
fn a_reader_that_leaves_early_ends_the_run_quietly() -> Result<()> {
    let dir = temp_dir("pipe")?;
    // `breakwater run … | head -0`: the reading end is closed before anything is printed.
    let mut child = breakwater()
        .args(["run", "--policy", "naive-nav", "--out"])
        .arg(dir.join("report"))
        .arg(fixture())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    drop(child.stdout.take());
    let out = child.wait_with_output()?;
    let err = text(&out.stderr);
    ensure!(out.status.success(), "exit {}: {err}", out.status);
    ensure!(!err.contains("panicked") && !err.contains("Broken pipe"), "{err}");
    ensure!(!err.contains("error"), "a closed stdout is no error: {err}");
    ensure!(dir.join("report/report.json").is_file(), "the report is still written");
    std::fs::remove_dir_all(dir).ok();
    Ok(())
}

#[test]
fn progress_comes_as_lines_when_stderr_is_not_a_terminal() -> Result<()> {
    let dir = temp_dir("progress")?;
    let run = breakwater()
        .args(["run", "--policy", "naive-spot", "--seed", "5", "--out"])
        .arg(dir.join("report"))
        .arg(fixture())
        .output()?;
    let err = text(&run.stderr);
    ensure!(run.status.success(), "{err}");
    let lines: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("progress: run every-event naive-spot seed 5: "))
        .collect();
    ensure!(lines.first().is_some_and(|l| l.contains("deploying")), "{err}");
    let blocks = lines.iter().filter(|l| l.contains(", block ") && l.contains("ETA ")).count();
    ensure!(blocks >= 5, "a line at least every tenth of the blocks: {err}");
    ensure!(lines.last().is_some_and(|l| l.contains("100%") && l.contains("done")), "{err}");
    ensure!(!err.contains('\r') && !err.contains('\u{1b}'), "no terminal codes in a log: {err}");

    // -q: nothing on stderr, the result on stdout.
    let quiet = breakwater()
        .args(["run", "-q", "--policy", "naive-spot", "--seed", "5", "--out"])
        .arg(dir.join("quiet"))
        .arg(fixture())
        .output()?;
    ensure!(quiet.status.success(), "{}", text(&quiet.stderr));
    ensure!(quiet.stderr.is_empty(), "-q printed: {}", text(&quiet.stderr));
    ensure!(text(&quiet.stdout).contains("bad debt %"), "{}", text(&quiet.stdout));
    std::fs::remove_dir_all(dir).ok();
    Ok(())
}

#[test]
fn json_summary_parses_with_every_run_s_figures() -> Result<()> {
    let dir = temp_dir("json")?;
    let out = dir.join("report");
    let run = breakwater()
        .args(["run", "--json", "--policy", "naive-nav", "--seed", "3", "--out"])
        .arg(&out)
        .arg(fixture())
        .output()?;
    ensure!(run.status.success(), "{}", text(&run.stderr));
    let json: serde_json::Value = serde_json::from_slice(&run.stdout)
        .with_context(|| format!("stdout is not one JSON value: {}", text(&run.stdout)))?;
    ensure!(json["command"] == "run" && json["seed"] == 3, "{json}");
    ensure!(json["report"]["json"].as_str().is_some_and(|p| Path::new(p).is_file()), "{json}");
    ensure!(json["report"]["html"].as_str().is_some_and(|p| p.ends_with("index.html")));
    let runs = json["runs"].as_array().context("runs")?;
    ensure!(runs.len() == 1, "{json}");
    let r = &runs[0];
    ensure!(r["scenario"] == "every-event" && r["policy"] == "naive-nav" && r["seed"] == 3);
    ensure!(r["swept"].is_null() && r["blocks"].as_u64().is_some_and(|b| b > 90), "{r}");
    ensure!(r["transactions"].as_u64().is_some_and(|t| t > 0), "{r}");
    ensure!(r["metrics"]["bad_debt"].is_number() && r["metrics"]["liquidations"].is_u64());
    ensure!(r["activity"]["bot:liquidate"]["ok"].as_u64().is_some_and(|n| n > 0), "{r}");
    // The same figures as the report.
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json"))?)?;
    ensure!(report["runs"][0]["metrics"] == r["metrics"]);
    std::fs::remove_dir_all(dir).ok();
    Ok(())
}

#[test]
fn runs_of_two_policies_leave_two_reports() -> Result<()> {
    let dir = temp_dir("paths")?;
    for policy in ["naive-spot", "naive-nav"] {
        let run = breakwater()
            .args(["run", "-q", "--seed", "7", "--policy", policy])
            .arg(fixture())
            .current_dir(&dir)
            .output()?;
        ensure!(run.status.success(), "{policy}: {}", text(&run.stderr));
    }
    for policy in ["naive-spot", "naive-nav"] {
        let file = dir.join(format!("reports/run/every-event/{policy}-seed7/report.json"));
        let json: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(&file).with_context(|| format!("{}", file.display()))?,
        )?;
        ensure!(json["runs"][0]["policy"] == policy && json["runs"][0]["seed"] == 7, "{json}");
    }
    std::fs::remove_dir_all(dir).ok();
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keep_alive_serves_the_run_s_world_with_its_abis() -> Result<()> {
    let dir = temp_dir("keep")?;
    let out = dir.join("report");
    let mut child = Reaped(
        breakwater()
            .args(["run", "-q", "--keep-alive", "--policy", "safeguarded", "--out"])
            .arg(&out)
            .arg(fixture())
            .stdout(Stdio::piped())
            .spawn()?,
    );
    let stdout = child.0.stdout.take().context("stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let mut url = None;
    let mut manifest = None;
    while let Some(line) = lines.next().transpose()? {
        if let Some(rest) = line.strip_prefix("RPC ") {
            url = rest.split_whitespace().next().map(str::to_string);
        }
        if let Some(rest) = line.strip_prefix("manifest ") {
            manifest = rest.split_whitespace().next().map(PathBuf::from);
            break;
        }
    }
    let (url, manifest) = (url.context("the RPC line")?, manifest.context("the manifest")?);
    ensure!(manifest == out.join("deployment.json"), "{}", manifest.display());
    let deployment = Deployment::load(&manifest)?;
    let chain = Chain::connect(&url, None).await?;
    check_code(&chain, &deployment).await?;
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&manifest)?)?;
    for (key, file) in json["abi"]["contracts"].as_object().context("abi.contracts")? {
        let abi: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join(file.as_str().unwrap_or("")))?)?;
        ensure!(abi.as_array().is_some_and(|a| !a.is_empty()), "{key}: {file}");
    }
    ensure!(json["abi"]["contracts"]["breaker"] == "abi/CircuitBreaker.json", "{json}");
    // The node mines again: a transaction goes through.
    let breaker = breakwater_chain::bindings::CircuitBreaker::new(
        deployment.contracts.breaker,
        chain.provider().clone(),
    );
    breakwater_chain::tx::send("poke", breaker.poke().from(chain.sender())).await?;

    let exit = ctrl_c(&mut child.0)?;
    ensure!(exit.success(), "Ctrl-C is a clean exit: {exit}");
    std::fs::remove_dir_all(dir).ok();
    Ok(())
}

#[test]
fn a_bot_fraction_error_quotes_what_was_typed() -> Result<()> {
    let run = breakwater()
        .args(["bot", "--rpc", "http://127.0.0.1:9", "--deployment", "none.json"])
        .args(["--max-slippage", "5"])
        .output()?;
    let err = text(&run.stderr);
    ensure!(!run.status.success());
    ensure!(err.contains("`5` must be above 0 and below 1"), "{err}");
    ensure!(!err.contains("000000000"), "no 1e18 fixed point: {err}");
    let ok = breakwater()
        .args(["bot", "--rpc", "http://127.0.0.1:9", "--deployment", "none.json"])
        .args(["--max-slippage", "5%"])
        .output()?;
    // 5% is accepted: the run goes on to the (missing) manifest.
    ensure!(text(&ok.stderr).contains("none.json"), "{}", text(&ok.stderr));
    Ok(())
}
