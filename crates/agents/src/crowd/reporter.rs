//! The vault's off-chain side. The NAV reporter strikes the NAV on a schedule (monthly) and when
//! the scenario says so, at the fundamental value (or off by the error a scenario sets: a wrong
//! NAV stands until the next report); the custodian confirms large NAV moves after a review
//! delay, puts the vault UnderReview on a breach, refills the cash buffer and settles each due
//! redemption epoch. In a redemption run its refills are limited: a share of what is owed per
//! epoch, and nothing until the assets can be sold at all.

use alloy::primitives::Address;

use super::{Action, Signal, View};

/// The reporter's and custodian's parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct ReporterConfig {
    /// Seconds between scheduled NAV reports.
    pub interval: u64,
    /// Seconds the custodian takes to confirm a NAV move above the vault's bound.
    pub confirm_delay: u64,
}

/// See the module docs.
#[derive(Debug, Clone)]
pub struct NavReporter {
    config: ReporterConfig,
}

impl NavReporter {
    /// A reporter.
    pub fn new(config: ReporterConfig) -> Self {
        Self { config }
    }

    /// Its actions in the block seen as `view` (see the crowd's `Agent` impls).
    pub(super) fn act(&mut self, view: &View) -> Vec<Action> {
        // The last request of the block decides how wrong the NAV is.
        let asked = view.signals.iter().rev().find_map(|s| match s {
            Signal::ReportNav => Some(0.0),
            Signal::MisreportNav { error } => Some(*error),
            _ => None,
        });
        let due = view.timestamp >= view.nav_as_of + self.config.interval;
        if view.stalled || view.nav_pending || view.under_review || !(asked.is_some() || due) {
            return Vec::new();
        }
        vec![Action::ReportNav { nav: view.fundamental * (1.0 + asked.unwrap_or(0.0)) }]
    }
}

/// A redemption run's limits on the custodian's refills.
#[derive(Debug, Clone, Copy, PartialEq)]
struct RunLimits {
    /// Fraction of what is owed raised per epoch.
    refill: f64,
    /// Nothing is raised before this timestamp.
    refill_from: u64,
    /// The limits end at this timestamp (`None`: never).
    until: Option<u64>,
}

/// See the module docs.
#[derive(Debug, Clone)]
pub struct Custodian {
    me: Address,
    config: ReporterConfig,
    epoch: u64,
    pending_since: Option<u64>,
    last_settle: Option<u64>,
    run: Option<RunLimits>,
}

impl Custodian {
    /// The custodian at `me`, settling once per vault `epoch` (seconds).
    pub fn new(me: Address, config: ReporterConfig, epoch: u64) -> Self {
        Self { me, config, epoch, pending_since: None, last_settle: None, run: None }
    }

    /// What it raises this epoch toward `owed`, within a run's limits at `now`.
    fn raise(&mut self, owed: f64, now: u64) -> f64 {
        match self.run {
            Some(run) if run.until.is_none_or(|t| now < t) => {
                if now < run.refill_from {
                    0.0
                } else {
                    owed * run.refill
                }
            }
            _ => {
                self.run = None;
                owed
            }
        }
    }

    /// Its actions in the block seen as `view` (see the crowd's `Agent` impls).
    pub(super) fn act(&mut self, view: &View) -> Vec<Action> {
        let mut actions = Vec::new();
        for signal in &view.signals {
            match signal {
                Signal::UnderReview => actions.push(Action::SetUnderReview(true)),
                Signal::Resolved => actions.push(Action::SetUnderReview(false)),
                Signal::RedemptionRun { refill, refill_delay, duration, .. } => {
                    self.run = Some(RunLimits {
                        refill: *refill,
                        refill_from: view.timestamp + refill_delay,
                        until: duration.map(|d| view.timestamp + d),
                    });
                }
                _ => {}
            }
        }
        if view.nav_pending {
            let since = *self.pending_since.get_or_insert(view.timestamp);
            if view.timestamp >= since + self.config.confirm_delay && !view.under_review {
                actions.push(Action::ConfirmNav);
                self.pending_since = None;
            }
        } else {
            self.pending_since = None;
        }
        let due = self.last_settle.is_none_or(|t| view.timestamp >= t + self.epoch);
        if due && view.pending_redemptions > 0.0 && !view.under_review {
            // The custodian sells enough of the underlying to pay the queue at NAV (the vault
            // pays only what has matured, within its gate; the rest stays in the buffer).
            self.last_settle = Some(view.timestamp);
            let owed = view.pending_redemptions * view.nav * 1.001 - view.buffer;
            let raised = self.raise(owed, view.timestamp);
            if raised > 0.0 {
                let short = raised - view.wallet(&self.me).stable;
                if short > 0.0 {
                    actions.push(Action::Fund { to: self.me, amount: short });
                }
                actions.push(Action::RefillBuffer { assets: raised });
            }
            actions.push(Action::SettleEpoch);
        }
        actions
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CUSTODIAN: Address = Address::repeat_byte(3);
    const CONFIG: ReporterConfig = ReporterConfig { interval: 30 * 86_400, confirm_delay: 600 };
    const EPOCH: u64 = 3_600;

    /// Fundamental value 1.2 behind a NAV of 1 struck at 0; `pending` shares queued at NAV 1.
    fn view(t: u64, pending: f64, signals: Vec<Signal>) -> View {
        View {
            timestamp: t,
            nav: 1.0,
            fundamental: 1.2,
            pending_redemptions: pending,
            signals,
            ..View::default()
        }
    }

    fn refilled(actions: &[Action]) -> f64 {
        actions
            .iter()
            .map(|a| if let Action::RefillBuffer { assets } = a { *assets } else { 0.0 })
            .sum()
    }

    #[test]
    fn the_reporter_strikes_a_wrong_nav_when_asked_and_the_right_one_on_schedule() {
        let mut r = NavReporter::new(CONFIG);
        assert!(r.act(&view(60, 0.0, vec![])).is_empty(), "nothing asked, nothing due");
        let wrong = r.act(&view(60, 0.0, vec![Signal::MisreportNav { error: -0.25 }]));
        assert_eq!(wrong, vec![Action::ReportNav { nav: 1.2 * 0.75 }]);
        assert_eq!(
            r.act(&view(60, 0.0, vec![Signal::ReportNav])),
            vec![Action::ReportNav { nav: 1.2 }]
        );
        // The scheduled report, a month after the last, is right.
        assert_eq!(
            r.act(&view(CONFIG.interval, 0.0, vec![])),
            vec![Action::ReportNav { nav: 1.2 }]
        );
    }

    #[test]
    fn in_a_run_the_custodian_refills_nothing_before_the_delay_then_a_share_per_epoch() {
        let mut c = Custodian::new(CUSTODIAN, CONFIG, EPOCH);
        let run = Signal::RedemptionRun {
            fraction: 0.5,
            refill: 0.25,
            refill_delay: 2 * EPOCH,
            duration: Some(6 * EPOCH),
        };
        let owed = 1_000.0 * 1.001;
        // Within the delay it settles what the buffer holds but raises nothing.
        let first = c.act(&view(0, 1_000.0, vec![run]));
        assert_eq!(refilled(&first), 0.0);
        assert!(first.contains(&Action::SettleEpoch));
        assert_eq!(refilled(&c.act(&view(EPOCH, 1_000.0, vec![]))), 0.0);
        // Then a quarter of what is owed, once an epoch.
        assert!((refilled(&c.act(&view(2 * EPOCH, 1_000.0, vec![]))) - owed * 0.25).abs() < 1e-9);
        assert!(c.act(&view(2 * EPOCH + 60, 1_000.0, vec![])).is_empty(), "once an epoch");
        assert!((refilled(&c.act(&view(3 * EPOCH, 1_000.0, vec![]))) - owed * 0.25).abs() < 1e-9);
        // Once the run's limits end, it raises everything owed.
        assert!((refilled(&c.act(&view(6 * EPOCH, 1_000.0, vec![]))) - owed).abs() < 1e-9);
    }

    #[test]
    fn without_a_run_the_custodian_raises_everything_owed() {
        let mut c = Custodian::new(CUSTODIAN, CONFIG, EPOCH);
        let actions = c.act(&view(0, 1_000.0, vec![]));
        assert!((refilled(&actions) - 1_001.0).abs() < 1e-9);
        let Action::Fund { to, amount } = actions[0] else { panic!("{actions:?}") };
        assert!(to == CUSTODIAN && (amount - 1_001.0).abs() < 1e-9, "{actions:?}");
    }
}
