//! The liquidation bot's own `Event`, `Action` and `Config` types, free of any RPC type so that
//! the pure agent can be driven by a live chain or by a scenario engine alike.

use alloy::primitives::{Address, U256};

pub use breakwater_world::{Fees, RevertReason};

use crate::{
    math::{self, WAD},
    redemption::RedemptionTerms,
};

/// What the bot does with the collateral it seizes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CollateralPolicy {
    /// Sell it on the AMM, never at an average price worse than `(1 − max_slippage)` × spot
    /// (1e18-scaled); what cannot be sold within the bound is kept for a later block.
    Sell {
        /// Worst acceptable average price below spot, fee included (e.g. 0.03e18).
        max_slippage: U256,
    },
    /// Keep it (e.g. to redeem it at NAV through the vault later).
    Hold,
    /// Per lot, the better of the two: sell it on the AMM (within `max_slippage`) when the pool
    /// pays at least what a redemption at NAV is worth after its wait, cost of capital and
    /// premium (the crowd's arbitrageurs' return test, [`RedemptionTerms`]); queue it for
    /// redemption through the vault otherwise, and claim the cash when it settles.
    SellOrRedeem {
        /// As for `Sell`.
        max_slippage: U256,
        /// What it demands of a redemption.
        terms: RedemptionTerms,
    },
}

impl CollateralPolicy {
    /// The slippage bound of a policy that sells.
    pub fn max_slippage(&self) -> Option<U256> {
        match self {
            Self::Sell { max_slippage } | Self::SellOrRedeem { max_slippage, .. } => {
                Some(*max_slippage)
            }
            Self::Hold => None,
        }
    }
}

/// The liquidation strategy's configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct LiquidationConfig {
    /// The account that liquidates (receives collateral, pays the stablecoin).
    pub liquidator: Address,
    /// Sell or hold seized collateral.
    pub collateral: CollateralPolicy,
    /// Stablecoin the bot may spend on repayments: `None` for its whole balance.
    pub inventory: Option<U256>,
    /// Do not liquidate for less expected profit than this (loan units, 1e18).
    pub min_profit: U256,
    /// Gas one liquidation costs, for the profit estimate.
    pub gas_per_liquidation: u64,
    /// Price of the native coin in loan units (1e18-scaled), to convert gas into loan units.
    pub native_price: U256,
    /// Priority fee per gas offered on every transaction (wei).
    pub priority_fee: u128,
    /// Positions whose local health factor is below 1 + this margin (1e18-scaled) are
    /// shortlisted for the on-chain confirmation (covers interest accrued since the read).
    pub shortlist_margin: U256,
    /// Most positions confirmed in one batched read.
    pub max_confirm: usize,
    /// Most liquidation transactions (fast and slow) sent per block.
    pub max_per_block: usize,
    /// Accept down to this fraction less collateral than expected (`minSeized`), 1e18-scaled.
    pub seize_tolerance: U256,
    /// Blocks after which an unanswered transaction no longer blocks its borrower.
    pub pending_timeout: u64,
    /// Blocks a borrower is skipped after a revert that is not a lost race.
    pub cooldown: u64,
    /// Use the slow redeem-to-repay path when fast liquidation is halted or throttled.
    pub slow_path: bool,
}

impl LiquidationConfig {
    /// Defaults for `liquidator`: sell within 5% slippage, whole balance, any profit above
    /// zero, 300k gas per liquidation at 3,000 loan units per native coin.
    pub fn new(liquidator: Address) -> Self {
        Self {
            liquidator,
            collateral: CollateralPolicy::Sell { max_slippage: WAD / U256::from(20) },
            inventory: None,
            min_profit: U256::ZERO,
            gas_per_liquidation: 300_000,
            native_price: U256::from(3_000) * WAD,
            priority_fee: 1_000_000_000,
            shortlist_margin: WAD / U256::from(1_000),
            max_confirm: 2_000,
            max_per_block: 1_000,
            seize_tolerance: WAD / U256::from(200),
            pending_timeout: 5,
            cooldown: 10,
            slow_path: true,
        }
    }
}

/// The market's risk parameters the bot needs (from `params()` or a `ParamsSet` log).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RiskParams {
    /// Liquidation LTV.
    pub lltv: U256,
    /// Share of the debt one liquidation may repay.
    pub close_factor: U256,
    /// Below this remaining debt a liquidation may close the whole position.
    pub dust_debt: U256,
    /// Share of slow-path proceeds paid to the keeper who started it.
    pub keeper_fee: U256,
}

impl RiskParams {
    /// The liquidation incentive factor these parameters imply.
    pub fn lif(&self) -> U256 {
        math::liquidation_incentive_factor(self.lltv)
    }
}

/// A market event the borrower index cares about, decoded from a `LendingMarket` log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MarketLog {
    /// `SupplyCollateral(caller, onBehalf, assets)`.
    SupplyCollateral {
        /// The position credited.
        borrower: Address,
        /// Collateral added.
        assets: U256,
    },
    /// `WithdrawCollateral(borrower, receiver, assets)`.
    WithdrawCollateral {
        /// The position debited.
        borrower: Address,
        /// Collateral removed.
        assets: U256,
    },
    /// `Borrow(borrower, receiver, assets, shares)`.
    Borrow {
        /// The borrower.
        borrower: Address,
        /// Borrow shares minted.
        shares: U256,
    },
    /// `Repay(caller, onBehalf, assets, shares)`.
    Repay {
        /// The position repaid.
        borrower: Address,
        /// Borrow shares burned.
        shares: U256,
    },
    /// `Liquidate(liquidator, borrower, repaidAssets, repaidShares, seized)`.
    Liquidate {
        /// Who liquidated.
        liquidator: Address,
        /// The position.
        borrower: Address,
        /// Loan assets repaid.
        repaid_assets: U256,
        /// Borrow shares burned.
        repaid_shares: U256,
        /// Collateral seized.
        seized: U256,
    },
    /// `SlowLiquidationStarted(id, borrower, keeper, collateral, debt)`: the position's debt and
    /// that much collateral leave it.
    SlowLiquidationStarted {
        /// The slow liquidation's id.
        id: U256,
        /// The position.
        borrower: Address,
        /// Who started it (is paid the keeper fee).
        keeper: Address,
        /// Collateral moved into the redemption request.
        collateral: U256,
    },
    /// `SlowLiquidationClosed(id, ..)`.
    SlowLiquidationClosed {
        /// The slow liquidation's id.
        id: U256,
    },
    /// `ParamsSet(params)`.
    ParamsSet(RiskParams),
}

/// A market log with its place in the chain (logs are applied once, in this order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    /// Block number.
    pub block: u64,
    /// Index of the log in its block.
    pub log_index: u64,
    /// The decoded log.
    pub log: MarketLog,
}

/// The breaker's answer (`liquidationAllowance`) as one market applies it: while only confirmed
/// losses may be liquidated (a halt and its grace), positions are valued at no less than the NAV
/// anchor and a market with the slow path sends them there instead of selling them fast; any
/// restriction opens that path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Restrictions {
    /// The price health is measured at: `max(liquidationPrice, anchorPrice)` when confirmed-only.
    pub liquidation_price: U256,
    /// What fast liquidation may seize (`U256::MAX` when unrestricted).
    pub fast_allowance: U256,
    /// Whether the redeem-to-repay slow path is open.
    pub slow_path_open: bool,
}

impl Restrictions {
    /// Applies `(seizable, confirmed_only)` to a market with or without the slow path, as the
    /// contracts do (`LendingMarket._liquidationPriceFor`, `RedeemToRepayMarket`).
    pub fn apply(
        (seizable, confirmed_only): (U256, bool),
        slow_path: bool,
        liquidation_price: U256,
        anchor_price: U256,
    ) -> Self {
        let restricted = confirmed_only || seizable != U256::MAX;
        Self {
            liquidation_price: if confirmed_only {
                liquidation_price.max(anchor_price)
            } else {
                liquidation_price
            },
            fast_allowance: if confirmed_only && slow_path { U256::ZERO } else { seizable },
            slow_path_open: slow_path && restricted,
        }
    }
}

/// Everything the bot reads once per block (all pinned to that block).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarketSnapshot {
    /// Block number.
    pub block: u64,
    /// Block timestamp.
    pub timestamp: u64,
    /// The block's base fee per gas (wei).
    pub base_fee: u128,
    /// The price the market measures health at now (loan units per collateral unit, 1e18-scaled):
    /// the oracle's liquidation price, or the NAV anchor if higher while only confirmed losses
    /// may be liquidated.
    pub liquidation_price: U256,
    /// `totals()`: borrow assets with interest accrued to the block.
    pub total_borrow_assets: U256,
    /// `totals()`: borrow shares.
    pub total_borrow_shares: U256,
    /// The breaker's fast allowance: collateral fast liquidation may seize (`U256::MAX` when
    /// unlimited).
    pub fast_allowance: U256,
    /// Whether the slow redeem-to-repay path is open.
    pub slow_path_open: bool,
    /// The AMM's base (collateral) reserve.
    pub pool_base: U256,
    /// The AMM's quote (stablecoin) reserve.
    pub pool_quote: U256,
    /// The liquidator's stablecoin balance.
    pub loan_balance: U256,
    /// The liquidator's collateral balance (seized and not yet sold).
    pub collateral_balance: U256,
    /// The vault's NAV and redemption queue (`None` when the collateral is no such vault, or
    /// the bot does not redeem; boxed: most snapshots carry none).
    pub redemption: Option<Box<RedemptionQuote>>,
}

/// The collateral vault's NAV and redemption queue, for the sell-or-redeem test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RedemptionQuote {
    /// NAV per share (1e18).
    pub nav: U256,
    /// Shares waiting in the queue.
    pub pending: U256,
    /// Shares outstanding.
    pub supply: U256,
    /// Share of the supply paid per epoch (1e18).
    pub gate: U256,
}

impl RedemptionQuote {
    /// The queue in the return test's terms.
    pub fn queue(&self) -> crate::redemption::Queue {
        use breakwater_world::from_wad;
        crate::redemption::Queue {
            pending: from_wad(self.pending),
            supply: from_wad(self.supply),
            gate: from_wad(self.gate),
        }
    }
}

/// One position as `positionsHealth` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PositionHealth {
    /// The borrower.
    pub borrower: Address,
    /// Collateral.
    pub collateral: U256,
    /// Debt with interest accrued.
    pub debt: U256,
    /// Health factor (1e18-scaled).
    pub health_factor: U256,
    /// Whether a liquidation may happen now.
    pub liquidatable: bool,
    /// The most one fast liquidation may repay (close factor applied).
    pub max_repay: U256,
    /// Collateral seized for `max_repay`.
    pub seizable: U256,
}

/// Which of the bot's transactions an outcome is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TxKind {
    /// A fast liquidation of this borrower.
    Liquidate(Address),
    /// A slow liquidation of this borrower.
    SlowLiquidate(Address),
    /// A sale of seized collateral.
    Sell,
    /// A redemption request for held collateral.
    Redeem,
    /// A claim of a settled redemption.
    Claim,
    /// A settlement of a slow liquidation's redemption.
    SettleSlow,
    /// A one-time approval.
    Approve,
}

impl TxKind {
    /// A short name, as in logs and revert counts.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Liquidate(_) => "liquidate",
            Self::SlowLiquidate(_) => "slow_liquidate",
            Self::Sell => "sell",
            Self::Redeem => "redeem",
            Self::Claim => "claim",
            Self::SettleSlow => "settle_slow",
            Self::Approve => "approve",
        }
    }
}

/// What became of one of the bot's transactions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TxOutcome {
    /// Mined and succeeded.
    Mined {
        /// Which transaction.
        kind: TxKind,
        /// The block it was mined in.
        block: u64,
    },
    /// Reverted on chain or at gas estimation (never sent).
    Reverted {
        /// Which transaction.
        kind: TxKind,
        /// Why.
        reason: RevertReason,
    },
    /// Could not be sent or not confirmed (RPC down, nonce trouble, timeout).
    Failed {
        /// Which transaction.
        kind: TxKind,
    },
}

impl TxOutcome {
    /// Which transaction the outcome is about.
    pub fn kind(&self) -> &TxKind {
        match self {
            Self::Mined { kind, .. } | Self::Reverted { kind, .. } | Self::Failed { kind } => kind,
        }
    }
}

/// What the liquidation agent observes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiquidationEvent {
    /// The market's risk parameters (at start).
    Params(RiskParams),
    /// Market logs, in chain order (applied to the borrower index once each).
    Logs(Vec<LogEntry>),
    /// The chain was reset or reorganized below what the index has seen: forget everything
    /// (the collector backfills from the start block next).
    Reset,
    /// This block's reads; the agent answers with the positions to confirm.
    Snapshot(MarketSnapshot),
    /// The batched on-chain confirmation of the shortlist, at `block`.
    Health {
        /// The block the reads were pinned to.
        block: u64,
        /// One entry per shortlisted borrower.
        positions: Vec<PositionHealth>,
    },
    /// What became of a transaction.
    Outcome(TxOutcome),
    /// The bot's redemption requests whose cash is settled and unclaimed.
    Claimable(Vec<u64>),
    /// The bot's slow liquidations whose redemption has cash to settle.
    Settleable(Vec<U256>),
}

/// A fast liquidation to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiquidationOrder {
    /// The borrower.
    pub borrower: Address,
    /// `repayAssets`.
    pub repay: U256,
    /// `minSeized`: the expected seizure less the tolerance.
    pub min_seized: U256,
    /// Collateral expected.
    pub expected_seized: U256,
    /// Expected profit in loan units, gas included.
    pub expected_profit: U256,
    /// Fees to offer.
    pub fees: Fees,
}

/// A sale of collateral on the AMM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SellOrder {
    /// Collateral to sell.
    pub amount: U256,
    /// `minAmountOut`.
    pub min_out: U256,
    /// The deadline (block timestamp bound) for the swap.
    pub deadline: u64,
    /// Fees to offer.
    pub fees: Fees,
}

/// What the liquidation agent asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiquidationAction {
    /// Read `positionsHealth(borrowers)` at `block` and answer with [`LiquidationEvent::Health`].
    ConfirmHealth {
        /// The block to pin the read to.
        block: u64,
        /// The shortlist, most at risk first.
        borrowers: Vec<Address>,
    },
    /// Send a fast liquidation.
    Liquidate(LiquidationOrder),
    /// Move a position to the slow path (`slowLiquidate`).
    SlowLiquidate {
        /// The borrower.
        borrower: Address,
        /// Fees to offer.
        fees: Fees,
    },
    /// Sell seized collateral.
    Sell(SellOrder),
    /// Queue held collateral for redemption at NAV through the vault.
    Redeem {
        /// Shares queued.
        shares: U256,
        /// Fees for the transaction.
        fees: Fees,
    },
    /// Claim the cash of a settled redemption request.
    Claim {
        /// The request.
        id: u64,
        /// Fees for the transaction.
        fees: Fees,
    },
    /// Settle what the vault has paid for a slow liquidation (`settleSlowLiquidation`).
    SettleSlow {
        /// The slow liquidation.
        id: U256,
        /// Fees for the transaction.
        fees: Fees,
    },
}

/// The live bot's engine event: what the collector and the executor report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BotEvent {
    /// A new head block (its logs were sent before it).
    Block(crate::collector::NewBlock),
    /// Market logs, in chain order.
    Logs(Vec<LogEntry>),
    /// The chain was reset or reorganized: the index is rebuilt from the start block.
    Reset,
    /// What became of a transaction.
    Outcome(TxOutcome),
}
