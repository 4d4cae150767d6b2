//! A keeper: pokes the conservative oracle and the circuit breaker every block (the safeguards
//! only see prices they are shown), settles slow liquidations whose redemption has matured and
//! cures those whose borrower repaid the debt (the rest of the collateral goes back to them).
//! Silent while the scenario stalls keepers.

use super::{Action, View};

/// See the module docs.
#[derive(Debug, Clone)]
pub struct Keeper {
    poke_oracle: bool,
    poke_breaker: bool,
}

impl Keeper {
    /// A keeper for a world that has (or lacks) a pokeable oracle and breaker.
    pub fn new(poke_oracle: bool, poke_breaker: bool) -> Self {
        Self { poke_oracle, poke_breaker }
    }

    /// Its actions in the block seen as `view` (see the crowd's `Agent` impls).
    pub(super) fn act(&mut self, view: &View) -> Vec<Action> {
        if view.stalled {
            return Vec::new();
        }
        let mut actions = Vec::new();
        if self.poke_oracle {
            actions.push(Action::PokeOracle);
        }
        if self.poke_breaker {
            actions.push(Action::PokeBreaker);
        }
        for (id, s) in &view.slow_liquidations {
            if view.position(&s.borrower).debt <= 0.0 {
                actions.push(Action::CureSlowLiquidation(*id));
            } else if s.claimable {
                actions.push(Action::SettleSlowLiquidation(*id));
            }
        }
        actions
    }
}
