//! The scenario lab's crowd: pure agents that observe one [`View`] of the world per block and
//! answer with [`Action`]s, which the simulator turns into transactions. No I/O, no clock: the
//! only randomness is a [`Rng`] seeded by the scenario, and agents act in a fixed order.
//!
//! Amounts here are plain `f64` loan units (stablecoin, i.e. dollars at the scenario's scale) and
//! vault shares; the simulator converts them to and from the contracts' 1e18 fixed point. IEEE
//! arithmetic without fast-math is deterministic, so the same seed gives the same decisions.
//!
//! The liquidation bots are the [`crate::liquidation::LiquidationAgent`] itself, driven by the
//! simulator through the same events the live bot sees.

mod arbitrageur;
mod attacker;
mod borrower;
mod informed;
mod keeper;
mod lp;
mod reporter;
mod rng;
mod seller;

use std::{collections::BTreeMap, sync::Arc};

use alloy::primitives::Address;

use crate::{engine::Agent, math::POOL_FEE_FACTOR};

pub use arbitrageur::{Arbitrageur, ArbitrageurConfig};
pub use attacker::{Attacker, AttackerConfig};
pub use borrower::{Borrower, BorrowerConfig};
pub use informed::{InformedConfig, InformedTrader};
pub use keeper::Keeper;
pub use lp::{LiquidityProvider, LpConfig};
pub use reporter::{Custodian, NavReporter, ReporterConfig};
pub use rng::Rng;
pub use seller::{RumourSeller, SellerConfig};

/// Every member of the crowd is an [`Agent`] the same way: it observes the block's [`View`] and
/// answers through its own `act`.
macro_rules! crowd_agents {
    ($($member:ty),+ $(,)?) => {$(
        impl Agent for $member {
            type Event = Arc<View>;
            type Action = Action;

            fn on_event(&mut self, view: Arc<View>) -> Vec<Action> {
                self.act(&view)
            }
        }
    )+};
}

crowd_agents!(
    Arbitrageur,
    Attacker,
    Borrower,
    InformedTrader,
    Keeper,
    LiquidityProvider,
    NavReporter,
    Custodian,
    RumourSeller,
);

/// Trades worth less than this (loan units) are not worth sending: at dust sizes the pool's
/// integer rounding, not the price, decides whether a slippage bound holds.
pub(crate) const DUST: f64 = 0.01;

/// An agent's capital, fresh from off-chain, the first time it is asked for (`funded` is then
/// set); `None` afterwards.
fn fund_once(funded: &mut bool, to: Address, amount: f64) -> Option<Action> {
    if *funded {
        return None;
    }
    *funded = true;
    Some(Action::Fund { to, amount })
}

/// The world as every agent sees it at the start of a block (state after the previous block).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct View {
    /// The block being built.
    pub block: u64,
    /// Its timestamp.
    pub timestamp: u64,
    /// AMM reserves: vault shares.
    pub pool_base: f64,
    /// AMM reserves: stablecoin.
    pub pool_quote: f64,
    /// The vault's reported NAV per share.
    pub nav: f64,
    /// When that NAV was struck.
    pub nav_as_of: u64,
    /// A NAV move awaits the confirmer.
    pub nav_pending: bool,
    /// The vault is UnderReview (custodian breach, title challenge).
    pub under_review: bool,
    /// What the assets are really worth per share. The NAV reporter reports it; informed traders
    /// see it late and with noise; everyone else learns it through the NAV and the market.
    pub fundamental: f64,
    /// The market oracle's liquidation price.
    pub oracle_price: f64,
    /// The market oracle's borrow price.
    pub borrow_price: f64,
    /// Breaker level: 0 normal ... 3 halted (0 without a breaker).
    pub breaker_level: u8,
    /// The market's max LTV and liquidation LTV.
    pub max_ltv: f64,
    /// The liquidation LTV.
    pub liquidation_ltv: f64,
    /// Loan assets the market can still lend.
    pub market_liquidity: f64,
    /// Positions of the lab's accounts (collateral shares, debt).
    pub positions: BTreeMap<Address, Position>,
    /// Wallets of the lab's accounts.
    pub wallets: BTreeMap<Address, Wallet>,
    /// Pool LP tokens outstanding.
    pub lp_supply: f64,
    /// Shares waiting in the vault's redemption queue.
    pub pending_redemptions: f64,
    /// Collateral tokens outstanding (the redemption gate is a share of them per epoch).
    pub supply: f64,
    /// Cash the vault's buffer holds for settlements.
    pub buffer: f64,
    /// Redemption requests with settled assets to claim, by controller.
    pub claimable: BTreeMap<Address, Vec<u64>>,
    /// Open slow liquidations by id.
    pub slow_liquidations: BTreeMap<u64, SlowLiquidation>,
    /// What the scenario says happens now.
    pub signals: Vec<Signal>,
    /// The NAV reporter and keepers are silent (oracle/keeper outage).
    pub stalled: bool,
}

/// An open slow liquidation as the keepers see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlowLiquidation {
    /// The position it locks.
    pub borrower: Address,
    /// Its redemption has settled cash to claim now.
    pub claimable: bool,
}

impl View {
    /// The AMM's spot price of a share (0 for an empty pool).
    pub fn spot(&self) -> f64 {
        if self.pool_base > 0.0 { self.pool_quote / self.pool_base } else { 0.0 }
    }

    /// Stablecoin out for `shares` in, after the 0.30% fee.
    pub fn quote_sell(&self, shares: f64) -> f64 {
        let x = shares * POOL_FEE_FACTOR;
        self.pool_quote * x / (self.pool_base + x)
    }

    /// Shares out for `stable` in, after the 0.30% fee.
    pub fn quote_buy(&self, stable: f64) -> f64 {
        let x = stable * POOL_FEE_FACTOR;
        self.pool_base * x / (self.pool_quote + x)
    }

    /// Stablecoin in that buys every share costing at most `target`, the fee included: the
    /// last share bought costs `target` and the average less (0 when the first share already
    /// costs more). With `x` in, a share's marginal cost is (quote + f·x)² / (k·f), f the fee
    /// factor, k the reserves' product.
    pub fn buy_to(&self, target: f64) -> f64 {
        let (k, f) = (self.pool_base * self.pool_quote, POOL_FEE_FACTOR);
        (((k * f * target).sqrt() - self.pool_quote) / f).max(0.0)
    }

    /// Shares in that sell every share fetching at least `target`, the fee included (0 when the
    /// first share already fetches less): a share's marginal proceeds with `y` in are
    /// k·f / (base + f·y)².
    pub fn sell_to(&self, target: f64) -> f64 {
        if target <= 0.0 {
            return 0.0;
        }
        let (k, f) = (self.pool_base * self.pool_quote, POOL_FEE_FACTOR);
        (((k * f / target).sqrt() - self.pool_base) / f).max(0.0)
    }

    /// The pool as `action` would leave it, if it trades on the pool (an estimate: the
    /// transaction may revert or get less than asked). Agents acting later in the same block
    /// see it so: they trade against the flow before them, as a searcher watching the mempool
    /// would.
    pub fn apply(&mut self, action: &Action) {
        match *action {
            Action::Sell { shares, .. } => {
                let out = self.quote_sell(shares);
                (self.pool_base, self.pool_quote) =
                    (self.pool_base + shares, self.pool_quote - out);
            }
            Action::Buy { stable, .. } => {
                let out = self.quote_buy(stable);
                (self.pool_base, self.pool_quote) =
                    (self.pool_base - out, self.pool_quote + stable);
            }
            Action::AddLiquidity { shares, stable, .. } if self.pool_base > 0.0 => {
                self.lp_supply *= 1.0 + shares / self.pool_base;
                (self.pool_base, self.pool_quote) =
                    (self.pool_base + shares, self.pool_quote + stable);
            }
            Action::RemoveLiquidity { lp, .. } if self.lp_supply > 0.0 => {
                let kept = 1.0 - (lp / self.lp_supply).min(1.0);
                self.lp_supply -= lp.min(self.lp_supply);
                (self.pool_base, self.pool_quote) = (self.pool_base * kept, self.pool_quote * kept);
            }
            _ => {}
        }
    }

    /// Claims of every redemption request of `account`'s that the vault has settled.
    pub fn claims(&self, account: Address) -> Vec<Action> {
        let ids = self.claimable.get(&account).into_iter().flatten();
        ids.map(|&id| Action::Claim { from: account, id }).collect()
    }

    /// `account`'s wallet (empty if unknown).
    pub fn wallet(&self, account: &Address) -> Wallet {
        self.wallets.get(account).copied().unwrap_or_default()
    }

    /// `account`'s position (empty if none).
    pub fn position(&self, account: &Address) -> Position {
        self.positions.get(account).copied().unwrap_or_default()
    }
}

/// A borrower's position.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Position {
    /// Collateral (vault shares).
    pub collateral: f64,
    /// Debt with interest (loan units).
    pub debt: f64,
}

impl Position {
    /// Health at `price`: collateral × price × liquidation LTV / debt (infinite without debt).
    pub fn health(&self, price: f64, liquidation_ltv: f64) -> f64 {
        if self.debt <= 0.0 {
            f64::INFINITY
        } else {
            self.collateral * price * liquidation_ltv / self.debt
        }
    }
}

/// Balances of one account.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Wallet {
    /// Stablecoin.
    pub stable: f64,
    /// Vault shares.
    pub shares: f64,
    /// Pool LP tokens.
    pub lp: f64,
}

/// Scenario events as the crowd perceives them.
#[derive(Debug, Clone, PartialEq)]
pub enum Signal {
    /// Rumour wave: holders sell `intensity` of their holdings over `duration` seconds.
    Rumour {
        /// Fraction of holdings.
        intensity: f64,
        /// Seconds over which they sell.
        duration: u64,
    },
    /// Liquidity providers pull `fraction` of their liquidity.
    LpWithdraw {
        /// Fraction of LP tokens.
        fraction: f64,
    },
    /// The NAV reporter strikes a NAV now (the fundamental value).
    ReportNav,
    /// The NAV reporter strikes a wrong NAV now: the fundamental value × (1 + `error`).
    MisreportNav {
        /// Fraction the NAV is off by (−0.05: 5% low).
        error: f64,
    },
    /// A custodian breach or title challenge: the vault goes UnderReview.
    UnderReview,
    /// The review ends: back to Normal.
    Resolved,
    /// The issuer denies the rumour: holders stop a selling wave and calm down; LPs who left
    /// may come back.
    RumourDenied,
    /// Buying wave: holders buy shares with `intensity` of their stablecoin over `duration`
    /// seconds.
    BuyingWave {
        /// Fraction of their stablecoin.
        intensity: f64,
        /// Seconds over which they buy.
        duration: u64,
    },
    /// A redemption run: holders queue `fraction` of their shares for redemption at once; the
    /// custodian raises at most `refill` of what is owed per epoch, nothing for `refill_delay`
    /// seconds, and these limits last `duration` seconds (`None`: to the end).
    RedemptionRun {
        /// Fraction of holdings queued.
        fraction: f64,
        /// Fraction of what is owed raised per epoch.
        refill: f64,
        /// Seconds before the custodian raises anything.
        refill_delay: u64,
        /// Seconds the custodian's limits last.
        duration: Option<u64>,
    },
    /// New borrowing: every borrower borrows up to `utilization` of its max-LTV limit.
    Borrow {
        /// Fraction of the max-LTV limit at the borrow price.
        utilization: f64,
    },
}

/// What an agent asks for; the simulator sends it as one transaction (or mints capital).
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Fresh capital arrives from off-chain (minted stablecoin).
    Fund {
        /// Who receives it.
        to: Address,
        /// Stablecoin.
        amount: f64,
    },
    /// Subscribe to the vault at NAV.
    Subscribe {
        /// Who pays.
        from: Address,
        /// Stablecoin in.
        assets: f64,
    },
    /// Post collateral.
    SupplyCollateral {
        /// The borrower.
        from: Address,
        /// Shares.
        shares: f64,
    },
    /// Borrow.
    Borrow {
        /// The borrower.
        from: Address,
        /// Stablecoin.
        assets: f64,
    },
    /// Repay own debt.
    Repay {
        /// The borrower.
        from: Address,
        /// Stablecoin (capped at the debt by the simulator).
        assets: f64,
    },
    /// Sell shares on the AMM.
    Sell {
        /// The seller.
        from: Address,
        /// Shares in.
        shares: f64,
        /// Least stablecoin accepted.
        min_out: f64,
    },
    /// Buy shares on the AMM.
    Buy {
        /// The buyer.
        from: Address,
        /// Stablecoin in.
        stable: f64,
        /// Least shares accepted.
        min_out: f64,
    },
    /// Add liquidity at the pool's ratio.
    AddLiquidity {
        /// The LP.
        from: Address,
        /// Shares.
        shares: f64,
        /// Stablecoin.
        stable: f64,
    },
    /// Remove liquidity.
    RemoveLiquidity {
        /// The LP.
        from: Address,
        /// LP tokens.
        lp: f64,
    },
    /// Queue shares for redemption at a future NAV.
    RequestRedeem {
        /// The holder.
        from: Address,
        /// Shares.
        shares: f64,
    },
    /// Claim the settled assets of a redemption request.
    Claim {
        /// The request's controller.
        from: Address,
        /// The request.
        id: u64,
    },
    /// Report a NAV per share (the reporter).
    ReportNav {
        /// NAV per share.
        nav: f64,
    },
    /// Confirm a pending large NAV move (the confirmer).
    ConfirmNav,
    /// Set the vault's status (UnderReview or Normal).
    SetUnderReview(bool),
    /// Refill the vault's cash buffer (the custodian).
    RefillBuffer {
        /// Stablecoin.
        assets: f64,
    },
    /// Settle the vault's due epoch.
    SettleEpoch,
    /// Poke the conservative oracle.
    PokeOracle,
    /// Poke the circuit breaker.
    PokeBreaker,
    /// Settle a slow liquidation whose redemption is claimable.
    SettleSlowLiquidation(u64),
    /// Cure a slow liquidation whose borrower repaid the whole debt.
    CureSlowLiquidation(u64),
}

impl Action {
    /// Whether it trades on the pool (see [`View::apply`]).
    pub fn trades_on_pool(&self) -> bool {
        matches!(
            self,
            Self::Sell { .. }
                | Self::Buy { .. }
                | Self::AddLiquidity { .. }
                | Self::RemoveLiquidity { .. }
        )
    }

    /// A short name of the action, for the run's activity counts and logs.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Fund { .. } => "fund",
            Self::Subscribe { .. } => "subscribe",
            Self::SupplyCollateral { .. } => "supply_collateral",
            Self::Borrow { .. } => "borrow",
            Self::Repay { .. } => "repay",
            Self::Sell { .. } => "sell",
            Self::Buy { .. } => "buy",
            Self::AddLiquidity { .. } => "add_liquidity",
            Self::RemoveLiquidity { .. } => "remove_liquidity",
            Self::RequestRedeem { .. } => "request_redeem",
            Self::Claim { .. } => "claim",
            Self::ReportNav { .. } => "report_nav",
            Self::ConfirmNav => "confirm_nav",
            Self::SetUnderReview(_) => "set_status",
            Self::RefillBuffer { .. } => "refill_buffer",
            Self::SettleEpoch => "settle_epoch",
            Self::PokeOracle => "poke_oracle",
            Self::PokeBreaker => "poke_breaker",
            Self::SettleSlowLiquidation(_) => "settle_slow_liquidation",
            Self::CureSlowLiquidation(_) => "cure_slow_liquidation",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::View;

    fn pool(base: f64, quote: f64) -> View {
        View { pool_base: base, pool_quote: quote, ..View::default() }
    }

    #[test]
    fn a_buy_sized_to_a_target_pays_at_most_the_target_on_average_and_ends_at_it() {
        let v = pool(10_000.0, 9_000.0);
        let target = 0.95;
        let x = v.buy_to(target);
        let out = v.quote_buy(x);
        assert!(x > 0.0 && x / out <= target, "average {}", x / out);
        // The next share costs the target: a little more stable buys shares at above it.
        let dx = 1e-3;
        let marginal = dx / (v.quote_buy(x + dx) - out);
        assert!((marginal - target).abs() < 1e-5, "marginal {marginal}");
        // Within the fee of the spot price, nothing is worth buying.
        assert_eq!(pool(10_000.0, 9_480.0).buy_to(target), 0.0);
    }

    #[test]
    fn trades_move_the_pool_seen_by_later_agents() {
        use super::{Action, Address};
        let me = Address::ZERO;
        let mut v = View { lp_supply: 100.0, ..pool(10_000.0, 10_000.0) };
        v.apply(&Action::Sell { from: me, shares: 1_000.0, min_out: 0.0 });
        assert!((v.pool_base - 11_000.0).abs() < 1e-9 && v.spot() < 0.83, "{}", v.spot());
        let before = v.spot();
        v.apply(&Action::Buy { from: me, stable: v.buy_to(0.95), min_out: 0.0 });
        // The fee stays in the pool: the next swap starts a hair above the target.
        assert!(v.spot() > before && (v.spot() / 0.997 - 0.95).abs() < 1e-3, "{}", v.spot());
        v.apply(&Action::RemoveLiquidity { from: me, lp: 50.0 });
        assert!((v.lp_supply - 50.0).abs() < 1e-9);
        let spot = v.spot();
        v.apply(&Action::Subscribe { from: me, assets: 1.0 });
        assert_eq!(v.spot(), spot);
    }

    #[test]
    fn a_sale_sized_to_a_target_fetches_at_least_the_target_on_average_and_ends_at_it() {
        let v = pool(10_000.0, 11_000.0);
        let target = 1.05;
        let y = v.sell_to(target);
        let out = v.quote_sell(y);
        assert!(y > 0.0 && out / y >= target, "average {}", out / y);
        let dy = 1e-3;
        let marginal = (v.quote_sell(y + dy) - out) / dy;
        assert!((marginal - target).abs() < 1e-5, "marginal {marginal}");
        assert_eq!(pool(10_000.0, 10_520.0).sell_to(target), 0.0);
    }
}
