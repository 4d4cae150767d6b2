//! Breakwater's agents, following artemis's collectors → strategies → executors, and the
//! liquidation bot built on them.
//!
//! - [`engine`]: the [`Collector`], [`Strategy`] and [`Executor`] traits and the [`Engine`] that
//!   wires them with channels; the [`Agent`] trait for pure, deterministic decision makers that
//!   a live strategy and a scenario engine drive alike.
//! - [`liquidation`]: the liquidation bot's agent (borrower index from events, local health,
//!   one batched confirmation, most profitable first within the close factor and the breaker's
//!   allowance, the slow path when only it is open, sell or hold the collateral), its live
//!   strategy and its types.
//! - [`collector`]: new blocks and market logs, with backfill and reconnection.
//! - [`executor`]: transactions with explicit nonces, gas and fees, decoded reverts, nonce
//!   resync.
//! - [`bot`]: all of it wired for one market and one account: [`LiquidationBot`].
//!
//! ```no_run
//! use breakwater_agents::{LiquidationBot, liquidation::{LiquidationConfig, MarketAddresses}};
//! # async fn run(provider: alloy::providers::DynProvider, addresses: MarketAddresses,
//! #              me: alloy::primitives::Address) -> breakwater_agents::Result<()> {
//! let bot = LiquidationBot::new(provider, addresses, 0, LiquidationConfig::new(me));
//! let cancel = tokio_util::sync::CancellationToken::new();
//! bot.run(cancel).await
//! # }
//! ```

pub mod bot;
pub mod collector;
pub mod crowd;
pub mod engine;
mod error;
pub mod executor;
pub mod liquidation;
pub mod math;
pub mod metrics;
pub mod redemption;

pub use bot::LiquidationBot;
pub use engine::{Agent, Collector, Engine, Executor, Strategy};
pub use error::{Error, Result, is_transient_transport};
pub use metrics::{BotMetrics, Scan, SharedMetrics};
pub use tokio_util::sync::CancellationToken;
