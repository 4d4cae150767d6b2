//! A rumour seller: a holder of vault shares who sells into the AMM when a rumour wave passes
//! (spread over the wave's duration), and dumps part of what is left in a panic when the market
//! trades far below NAV (each seller has its own threshold).

use alloy::primitives::Address;

use super::{Action, Rng, Signal, View, fund_once};

/// A rumour seller's parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct SellerConfig {
    /// Stablecoin subscribed into shares at the start.
    pub holdings: f64,
    /// Panic when the market price is below NAV × (1 − this) ...
    pub panic_discount: f64,
    /// ... by selling this fraction of what is left (once per episode).
    pub panic_fraction: f64,
    /// Accept this much below the quoted amount (slippage tolerance).
    pub slippage: f64,
}

/// See the module docs.
#[derive(Debug, Clone)]
pub struct RumourSeller {
    me: Address,
    config: SellerConfig,
    threshold: f64,
    funded: bool,
    /// Shares still to sell in the current wave, the rate per second, and the wave's end.
    wave: Option<(f64, f64, u64)>,
    last: u64,
    panicked: bool,
}

impl RumourSeller {
    /// A seller at `me`; its panic threshold is jittered by ±25% with `rng`.
    pub fn new(me: Address, config: SellerConfig, mut rng: Rng) -> Self {
        let threshold = config.panic_discount * rng.range(0.75, 1.25);
        Self { me, config, threshold, funded: false, wave: None, last: 0, panicked: false }
    }

    fn sell(&self, view: &View, shares: f64) -> Option<Action> {
        let shares = shares.min(view.wallet(&self.me).shares);
        (shares > 0.0).then(|| Action::Sell {
            from: self.me,
            shares,
            min_out: view.quote_sell(shares) * (1.0 - self.config.slippage),
        })
    }

    /// Its actions in the block seen as `view` (see the crowd's `Agent` impls).
    pub(super) fn act(&mut self, view: &View) -> Vec<Action> {
        let holdings = self.config.holdings;
        if let Some(fund) = fund_once(&mut self.funded, self.me, holdings) {
            self.last = view.timestamp;
            return vec![fund, Action::Subscribe { from: self.me, assets: holdings }];
        }
        let held = view.wallet(&self.me).shares;
        for signal in &view.signals {
            if let Signal::Rumour { intensity, duration } = signal {
                let amount = held * intensity;
                let duration = (*duration).max(1);
                self.wave = Some((amount, amount / duration as f64, view.timestamp + duration));
            }
        }
        let elapsed = view.timestamp.saturating_sub(self.last) as f64;
        self.last = view.timestamp;
        let mut amount = 0.0;
        if let Some((left, rate, end)) = self.wave {
            let now = if view.timestamp >= end { left } else { (rate * elapsed).min(left) };
            amount += now;
            self.wave =
                (left - now > 1e-9 && view.timestamp < end).then_some((left - now, rate, end));
        }
        let discounted = view.nav > 0.0 && view.spot() < view.nav * (1.0 - self.threshold);
        if discounted && !self.panicked {
            self.panicked = true;
            amount += (held - amount).max(0.0) * self.config.panic_fraction;
        } else if !discounted {
            self.panicked = false;
        }
        self.sell(view, amount).into_iter().collect()
    }
}
