//! The market collector: new blocks and the market's logs, in chain order. It backfills the logs
//! from a start block, and after any interruption (node restarted, connection lost) it reconnects
//! with exponential backoff and backfills the gap since the last block it processed before it
//! reports a new head, so the borrower index never misses an event. A chain that went backwards
//! or whose new head does not extend the last one seen is reported as a reset, and the index is
//! rebuilt from the start block.

use std::time::Duration;

use alloy::{
    eips::BlockNumberOrTag,
    primitives::{Address, B256},
    providers::{DynProvider, Provider},
    rpc::types::{Filter, Log},
    sol_types::{SolEvent, SolEventInterface},
};
use breakwater_bindings::RedeemToRepayMarket::{self, RedeemToRepayMarketEvents};
use tokio_util::sync::CancellationToken;
use tracing::{debug, error, info, warn};

use crate::{
    Error, Result,
    engine::{BoxFuture, Collector, EventSender},
    liquidation::{BotEvent, LogEntry, MarketLog, RiskParams},
    metrics::SharedMetrics,
};

/// A new head block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewBlock {
    /// Number.
    pub number: u64,
    /// Hash.
    pub hash: B256,
    /// Timestamp.
    pub timestamp: u64,
    /// Base fee per gas (wei; zero before London).
    pub base_fee: u128,
}

/// Settings of the [`MarketCollector`].
#[derive(Debug, Clone)]
pub struct CollectorConfig {
    /// The market whose logs are indexed.
    pub market: Address,
    /// First block to index (the deployment block).
    pub start_block: u64,
    /// How often to ask for a new head.
    pub poll_interval: Duration,
    /// Most blocks per `eth_getLogs`.
    pub max_log_range: u64,
    /// First and longest wait between reconnection attempts.
    pub backoff: (Duration, Duration),
}

impl CollectorConfig {
    /// Defaults for `market` from `start_block`: poll every 50 ms, 10,000 blocks per log
    /// query, back off from 100 ms to 5 s.
    pub fn new(market: Address, start_block: u64) -> Self {
        Self {
            market,
            start_block,
            poll_interval: Duration::from_millis(50),
            max_log_range: 10_000,
            backoff: (Duration::from_millis(100), Duration::from_secs(5)),
        }
    }
}

/// Streams [`BotEvent::Logs`], [`BotEvent::Block`] and [`BotEvent::Reset`].
#[derive(Debug, Clone)]
pub struct MarketCollector {
    provider: DynProvider,
    config: CollectorConfig,
    metrics: SharedMetrics,
}

/// Where the collector is: the next block whose logs to fetch and the last head it reported.
#[derive(Debug, Clone, Copy)]
struct Cursor {
    next: u64,
    last: Option<(u64, B256)>,
}

impl MarketCollector {
    /// A collector on `provider`.
    pub fn new(provider: DynProvider, config: CollectorConfig, metrics: SharedMetrics) -> Self {
        Self { provider, config, metrics }
    }

    async fn run_loop(
        self,
        events: EventSender<BotEvent>,
        cancel: CancellationToken,
    ) -> Result<()> {
        let mut cursor = Cursor { next: self.config.start_block, last: None };
        let (first_backoff, max_backoff) = self.config.backoff;
        let mut backoff = first_backoff;
        let mut down_since_block: Option<u64> = None;
        loop {
            let step = tokio::select! {
                () = cancel.cancelled() => return Ok(()),
                step = self.step(&mut cursor, &events) => step,
            };
            let wait = match step {
                Ok(progressed) => {
                    if let Some(since) = down_since_block.take() {
                        self.metrics.update(|m| m.reconnects += 1);
                        info!(
                            since,
                            head = cursor.next.saturating_sub(1),
                            "RPC reachable again: gap backfilled"
                        );
                    }
                    backoff = first_backoff;
                    if progressed { Duration::ZERO } else { self.config.poll_interval }
                }
                Err(Step::Closed) => return Ok(()),
                Err(Step::Failed(e)) => {
                    if down_since_block.is_none() {
                        down_since_block = Some(cursor.next.saturating_sub(1));
                        if e.is_transient() {
                            warn!(error = %e, "RPC unreachable: reconnecting with backoff");
                        } else {
                            error!(error = %e, "collector read failed: retrying with backoff");
                        }
                    } else {
                        debug!(error = %e, ?backoff, "still unreachable");
                    }
                    let wait = backoff;
                    backoff = (backoff * 2).min(max_backoff);
                    wait
                }
            };
            if !wait.is_zero() {
                tokio::select! {
                    () = cancel.cancelled() => return Ok(()),
                    () = tokio::time::sleep(wait) => {}
                }
            }
        }
    }

    /// One poll: a new head's logs (backfilled in ranges) then the head itself. Returns whether
    /// there was a new head.
    async fn step(
        &self,
        cursor: &mut Cursor,
        events: &EventSender<BotEvent>,
    ) -> Result<bool, Step> {
        let head =
            self.provider.get_block_number().await.map_err(|e| Error::rpc("eth_blockNumber", e))?;
        if cursor.last.is_some_and(|(n, _)| head < n) {
            warn!(head, last = ?cursor.last.map(|l| l.0), "chain went backwards: rebuilding the index");
            return self.reset(cursor, events).await.map(|()| true);
        }
        if head < cursor.next {
            return Ok(false);
        }
        let block = self
            .provider
            .get_block_by_number(BlockNumberOrTag::Number(head))
            .await
            .map_err(|e| Error::rpc(format!("eth_getBlockByNumber({head})"), e))?
            .ok_or_else(|| Error::Call {
                action: format!("eth_getBlockByNumber({head})"),
                message: "the node does not know its own head block".into(),
            })?;
        let header = &block.header;
        // A new head must extend the last one: otherwise a reorg or another chain on the same
        // endpoint. Only checked when the parent is the last head (anything else was backfilled).
        if let Some((n, hash)) = cursor.last
            && head == n + 1
            && header.parent_hash != hash
        {
            warn!(head, "new head does not extend the last one (reorg or new chain): rebuilding");
            return self.reset(cursor, events).await.map(|()| true);
        }

        let mut from = cursor.next;
        while from <= head {
            let to = head.min(from.saturating_add(self.config.max_log_range - 1));
            let logs = self.logs(from, to).await?;
            if !logs.is_empty() {
                debug!(from, to, n = logs.len(), "market logs");
                events.send(BotEvent::Logs(logs)).await.map_err(|_| Step::Closed)?;
            }
            cursor.next = to + 1;
            from = to + 1;
        }
        let new = NewBlock {
            number: head,
            hash: header.hash,
            timestamp: header.timestamp,
            base_fee: header.base_fee_per_gas.map_or(0, u128::from),
        };
        cursor.last = Some((head, header.hash));
        events.send(BotEvent::Block(new)).await.map_err(|_| Step::Closed)?;
        Ok(true)
    }

    async fn reset(&self, cursor: &mut Cursor, events: &EventSender<BotEvent>) -> Result<(), Step> {
        *cursor = Cursor { next: self.config.start_block, last: None };
        self.metrics.update(|m| m.resets += 1);
        events.send(BotEvent::Reset).await.map_err(|_| Step::Closed)
    }

    async fn logs(&self, from: u64, to: u64) -> Result<Vec<LogEntry>> {
        let filter = Filter::new()
            .address(self.config.market)
            .event_signature(vec![
                RedeemToRepayMarket::SupplyCollateral::SIGNATURE_HASH,
                RedeemToRepayMarket::WithdrawCollateral::SIGNATURE_HASH,
                RedeemToRepayMarket::Borrow::SIGNATURE_HASH,
                RedeemToRepayMarket::Repay::SIGNATURE_HASH,
                RedeemToRepayMarket::Liquidate::SIGNATURE_HASH,
                RedeemToRepayMarket::SlowLiquidationStarted::SIGNATURE_HASH,
                RedeemToRepayMarket::SlowLiquidationClosed::SIGNATURE_HASH,
                RedeemToRepayMarket::ParamsSet::SIGNATURE_HASH,
            ])
            .from_block(from)
            .to_block(to);
        let logs = self
            .provider
            .get_logs(&filter)
            .await
            .map_err(|e| Error::rpc(format!("eth_getLogs({from}..={to})"), e))?;
        Ok(logs.iter().filter_map(decode).collect())
    }
}

/// Why a poll stopped.
enum Step {
    /// The engine is shutting down.
    Closed,
    /// A read failed.
    Failed(Error),
}

impl From<Error> for Step {
    fn from(e: Error) -> Self {
        Self::Failed(e)
    }
}

/// Decodes one market log; logs this bot does not track (or pending ones) give `None`.
pub fn decode(log: &Log) -> Option<LogEntry> {
    let (block, log_index) = (log.block_number?, log.log_index?);
    let decoded = RedeemToRepayMarketEvents::decode_log(&log.inner).ok()?;
    let log = match decoded.data {
        RedeemToRepayMarketEvents::SupplyCollateral(e) => {
            MarketLog::SupplyCollateral { borrower: e.onBehalf, assets: e.assets }
        }
        RedeemToRepayMarketEvents::WithdrawCollateral(e) => {
            MarketLog::WithdrawCollateral { borrower: e.borrower, assets: e.assets }
        }
        RedeemToRepayMarketEvents::Borrow(e) => {
            MarketLog::Borrow { borrower: e.borrower, shares: e.shares }
        }
        RedeemToRepayMarketEvents::Repay(e) => {
            MarketLog::Repay { borrower: e.onBehalf, shares: e.shares }
        }
        RedeemToRepayMarketEvents::Liquidate(e) => MarketLog::Liquidate {
            liquidator: e.liquidator,
            borrower: e.borrower,
            repaid_assets: e.repaidAssets,
            repaid_shares: e.repaidShares,
            seized: e.seized,
        },
        RedeemToRepayMarketEvents::SlowLiquidationStarted(e) => MarketLog::SlowLiquidationStarted {
            id: e.id,
            borrower: e.borrower,
            keeper: e.keeper,
            collateral: e.collateral,
        },
        RedeemToRepayMarketEvents::SlowLiquidationClosed(e) => {
            MarketLog::SlowLiquidationClosed { id: e.id }
        }
        RedeemToRepayMarketEvents::ParamsSet(e) => MarketLog::ParamsSet(RiskParams {
            lltv: e.params.lltv,
            close_factor: e.params.closeFactor,
            dust_debt: e.params.dustDebt,
            keeper_fee: e.params.keeperFee,
        }),
        _ => return None,
    };
    Some(LogEntry { block, log_index, log })
}

impl Collector<BotEvent> for MarketCollector {
    fn name(&self) -> &str {
        "market collector"
    }

    fn run(
        self: Box<Self>,
        events: EventSender<BotEvent>,
        cancel: CancellationToken,
    ) -> BoxFuture<'static, Result<()>> {
        Box::pin(self.run_loop(events, cancel))
    }
}
