//! The oracle-arbitrage attacker: when the AMM sells shares for less than the market lets one
//! borrow against them (a stale or lagging oracle), it buys on the AMM, posts the shares, borrows
//! the most it can and buys again, and never repays: the loan is worth more than the collateral.

use alloy::primitives::Address;

use super::{Action, View, fund_once};

/// The attacker's parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct AttackerConfig {
    /// Its own stablecoin.
    pub capital: f64,
    /// Attacks only when borrowable per share exceeds the AMM price by this margin.
    pub min_edge: f64,
}

/// See the module docs.
#[derive(Debug, Clone)]
pub struct Attacker {
    me: Address,
    config: AttackerConfig,
    funded: bool,
}

impl Attacker {
    /// The attacker at `me`.
    pub fn new(me: Address, config: AttackerConfig) -> Self {
        Self { me, config, funded: false }
    }

    /// Its actions in the block seen as `view` (see the crowd's `Agent` impls).
    pub(super) fn act(&mut self, view: &View) -> Vec<Action> {
        let me = self.me;
        if let Some(fund) = fund_once(&mut self.funded, me, self.config.capital) {
            return vec![fund];
        }
        let wallet = view.wallet(&me);
        let mut actions = Vec::new();
        // Post what was bought last block and borrow against it.
        if wallet.shares > 0.0 {
            let p = view.position(&me);
            let limit = (p.collateral + wallet.shares) * view.borrow_price * view.max_ltv;
            let borrow = (limit * 0.999 - p.debt).min(view.market_liquidity * 0.999);
            actions.push(Action::SupplyCollateral { from: me, shares: wallet.shares });
            if borrow > 0.0 {
                actions.push(Action::Borrow { from: me, assets: borrow });
            }
        }
        let borrowable = view.borrow_price * view.max_ltv;
        let spot = view.spot();
        if spot > 0.0 && borrowable > spot * (1.0 + self.config.min_edge) && wallet.stable > 0.0 {
            // Buy until the AMM price reaches the edge (fee included), with what it has.
            let target = borrowable / (1.0 + self.config.min_edge);
            let k = view.pool_base * view.pool_quote;
            let stable = (((k * target).sqrt() - view.pool_quote) / 0.997).min(wallet.stable);
            if stable > 0.0 {
                // Whatever others buy first in the block, it never pays more than its target.
                actions.push(Action::Buy { from: me, stable, min_out: stable / target });
            }
        }
        actions
    }
}
