//! A liquidity provider: adds liquidity at the start and pulls part of it when the price moves
//! too fast (its own volatility trigger over a look-back window) or when the scenario says so.

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
}

impl LiquidityProvider {
    /// A liquidity provider at `me`.
    pub fn new(me: Address, config: LpConfig) -> Self {
        Self { me, config, stage: Stage::Fund, prices: VecDeque::new(), last_pull: None }
    }

    fn volatile(&mut self, view: &View) -> bool {
        let spot = view.spot();
        self.prices.push_back((view.timestamp, spot));
        while self.prices.front().is_some_and(|(t, _)| t + self.config.window < view.timestamp) {
            self.prices.pop_front();
        }
        let (lo, hi) = self
            .prices
            .iter()
            .fold((f64::MAX, 0.0f64), |(lo, hi), (_, p)| (lo.min(*p), hi.max(*p)));
        hi > 0.0 && (hi - lo) / hi > self.config.volatility_trigger
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
                let w = view.wallet(&me);
                // At the pool's ratio, limited by whichever side is short.
                let ratio = view.spot();
                let shares = w.shares.min(w.stable / ratio);
                vec![Action::AddLiquidity { from: me, shares, stable: shares * ratio }]
            }
            Stage::Providing => {
                let lp = view.wallet(&me).lp;
                let ordered = view.signals.iter().find_map(|s| match s {
                    Signal::LpWithdraw { fraction } => Some(*fraction),
                    _ => None,
                });
                let cooled =
                    self.last_pull.is_none_or(|t| view.timestamp >= t + self.config.window);
                let fraction = match ordered {
                    Some(f) => Some(f),
                    None if self.volatile(view) && cooled => Some(self.config.withdraw_fraction),
                    None => None,
                };
                match fraction {
                    Some(f) if lp > 0.0 && f > 0.0 => {
                        self.last_pull = Some(view.timestamp);
                        vec![Action::RemoveLiquidity { from: me, lp: lp * f.min(1.0) }]
                    }
                    _ => Vec::new(),
                }
            }
        }
    }
}
