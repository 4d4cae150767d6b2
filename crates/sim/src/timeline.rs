//! The scenario's clock and timeline: which events are due before a block, the skips of time
//! they ask for, and the blocks a run mines (the keepers' own blocks within a coarse skip step
//! included).

use breakwater_agents::crowd::Signal;

use crate::{
    basket::Basket,
    scenario::{EventKind, Scenario},
    tally::Tally,
};

/// Keepers poke every block in reality. The crowd acts once per coarse skip step (hours), but a
/// keeper gap that long would be a keeper outage the scenario did not ask for: the conservative
/// oracle lets one poke's evidence stand only for its `minConfirmation` (1 h by default), and the
/// breaker measures declines only from the peaks it is shown. So within a coarse step the keepers
/// alone poke this often, in blocks of their own.
pub(crate) const KEEPER_INTERVAL: u64 = 30 * 60;

/// The keeper-only blocks inside one coarse step of `step` seconds.
pub(crate) fn keeper_blocks(step: u64) -> u64 {
    step.div_ceil(KEEPER_INTERVAL).saturating_sub(1)
}

/// The blocks a run's scenario part mines: one per `block_time` of the duration, plus the
/// coarse blocks of the skips it reaches (and the keepers' own blocks within them, if they
/// poke).
pub(crate) fn scenario_blocks(s: &Scenario, keepers: bool) -> u64 {
    let blocks = s.duration.0 / s.block_time.0.max(1);
    let Some(last) = blocks.checked_sub(1).map(|b| b * s.block_time.0) else { return 0 };
    let skips: u64 = s
        .events
        .iter()
        .filter(|e| e.at.0 <= last)
        .filter_map(|e| match &e.kind {
            EventKind::Skip { duration, step } => {
                let (n, step) = (duration.0 / step.0.max(1), step.0.max(1));
                Some(n * (1 + if keepers { keeper_blocks(step) } else { 0 }))
            }
            _ => None,
        })
        .sum();
    blocks + skips
}

/// A skip of time due after the current block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Skip {
    pub(crate) duration: u64,
    pub(crate) step: u64,
}

/// The scenario clock: where the run is in the scenario's time and timeline.
#[derive(Debug)]
pub(crate) struct Clock {
    /// The chain timestamp scenario time counts from (reset when the crowd's setup is done).
    pub(crate) start_ts: u64,
    /// Seconds between blocks.
    block_time: u64,
    /// Seconds of scenario time elapsed (skips excluded) and skipped.
    elapsed: u64,
    skipped: u64,
    /// Keepers are silent until this scenario time.
    stalled_until: u64,
    /// The first event not yet applied.
    next_event: usize,
    /// Whether the scenario clock runs (metrics are sampled).
    pub(crate) running: bool,
}

impl Clock {
    /// A clock for blocks `block_time` apart, stopped at `start_ts`.
    pub(crate) fn new(start_ts: u64, block_time: u64) -> Self {
        Self {
            start_ts,
            block_time,
            elapsed: 0,
            skipped: 0,
            stalled_until: 0,
            next_event: 0,
            running: false,
        }
    }

    /// Scenario seconds since the start, skips included.
    pub(crate) fn now(&self) -> u64 {
        self.elapsed + self.skipped
    }

    /// The timestamp of the next block, `offset` seconds into the current skip step.
    pub(crate) fn timestamp(&self, offset: u64) -> u64 {
        self.start_ts + self.now() + offset + self.block_time
    }

    /// Whether the keepers are stalled `offset` seconds from now.
    pub(crate) fn stalled(&self, offset: u64) -> bool {
        self.now() + offset < self.stalled_until
    }

    /// Time starts now: the next block is the scenario's first, at `next_block_ts`.
    pub(crate) fn start(&mut self, next_block_ts: u64) {
        self.start_ts = next_block_ts - self.block_time;
        self.elapsed = 0;
        self.running = true;
    }

    /// A block of the scenario went by.
    pub(crate) fn tick(&mut self) {
        self.elapsed += self.block_time;
    }

    /// `seconds` of a skip went by.
    pub(crate) fn skip(&mut self, seconds: u64) {
        self.skipped += seconds;
    }

    /// Applies the events due now: marks them in the tally, moves the fundamental value (the
    /// lone vault's `fundamental`, or the basket's), stalls the keepers; returns what the crowd
    /// perceives and a skip to run after this block, if one is due.
    pub(crate) fn due_events(
        &mut self,
        s: &Scenario,
        tally: &mut Tally,
        fundamental: &mut f64,
        mut basket: Option<&mut Basket>,
    ) -> (Vec<Signal>, Option<Skip>) {
        let mut signals = Vec::new();
        let mut skip = None;
        while let Some(e) = s.events.get(self.next_event)
            && e.at.0 <= self.elapsed
        {
            self.next_event += 1;
            let t = self.now();
            tally.event(t, e.kind.name(), e.kind.label());
            if s.shock_at() == Some(e.at.0) {
                tally.shock(t);
            }
            if let (Some(b), Some(c)) = (basket.as_deref_mut(), e.constituent) {
                b.target(c);
            }
            match &e.kind {
                EventKind::NavReport => signals.push(Signal::ReportNav),
                EventKind::Impairment { loss, report } => {
                    match basket.as_deref_mut() {
                        Some(b) => b.impair(e.constituent, *loss),
                        None => *fundamental *= 1.0 - loss,
                    }
                    if *report {
                        signals.push(Signal::ReportNav);
                    }
                }
                EventKind::Rumour { intensity, duration } => {
                    signals.push(Signal::Rumour { intensity: *intensity, duration: duration.0 });
                }
                EventKind::LpWithdrawal { fraction } => {
                    signals.push(Signal::LpWithdraw { fraction: *fraction })
                }
                EventKind::CustodianBreach => signals.push(Signal::UnderReview),
                EventKind::ReviewResolved => signals.push(Signal::Resolved),
                EventKind::OracleStall { duration } => self.stalled_until = t + duration.0,
                EventKind::Skip { duration, step } => {
                    skip = Some(Skip { duration: duration.0, step: step.0 })
                }
            }
        }
        (signals, skip)
    }
}
