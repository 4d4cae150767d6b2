//! The return test of anyone who can redeem shares at NAV instead of selling them: the
//! arbitrageurs of the lab's crowd, and liquidators holding seized collateral. A share queued
//! for redemption pays NAV only after the wait (the notice, the epoch, and the epochs the gate
//! needs to clear the queue ahead), capital locked meanwhile costs its yearly rate, and the NAV
//! may be wrong (a premium). Below NAV × (1 − hurdle) a share is worth buying to redeem; a
//! holder sells rather than redeems only when the pool pays at least that.

/// Seconds in a year, for yearly costs of capital.
const YEAR: f64 = 365.0 * 86_400.0;

/// A liquidator's yearly cost of capital by default (the lab's bots and `breakwater bot`).
pub const LIQUIDATOR_COST_OF_CAPITAL: f64 = 0.15;
/// A liquidator's premium for a NAV it cannot check, by default.
pub const LIQUIDATOR_RISK_PREMIUM: f64 = 0.02;

/// What a holder demands of a redemption.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RedemptionTerms {
    /// Yearly return its capital must earn while locked.
    pub cost_of_capital: f64,
    /// Extra discount it demands because the NAV may be stale or wrong.
    pub risk_premium: f64,
    /// Seconds a redemption takes with an empty queue (notice period plus one epoch).
    pub redemption: u64,
    /// Seconds between the vault's settlements.
    pub epoch: u64,
}

/// The vault's redemption queue as it stands.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Queue {
    /// Shares waiting to be paid.
    pub pending: f64,
    /// Shares outstanding.
    pub supply: f64,
    /// Share of the supply the vault pays per epoch.
    pub gate: f64,
}

impl RedemptionTerms {
    /// Seconds until a request made now is paid: the queue ahead is paid first, a gate's worth
    /// of the supply per epoch.
    pub fn wait(&self, queue: &Queue) -> f64 {
        let per_epoch = queue.gate * queue.supply;
        let backlog = if per_epoch > 0.0 { (queue.pending / per_epoch).floor() } else { 0.0 };
        self.redemption as f64 + backlog * self.epoch as f64
    }

    /// Least discount to NAV that makes a redemption worth its wait (pool fees excluded).
    pub fn hurdle(&self, queue: &Queue) -> f64 {
        self.cost_of_capital * self.wait(queue) / YEAR + self.risk_premium
    }

    /// What a share queued now is worth today at `nav`.
    pub fn value(&self, nav: f64, queue: &Queue) -> f64 {
        nav * (1.0 - self.hurdle(queue)).max(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_grows_with_the_queue_ahead_and_the_hurdle_with_the_wait() {
        let terms = RedemptionTerms {
            cost_of_capital: 0.1,
            risk_premium: 0.02,
            redemption: 31 * 86_400,
            epoch: 86_400,
        };
        let empty = Queue { pending: 0.0, supply: 1_000.0, gate: 0.1 };
        assert_eq!(terms.wait(&empty), 31.0 * 86_400.0);
        // 250 shares ahead, 100 paid per epoch: two more epochs.
        let queued = Queue { pending: 250.0, ..empty };
        assert_eq!(terms.wait(&queued), 33.0 * 86_400.0);
        let expected = 0.1 * 33.0 / 365.0 + 0.02;
        assert!((terms.hurdle(&queued) - expected).abs() < 1e-12);
        assert!((terms.value(1.0, &queued) - (1.0 - expected)).abs() < 1e-12);
        // No gate known (no supply): the empty-queue wait.
        assert_eq!(terms.wait(&Queue::default()), 31.0 * 86_400.0);
    }
}
