//! A liquidity provider: adds liquidity at the start and pulls part of it when the price moves
//! too fast (its own volatility trigger over a look-back window) or when the scenario says so.
//! It comes back, adding everything it holds at the pool's ratio, once the market has been calm
//! (a price range under half its trigger over the window) for `return_after` since its last
//! pull, or at once when a rumour is denied and the market is calm.

use std::collections::VecDeque;

use alloy::primitives::Address;

use super::{Action, Signal, View};

/// A liquidity provider's parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct LpConfig {
    /// Stablecoin value provided (half subscribed into shares, half kept as stablecoin).
    pub capital: f64,
    /// Pull liquidity when the price moved more than this over `window` seconds ...
    pub volatility_trigger: f64,
    /// ... (the look-back window) ...
    pub window: u64,
    /// ... removing this fraction of its LP tokens (at most once per window).
    pub withdraw_fraction: f64,
    /// Seconds of calm after a pull before it provides again.
    pub return_after: u64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Stage {
    Fund,
    Add,
    Providing,
}

/// See the module docs.
#[derive(Debug, Clone)]
pub struct LiquidityProvider {
    me: Address,
    config: LpConfig,
    stage: Stage,
    prices: VecDeque<(u64, f64)>,
    last_pull: Option<u64>,
    /// It pulled liquidity and has not come back yet.
    away: bool,
}

impl LiquidityProvider {
    /// A liquidity provider at `me`.
    pub fn new(me: Address, config: LpConfig) -> Self {
        Self {
            me,
            config,
            stage: Stage::Fund,
            prices: VecDeque::new(),
            last_pull: None,
            away: false,
        }
    }

    /// The price range over the window as a fraction of its high, with this block's price in it.
    fn range(&mut self, view: &View) -> f64 {
        let spot = view.spot();
        self.prices.push_back((view.timestamp, spot));
        while self.prices.front().is_some_and(|(t, _)| t + self.config.window < view.timestamp) {
            self.prices.pop_front();
        }
        let (lo, hi) = self
            .prices
            .iter()
            .fold((f64::MAX, 0.0f64), |(lo, hi), (_, p)| (lo.min(*p), hi.max(*p)));
        if hi > 0.0 { (hi - lo) / hi } else { 0.0 }
    }

    /// Everything it holds, added at the pool's ratio, limited by whichever side is short.
    fn provide(&self, view: &View) -> Option<Action> {
        let (w, ratio) = (view.wallet(&self.me), view.spot());
        let shares = w.shares.min(w.stable / ratio);
        (ratio > 0.0 && shares > 0.0).then_some(Action::AddLiquidity {
            from: self.me,
            shares,
            stable: shares * ratio,
        })
    }

    /// Its actions in the block seen as `view` (see the crowd's `Agent` impls).
    pub(super) fn act(&mut self, view: &View) -> Vec<Action> {
        let me = self.me;
        match self.stage {
            Stage::Fund => {
                self.stage = Stage::Add;
                let half = self.config.capital / 2.0;
                vec![
                    Action::Fund { to: me, amount: self.config.capital },
                    Action::Subscribe { from: me, assets: half },
                ]
            }
            Stage::Add => {
                self.stage = Stage::Providing;
                self.provide(view).into_iter().collect()
            }
            Stage::Providing => {
                let lp = view.wallet(&me).lp;
                let ordered = view.signals.iter().find_map(|s| match s {
                    Signal::LpWithdraw { fraction } => Some(*fraction),
                    _ => None,
                });
                let range = self.range(view);
                let last_pull = self.last_pull;
                let since_pull = |t: u64| last_pull.is_none_or(|p| view.timestamp >= p + t);
                let cooled = since_pull(self.config.window);
                let fraction = match ordered {
                    Some(f) => Some(f),
                    None if range > self.config.volatility_trigger && cooled => {
                        Some(self.config.withdraw_fraction)
                    }
                    None => None,
                };
                if let Some(f) = fraction.filter(|f| lp > 0.0 && *f > 0.0) {
                    self.last_pull = Some(view.timestamp);
                    self.away = true;
                    return vec![Action::RemoveLiquidity { from: me, lp: lp * f.min(1.0) }];
                }
                let calm = range < self.config.volatility_trigger / 2.0;
                let denied = view.signals.contains(&Signal::RumourDenied);
                if self.away && calm && (denied || since_pull(self.config.return_after)) {
                    self.away = false;
                    return self.provide(view).into_iter().collect();
                }
                Vec::new()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crowd::Wallet;

    fn view(t: u64, spot: f64, wallet: Wallet, signals: Vec<Signal>) -> View {
        View {
            timestamp: t,
            pool_base: 1_000.0,
            pool_quote: 1_000.0 * spot,
            wallets: [(Address::repeat_byte(9), wallet)].into(),
            signals,
            ..View::default()
        }
    }

    /// A providing LP with a 10% trigger over `window`, pulling half, back after `return_after`.
    fn providing(window: u64, return_after: u64) -> LiquidityProvider {
        let config = LpConfig {
            capital: 1_000.0,
            volatility_trigger: 0.1,
            window,
            withdraw_fraction: 0.5,
            return_after,
        };
        let mut lp = LiquidityProvider::new(Address::repeat_byte(9), config);
        lp.stage = Stage::Providing;
        lp
    }

    #[test]
    fn pulls_on_volatility_and_comes_back_when_it_subsides() {
        let mut lp = providing(3_600, 7_200);
        let providing = Wallet { stable: 0.0, shares: 0.0, lp: 100.0 };
        assert!(lp.act(&view(0, 1.0, providing, vec![])).is_empty());
        let pull = lp.act(&view(120, 0.8, providing, vec![]));
        assert!(matches!(pull.as_slice(), [Action::RemoveLiquidity { .. }]), "{pull:?}");
        let out = Wallet { stable: 40.0, shares: 50.0, lp: 50.0 };
        // Still volatile an hour later (the crash is in the window): it stays away ...
        assert!(lp.act(&view(3_000, 0.8, out, vec![])).is_empty());
        // ... calm, but not for long enough yet ...
        assert!(lp.act(&view(6_000, 0.8, out, vec![])).is_empty());
        // ... calm for its return delay: back, at the pool's ratio.
        let back = lp.act(&view(7_400, 0.8, out, vec![]));
        let [Action::AddLiquidity { shares, stable, .. }] = back.as_slice() else {
            panic!("{back:?}")
        };
        assert!((shares - 50.0).abs() < 1e-9 && (stable - 40.0).abs() < 1e-9);
    }

    #[test]
    fn a_denied_rumour_brings_it_back_once_the_market_is_calm() {
        let mut lp = providing(600, 86_400);
        let out = Wallet { stable: 40.0, shares: 50.0, lp: 50.0 };
        let ordered = vec![Signal::LpWithdraw { fraction: 0.5 }];
        assert!(!lp.act(&view(0, 1.0, out, ordered)).is_empty());
        let denied = vec![Signal::RumourDenied];
        let back = lp.act(&view(1_200, 1.0, out, denied));
        assert!(matches!(back.as_slice(), [Action::AddLiquidity { .. }]), "{back:?}");
    }
}
