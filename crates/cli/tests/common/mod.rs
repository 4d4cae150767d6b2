//! Helpers every end-to-end test of the binary uses: the command, a scratch directory, output
//! as text, the short test scenario, a key in the form `--key-env` reads, and a child process
//! that cannot outlive its test.

// Each test file uses only some of these.
#![allow(dead_code)]

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Output},
};

use anyhow::{Context, Result};
use breakwater_chain::Chain;

/// The `breakwater` binary with quiet logs and no terminal width from the environment.
pub(crate) fn breakwater() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_breakwater"));
    cmd.env("RUST_LOG", "warn").env_remove("COLUMNS");
    cmd
}

/// An empty scratch directory named after the test binary, `name` and this process.
pub(crate) fn temp_dir(name: &str) -> Result<PathBuf> {
    let binary = std::env::current_exe()?
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let dir = std::env::temp_dir().join(format!("{binary}-{name}-{}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// Output bytes as text.
pub(crate) fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A finished command's stderr.
pub(crate) fn stderr(out: &Output) -> String {
    text(&out.stderr)
}

/// The short test scenario (about 100 blocks, a few seconds a run).
pub(crate) fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../sim/tests/fixtures/every-event.toml")
}

/// The embedded node's account `i` private key as `0x…` hex, as `--key-env` reads it.
pub(crate) fn hex_key(chain: &Chain, i: usize) -> Result<String> {
    let key = chain.embedded().context("embedded")?.keys()[i].to_bytes();
    Ok(format!("0x{}", key.iter().map(|b| format!("{b:02x}")).collect::<String>()))
}

/// A child process killed if the test fails before it stops it (a kept node would otherwise
/// outlive the test, holding the harness's stderr open).
pub(crate) struct Reaped(pub(crate) Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        if self.0.try_wait().ok().flatten().is_none() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// Sends Ctrl-C (SIGINT) to `child` and waits for it to exit.
pub(crate) fn ctrl_c(child: &mut Child) -> Result<std::process::ExitStatus> {
    let sent = Command::new("kill").args(["-INT", &child.id().to_string()]).status()?;
    anyhow::ensure!(sent.success(), "kill -INT {}", child.id());
    Ok(child.wait()?)
}
