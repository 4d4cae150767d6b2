//! A borrower: subscribes to the vault, posts the shares and borrows up to a target share of the
//! market's max LTV; a leverage looper subscribes what it borrows and borrows again. When its
//! health (at the oracle's price) falls below a trigger, it tops up with some probability, after
//! a delay: fresh capital repays debt back to a target health.

use alloy::primitives::Address;

use super::{Action, Rng, View};

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
}

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
            Stage::Open => self.manage(view),
        }
    }
}
