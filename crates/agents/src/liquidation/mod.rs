//! The liquidation bot: a pure [`LiquidationAgent`] (index, health, planning), the live
//! [`LiquidationStrategy`] that feeds it the reads it asks for through a [`MarketReader`], and
//! its own event, action and configuration types; [`Claims`] finds what the vault has settled
//! for it.

mod agent;
mod claims;
mod index;
mod reader;
mod strategy;
mod types;

pub use agent::{AgentStats, LiquidationAgent};
pub use claims::{Claims, Due};
pub use index::{BorrowerIndex, IndexedPosition};
pub use reader::{MarketAddresses, MarketReader};
pub use strategy::LiquidationStrategy;
pub use types::{
    BotEvent, CollateralPolicy, Fees, LiquidationAction, LiquidationConfig, LiquidationEvent,
    LiquidationOrder, LogEntry, MarketLog, MarketSnapshot, PositionHealth, RedemptionQuote,
    Restrictions, RevertReason, RiskParams, SellOrder, TxKind, TxOutcome,
};
