//! An arbitrageur: buys shares on the AMM when they trade below NAV by more than its hurdle, then
//! queues them for redemption at NAV. The hurdle is a return test, what makes RWA arbitrage
//! weak: its capital is locked until the redemption pays (the notice, the epoch, and the epochs
//! the gate needs to clear the queue ahead of it), at its yearly cost of capital, and the NAV
//! itself may be stale or wrong (a risk premium, in full after an alarm until a NAV report
//! answers it); it buys only shares whose cost, the pool's fee included, clears its hurdle. It does not buy while the
//! vault is UnderReview (no NAV to trust), and its capital runs out: redemptions return it only
//! weeks later, when it claims them. It queues its shares once an epoch, the cadence at which
//! the vault settles. When the token trades above NAV it does the opposite at once: subscribes
//! at NAV and sells on the AMM.

use alloy::primitives::Address;

use super::{Action, DUST, Signal, View, fund_once};
use crate::redemption::{Queue, RedemptionTerms};

/// What selling above NAV must earn per share beyond the subscription, after the pool's fee.
const SELL_MARGIN: f64 = 0.005;

/// An arbitrageur's parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct ArbitrageurConfig {
    /// Stablecoin it can deploy.
    pub capital: f64,
    /// What it demands of a redemption (its cost of capital, its premium, the wait).
    pub terms: RedemptionTerms,
    /// Share of the token supply the vault pays out per epoch.
    pub gate: f64,
    /// Seconds between the vault's scheduled NAV reports.
    pub nav_interval: u64,
    /// Most of its remaining capital spent in one block.
    pub max_per_block: f64,
}

impl ArbitrageurConfig {
    /// Least discount to NAV it buys at in `view`, the pool's fee included: the redemption's
    /// hurdle with the queue as it stands. Its premium is for a NAV it cannot check: in full
    /// while an alarm (a rumour, a breach) seen at `alarm` postdates the NAV; for a NAV struck
    /// after the latest alarm, which answers it, in proportion to the NAV's age, from nothing
    /// when struck to all of it a reporting interval later.
    pub fn hurdle(&self, view: &View, alarm: Option<u64>) -> f64 {
        let queue =
            Queue { pending: view.pending_redemptions, supply: view.supply, gate: self.gate };
        let age = view.timestamp.saturating_sub(view.nav_as_of) as f64;
        let doubt = match alarm {
            Some(t) if t > view.nav_as_of => 1.0,
            _ => (age / self.nav_interval.max(1) as f64).min(1.0),
        };
        let terms = RedemptionTerms { risk_premium: self.terms.risk_premium * doubt, ..self.terms };
        terms.hurdle(&queue)
    }
}

/// See the module docs.
#[derive(Debug, Clone)]
pub struct Arbitrageur {
    me: Address,
    config: ArbitrageurConfig,
    funded: bool,
    last_request: Option<u64>,
    /// When it last heard an alarm (a rumour, a breach).
    alarm: Option<u64>,
}

impl Arbitrageur {
    /// An arbitrageur at `me`.
    pub fn new(me: Address, config: ArbitrageurConfig) -> Self {
        Self { me, config, funded: false, last_request: None, alarm: None }
    }

    /// Its actions in the block seen as `view` (see the crowd's `Agent` impls).
    pub(super) fn act(&mut self, view: &View) -> Vec<Action> {
        let me = self.me;
        if let Some(fund) = fund_once(&mut self.funded, me, self.config.capital) {
            return vec![fund];
        }
        if view.signals.iter().any(|s| matches!(s, Signal::Rumour { .. } | Signal::UnderReview)) {
            self.alarm = Some(view.timestamp);
        }
        let wallet = view.wallet(&me);
        let mut actions = view.claims(me);
        let due = self.last_request.is_none_or(|t| view.timestamp >= t + self.config.terms.epoch);
        if wallet.shares > 0.0 && !view.under_review && due {
            self.last_request = Some(view.timestamp);
            actions.push(Action::RequestRedeem { from: me, shares: wallet.shares });
        }
        if view.under_review || view.nav <= 0.0 {
            return actions;
        }
        // Above NAV the trade is the other way and instant: subscribe at NAV, sell on the AMM
        // every share that fetches NAV plus a small margin after the fee, never below cost.
        let ceiling = view.nav * (1.0 + SELL_MARGIN);
        if view.spot() > ceiling && wallet.stable > 0.0 {
            let to_ceiling = view.sell_to(ceiling);
            let stable = (to_ceiling * view.nav).min(wallet.stable * self.config.max_per_block);
            if stable > DUST {
                // A hair under what the subscription mints, which rounds down.
                let shares = stable / view.nav * (1.0 - 1e-9);
                actions.push(Action::Subscribe { from: me, assets: stable });
                actions.push(Action::Sell { from: me, shares, min_out: stable });
            }
            return actions;
        }
        let target = view.nav * (1.0 - self.config.hurdle(view, self.alarm));
        if view.spot() >= target || wallet.stable <= 0.0 {
            return actions;
        }
        let stable = view.buy_to(target).min(wallet.stable * self.config.max_per_block);
        if stable > DUST {
            // Sized on the pool as the block's earlier trades leave it; should they land
            // otherwise, it takes no fill whose average price is above its target.
            actions.push(Action::Buy { from: me, stable, min_out: stable / target });
        }
        actions
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{crowd::Wallet, redemption::RedemptionTerms};

    const DAY: u64 = 86_400;

    fn arbitrageur() -> Arbitrageur {
        let terms = RedemptionTerms {
            cost_of_capital: 0.15,
            risk_premium: 0.05,
            redemption: 31 * DAY,
            epoch: DAY,
        };
        let config = ArbitrageurConfig {
            capital: 1e6,
            terms,
            gate: 0.1,
            nav_interval: 30 * DAY,
            max_per_block: 0.25,
        };
        let mut a = Arbitrageur::new(Address::repeat_byte(1), config);
        a.funded = true;
        a
    }

    fn view(t: u64, nav_as_of: u64, spot: f64, signals: Vec<Signal>) -> View {
        let wallet = Wallet { stable: 1e6, shares: 0.0, lp: 0.0 };
        View {
            timestamp: t,
            nav: 1.0,
            nav_as_of,
            pool_base: 10_000.0,
            pool_quote: 10_000.0 * spot,
            supply: 1e6,
            wallets: [(Address::repeat_byte(1), wallet)].into(),
            signals,
            ..View::default()
        }
    }

    fn buys(actions: &[Action]) -> bool {
        actions.iter().any(|a| matches!(a, Action::Buy { .. }))
    }

    #[test]
    fn a_rumour_raises_the_premium_until_a_nav_report_answers_it() {
        let mut a = arbitrageur();
        // A fresh NAV, no alarm: 15%/year over 31 days (1.3%) and little premium: 0.96 is cheap.
        assert!(buys(&a.act(&view(DAY, 0, 0.96, vec![]))));
        // A rumour: the NAV may be wrong, the full 5% premium applies: 0.96 is not cheap.
        let rumour = vec![Signal::Rumour { intensity: 0.2, duration: 3_600 }];
        assert!(!buys(&a.act(&view(DAY + 120, 0, 0.96, rumour))));
        assert!(!buys(&a.act(&view(2 * DAY, 0, 0.96, vec![]))));
        // A NAV struck after the rumour answers it.
        assert!(buys(&a.act(&view(2 * DAY + 600, 2 * DAY + 300, 0.96, vec![]))));
        // A month-old NAV carries the full premium again.
        assert!(!buys(&a.act(&view(33 * DAY, 2 * DAY + 300, 0.96, vec![]))));
    }

    #[test]
    fn its_buys_clear_its_hurdle_on_average_fee_included() {
        let mut a = arbitrageur();
        let v = view(DAY, 0, 0.9, vec![]);
        let target = v.nav * (1.0 - a.config.hurdle(&v, None));
        let actions = a.act(&v);
        let Some(Action::Buy { stable, min_out, .. }) =
            actions.iter().find(|a| matches!(a, Action::Buy { .. }))
        else {
            panic!("{actions:?}")
        };
        assert!((stable / min_out - target).abs() < 1e-12);
        assert!(v.quote_buy(*stable) >= *min_out, "its own buy would revert");
    }
}
