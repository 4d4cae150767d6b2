//! An informed trader: a desk that follows the assets behind the token (loan tapes, appraisals,
//! the servicer's reports) and so knows their value before the NAV does, with noise and a lag.
//! It values a share at its own estimate of the fundamental value and trades the AMM towards
//! it: buys below its estimate less its edge, sells what it holds above its estimate plus its
//! edge. A real loss is thereby priced by trading before any NAV report, and a rumour that
//! does not move the fundamental value is traded against. It holds an inventory (half its
//! capital in shares, subscribed at NAV at the start) and cannot short: once its shares are
//! sold it can only buy.

use std::collections::VecDeque;

use alloy::primitives::Address;

use super::{Action, DUST, Rng, View, fund_once};

/// An informed trader's parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct InformedConfig {
    /// Stablecoin value it starts with (half subscribed into shares).
    pub capital: f64,
    /// Standard deviation of its estimate's error, relative (0.02: its estimate is within about
    /// 2% of the truth two times in three).
    pub noise: f64,
    /// Seconds its information lags the truth.
    pub lag: u64,
    /// Least mispricing it trades on, relative to its estimate (its costs and its doubt).
    pub edge: f64,
    /// Most of its remaining stablecoin or shares spent in one block.
    pub max_per_block: f64,
}

/// See the module docs.
#[derive(Debug, Clone)]
pub struct InformedTrader {
    me: Address,
    config: InformedConfig,
    rng: Rng,
    funded: bool,
    /// The fundamental value as it was at each block it saw (newest last).
    history: VecDeque<(u64, f64)>,
    /// The lagged value its estimate was drawn for, and the estimate.
    estimate: Option<(f64, f64)>,
}

impl InformedTrader {
    /// A trader at `me`, its estimation errors drawn from `rng`.
    pub fn new(me: Address, config: InformedConfig, rng: Rng) -> Self {
        Self { me, config, rng, funded: false, history: VecDeque::new(), estimate: None }
    }

    /// What it believes a share is worth now: the fundamental value `lag` seconds ago, with an
    /// error drawn afresh each time that value changes (new information) and kept in between
    /// (a desk does not change its mind without news).
    fn estimate(&mut self, view: &View) -> f64 {
        self.history.push_back((view.timestamp, view.fundamental));
        let seen = view.timestamp.saturating_sub(self.config.lag);
        while self.history.len() > 1 && self.history[1].0 <= seen {
            self.history.pop_front();
        }
        let lagged = self.history[0].1;
        match self.estimate {
            Some((known, estimate)) if known == lagged => estimate,
            _ => {
                let error = (self.config.noise * self.rng.normal()).clamp(-0.5, 0.5);
                let estimate = lagged * (1.0 + error);
                self.estimate = Some((lagged, estimate));
                estimate
            }
        }
    }

    /// Its actions in the block seen as `view` (see the crowd's `Agent` impls).
    pub(super) fn act(&mut self, view: &View) -> Vec<Action> {
        let me = self.me;
        if let Some(fund) = fund_once(&mut self.funded, me, self.config.capital) {
            return vec![fund, Action::Subscribe { from: me, assets: self.config.capital / 2.0 }];
        }
        let value = self.estimate(view);
        let (spot, wallet) = (view.spot(), view.wallet(&me));
        if value <= 0.0 || spot <= 0.0 {
            return Vec::new();
        }
        let (low, high) = (value * (1.0 - self.config.edge), value * (1.0 + self.config.edge));
        if spot < low {
            let stable = view.buy_to(low).min(wallet.stable * self.config.max_per_block);
            // Never pay more than its estimate on average, whoever trades first in the block.
            if stable > DUST {
                return vec![Action::Buy { from: me, stable, min_out: stable / value }];
            }
        } else if spot > high {
            let shares = view.sell_to(high).min(wallet.shares * self.config.max_per_block);
            if shares * value > DUST {
                return vec![Action::Sell { from: me, shares, min_out: shares * value }];
            }
        }
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crowd::Wallet;

    fn trader(noise: f64, lag: u64) -> InformedTrader {
        let config =
            InformedConfig { capital: 1_000.0, noise, lag, edge: 0.01, max_per_block: 1.0 };
        let mut t = InformedTrader::new(Address::repeat_byte(7), config, Rng::new(1, 1));
        t.funded = true;
        t
    }

    fn view(t: u64, fundamental: f64, spot: f64) -> View {
        let wallet = Wallet { stable: 500.0, shares: 500.0, lp: 0.0 };
        View {
            timestamp: t,
            fundamental,
            nav: 1.0,
            pool_base: 10_000.0,
            pool_quote: 10_000.0 * spot,
            wallets: [(Address::repeat_byte(7), wallet)].into(),
            ..View::default()
        }
    }

    #[test]
    fn buys_a_rumour_and_sells_a_loss_the_nav_has_not_seen() {
        let mut t = trader(0.0, 0);
        // A rumour: spot 0.9, the assets still worth 1.
        let buy = t.act(&view(0, 1.0, 0.9));
        assert!(matches!(buy.as_slice(), [Action::Buy { .. }]), "{buy:?}");
        // A real loss: the assets worth 0.8, the NAV still 1, spot 0.95.
        let sell = t.act(&view(120, 0.8, 0.95));
        assert!(matches!(sell.as_slice(), [Action::Sell { .. }]), "{sell:?}");
        // At its value within its edge: nothing.
        assert!(t.act(&view(240, 0.8, 0.805)).is_empty());
    }

    #[test]
    fn learns_the_truth_only_after_its_lag() {
        let mut t = trader(0.0, 3_600);
        assert!(t.act(&view(0, 1.0, 1.0)).is_empty());
        // The loss happened, but an hour has not passed: still values a share at 1.
        assert!(t.act(&view(1_800, 0.8, 1.0)).is_empty());
        let sell = t.act(&view(5_500, 0.8, 1.0));
        assert!(matches!(sell.as_slice(), [Action::Sell { .. }]), "{sell:?}");
    }

    #[test]
    fn its_error_is_redrawn_only_on_news() {
        let mut t = trader(0.05, 0);
        let first = t.estimate(&view(0, 1.0, 1.0));
        assert_ne!(first, 1.0);
        assert_eq!(t.estimate(&view(120, 1.0, 1.0)), first);
        let after_news = t.estimate(&view(240, 0.9, 1.0));
        assert!((after_news / 0.9 - first).abs() > 1e-12);
    }
}
