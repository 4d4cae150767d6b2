//! An output directory that cannot be written fails every lab command before anything runs,
//! with an error naming the path.

use std::time::{Duration, Instant};

use anyhow::{Result, ensure};

mod common;
use common::{breakwater, fixture, stderr, temp_dir};

#[test]
fn an_unwritable_out_fails_before_any_run_naming_the_path() -> Result<()> {
    let dir = temp_dir("unwritable")?;
    // A directory cannot be made under a regular file, whoever runs the test (root included).
    let file = dir.join("a-file");
    std::fs::write(&file, "not a directory")?;
    let out = file.join("report");
    let fixture = fixture();
    let sweepable = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../sim/scenarios/credit-default.toml");
    let commands: [(&str, &std::path::Path); 4] =
        [("run", &fixture), ("matrix", &fixture), ("sweep", &sweepable), ("demo", &fixture)];
    for (command, scenario) in commands {
        let started = Instant::now();
        let result = breakwater().arg(command).arg("--out").arg(&out).arg(scenario).output()?;
        let err = stderr(&result);
        ensure!(!result.status.success(), "{command} succeeded: {err}");
        ensure!(
            err.contains(&out.display().to_string()),
            "{command}: the path is not named: {err}"
        );
        ensure!(err.contains("cannot write the report"), "{command}: {err}");
        ensure!(!err.contains("progress:"), "{command} started running: {err}");
        // Deploying one world alone takes longer than this.
        ensure!(
            started.elapsed() < Duration::from_secs(5),
            "{command} took {:?}",
            started.elapsed()
        );
    }
    // A writable --out is left with nothing in it by the check.
    let fine = dir.join("fine");
    let result = breakwater()
        .args(["run", "--policy", "naive-nav", "--out"])
        .arg(&fine)
        .arg(&fixture)
        .output()?;
    ensure!(result.status.success(), "{}", stderr(&result));
    ensure!(!fine.join(".breakwater-write-check").exists(), "the probe file was left behind");
    std::fs::remove_dir_all(dir).ok();
    Ok(())
}
