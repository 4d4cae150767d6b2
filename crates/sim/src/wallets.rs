//! What the lab's accounts hold, exactly: token balances folded from Transfer logs, and the
//! crowd's redemption requests folded from the vault's events.

use breakwater_world::{from_wad, to_wad};
use std::collections::{BTreeMap, BTreeSet};

use alloy::primitives::{Address, U256};
use breakwater_agents::crowd::Wallet;

/// One of the tokens a lab account holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Token {
    /// The loan asset.
    Stable,
    /// The collateral: vault shares (with a basket, senior tokens).
    Shares,
    /// The pool's LP tokens.
    Lp,
}

/// An account's exact balances (1e18 fixed point).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Holdings {
    pub(crate) stable: U256,
    pub(crate) shares: U256,
    pub(crate) lp: U256,
}

impl Holdings {
    /// The balance of `token`.
    pub(crate) fn of(&self, token: Token) -> U256 {
        match token {
            Token::Stable => self.stable,
            Token::Shares => self.shares,
            Token::Lp => self.lp,
        }
    }

    fn of_mut(&mut self, token: Token) -> &mut U256 {
        match token {
            Token::Stable => &mut self.stable,
            Token::Shares => &mut self.shares,
            Token::Lp => &mut self.lp,
        }
    }
}

/// The tracked accounts' holdings and redemption requests.
#[derive(Debug, Default)]
pub(crate) struct Ledger {
    /// Accounts whose balances are kept (the crowd's and the bots').
    pub(crate) tracked: BTreeSet<Address>,
    holdings: BTreeMap<Address, Holdings>,
    /// The crowd's redemption requests: id → (controller, settled assets may await a claim).
    requests: BTreeMap<u64, (Address, bool)>,
}

impl Ledger {
    /// A ledger of `tracked` accounts, all empty.
    pub(crate) fn new(tracked: BTreeSet<Address>) -> Self {
        Self { tracked, ..Self::default() }
    }

    /// `account`'s exact balances.
    pub(crate) fn holdings(&self, account: &Address) -> Holdings {
        self.holdings.get(account).copied().unwrap_or_default()
    }

    /// `account`'s balances in loan units and shares.
    pub(crate) fn wallet(&self, account: &Address) -> Wallet {
        let h = self.holdings(account);
        Wallet { stable: from_wad(h.stable), shares: from_wad(h.shares), lp: from_wad(h.lp) }
    }

    /// Every account that has held something, with its wallet (for the view).
    pub(crate) fn wallets(&self) -> BTreeMap<Address, Wallet> {
        self.holdings.keys().map(|a| (*a, self.wallet(a))).collect()
    }

    /// `x` in fixed point for an amount of `account`'s `token`: "all of it" in `f64` can round a
    /// few wei above the balance, so an amount within a billionth of the balance is the
    /// balance. (Larger amounts pass: the account may receive them earlier in the same block.)
    pub(crate) fn held(&self, account: Address, token: Token, x: f64) -> Option<U256> {
        let held = self.holdings.get(&account).map_or(U256::ZERO, |h| h.of(token));
        let v = to_wad(x);
        let v = if v > held && v - held <= held / U256::from(1_000_000_000u64) { held } else { v };
        Some(v).filter(|v| !v.is_zero())
    }

    /// A transfer of `value` of `token` from `from` to `to` (untracked sides are ignored).
    pub(crate) fn transfer(&mut self, token: Token, from: Address, to: Address, value: U256) {
        for (who, incoming) in [(from, false), (to, true)] {
            if self.tracked.contains(&who) {
                let balance = self.holdings.entry(who).or_default().of_mut(token);
                *balance = if incoming { *balance + value } else { balance.saturating_sub(value) };
            }
        }
    }

    /// A redemption request by `controller` (kept if it is a tracked account).
    pub(crate) fn requested(&mut self, id: u64, controller: Address) {
        if self.tracked.contains(&controller) {
            self.requests.insert(id, (controller, false));
        }
    }

    /// The vault settled: every request may have assets to claim.
    pub(crate) fn settled(&mut self) {
        self.requests.values_mut().for_each(|(_, claimable)| *claimable = true);
    }

    /// Request `id` was claimed, or a claim for it is on its way (the next settlement flags it
    /// again).
    pub(crate) fn claimed(&mut self, id: u64) {
        if let Some((_, claimable)) = self.requests.get_mut(&id) {
            *claimable = false;
        }
    }

    /// Every redemption request `account` has made.
    pub(crate) fn requests_of(&self, account: &Address) -> Vec<u64> {
        self.requests.iter().filter(|(_, (who, _))| who == account).map(|(id, _)| *id).collect()
    }

    /// The requests each account may claim now.
    pub(crate) fn claimable(&self) -> BTreeMap<Address, Vec<u64>> {
        self.requests.iter().filter(|(_, (_, c))| *c).fold(
            BTreeMap::new(),
            |mut m: BTreeMap<Address, Vec<u64>>, (id, (who, _))| {
                m.entry(*who).or_default().push(*id);
                m
            },
        )
    }
}
