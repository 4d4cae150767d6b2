//! The scenario's clock and timeline: which events are due before a block (those deferred by a
//! report's `delay` or an `into_skip` included, which may fall on a skip's coarse blocks), what
//! they do to the truth (the dollar value and the peg), the skips of time they ask for, and the
//! blocks a run mines (the keepers' own blocks within a coarse skip step included).

use breakwater_agents::crowd::Signal;

use crate::{
    basket::Basket,
    scenario::{EventKind, Scenario, peg_factor},
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
    /// The first event not yet reached.
    next_event: usize,
    /// Events reached but due later (a report's `delay`, an `into_skip`): when they fire (scenario
    /// time, skips included) and their index, in firing order.
    deferred: Vec<(u64, usize)>,
    /// A lone vault's fundamental value per share in dollars (a basket keeps its own).
    usd: f64,
    /// Loan units per dollar of the vault's assets ([`peg_factor`]; 1 at the peg).
    peg: f64,
    /// Whether the scenario clock runs (metrics are sampled).
    pub(crate) running: bool,
}

/// What the events move: the lone vault's fundamental value in loan units (as the observer
/// shows it), or the basket's constituents.
pub(crate) struct Truth<'a> {
    pub(crate) fundamental: &'a mut f64,
    pub(crate) basket: Option<&'a mut Basket>,
}

impl Clock {
    /// A clock for blocks `block_time` apart, stopped at `start_ts`; a lone vault's assets are
    /// worth `usd` a share to begin with.
    pub(crate) fn new(start_ts: u64, block_time: u64, usd: f64) -> Self {
        Self {
            start_ts,
            block_time,
            elapsed: 0,
            skipped: 0,
            stalled_until: 0,
            next_event: 0,
            deferred: Vec::new(),
            usd,
            peg: 1.0,
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

    /// Applies the events due before the next block (called before every block, a skip's
    /// coarse ones included): those whose `at` is reached fire now unless they are deferred,
    /// and deferred ones fire once their time has come. Returns what the crowd perceives and a
    /// skip to run after this block, if one is due.
    pub(crate) fn due_events(
        &mut self,
        s: &Scenario,
        tally: &mut Tally,
        mut truth: Truth<'_>,
    ) -> (Vec<Signal>, Option<Skip>) {
        // A wrong report's error is for the block it is asked in.
        if let Some(b) = truth.basket.as_deref_mut() {
            b.misreport(None, 0.0);
        }
        let mut fired = Fired::default();
        while let Some(e) = s.events.get(self.next_event)
            && e.at.0 <= self.elapsed
        {
            let i = self.next_event;
            self.next_event += 1;
            // An event inside the skip that starts after this block: the skip's coarse blocks
            // come after this one's `block_time`.
            let into_skip = e.into_skip.map(|d| self.block_time + d.0);
            let delay = match e.kind {
                EventKind::NavReport { delay, .. } => delay.0,
                _ => 0,
            };
            match into_skip.unwrap_or(0) + delay {
                0 => self.fire(s, i, tally, &mut truth, &mut fired),
                later => {
                    let at = (self.now() + later, i);
                    let k = self.deferred.partition_point(|d| *d <= at);
                    self.deferred.insert(k, at);
                }
            }
        }
        while let Some(&(due, i)) = self.deferred.first()
            && due <= self.now()
        {
            self.deferred.remove(0);
            self.fire(s, i, tally, &mut truth, &mut fired);
        }
        (fired.signals, fired.skip)
    }

    /// Event `i` happens now: a marker in the tally, then its effect on the truth, the crowd or
    /// the clock.
    fn fire(
        &mut self,
        s: &Scenario,
        i: usize,
        tally: &mut Tally,
        t: &mut Truth<'_>,
        f: &mut Fired,
    ) {
        let e = &s.events[i];
        let now = self.now();
        tally.event(now, e.kind.name(), e.kind.label());
        if s.shock_event() == Some(i) {
            tally.shock(now);
        }
        if let (Some(b), Some(c)) = (t.basket.as_deref_mut(), e.constituent) {
            b.target(c);
        }
        let signals = &mut f.signals;
        match &e.kind {
            EventKind::NavReport { error, .. } if *error == 0.0 => signals.push(Signal::ReportNav),
            EventKind::NavReport { error, .. } => {
                if let Some(b) = t.basket.as_deref_mut() {
                    b.misreport(e.constituent, *error);
                }
                signals.push(Signal::MisreportNav { error: *error });
            }
            EventKind::Impairment { loss, report } => {
                self.revalue(t, e.constituent, 1.0 - loss);
                if *report {
                    signals.push(Signal::ReportNav);
                }
            }
            EventKind::Recovery { gain, report } => {
                self.revalue(t, e.constituent, 1.0 + gain);
                if *report {
                    signals.push(Signal::ReportNav);
                }
            }
            EventKind::Depeg { price, exposure } => {
                self.peg = peg_factor(*price, *exposure);
                if let Some(b) = t.basket.as_deref_mut() {
                    b.set_peg(self.peg);
                }
            }
            EventKind::Rumour { intensity, duration } => {
                signals.push(Signal::Rumour { intensity: *intensity, duration: duration.0 });
            }
            EventKind::RumourDenial {} => signals.push(Signal::RumourDenied),
            EventKind::BuyingWave { intensity, duration } => {
                signals.push(Signal::BuyingWave { intensity: *intensity, duration: duration.0 })
            }
            EventKind::RedemptionRun { fraction, refill, refill_delay, duration } => {
                signals.push(Signal::RedemptionRun {
                    fraction: *fraction,
                    refill: *refill,
                    refill_delay: refill_delay.0,
                    duration: duration.map(|d| d.0),
                })
            }
            EventKind::LpWithdrawal { fraction } => {
                signals.push(Signal::LpWithdraw { fraction: *fraction })
            }
            EventKind::Borrow { utilization } => {
                signals.push(Signal::Borrow { utilization: *utilization })
            }
            EventKind::CustodianBreach {} => signals.push(Signal::UnderReview),
            EventKind::ReviewResolved {} => signals.push(Signal::Resolved),
            EventKind::OracleStall { duration } => self.stalled_until = now + duration.0,
            EventKind::Skip { duration, step } => {
                f.skip = Some(Skip { duration: duration.0, step: step.0 })
            }
        }
        if t.basket.is_none() {
            *t.fundamental = self.usd * self.peg;
        }
    }

    /// The dollar value of constituent `c` (all for `None`), or of the lone vault, is
    /// multiplied by `factor`.
    fn revalue(&mut self, t: &mut Truth<'_>, c: Option<usize>, factor: f64) {
        match t.basket.as_deref_mut() {
            Some(b) => b.revalue(c, factor),
            None => self.usd *= factor,
        }
    }
}

/// What the events of one block produced.
#[derive(Default)]
struct Fired {
    signals: Vec<Signal>,
    skip: Option<Skip>,
}
