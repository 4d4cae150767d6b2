//! RWA² in the lab: the constituents behind the senior-tranche market. The engine runs the senior
//! market like any other (the crowd's collateral is the senior token, traded on the senior pool);
//! this module turns the crowd's vault-side actions into the basket's transactions and reads the
//! basket's state for the crowd's view.
//!
//! - Subscribing buys into every constituent at NAV in basket proportions and deposits the units
//!   as senior (refused, like any deposit, while a constituent is under review or stale).
//! - A redemption request redeems senior tokens for basket units in kind; the constituent shares
//!   are then held: their own queues (up to the slowest constituent's notice) are not run.
//! - The reporter strikes each constituent's NAV at its fundamental value; the custodian confirms
//!   each pending move and puts the constituent an event names under review; keepers poke each
//!   constituent's conservative oracle and circuit breaker, which the senior oracle composes.

use alloy::{
    primitives::{Address, U256},
    providers::DynProvider,
    rpc::types::TransactionRequest,
};
use breakwater_agents::crowd::{Action, View};
use breakwater_chain::{
    Addresses, BasketConfig, BasketDeployment, OracleKind, Policy,
    bindings::{CircuitBreaker, ConservativeOracle, RwaVault, TrancheVault},
};

use breakwater_world::{NavStatus, Reads, Tranche, from_wad, read::call, to_wad};

use crate::{
    Error, Result,
    observer::{IssuerState, Nav},
};

/// The basket's constituents and what they are really worth.
#[derive(Clone)]
pub(crate) struct Basket {
    tranche: TrancheVault::TrancheVaultInstance<DynProvider>,
    vaults: Vec<RwaVault::RwaVaultInstance<DynProvider>>,
    /// Conservative oracles to poke (empty unless the policy has them).
    oracles: Vec<Address>,
    /// Circuit breakers to poke (empty unless the policy has them).
    breakers: Vec<Address>,
    unit_shares: Vec<f64>,
    /// Fundamental value per share of each constituent, in dollars.
    fundamentals: Vec<f64>,
    /// Loan units per dollar of the constituents' assets (1 at the peg; a depeg moves it).
    peg: f64,
    /// Each constituent's error in the report asked for in this block (0: right).
    report_errors: Vec<f64>,
    /// As last read: reported NAV, a move awaiting the confirmer, under review.
    navs: Vec<f64>,
    pending: Vec<bool>,
    review: Vec<bool>,
    /// The constituent the custodian's next status change applies to.
    review_target: usize,
}

impl Basket {
    /// Binds the deployed basket for `policy`; every constituent starts worth its initial NAV.
    pub(crate) fn new(
        d: &BasketDeployment,
        config: &BasketConfig,
        policy: Policy,
        provider: &DynProvider,
    ) -> Self {
        let n = d.constituents.len();
        let conservative = policy.oracle() == OracleKind::Conservative;
        let circuit = matches!(policy.breaker(), breakwater_chain::BreakerKind::Circuit);
        // Each constituent's contract picked by `pick`, if the policy has that kind.
        let each = |on: bool, pick: fn(&Addresses) -> Address| -> Vec<Address> {
            d.constituents.iter().filter(|_| on).map(|c| pick(&c.contracts)).collect()
        };
        Self {
            tranche: TrancheVault::new(d.tranche.vault, provider.clone()),
            vaults: d
                .constituents
                .iter()
                .map(|c| RwaVault::new(c.contracts.vault, provider.clone()))
                .collect(),
            oracles: each(conservative, |c| c.oracle),
            breakers: each(circuit, |c| c.breaker),
            unit_shares: d.constituents.iter().map(|c| from_wad(c.unit_shares.raw())).collect(),
            fundamentals: config
                .constituents
                .iter()
                .map(|c| from_wad(c.vault.initial_nav.raw()))
                .collect(),
            peg: 1.0,
            report_errors: vec![0.0; n],
            navs: vec![0.0; n],
            pending: vec![false; n],
            review: vec![false; n],
            review_target: 0,
        }
    }

    /// Constituent `c`'s value (every constituent's for `None`) is multiplied by `factor`.
    pub(crate) fn revalue(&mut self, c: Option<usize>, factor: f64) {
        for (i, f) in self.fundamentals.iter_mut().enumerate() {
            if c.is_none_or(|c| c == i) {
                *f *= factor;
            }
        }
    }

    /// The loan stablecoin's peg moved: a dollar of assets is worth `peg` loan units.
    pub(crate) fn set_peg(&mut self, peg: f64) {
        self.peg = peg;
    }

    /// The report asked for in this block strikes constituent `c`'s NAV (every one's for
    /// `None`) off by `error`.
    pub(crate) fn misreport(&mut self, c: Option<usize>, error: f64) {
        for (i, e) in self.report_errors.iter_mut().enumerate() {
            if c.is_none_or(|c| c == i) {
                *e = error;
            }
        }
    }

    /// The custodian's next status change is about constituent `c`.
    pub(crate) fn target(&mut self, c: usize) {
        self.review_target = c;
    }

    /// Every account that holds senior tokens approves these (spender per token).
    pub(crate) fn approvals(&self, stablecoin: Address) -> Vec<(Address, Address)> {
        let tranche = *self.tranche.address();
        let mut out: Vec<(Address, Address)> =
            self.vaults.iter().map(|v| (stablecoin, *v.address())).collect();
        out.extend(self.vaults.iter().map(|v| (*v.address(), tranche)));
        out
    }

    /// Reads the constituents and the waterfall: per senior token, the claim at the reported NAVs
    /// and at the fundamental values; the oldest constituent NAV's timestamp (the reporter
    /// refreshes them together); any pending move, any review.
    pub(crate) async fn read(&mut self, r: &dyn Reads) -> Result<IssuerState> {
        let navs = futures::future::join_all(self.vaults.iter().map(|v| async move {
            let v = *v.address();
            tokio::join!(
                call(r, v, &RwaVault::navInfoCall {}, None),
                call(r, v, &RwaVault::pendingNavCall {}, None)
            )
        }));
        let t = *self.tranche.address();
        let (navs, w, units, principal) = tokio::join!(
            navs,
            call(r, t, &TrancheVault::waterfallCall {}, None),
            call(r, t, &TrancheVault::totalUnitsCall {}, None),
            call(r, t, &TrancheVault::seniorPrincipalCall {}, None),
        );
        let mut as_of = u64::MAX;
        for (i, (nav, pending)) in navs.into_iter().enumerate() {
            let nav = nav.map_err(|e| Error::read("vault.navInfo()", e))?;
            let pending = pending.map_err(|e| Error::read("vault.pendingNav()", e))?;
            self.navs[i] = from_wad(nav._0);
            as_of = as_of.min(nav._1);
            self.review[i] = NavStatus::from_u8(nav._2) == Some(NavStatus::UnderReview);
            self.pending[i] = !pending.is_zero();
        }
        let w = w.map_err(|e| Error::read("tranche.waterfall()", e))?;
        let units = units.map_err(|e| Error::read("tranche.totalUnits()", e))?;
        let principal =
            from_wad(principal.map_err(|e| Error::read("tranche.seniorPrincipal()", e))?);
        let per_token =
            |value: f64| if principal > 0.0 { (value / principal).min(1.0) } else { 1.0 };
        let unit_fundamental: f64 =
            self.unit_shares.iter().zip(&self.fundamentals).map(|(u, f)| u * f * self.peg).sum();
        let basket_fundamental = from_wad(units) * unit_fundamental;
        Ok(IssuerState {
            nav: Nav {
                per_unit: per_token(from_wad(w.seniorClaim)),
                as_of,
                pending: self.pending.iter().any(|p| *p),
                under_review: self.review.iter().any(|r| *r),
            },
            pending_redemptions: 0.0,
            buffer: 0.0,
            fundamental: Some(per_token(basket_fundamental)),
            junior: Some(basket_fundamental - basket_fundamental.min(principal)),
        })
    }

    /// The basket's transactions for a vault-side action; `None` for actions that are not
    /// vault-side (the engine sends those to the senior market and pool as usual). `held` is the
    /// sender's stablecoin (subscribe) or senior tokens (redeem) the action may spend.
    pub(crate) fn txs(
        &self,
        action: &Action,
        view: &View,
        held: Option<U256>,
        roles: (Address, Address, Address),
    ) -> Option<Vec<(Address, TransactionRequest)>> {
        let (reporter, custodian, keeper) = roles;
        Some(match action {
            Action::Subscribe { from, .. } => {
                let Some(assets) = held else { return Some(Vec::new()) };
                self.subscribe(*from, from_wad(assets))
            }
            Action::RequestRedeem { from, .. } => match held {
                Some(amount) => vec![(
                    *from,
                    self.tranche
                        .redeem(Tranche::Senior.as_u8(), amount, *from, U256::ZERO)
                        .into_transaction_request(),
                )],
                None => Vec::new(),
            },
            // Nobody queues at the constituents (see the module docs): nothing to claim or settle.
            Action::Claim { .. } | Action::RefillBuffer { .. } | Action::SettleEpoch => Vec::new(),
            Action::ReportNav { .. } => (0..self.vaults.len())
                .filter(|i| !self.pending[*i] && !self.review[*i])
                .map(|i| {
                    let nav =
                        to_wad(self.fundamentals[i] * self.peg * (1.0 + self.report_errors[i]));
                    (
                        reporter,
                        self.vaults[i].reportNav(nav, view.timestamp).into_transaction_request(),
                    )
                })
                .collect(),
            Action::ConfirmNav => (0..self.vaults.len())
                .filter(|i| self.pending[*i] && !self.review[*i])
                .map(|i| (custodian, self.vaults[i].confirmNav().into_transaction_request()))
                .collect(),
            Action::SetUnderReview(on) => {
                let reason =
                    if *on { "custodian breach: title in doubt" } else { "review resolved" };
                let v = &self.vaults[self.review_target];
                vec![(
                    reporter,
                    v.setNavStatus(NavStatus::under_review(*on).as_u8(), reason.into())
                        .into_transaction_request(),
                )]
            }
            Action::PokeOracle => self.pokes(keeper, &self.oracles, |o, p| {
                ConservativeOracle::new(o, p).poke().into_transaction_request()
            }),
            Action::PokeBreaker => self.pokes(keeper, &self.breakers, |b, p| {
                CircuitBreaker::new(b, p).poke().into_transaction_request()
            }),
            _ => return None,
        })
    }

    /// The keeper's poke of each of `targets`, built by `poke` from its address.
    fn pokes(
        &self,
        keeper: Address,
        targets: &[Address],
        poke: impl Fn(Address, DynProvider) -> TransactionRequest,
    ) -> Vec<(Address, TransactionRequest)> {
        targets.iter().map(|t| (keeper, poke(*t, self.tranche.provider().clone()))).collect()
    }

    /// Buys into every constituent at NAV in basket proportions and deposits the units as senior.
    fn subscribe(&self, from: Address, assets: f64) -> Vec<(Address, TransactionRequest)> {
        let unit_nav: f64 = self.unit_shares.iter().zip(&self.navs).map(|(u, n)| u * n).sum();
        if unit_nav <= 0.0 {
            return Vec::new();
        }
        let units = assets / unit_nav;
        let mut txs: Vec<(Address, TransactionRequest)> = self
            .vaults
            .iter()
            .zip(self.unit_shares.iter().zip(&self.navs))
            .map(|(v, (u, nav))| {
                (from, v.subscribe(to_wad(units * u * nav), from).into_transaction_request())
            })
            .collect();
        // A hair under what was bought: subscriptions round shares down, deposits pull rounded up.
        let deposit = self.tranche.deposit(
            Tranche::Senior.as_u8(),
            to_wad(units * (1.0 - 1e-9)),
            from,
            U256::ZERO,
        );
        txs.push((from, deposit.into_transaction_request()));
        txs
    }
}
