//! The live liquidation bot: the engine wired with the market collector, the liquidation
//! strategy and the transaction executor, for one account on one market.

use std::time::Duration;

use alloy::providers::DynProvider;
use tokio_util::sync::CancellationToken;
use tracing::info;

use crate::{
    Error, Result,
    collector::{CollectorConfig, MarketCollector},
    engine::Engine,
    executor::{ExecutorConfig, TxExecutor},
    liquidation::{
        BotEvent, LiquidationAction, LiquidationAgent, LiquidationConfig, LiquidationStrategy,
        MarketAddresses, MarketReader,
    },
    math::WAD,
    metrics::SharedMetrics,
};

/// A liquidation bot ready to run (see [`LiquidationBot::run`]).
#[derive(Debug, Clone)]
pub struct LiquidationBot {
    provider: DynProvider,
    addresses: MarketAddresses,
    /// The strategy's configuration.
    pub strategy: LiquidationConfig,
    /// The collector's configuration (start block, polling, backoff).
    pub collector: CollectorConfig,
    /// The executor's configuration (receipt timeout and polling).
    pub executor: ExecutorConfig,
    metrics: SharedMetrics,
}

impl LiquidationBot {
    /// A bot for the market at `addresses`, indexing its logs from `start_block` (the
    /// deployment block), sending from `strategy.liquidator` through `provider`.
    pub fn new(
        provider: DynProvider,
        addresses: MarketAddresses,
        start_block: u64,
        strategy: LiquidationConfig,
    ) -> Self {
        Self {
            provider,
            collector: CollectorConfig::new(addresses.market, start_block),
            addresses,
            strategy,
            executor: ExecutorConfig::default(),
            metrics: SharedMetrics::new(),
        }
    }

    /// Sets how often the node is asked for a new block.
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.collector.poll_interval = interval;
        self
    }

    /// The bot's live counters (clone it before [`LiquidationBot::run`] to watch them).
    pub fn metrics(&self) -> SharedMetrics {
        self.metrics.clone()
    }

    /// Checks the configuration, approves the market (and the pool when selling) once, then
    /// runs until `cancel` fires. RPC failures while running are retried, not returned.
    pub async fn run(self, cancel: CancellationToken) -> Result<()> {
        validate(&self.strategy)?;
        let liquidator = self.strategy.liquidator;
        let sell = self.strategy.collateral.max_slippage().is_some();
        let mut engine: Engine<BotEvent, LiquidationAction> = Engine::new();
        let mut executor = TxExecutor::new(
            self.provider.clone(),
            liquidator,
            self.addresses,
            self.executor,
            engine.event_sender(),
            self.metrics.clone(),
        );
        executor.ensure_approvals(sell).await?;
        let reader = MarketReader::new(self.provider.clone(), &self.addresses, liquidator);
        let agent = LiquidationAgent::new(self.strategy);
        engine.add_collector(Box::new(MarketCollector::new(
            self.provider,
            self.collector,
            self.metrics.clone(),
        )));
        engine.add_strategy(Box::new(LiquidationStrategy::new(
            agent,
            reader,
            self.metrics.clone(),
        )));
        engine.add_executor(Box::new(executor));
        info!(%liquidator, market = %self.addresses.market, "liquidation bot running");
        engine.run(cancel).await
    }
}

/// Rejects configurations that cannot work, naming the field.
pub fn validate(config: &LiquidationConfig) -> Result<()> {
    let bad = |field, problem: String| Err(Error::Config { field, problem });
    if let Some(max_slippage) = config.collateral.max_slippage()
        && (max_slippage.is_zero() || max_slippage >= WAD)
    {
        return bad("sell.max_slippage", format!("{max_slippage} must be in (0, 1e18)"));
    }
    if config.seize_tolerance >= WAD {
        return bad("seize_tolerance", format!("{} must be below 1e18", config.seize_tolerance));
    }
    if config.max_confirm == 0 {
        return bad("max_confirm", "must be at least 1".into());
    }
    if config.max_per_block == 0 {
        return bad("max_per_block", "must be at least 1".into());
    }
    if config.native_price.is_zero() {
        return bad("native_price", "must be positive (gas is priced in loan units)".into());
    }
    Ok(())
}
