//! An arbitrageur: buys shares on the AMM when they trade below NAV by more than its hurdle, then
//! queues them for redemption at NAV. The hurdle is what makes RWA arbitrage weak: capital is
//! locked for the notice period (cost of capital) and the NAV itself may be wrong (a risk
//! premium). It does not buy while the vault is UnderReview (no NAV to trust), and its capital
//! runs out: redemptions return it only weeks later, when it claims them. It queues its shares
//! once an epoch, the cadence at which the vault settles. When the token trades above NAV it
//! does the opposite at once: subscribes at NAV and sells on the AMM.

use alloy::primitives::Address;

use super::{Action, View, fund_once};
use crate::math::POOL_FEE_FACTOR;

/// What selling above NAV must pay beyond the subscription: the pool's 0.30% fee and 0.5%.
const SELL_MARGIN: f64 = 0.008;

/// An arbitrageur's parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct ArbitrageurConfig {
    /// Stablecoin it can deploy.
    pub capital: f64,
    /// Least discount to NAV it buys at: cost of capital over the redemption delay, the AMM fee
    /// and a premium for the NAV being stale or wrong.
    pub hurdle: f64,
    /// Most of its remaining capital spent in one block.
    pub max_per_block: f64,
    /// Seconds between its redemption requests (one a vault epoch: requests settle per epoch).
    pub batch: u64,
}

/// See the module docs.
#[derive(Debug, Clone)]
pub struct Arbitrageur {
    me: Address,
    config: ArbitrageurConfig,
    funded: bool,
    last_request: Option<u64>,
}

impl Arbitrageur {
    /// An arbitrageur at `me`.
    pub fn new(me: Address, config: ArbitrageurConfig) -> Self {
        Self { me, config, funded: false, last_request: None }
    }

    /// Its actions in the block seen as `view` (see the crowd's `Agent` impls).
    pub(super) fn act(&mut self, view: &View) -> Vec<Action> {
        let me = self.me;
        if let Some(fund) = fund_once(&mut self.funded, me, self.config.capital) {
            return vec![fund];
        }
        let wallet = view.wallet(&me);
        let mut actions: Vec<Action> = view
            .claimable
            .get(&me)
            .into_iter()
            .flatten()
            .map(|&id| Action::Claim { from: me, id })
            .collect();
        let due = self.last_request.is_none_or(|t| view.timestamp >= t + self.config.batch);
        if wallet.shares > 0.0 && !view.under_review && due {
            self.last_request = Some(view.timestamp);
            actions.push(Action::RequestRedeem { from: me, shares: wallet.shares });
        }
        if view.under_review || view.nav <= 0.0 {
            return actions;
        }
        // Above NAV the trade is the other way and instant: subscribe at NAV, sell on the AMM
        // down to NAV plus the fee and a small margin, never below cost.
        let ceiling = view.nav * (1.0 + SELL_MARGIN);
        if view.spot() > ceiling && wallet.stable > 0.0 {
            let k = view.pool_base * view.pool_quote;
            let to_ceiling = ((k / ceiling).sqrt() - view.pool_base) / POOL_FEE_FACTOR;
            let stable = (to_ceiling * view.nav).min(wallet.stable * self.config.max_per_block);
            if stable > 0.0 {
                // A hair under what the subscription mints, which rounds down.
                let shares = stable / view.nav * (1.0 - 1e-9);
                actions.push(Action::Subscribe { from: me, assets: stable });
                actions.push(Action::Sell { from: me, shares, min_out: stable });
            }
            return actions;
        }
        let target = view.nav * (1.0 - self.config.hurdle);
        if view.spot() >= target || wallet.stable <= 0.0 {
            return actions;
        }
        // Stablecoin in that moves the constant-product price to `target` (fee included).
        let k = view.pool_base * view.pool_quote;
        let to_target = ((k * target).sqrt() - view.pool_quote) / POOL_FEE_FACTOR;
        let stable = to_target.min(wallet.stable * self.config.max_per_block);
        if stable > 0.0 {
            // Others may buy first in the same block: it accepts any fill whose average price
            // stays within its hurdle, and no worse.
            actions.push(Action::Buy { from: me, stable, min_out: stable / target });
        }
        actions
    }
}
