//! The live liquidation strategy: the pure [`LiquidationAgent`] plus the reads it asks for. On
//! each new block it reads the snapshot (once), lets the agent shortlist, confirms the shortlist
//! in one `positionsHealth` call, and returns the agent's transactions to the executor.

use std::time::Instant;

use tracing::{debug, info, warn};

use super::{
    agent::LiquidationAgent,
    reader::MarketReader,
    types::{BotEvent, LiquidationAction, LiquidationEvent},
};
use crate::{
    Result,
    collector::NewBlock,
    engine::{Agent, BoxFuture, Strategy},
    metrics::{Scan, SharedMetrics},
};

/// The liquidation bot's strategy (see the module docs).
#[derive(Debug)]
pub struct LiquidationStrategy {
    agent: LiquidationAgent,
    reader: MarketReader,
    metrics: SharedMetrics,
}

impl LiquidationStrategy {
    /// A strategy around `agent`, reading through `reader`.
    pub fn new(agent: LiquidationAgent, reader: MarketReader, metrics: SharedMetrics) -> Self {
        Self { agent, reader, metrics }
    }

    /// The agent (its index and counters).
    pub fn agent(&self) -> &LiquidationAgent {
        &self.agent
    }

    /// Runs the agent on one event.
    fn feed(&mut self, event: LiquidationEvent) -> Vec<LiquidationAction> {
        let actions = self.agent.on_event(event);
        let stats = self.agent.stats();
        self.metrics.update(|m| m.agent = stats);
        actions
    }

    async fn on_block(&mut self, block: NewBlock) -> Vec<LiquidationAction> {
        let started = Instant::now();
        let snapshot = match self.reader.snapshot(&block).await {
            Ok(s) => s,
            Err(e) => {
                warn!(block = block.number, error = %e, "snapshot read failed: skipping the block");
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        let mut shortlisted = 0;
        for action in self.feed(LiquidationEvent::Snapshot(snapshot)) {
            let LiquidationAction::ConfirmHealth { block, borrowers } = action else {
                out.push(action);
                continue;
            };
            shortlisted += borrowers.len();
            match self.reader.positions_health(block, borrowers).await {
                Ok(positions) => {
                    let n = positions.iter().filter(|p| p.liquidatable).count();
                    debug!(block, shortlisted, liquidatable = n, "confirmed");
                    out.extend(self.feed(LiquidationEvent::Health { block, positions }));
                }
                Err(e) => warn!(block, error = %e, "confirmation read failed: skipping the block"),
            }
        }
        let scan = Scan {
            block: block.number,
            indexed: self.agent.index().len(),
            shortlisted,
            actions: out.len(),
            elapsed: started.elapsed(),
        };
        if !out.is_empty() {
            info!(block = block.number, actions = out.len(), scan = ?scan.elapsed, "block planned");
        }
        self.metrics.record_scan(scan);
        out
    }
}

impl Strategy<BotEvent, LiquidationAction> for LiquidationStrategy {
    fn name(&self) -> &str {
        "liquidation"
    }

    fn sync_state(&mut self) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            let params = self.reader.params().await?;
            info!(lltv = %params.lltv, close_factor = %params.close_factor, lif = %params.lif(), "market parameters");
            self.feed(LiquidationEvent::Params(params));
            Ok(())
        })
    }

    fn process_event(&mut self, event: BotEvent) -> BoxFuture<'_, Vec<LiquidationAction>> {
        Box::pin(async move {
            match event {
                BotEvent::Block(block) => self.on_block(block).await,
                BotEvent::Logs(logs) => self.feed(LiquidationEvent::Logs(logs)),
                BotEvent::Reset => self.feed(LiquidationEvent::Reset),
                BotEvent::Outcome(outcome) => self.feed(LiquidationEvent::Outcome(outcome)),
            }
        })
    }
}
