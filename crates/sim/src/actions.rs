//! The crowd's actions as transactions: each from its sender, on the market, the pool or the
//! vault, or the basket's own for its vault-side actions, spending at most what the sender
//! holds.

use alloy::{
    primitives::{Address, U256},
    providers::DynProvider,
    rpc::types::TransactionRequest,
};
use breakwater_agents::crowd::{Action, View};
use breakwater_chain::World;

use breakwater_world::{NavStatus, to_wad};

use crate::{
    basket::Basket,
    crowd::Crowd,
    wallets::{Ledger, Token},
};

/// The lab's infrastructure accounts.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Roles {
    /// Deploys the world and mints the stablecoin.
    pub(crate) deployer: Address,
    pub(crate) reporter: Address,
    pub(crate) custodian: Address,
    pub(crate) keeper: Address,
}

impl Roles {
    /// Whether `account` is infrastructure (its transactions land before the bots').
    pub(crate) fn is_infra(&self, account: &Address) -> bool {
        [self.reporter, self.custodian, self.keeper, self.deployer].contains(account)
    }

    /// The role of a lab account, for activity counts.
    pub(crate) fn of(&self, account: Address, crowd: &Crowd) -> &'static str {
        match account {
            a if a == self.reporter => "reporter",
            a if a == self.keeper => "keeper",
            a if a == self.deployer => "deployer",
            a => crowd.roles.get(&a).copied().unwrap_or("unknown"),
        }
    }
}

/// Builds the crowd's transactions against one world and what the accounts hold.
pub(crate) struct CrowdTxs<'a> {
    pub(crate) world: &'a World<DynProvider>,
    pub(crate) basket: Option<&'a Basket>,
    pub(crate) roles: &'a Roles,
    pub(crate) ledger: &'a Ledger,
}

impl CrowdTxs<'_> {
    /// A crowd action as transactions from their senders (none for nothing to do): the
    /// basket's own for its vault-side actions, else one on the market, the pool or the vault.
    pub(crate) fn txs(&self, action: Action, view: &View) -> Vec<(Address, TransactionRequest)> {
        if let Some(b) = self.basket {
            let held = match &action {
                Action::Subscribe { from, assets } => {
                    self.ledger.held(*from, Token::Stable, *assets)
                }
                Action::RequestRedeem { from, shares } => {
                    self.ledger.held(*from, Token::Shares, *shares)
                }
                _ => None,
            };
            let r = self.roles;
            if let Some(txs) = b.txs(&action, view, held, (r.reporter, r.custodian, r.keeper)) {
                return txs;
            }
        }
        self.tx(action, view).into_iter().collect()
    }

    /// A crowd action as a transaction from its sender (`None` for nothing to do).
    fn tx(&self, action: Action, view: &View) -> Option<(Address, TransactionRequest)> {
        let (w, r) = (self.world, self.roles);
        let held = |from, token, x| self.ledger.held(from, token, x);
        let deadline = U256::from(view.timestamp + 300);
        let (usd, vault) = (*w.stablecoin.address(), *w.vault.address());
        let positive = |x: f64| (x > 0.0).then(|| to_wad(x));
        Some(match action {
            Action::Fund { to, amount } => {
                (r.deployer, w.stablecoin.mint(to, positive(amount)?).into_transaction_request())
            }
            Action::Subscribe { from, assets } => (
                from,
                w.vault
                    .subscribe(held(from, Token::Stable, assets)?, from)
                    .into_transaction_request(),
            ),
            Action::SupplyCollateral { from, shares } => (
                from,
                w.market
                    .supplyCollateral(held(from, Token::Shares, shares)?, from)
                    .into_transaction_request(),
            ),
            Action::Borrow { from, assets } => {
                (from, w.market.borrow(positive(assets)?, from).into_transaction_request())
            }
            Action::Repay { from, assets } => {
                let debt = view.position(&from).debt;
                let assets = held(from, Token::Stable, assets.min(debt))?;
                (from, w.market.repay(assets, U256::ZERO, from).into_transaction_request())
            }
            Action::Sell { from, shares, min_out } => {
                let shares = held(from, Token::Shares, shares)?;
                let swap = w.pool.swap(vault, shares, to_wad(min_out), from, deadline);
                (from, swap.into_transaction_request())
            }
            Action::Buy { from, stable, min_out } => {
                let stable = held(from, Token::Stable, stable)?;
                let swap = w.pool.swap(usd, stable, to_wad(min_out), from, deadline);
                (from, swap.into_transaction_request())
            }
            Action::AddLiquidity { from, shares, stable } => {
                let (shares, stable) =
                    (held(from, Token::Shares, shares)?, held(from, Token::Stable, stable)?);
                let add = w.pool.addLiquidity(shares, stable, U256::ZERO, from, deadline);
                (from, add.into_transaction_request())
            }
            Action::RemoveLiquidity { from, lp } => {
                let lp = held(from, Token::Lp, lp)?;
                let remove = w.pool.removeLiquidity(lp, U256::ZERO, U256::ZERO, from, deadline);
                (from, remove.into_transaction_request())
            }
            Action::RequestRedeem { from, shares } => {
                let shares = held(from, Token::Shares, shares)?;
                (from, w.vault.requestRedeem(shares, from, from).into_transaction_request())
            }
            Action::Claim { from, id } => {
                (from, w.vault.claim(U256::from(id), from).into_transaction_request())
            }
            Action::ReportNav { nav } => (
                r.reporter,
                w.vault.reportNav(positive(nav)?, view.timestamp).into_transaction_request(),
            ),
            Action::ConfirmNav => (r.custodian, w.vault.confirmNav().into_transaction_request()),
            Action::SetUnderReview(on) => {
                let reason =
                    if on { "custodian breach: title in doubt" } else { "review resolved" };
                let status =
                    w.vault.setNavStatus(NavStatus::under_review(on).as_u8(), reason.into());
                (r.reporter, status.into_transaction_request())
            }
            Action::RefillBuffer { assets } => {
                (r.custodian, w.vault.refillBuffer(positive(assets)?).into_transaction_request())
            }
            Action::SettleEpoch => (r.custodian, w.vault.settle().into_transaction_request()),
            Action::PokeOracle => {
                (r.keeper, w.conservative_oracle()?.poke().into_transaction_request())
            }
            Action::PokeBreaker => {
                (r.keeper, w.circuit_breaker()?.poke().into_transaction_request())
            }
            Action::SettleSlowLiquidation(id) => (
                r.keeper,
                w.slow_path_market()?
                    .settleSlowLiquidation(U256::from(id))
                    .into_transaction_request(),
            ),
            Action::CureSlowLiquidation(id) => (
                r.keeper,
                w.slow_path_market()?
                    .cureSlowLiquidation(U256::from(id))
                    .into_transaction_request(),
            ),
        })
    }
}
