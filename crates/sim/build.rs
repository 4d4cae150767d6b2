//! Records the source's `git describe` (when the build has git and a repository) for the
//! report's provenance: `BREAKWATER_GIT_DESCRIBE`, empty otherwise. No network, no failure.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    out.status.success().then(|| text.trim().to_string()).filter(|t| !t.is_empty())
}

fn main() {
    let describe = git(&["describe", "--always", "--tags"]).unwrap_or_default();
    println!("cargo:rustc-env=BREAKWATER_GIT_DESCRIBE={describe}");
    // Described again when HEAD moves (a commit, a checkout): the worktree's HEAD and the
    // shared refs.
    for path in [git(&["rev-parse", "--git-path", "HEAD"]), git(&["rev-parse", "--git-common-dir"])]
        .into_iter()
        .flatten()
    {
        let path = if path.ends_with("HEAD") { path } else { format!("{path}/refs") };
        println!("cargo:rerun-if-changed={path}");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
