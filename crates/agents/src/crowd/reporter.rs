//! The vault's off-chain side. The NAV reporter strikes the NAV on a schedule (monthly) and when
//! the scenario says so, always at the fundamental value; the custodian confirms large NAV moves
//! after a review delay, puts the vault UnderReview on a breach, refills the cash buffer and
//! settles each due redemption epoch.

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
        let asked = view.signals.contains(&Signal::ReportNav);
        let due = view.timestamp >= view.nav_as_of + self.config.interval;
        if view.stalled || view.nav_pending || view.under_review || !(asked || due) {
            return Vec::new();
        }
        vec![Action::ReportNav { nav: view.fundamental }]
    }
}

/// See the module docs.
#[derive(Debug, Clone)]
pub struct Custodian {
    me: Address,
    config: ReporterConfig,
    epoch: u64,
    pending_since: Option<u64>,
    last_settle: Option<u64>,
}

impl Custodian {
    /// The custodian at `me`, settling once per vault `epoch` (seconds).
    pub fn new(me: Address, config: ReporterConfig, epoch: u64) -> Self {
        Self { me, config, epoch, pending_since: None, last_settle: None }
    }

    /// Its actions in the block seen as `view` (see the crowd's `Agent` impls).
    pub(super) fn act(&mut self, view: &View) -> Vec<Action> {
        let mut actions = Vec::new();
        for signal in &view.signals {
            match signal {
                Signal::UnderReview => actions.push(Action::SetUnderReview(true)),
                Signal::Resolved => actions.push(Action::SetUnderReview(false)),
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
            if owed > 0.0 {
                let short = owed - view.wallet(&self.me).stable;
                if short > 0.0 {
                    actions.push(Action::Fund { to: self.me, amount: short });
                }
                actions.push(Action::RefillBuffer { assets: owed });
            }
            actions.push(Action::SettleEpoch);
        }
        actions
    }
}
