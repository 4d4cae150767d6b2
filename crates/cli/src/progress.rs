//! Progress on stderr for the lab's runs: an indicatif bar when stderr is a terminal; plain
//! lines when it is not (a pipe, a CI log: indicatif would draw nothing there), one at every
//! tenth of the work and at least every [`LINE_EVERY`]; nothing with `-q`. Each line carries
//! the blocks mined, the share done, the time elapsed and an ETA.

use std::{
    io::IsTerminal as _,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use breakwater_sim::{OnProgress, Progress};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tokio::task::JoinHandle;

use crate::out::note;

/// What every command is told about the user's wishes beyond its own arguments.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ui {
    /// `-q`: no progress, only the result.
    pub(crate) quiet: bool,
}

impl Ui {
    /// How to show progress: nothing when quiet, a bar on a terminal, else lines.
    pub(crate) fn mode(self) -> Mode {
        if self.quiet {
            Mode::Off
        } else if std::io::stderr().is_terminal() {
            Mode::Bar
        } else {
            Mode::Lines
        }
    }
}

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// An indicatif bar, redrawn in place.
    Bar,
    /// Plain lines, for logs.
    Lines,
    /// Nothing.
    Off,
}

/// Longest silence between two progress lines.
pub(crate) const LINE_EVERY: Duration = Duration::from_secs(10);

/// Progress of a set of runs (one for `run`), fed by the engine's [`OnProgress`].
pub(crate) struct Reporter {
    mode: Mode,
    what: String,
    started: Instant,
    bar: Option<ProgressBar>,
    state: Mutex<State>,
    ticker: Mutex<Option<JoinHandle<()>>>,
}

struct State {
    /// Per job: blocks mined and blocks in all (0 until it has deployed).
    jobs: Vec<(u64, u64)>,
    finished: usize,
    last_line: Instant,
    /// Tenths of the work already announced by a line.
    announced: u64,
}

impl Reporter {
    /// Starts showing progress for `jobs` runs, named `what` (`run calm naive-nav seed 42`).
    pub(crate) fn start(mode: Mode, what: String, jobs: usize) -> Arc<Self> {
        let bar = (mode == Mode::Bar).then(|| {
            let bar = ProgressBar::with_draw_target(Some(1000), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("[{bar:20}] {wide_msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar
        });
        let now = Instant::now();
        let reporter = Arc::new(Self {
            mode,
            what,
            started: now,
            bar,
            state: Mutex::new(State {
                jobs: vec![(0, 0); jobs],
                finished: 0,
                last_line: now,
                announced: 0,
            }),
            ticker: Mutex::new(None),
        });
        if mode != Mode::Off {
            // A first line at once: the deployment takes a while before any block.
            reporter.show(true);
            // Time moves even when blocks do not (a deployment, a slow block): refresh the
            // elapsed time and ETA every second, and keep lines coming.
            let weak = Arc::downgrade(&reporter);
            let ticker = tokio::spawn(async move {
                let mut every = tokio::time::interval(Duration::from_secs(1));
                loop {
                    every.tick().await;
                    match weak.upgrade() {
                        Some(r) => r.show(false),
                        None => return,
                    }
                }
            });
            *reporter.lock_ticker() = Some(ticker);
        }
        reporter
    }

    /// The engine's callback, feeding this reporter.
    pub(crate) fn callback(self: &Arc<Self>) -> Option<OnProgress> {
        if self.mode == Mode::Off {
            return None;
        }
        let me = Arc::clone(self);
        Some(OnProgress::new(move |p| me.advance(p)))
    }

    /// A run moved on.
    pub(crate) fn advance(&self, p: Progress) {
        {
            let mut s = self.lock();
            if let Some(job) = s.jobs.get_mut(p.job) {
                *job = (p.block, p.blocks);
            }
        }
        self.show(false);
    }

    /// A run finished: `line` says how it went (above the bar, or as a line).
    pub(crate) fn finished(&self, line: &str) {
        self.lock().finished += 1;
        match (&self.bar, self.mode) {
            (Some(bar), _) => bar.println(line),
            (None, Mode::Lines) => note(line),
            _ => {}
        }
        self.show(false);
    }

    /// A run finished, with nothing to say (thousands of Monte Carlo paths).
    pub(crate) fn finished_silently(&self) {
        self.lock().finished += 1;
        self.show(false);
    }

    /// Stops: clears the bar, or writes a last line.
    pub(crate) fn finish(&self) {
        if let Some(ticker) = self.lock_ticker().take() {
            ticker.abort();
        }
        match &self.bar {
            Some(bar) => bar.finish_and_clear(),
            None => self.show(true),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock leaves plain numbers behind: still fine to show.
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn lock_ticker(&self) -> std::sync::MutexGuard<'_, Option<JoinHandle<()>>> {
        self.ticker.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Redraws the bar, or writes a line when a new tenth is done, [`LINE_EVERY`] has passed,
    /// or `force` (unless the end has been announced).
    fn show(&self, force: bool) {
        let elapsed = self.started.elapsed();
        let mut s = self.lock();
        let done = s.fraction();
        let figures = s.status(done, elapsed);
        match self.mode {
            Mode::Bar => {
                if let Some(bar) = &self.bar {
                    bar.set_position((done * 1000.0) as u64);
                    bar.set_message(format!("{figures}  {}", self.what));
                }
            }
            Mode::Lines => {
                let tenth = (done * 10.0).floor() as u64;
                // Forced: the first line, and a last one unless the end was announced already.
                let due = force && s.announced < 10
                    || tenth > s.announced
                    || s.last_line.elapsed() >= LINE_EVERY;
                if due {
                    s.announced = s.announced.max(tenth);
                    s.last_line = Instant::now();
                    drop(s);
                    note(&format!("progress: {}: {figures}", self.what));
                }
            }
            Mode::Off => {}
        }
    }
}

impl State {
    /// The share of the work done, each run weighing the same.
    fn fraction(&self) -> f64 {
        if self.jobs.is_empty() {
            return 1.0;
        }
        let sum: f64 = self
            .jobs
            .iter()
            .map(|&(block, blocks)| if blocks == 0 { 0.0 } else { block as f64 / blocks as f64 })
            .sum();
        (sum / self.jobs.len() as f64).clamp(0.0, 1.0)
    }

    /// The figures: share done, where the run is (or how many runs are done), time elapsed and
    /// the ETA, most telling first (a narrow terminal cuts the end of the line).
    fn status(&self, done: f64, elapsed: Duration) -> String {
        let pct = (done * 100.0).floor();
        let eta = if done >= 1.0 {
            "done".to_string()
        } else if done > 0.0 {
            let left = elapsed.as_secs_f64() * (1.0 - done) / done;
            format!("ETA {}", clock(Duration::from_secs_f64(left)))
        } else {
            "ETA ?".to_string()
        };
        let took = clock(elapsed);
        match self.jobs.as_slice() {
            [(_, 0)] => format!("deploying, {took} elapsed"),
            [(block, blocks)] => format!("{pct}%, block {block}/{blocks}, {eta}, {took} elapsed"),
            jobs => {
                let (finished, n) = (self.finished, jobs.len());
                format!("{pct}%, {finished}/{n} runs done, {eta}, {took} elapsed")
            }
        }
    }
}

/// A duration for people: `42s`, `3m05s`, `1h02m`.
pub(crate) fn clock(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m{:02}s", s / 60, s % 60),
        _ => format!("{}h{:02}m", s / 3600, s % 3600 / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(jobs: Vec<(u64, u64)>, finished: usize) -> State {
        State { jobs, finished, last_line: Instant::now(), announced: 0 }
    }

    #[test]
    fn one_run_shows_its_block_and_an_eta() {
        let s = state(vec![(25, 100)], 0);
        assert!((s.fraction() - 0.25).abs() < 1e-12);
        let line = s.status(0.25, Duration::from_secs(10));
        assert_eq!(line, "25%, block 25/100, ETA 30s, 10s elapsed");
        let deploying = state(vec![(0, 0)], 0).status(0.0, Duration::from_secs(3));
        assert_eq!(deploying, "deploying, 3s elapsed");
        let end = state(vec![(100, 100)], 1).status(1.0, Duration::from_secs(40));
        assert_eq!(end, "100%, block 100/100, done, 40s elapsed");
    }

    #[test]
    fn many_runs_weigh_the_same() {
        let s = state(vec![(100, 100), (50, 200), (0, 0), (0, 0)], 1);
        assert!((s.fraction() - 0.3125).abs() < 1e-12);
        let line = s.status(s.fraction(), Duration::from_secs(125));
        assert_eq!(line, "31%, 1/4 runs done, ETA 4m35s, 2m05s elapsed");
    }

    #[test]
    fn clock_reads_like_a_person() {
        assert_eq!(clock(Duration::from_secs(42)), "42s");
        assert_eq!(clock(Duration::from_secs(185)), "3m05s");
        assert_eq!(clock(Duration::from_secs(3720)), "1h02m");
    }
}
