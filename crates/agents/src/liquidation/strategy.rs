//! The live liquidation strategy: the pure [`LiquidationAgent`] plus the reads it asks for. On
//! each new block it reads the snapshot (once), lets the agent shortlist, confirms the shortlist
//! in one `positionsHealth` call, and returns the agent's transactions to the executor. It also
//! collects what the vault has settled for it ([`Claims`]): its slow liquidations and, when it
//! may redeem, its own redemptions.

use std::time::Instant;

use tracing::{debug, info, warn};

use super::{
    agent::LiquidationAgent,
    claims::Claims,
    reader::MarketReader,
    types::{BotEvent, CollateralPolicy, LiquidationAction, LiquidationEvent},
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
    /// What the vault owes it, when it may redeem or use the slow path.
    claims: Option<Claims>,
}

impl LiquidationStrategy {
    /// A strategy around `agent`, reading through `reader` (with the vault's NAV and queue
    /// when the agent may redeem).
    pub fn new(agent: LiquidationAgent, reader: MarketReader, metrics: SharedMetrics) -> Self {
        let config = agent.config();
        let redeems = matches!(config.collateral, CollateralPolicy::SellOrRedeem { .. });
        let slow = config.slow_path && reader.slow_path();
        let reader = if redeems { reader.with_redemptions() } else { reader };
        let claims = (redeems || slow).then(|| Claims::new(redeems));
        Self { agent, reader, metrics, claims }
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
        // Without the quote a redeeming bot's collateral is no vault whose queue could be read.
        let vault = snapshot.redemption.is_some() || !self.reader.redeems();
        let mut out = if vault { self.collect(block.number).await } else { Vec::new() };
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

    /// Claims of its settled redemptions and settlements of its slow liquidations at `block`.
    async fn collect(&mut self, block: u64) -> Vec<LiquidationAction> {
        let Some(claims) = self.claims.as_mut() else { return Vec::new() };
        let me = self.agent.config().liquidator;
        let slow = (self.agent.index().open_slow_liquidations().iter())
            .filter(|(_, (_, keeper))| *keeper == me)
            .map(|(id, _)| *id)
            .collect();
        let retry_after = self.agent.config().pending_timeout;
        let due = match claims.due(&self.reader, block, retry_after, &slow).await {
            Ok(due) => due,
            Err(e) => {
                warn!(block, error = %e, "redemption read failed: collecting later");
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        if !due.redemptions.is_empty() {
            info!(block, requests = ?due.redemptions, "claiming settled redemptions");
            out.extend(self.feed(LiquidationEvent::Claimable(due.redemptions)));
        }
        if !due.slow_liquidations.is_empty() {
            info!(block, slow_liquidations = ?due.slow_liquidations, "settling slow liquidations");
            out.extend(self.feed(LiquidationEvent::Settleable(due.slow_liquidations)));
        }
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
                BotEvent::Reset => {
                    if let Some(claims) = self.claims.as_mut() {
                        claims.clear();
                    }
                    self.feed(LiquidationEvent::Reset)
                }
                BotEvent::Outcome(outcome) => self.feed(LiquidationEvent::Outcome(outcome)),
            }
        })
    }
}
