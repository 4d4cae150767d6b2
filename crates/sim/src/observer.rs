//! The observer: the world read once before each block, as the crowd's [`View`] and the bots'
//! [`MarketSnapshot`], plus what the tally samples beside the view.

use std::{
    collections::{BTreeMap, BTreeSet},
    sync::Arc,
};

use alloy::{
    primitives::{Address, U256},
    providers::DynProvider,
};
use breakwater_agents::crowd::{Position, Signal, SlowLiquidation, View};
use breakwater_chain::{
    World,
    bindings::{
        CircuitBreaker, ICollateralOracle, IConstantProductPool, ILendingMarket, IRwaVault,
        RedeemToRepayMarket, RwaVault, Stablecoin,
    },
};
use breakwater_world::{BreakerLevel, NavStatus, Reads, from_wad, read::call};

use crate::{Error, Result, basket::Basket, tally::Locked, timeline::Clock, wallets::Ledger};

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
    async fn read(reads: &dyn Reads, vault: Address) -> Result<Self> {
        let (nav, pending, queue, buffer) = tokio::join!(
            call(reads, vault, &IRwaVault::navInfoCall {}, None),
            call(reads, vault, &RwaVault::pendingNavCall {}, None),
            call(reads, vault, &IRwaVault::totalPendingSharesCall {}, None),
            call(reads, vault, &IRwaVault::availableBufferCall {}, None),
        );
        let nav = nav.map_err(|e| Error::read("vault.navInfo()", e))?;
        Ok(Self {
            nav: Nav {
                per_unit: from_wad(nav.navPerShare),
                as_of: nav.asOf,
                pending: pending.map(|p| !p.is_zero()).unwrap_or(false),
                under_review: NavStatus::from_u8(nav.status) == Some(NavStatus::UnderReview),
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
    /// What each borrower's open slow liquidations hold.
    pub(crate) locked: BTreeMap<Address, Locked>,
    /// The market's reserves.
    pub(crate) reserves: f64,
    /// With a basket: the junior tranche's claim at the fundamental values.
    pub(crate) junior: Option<f64>,
}

/// The market under study, the value behind its collateral, and its open slow liquidations.
pub(crate) struct Observer {
    /// The world's addresses and transaction builders (never read through: see `reads`).
    pub(crate) world: World<DynProvider>,
    /// What it reads through: the run's backend.
    pub(crate) reads: Arc<dyn Reads>,
    /// With a basket scenario: the constituents behind the senior market (`world`).
    pub(crate) basket: Option<Basket>,
    /// The borrowers' and the attacker's accounts: the positions read every block.
    accounts: Vec<Address>,
    max_ltv: f64,
    lltv: f64,
    /// The market's liquidation incentive factor (1 + incentive).
    pub(crate) incentive_factor: f64,
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
        reads: Arc<dyn Reads>,
        basket: Option<Basket>,
        accounts: Vec<Address>,
        nav: f64,
    ) -> Result<Self> {
        let market = *world.market.address();
        let params = call(reads.as_ref(), market, &ILendingMarket::paramsCall {}, None)
            .await
            .map_err(|e| Error::read("market.params()", e))?;
        let lif = ILendingMarket::liquidationIncentiveFactorCall {};
        let incentive_factor = call(reads.as_ref(), market, &lif, None)
            .await
            .map_err(|e| Error::read("market.liquidationIncentiveFactor()", e))?;
        Ok(Self {
            world,
            reads,
            basket,
            accounts,
            max_ltv: from_wad(params.maxLtv),
            lltv: from_wad(params.lltv),
            incentive_factor: from_wad(incentive_factor),
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
        let (r, w) = (self.reads.as_ref(), &self.world);
        let (market, oracle, pool) = (*w.market.address(), *w.oracle.address(), *w.pool.address());
        let breaker = w.circuit_breaker().map(|b| *b.address());
        let health = ILendingMarket::positionsHealthCall { borrowers: self.accounts.clone() };
        let vault = *w.vault.address();
        let issuer = async {
            match basket {
                Some(b) => b.read(r).await,
                None => IssuerState::read(r, vault).await,
            }
        };
        let (issuer, reserves, liq, borrow, totals, health, lp_supply, level, supply) = tokio::join!(
            issuer,
            call(r, pool, &IConstantProductPool::getReservesCall {}, None),
            call(r, oracle, &ICollateralOracle::liquidationPriceCall {}, None),
            call(r, oracle, &ICollateralOracle::borrowPriceCall {}, None),
            call(r, market, &ILendingMarket::totalsCall {}, None),
            call(r, market, &health, None),
            call(r, pool, &Stablecoin::totalSupplyCall {}, None),
            async {
                match breaker {
                    Some(b) => call(r, b, &CircuitBreaker::levelCall {}, None).await,
                    None => Ok(BreakerLevel::Normal.as_u8()),
                }
            },
            call(r, vault, &Stablecoin::totalSupplyCall {}, None),
        );
        let issuer = issuer?;
        if let Some(f) = issuer.fundamental {
            self.fundamental = f;
        }
        let reserves = reserves.map_err(|e| Error::read("pool.getReserves()", e))?;
        let totals = totals.map_err(|e| Error::read("market.totals()", e))?;
        let health = health.map_err(|e| Error::read("market.positionsHealth()", e))?;
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
            breaker_level: level.unwrap_or(BreakerLevel::Normal.as_u8()),
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
            supply: supply.map(from_wad).unwrap_or(0.0),
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

    /// What redemption requests `ids` still hold: shares pending and cash settled, unclaimed.
    pub(crate) async fn queued(&self, ids: &[u64]) -> Result<Locked> {
        let mut held = Locked::default();
        for id in ids {
            let (shares, cash) = self.redemption(U256::from(*id)).await?;
            held.shares += shares;
            held.cash += cash;
        }
        Ok(held)
    }

    /// Request `id`'s shares pending and cash settled but unclaimed.
    async fn redemption(&self, id: U256) -> Result<(f64, f64)> {
        let c = IRwaVault::redeemStatusCall { requestId: id };
        let status = call(self.reads.as_ref(), *self.world.vault.address(), &c, None)
            .await
            .map_err(|e| Error::read("vault.redeemStatus()", e))?;
        Ok((from_wad(status.pendingShares), from_wad(status.claimableAssets)))
    }

    /// Open slow liquidations into `view`: settleable once the vault owes the market something.
    /// The debt stays on the position; returns what each borrower's requests hold.
    async fn slow_liquidations(&self, view: &mut View) -> Result<BTreeMap<Address, Locked>> {
        let mut locked: BTreeMap<Address, Locked> = BTreeMap::new();
        let Some(market) = self.world.slow_path_market().map(|m| *m.address()) else {
            return Ok(locked);
        };
        for id in self.slow.clone() {
            let c = RedeemToRepayMarket::slowLiquidationCall { id: U256::from(id) };
            let sl = call(self.reads.as_ref(), market, &c, None)
                .await
                .map_err(|e| Error::read("market.slowLiquidation()", e))?;
            let (shares, cash) = self.redemption(sl.requestId).await?;
            view.slow_liquidations
                .insert(id, SlowLiquidation { borrower: sl.borrower, claimable: cash > 0.0 });
            let held = locked.entry(sl.borrower).or_default();
            held.shares += shares;
            held.cash += cash;
        }
        Ok(locked)
    }
}
