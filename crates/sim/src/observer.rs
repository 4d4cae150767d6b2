//! The observer: the world read once before each block, as the crowd's [`View`] and the bots'
//! [`MarketSnapshot`], plus what the tally samples beside the view.

use std::collections::{BTreeMap, BTreeSet};

use alloy::{
    primitives::{Address, U256},
    providers::DynProvider,
};
use breakwater_agents::crowd::{Position, Signal, SlowLiquidation, View};
use breakwater_chain::World;
use breakwater_world::from_wad;

use crate::{Error, Result, basket::Basket, timeline::Clock, wallets::Ledger};

/// The NAV as last reported: per unit of collateral, when it was struck, whether a move awaits
/// the confirmer, whether it is under review (a custodian breach).
pub(crate) struct Nav {
    pub(crate) per_unit: f64,
    pub(crate) as_of: u64,
    pub(crate) pending: bool,
    pub(crate) under_review: bool,
}

/// The collateral's issuer state as the issuer reports it: the vault's NAV, its status and its
/// redemption queue and buffer, or with a basket, the senior claim per token at the reported
/// NAVs (and what it is really worth).
pub(crate) struct IssuerState {
    pub(crate) nav: Nav,
    /// Shares waiting in the redemption queue, and the cash buffer that pays them.
    pub(crate) pending_redemptions: f64,
    pub(crate) buffer: f64,
    /// The fundamental value per unit of collateral, when it follows from the chain's state
    /// (a basket's units and principal); a lone vault's is the engine's own.
    pub(crate) fundamental: Option<f64>,
    /// With a basket: the junior tranche's claim at the fundamental values.
    pub(crate) junior: Option<f64>,
}

impl IssuerState {
    /// Reads a lone vault's.
    async fn read(w: &World<DynProvider>) -> Result<Self> {
        let vault = w.vault_interface();
        let (c_nav, c_pending, c_queue, c_buffer) = (
            vault.navInfo(),
            w.vault.pendingNav(),
            vault.totalPendingShares(),
            vault.availableBuffer(),
        );
        let (nav, pending, queue, buffer) =
            tokio::join!(c_nav.call(), c_pending.call(), c_queue.call(), c_buffer.call());
        let nav = nav.map_err(|e| Error::call("vault.navInfo()", &e))?;
        Ok(Self {
            nav: Nav {
                per_unit: from_wad(nav.navPerShare),
                as_of: nav.asOf,
                pending: pending.map(|p| !p.is_zero()).unwrap_or(false),
                under_review: nav.status == 1,
            },
            pending_redemptions: queue.map(from_wad).unwrap_or(0.0),
            buffer: buffer.map(from_wad).unwrap_or(0.0),
            fundamental: None,
            junior: None,
        })
    }
}

/// One read of the world: the view and what the tally samples beside it.
pub(crate) struct Observation {
    pub(crate) view: View,
    /// What each borrower's open slow liquidations will pay (at the fundamental value).
    pub(crate) locked: BTreeMap<Address, f64>,
    /// The market's reserves.
    pub(crate) reserves: f64,
    /// With a basket: the junior tranche's claim at the fundamental values.
    pub(crate) junior: Option<f64>,
}

/// The market under study, the value behind its collateral, and its open slow liquidations.
pub(crate) struct Observer {
    pub(crate) world: World<DynProvider>,
    /// With a basket scenario: the constituents behind the senior market (`world`).
    pub(crate) basket: Option<Basket>,
    /// The borrowers' and the attacker's accounts: the positions read every block.
    accounts: Vec<Address>,
    max_ltv: f64,
    lltv: f64,
    /// The market's open slow liquidations.
    pub(crate) slow: BTreeSet<u64>,
    /// The fundamental value per unit of collateral.
    pub(crate) fundamental: f64,
    /// The NAV read before the current block (the tally values seized collateral at it).
    pub(crate) nav: f64,
}

impl Observer {
    /// An observer of `world` (and `basket`) reading `accounts`' positions; the collateral is
    /// worth `nav` to begin with.
    pub(crate) async fn new(
        world: World<DynProvider>,
        basket: Option<Basket>,
        accounts: Vec<Address>,
        nav: f64,
    ) -> Result<Self> {
        let params =
            world.market.params().call().await.map_err(|e| Error::call("market.params()", &e))?;
        Ok(Self {
            world,
            basket,
            accounts,
            max_ltv: from_wad(params.maxLtv),
            lltv: from_wad(params.lltv),
            slow: BTreeSet::new(),
            fundamental: nav,
            nav,
        })
    }

    /// Reads the world before the block after `head`, at the clock's time; `signals` are what
    /// the crowd perceives and `ledger` what the accounts hold.
    pub(crate) async fn view(
        &mut self,
        signals: Vec<Signal>,
        ledger: &Ledger,
        clock: &Clock,
        head: u64,
    ) -> Result<Observation> {
        let basket = self.basket.as_mut();
        let w = &self.world;
        let market = w.market_interface();
        let pool = w.pool_interface();
        let breaker = w.circuit_breaker();
        let c_reserves = pool.getReserves();
        let (c_liq, c_borrow, c_totals) =
            (w.oracle.liquidationPrice(), w.oracle.borrowPrice(), market.totals());
        let (c_health, c_lp) =
            (market.positionsHealth(self.accounts.clone()), w.pool.totalSupply());
        let c_level = breaker.as_ref().map(|b| b.level());
        let issuer = async {
            match basket {
                Some(b) => b.read().await,
                None => IssuerState::read(w).await,
            }
        };
        let (issuer, reserves, liq, borrow, totals, health, lp_supply, level) = tokio::join!(
            issuer,
            c_reserves.call(),
            c_liq.call(),
            c_borrow.call(),
            c_totals.call(),
            c_health.call(),
            c_lp.call(),
            async {
                match &c_level {
                    Some(l) => l.call().await,
                    None => Ok(0),
                }
            },
        );
        let issuer = issuer?;
        if let Some(f) = issuer.fundamental {
            self.fundamental = f;
        }
        let reserves = reserves.map_err(|e| Error::call("pool.getReserves()", &e))?;
        let totals = totals.map_err(|e| Error::call("market.totals()", &e))?;
        let health = health.map_err(|e| Error::call("market.positionsHealth()", &e))?;
        let mut view = View {
            block: head + 1,
            timestamp: clock.timestamp(0),
            pool_base: from_wad(reserves.reserveBase),
            pool_quote: from_wad(reserves.reserveQuote),
            nav: issuer.nav.per_unit,
            nav_as_of: issuer.nav.as_of,
            nav_pending: issuer.nav.pending,
            under_review: issuer.nav.under_review,
            fundamental: self.fundamental,
            // A spot oracle over an emptied pool, or a halted one, may revert: read it as 0.
            oracle_price: liq.map(from_wad).unwrap_or(0.0),
            borrow_price: borrow.map(from_wad).unwrap_or(0.0),
            breaker_level: level.unwrap_or(0),
            max_ltv: self.max_ltv,
            liquidation_ltv: self.lltv,
            market_liquidity: from_wad(
                totals.totalSupplyAssets.saturating_sub(totals.totalBorrowAssets),
            ),
            positions: health
                .iter()
                .map(|h| {
                    (
                        h.borrower,
                        Position { collateral: from_wad(h.collateral), debt: from_wad(h.debt) },
                    )
                })
                .collect(),
            wallets: ledger.wallets(),
            lp_supply: lp_supply.map(from_wad).unwrap_or(0.0),
            pending_redemptions: issuer.pending_redemptions,
            buffer: issuer.buffer,
            claimable: ledger.claimable(),
            slow_liquidations: BTreeMap::new(),
            signals,
            stalled: clock.stalled(0),
        };
        let locked = self.slow_liquidations(&mut view).await?;
        self.nav = view.nav;
        Ok(Observation {
            view,
            locked,
            reserves: from_wad(totals.totalReserves),
            junior: issuer.junior,
        })
    }

    /// Open slow liquidations into `view`: settleable once the vault owes the market something.
    /// The debt stays on the position; returns what each borrower's requests will pay.
    async fn slow_liquidations(&self, view: &mut View) -> Result<BTreeMap<Address, f64>> {
        let mut locked: BTreeMap<Address, f64> = BTreeMap::new();
        let slow_market = self.world.slow_path_market();
        for id in self.slow.clone() {
            let Some(m) = &slow_market else { break };
            let sl = m
                .slowLiquidation(U256::from(id))
                .call()
                .await
                .map_err(|e| Error::call("market.slowLiquidation()", &e))?;
            let status = self
                .world
                .vault_interface()
                .redeemStatus(sl.requestId)
                .call()
                .await
                .map_err(|e| Error::call("vault.redeemStatus()", &e))?;
            let claimable = !status.claimableAssets.is_zero();
            view.slow_liquidations.insert(id, SlowLiquidation { borrower: sl.borrower, claimable });
            *locked.entry(sl.borrower).or_default() += from_wad(status.pendingShares)
                * self.fundamental
                + from_wad(status.claimableAssets);
        }
        Ok(locked)
    }
}
