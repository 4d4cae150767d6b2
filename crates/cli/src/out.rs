//! Where the CLI writes. Results go to stdout through [`print`] (or [`outln!`]), never
//! `println!`: a reader that leaves early (`breakwater run … | head -1`) makes the write fail
//! with `BrokenPipe`, which becomes [`StdoutClosed`], and `main` exits quietly with status 0
//! instead of panicking. Progress and notes go to stderr through [`note`], which never fails.

use std::io::{self, Write as _};

/// Stdout's reader went away. Not a failure: there is no one left to tell.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StdoutClosed;

impl std::fmt::Display for StdoutClosed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("stdout was closed by its reader")
    }
}

impl std::error::Error for StdoutClosed {}

/// Writes `text` to stdout and flushes it; a closed pipe is [`StdoutClosed`].
pub(crate) fn print(text: &str) -> anyhow::Result<()> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Err(StdoutClosed.into()),
        Err(e) => Err(anyhow::Error::new(e).context("writing to stdout")),
    }
}

/// Whether `error` (or a cause in its chain) is [`StdoutClosed`].
pub(crate) fn is_closed_stdout(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| cause.is::<StdoutClosed>())
}

/// A line on stderr; if stderr is gone too, the line is dropped (a note is not worth failing
/// a run for).
pub(crate) fn note(line: &str) {
    let mut err = io::stderr().lock();
    let _ = writeln!(err, "{line}");
}

/// `println!` for results: formats a line and writes it with [`print`], returning its
/// `anyhow::Result<()>`.
macro_rules! outln {
    () => {
        $crate::out::print("\n")
    };
    ($($arg:tt)*) => {
        $crate::out::print(&format!("{}\n", format_args!($($arg)*)))
    };
}
pub(crate) use outln;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closed_stdout_is_recognised_through_context() {
        let e = anyhow::Error::new(StdoutClosed).context("printing the summary");
        assert!(is_closed_stdout(&e));
        let other = anyhow::Error::new(io::Error::from(io::ErrorKind::BrokenPipe));
        assert!(!is_closed_stdout(&other), "only stdout's own broken pipe is quiet");
    }
}
