//! A borrower: subscribes to the vault, posts the shares and borrows up to a target share of the
//! market's max LTV; a leverage looper subscribes what it borrows and borrows again. When its
//! health (at the oracle's price) falls below a trigger, it tops up with some probability, after
//! a delay: fresh capital repays debt back to a target health. When the scenario calls for new
//! borrowing it borrows more, up to a new share of its limit at the current borrow price, unless
//! borrowing is closed then (the breaker above level 0, no borrow price): the window has passed.

use alloy::primitives::Address;

use super::{Action, Rng, Signal, View};

/// A borrower's parameters (drawn per borrower by the scenario).
#[derive(Debug, Clone, PartialEq)]
pub struct BorrowerConfig {
    /// Stablecoin brought in and subscribed at the start.
    pub capital: f64,
    /// Borrow up to this fraction of what max LTV allows.
    pub utilization: f64,
    /// Extra subscribe-and-borrow rounds (0 for a plain borrower).
    pub loops: u32,
    /// Probability of topping up once health falls below `top_up_below`.
    pub top_up_probability: f64,
    /// Health (at the oracle price) that makes the borrower consider a top-up.
    pub top_up_below: f64,
    /// Seconds between noticing and topping up (a human, a multisig, a bank transfer).
    pub top_up_delay: u64,
    /// Health the top-up restores.
    pub top_up_to: f64,
    /// Share of the market's free liquidity its new borrowing may take (one over the number of
    /// borrowers: they borrow in the same block, and none should find the market drained).
    pub liquidity_share: f64,
}

/// New borrowing aims this far below the limit: the keepers' pokes land first in the block and
/// interest accrues, so a borrow at the limit seen could revert.
const LIMIT_MARGIN: f64 = 0.995;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Stage {
    Fund,
    Post { loops_left: u32 },
    Subscribe { loops_left: u32 },
    Open,
}

/// See the module docs.
#[derive(Debug, Clone)]
pub struct Borrower {
    me: Address,
    config: BorrowerConfig,
    rng: Rng,
    stage: Stage,
    /// When a decided top-up happens, if one is decided.
    top_up_at: Option<u64>,
    /// The health episode was already considered (re-armed when health recovers).
    considered: bool,
}

impl Borrower {
    /// A borrower at `me`.
    pub fn new(me: Address, config: BorrowerConfig, rng: Rng) -> Self {
        Self { me, config, rng, stage: Stage::Fund, top_up_at: None, considered: false }
    }

    fn borrow_more(&self, view: &View, extra_collateral: f64) -> f64 {
        let p = view.position(&self.me);
        let limit = (p.collateral + extra_collateral) * view.borrow_price * view.max_ltv;
        (limit * self.config.utilization - p.debt).min(view.market_liquidity * 0.999).max(0.0)
    }

    /// New borrowing up to `utilization` of the limit, when the market lends now.
    fn borrow_to(&self, view: &View, utilization: f64) -> Option<Action> {
        if view.breaker_level > 0 || view.borrow_price <= 0.0 {
            return None;
        }
        let p = view.position(&self.me);
        let limit = p.collateral * view.borrow_price * view.max_ltv;
        let room = view.market_liquidity * self.config.liquidity_share * 0.999;
        let assets = (limit * utilization * LIMIT_MARGIN - p.debt).min(room);
        (assets > 0.0).then_some(Action::Borrow { from: self.me, assets })
    }

    fn manage(&mut self, view: &View) -> Vec<Action> {
        let p = view.position(&self.me);
        if p.debt <= 0.0 {
            return Vec::new();
        }
        let health = p.health(view.oracle_price, view.liquidation_ltv);
        if let Some(at) = self.top_up_at
            && view.timestamp >= at
        {
            self.top_up_at = None;
            if health < self.config.top_up_to && view.oracle_price > 0.0 {
                let target_debt =
                    p.collateral * view.oracle_price * view.liquidation_ltv / self.config.top_up_to;
                let repay = p.debt - target_debt;
                return vec![
                    Action::Fund { to: self.me, amount: repay },
                    Action::Repay { from: self.me, assets: repay },
                ];
            }
        }
        if health < self.config.top_up_below {
            if !self.considered && self.top_up_at.is_none() {
                self.considered = true;
                if self.rng.chance(self.config.top_up_probability) {
                    self.top_up_at = Some(view.timestamp + self.config.top_up_delay);
                }
            }
        } else {
            self.considered = false;
        }
        Vec::new()
    }

    /// Its actions in the block seen as `view` (see the crowd's `Agent` impls).
    pub(super) fn act(&mut self, view: &View) -> Vec<Action> {
        let me = self.me;
        match self.stage {
            Stage::Fund => {
                self.stage = Stage::Post { loops_left: self.config.loops };
                vec![
                    Action::Fund { to: me, amount: self.config.capital },
                    Action::Subscribe { from: me, assets: self.config.capital },
                ]
            }
            Stage::Post { loops_left } => {
                let shares = view.wallet(&me).shares;
                let borrow = self.borrow_more(view, shares);
                self.stage =
                    if loops_left > 0 { Stage::Subscribe { loops_left } } else { Stage::Open };
                vec![
                    Action::SupplyCollateral { from: me, shares },
                    Action::Borrow { from: me, assets: borrow },
                ]
            }
            Stage::Subscribe { loops_left } => {
                self.stage = Stage::Post { loops_left: loops_left - 1 };
                let stable = view.wallet(&me).stable;
                vec![Action::Subscribe { from: me, assets: stable }]
            }
            Stage::Open => {
                let mut actions = self.manage(view);
                for signal in &view.signals {
                    if let Signal::Borrow { utilization } = signal
                        && actions.is_empty()
                    {
                        actions.extend(self.borrow_to(view, *utilization));
                    }
                }
                actions
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crowd::{Position, Wallet};

    const ME: Address = Address::repeat_byte(9);

    /// A borrower past its setup, holding 1,000 shares of collateral and `debt`.
    fn open(debt: f64) -> (Borrower, View) {
        let config = BorrowerConfig {
            capital: 1_000.0,
            utilization: 0.5,
            loops: 0,
            top_up_probability: 0.0,
            top_up_below: 1.1,
            top_up_delay: 0,
            top_up_to: 1.4,
            liquidity_share: 0.5,
        };
        let mut b = Borrower::new(ME, config, Rng::new(1, 0));
        let mut view = View {
            borrow_price: 1.0,
            oracle_price: 1.0,
            max_ltv: 0.7,
            liquidation_ltv: 0.8,
            market_liquidity: 100_000.0,
            wallets: [(ME, Wallet { stable: 0.0, shares: 1_000.0, lp: 0.0 })].into(),
            ..View::default()
        };
        b.act(&view);
        b.act(&view);
        view.positions.insert(ME, Position { collateral: 1_000.0, debt });
        (b, view)
    }

    fn borrowed(actions: &[Action]) -> f64 {
        actions
            .iter()
            .map(|a| if let Action::Borrow { assets, .. } = a { *assets } else { 0.0 })
            .sum()
    }

    #[test]
    fn new_borrowing_goes_to_the_share_of_the_limit_asked() {
        let (mut b, mut view) = open(350.0);
        assert!(b.act(&view).is_empty(), "no borrowing unless asked");
        view.signals = vec![Signal::Borrow { utilization: 0.9 }];
        // Limit 700 at the borrow price; 90% of it less the margin, less the 350 owed.
        let want = 700.0 * 0.9 * LIMIT_MARGIN - 350.0;
        assert!((borrowed(&b.act(&view)) - want).abs() < 1e-9);
        // At a lower borrow price the limit is lower.
        view.borrow_price = 0.6;
        let want = 1_000.0 * 0.6 * 0.7 * 0.9 * LIMIT_MARGIN - 350.0;
        assert!((borrowed(&b.act(&view)) - want).abs() < 1e-9);
        // Already above the share asked: nothing.
        view.signals = vec![Signal::Borrow { utilization: 0.5 }];
        assert_eq!(borrowed(&b.act(&view)), 0.0);
    }

    #[test]
    fn new_borrowing_respects_the_breaker_the_oracle_and_the_liquidity() {
        let (mut b, mut view) = open(100.0);
        view.signals = vec![Signal::Borrow { utilization: 1.0 }];
        view.breaker_level = 1;
        assert!(b.act(&view).is_empty(), "borrowing while the breaker is up");
        view.breaker_level = 0;
        view.borrow_price = 0.0;
        assert!(b.act(&view).is_empty(), "borrowing while the oracle closes it");
        view.borrow_price = 1.0;
        view.market_liquidity = 200.0;
        // Its share (half) of what the market can lend, not the whole.
        assert!((borrowed(&b.act(&view)) - 200.0 * 0.5 * 0.999).abs() < 1e-9);
    }
}
