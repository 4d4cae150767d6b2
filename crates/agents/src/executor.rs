//! The transaction executor: turns the liquidation agent's actions into transactions with an
//! explicit nonce, gas limit and EIP-1559 fees, and reports every outcome back as an event.
//!
//! - Each transaction is simulated first (`eth_estimateGas`): a revert, such as a race already
//!   lost to another bot, is decoded into the contract's custom error and reported without
//!   spending gas or a nonce.
//! - Nonces are counted locally so that a block's transactions go out back to back; a nonce the
//!   node rejects (another process used the key, a node restarted) triggers a resync from the
//!   node and one retry.
//! - Receipts are awaited in the background; an on-chain revert is replayed at the parent block
//!   to decode its custom error.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use alloy::{
    eips::BlockId,
    network::TransactionBuilder,
    primitives::{Address, TxHash, U256},
    providers::{DynProvider, Provider},
    rpc::types::TransactionRequest,
    transports::TransportError,
};
use breakwater_bindings::{
    ConstantProductPool, ContractRevert, RedeemToRepayMarket,
    RedeemToRepayMarket::RedeemToRepayMarketErrors, Revert, Stablecoin, revert_of_transport,
};
use tracing::{debug, info, warn};

use crate::{
    Error, Result,
    engine::{BoxFuture, EventSender, Executor},
    liquidation::{
        BotEvent, Fees, LiquidationAction, MarketAddresses, RevertReason, TxKind, TxOutcome,
    },
    metrics::SharedMetrics,
};

/// Fixed gas added to every estimate (see [`ExecutorConfig::gas_margin_percent`]).
pub const GAS_HEADROOM: u64 = 30_000;

/// Settings of the [`TxExecutor`].
#[derive(Debug, Clone)]
pub struct ExecutorConfig {
    /// Gas limit = estimate × (100 + this) / 100 + [`GAS_HEADROOM`]. The estimate runs on the
    /// latest block's state; mined in the next block, the call may also pay for the market's
    /// interest accrual and the pool's or breaker's first write at a new timestamp.
    pub gas_margin_percent: u64,
    /// How long to wait for a receipt before reporting the transaction failed.
    pub receipt_timeout: Duration,
    /// First interval between receipt polls (doubles up to 500 ms).
    pub receipt_poll: Duration,
}

impl Default for ExecutorConfig {
    fn default() -> Self {
        Self {
            gas_margin_percent: 25,
            receipt_timeout: Duration::from_secs(60),
            receipt_poll: Duration::from_millis(10),
        }
    }
}

/// Sends the liquidation bot's transactions from one account.
#[derive(Debug)]
pub struct TxExecutor {
    provider: DynProvider,
    from: Address,
    addresses: MarketAddresses,
    config: ExecutorConfig,
    nonce: Option<u64>,
    /// Set by a receipt watcher whose transaction never showed up: the nonce may be off.
    resync: Arc<AtomicBool>,
    events: EventSender<BotEvent>,
    metrics: SharedMetrics,
}

impl TxExecutor {
    /// An executor sending from `from` (the provider must be able to sign for it, or the node
    /// must hold it unlocked); outcomes go to `events`.
    pub fn new(
        provider: DynProvider,
        from: Address,
        addresses: MarketAddresses,
        config: ExecutorConfig,
        events: EventSender<BotEvent>,
        metrics: SharedMetrics,
    ) -> Self {
        Self {
            provider,
            from,
            addresses,
            config,
            nonce: None,
            resync: Arc::new(AtomicBool::new(false)),
            events,
            metrics,
        }
    }

    /// Approves the market to pull the stablecoin (and, when `sell`, the pool to pull the
    /// collateral) once, with an unlimited allowance, if not already done; waits for receipts.
    pub async fn ensure_approvals(&mut self, sell: bool) -> Result<()> {
        let usd = Stablecoin::new(self.addresses.stablecoin, self.provider.clone());
        let vault = Stablecoin::new(self.addresses.vault, self.provider.clone());
        let mut wanted = vec![(usd, self.addresses.market, "stablecoin → market")];
        if sell {
            wanted.push((vault, self.addresses.pool, "collateral → pool"));
        }
        for (token, spender, what) in wanted {
            let current = token
                .allowance(self.from, spender)
                .call()
                .await
                .map_err(|e| Error::call(format!("allowance {what}"), &e))?;
            if current >= U256::MAX >> 1 {
                continue;
            }
            let tx = token.approve(spender, U256::MAX).into_transaction_request();
            let fees = self.current_fees().await?;
            let action = format!("approve {what}");
            let hash = self.submit(&action, tx, fees).await.map_err(|e| match e {
                NotSent::Reverted(r) => {
                    Error::Transaction { action, message: format!("reverted: {r}") }
                }
                NotSent::Failed(e) => e,
            })?;
            let receipt = wait_receipt(&self.provider, hash, &self.config).await;
            match receipt {
                Some(Ok(_)) => info!(what, "approved once, unlimited"),
                _ => {
                    return Err(Error::Transaction {
                        action: format!("approve {what}"),
                        message: format!("transaction {hash} failed or was not mined"),
                    });
                }
            }
        }
        Ok(())
    }

    async fn current_fees(&self) -> Result<Fees> {
        let f = self
            .provider
            .estimate_eip1559_fees()
            .await
            .map_err(|e| Error::rpc("eth_feeHistory (fee estimate)", e))?;
        Ok(Fees {
            max_fee_per_gas: f.max_fee_per_gas,
            max_priority_fee_per_gas: f.max_priority_fee_per_gas,
        })
    }

    async fn node_nonce(&self) -> Result<u64> {
        self.provider
            .get_transaction_count(self.from)
            .pending()
            .await
            .map_err(|e| Error::rpc(format!("eth_getTransactionCount({}, pending)", self.from), e))
    }

    /// Estimates, fills and sends `tx`; returns its hash, or why it was not sent.
    async fn submit(
        &mut self,
        action: &str,
        tx: TransactionRequest,
        fees: Fees,
    ) -> Result<TxHash, NotSent> {
        let tx = tx.from(self.from);
        let gas = match self.provider.estimate_gas(tx.clone()).await {
            Ok(gas) => gas,
            Err(e) => {
                if let Some(revert) = revert_of_transport(&e) {
                    return Err(NotSent::Reverted(revert));
                }
                self.nonce = None;
                return Err(NotSent::Failed(Error::rpc(format!("{action}: eth_estimateGas"), e)));
            }
        };
        let gas_limit =
            gas.saturating_mul(100 + self.config.gas_margin_percent) / 100 + GAS_HEADROOM;
        if self.resync.swap(false, Ordering::Relaxed) {
            self.nonce = None;
        }
        for attempt in 0..2 {
            let nonce = match self.nonce {
                Some(n) => n,
                None => {
                    let n = self.node_nonce().await.map_err(NotSent::Failed)?;
                    debug!(nonce = n, "nonce synced from the node");
                    n
                }
            };
            let request = tx
                .clone()
                .with_nonce(nonce)
                .with_gas_limit(gas_limit)
                .with_max_fee_per_gas(fees.max_fee_per_gas)
                .with_max_priority_fee_per_gas(fees.max_priority_fee_per_gas);
            match self.provider.send_transaction(request).await {
                Ok(pending) => {
                    self.nonce = Some(nonce + 1);
                    self.metrics.update(|m| m.sent += 1);
                    debug!(action, nonce, hash = %pending.tx_hash(), "sent");
                    return Ok(*pending.tx_hash());
                }
                Err(e) if attempt == 0 && is_nonce_error(&e) => {
                    warn!(action, nonce, error = %e, "nonce rejected: resyncing from the node");
                    self.metrics.update(|m| m.nonce_resyncs += 1);
                    self.nonce = None;
                }
                Err(e) => {
                    self.nonce = None;
                    if let Some(revert) = revert_of_transport(&e) {
                        return Err(NotSent::Reverted(revert));
                    }
                    return Err(NotSent::Failed(Error::rpc(
                        format!("{action}: eth_sendTransaction"),
                        e,
                    )));
                }
            }
        }
        Err(NotSent::Failed(Error::Transaction {
            action: action.into(),
            message: "the node kept rejecting the nonce".into(),
        }))
    }

    /// Sends one action's transaction and watches it in the background; every outcome is
    /// reported as an event.
    async fn send(
        &mut self,
        kind: TxKind,
        action: String,
        tx: TransactionRequest,
        fees: Fees,
    ) -> Result<()> {
        let hash = match self.submit(&action, tx.clone(), fees).await {
            Ok(hash) => hash,
            Err(NotSent::Reverted(revert)) => {
                // The simulation reverted: nothing was sent, nothing was spent.
                let reason = classify(Some(&revert));
                log_revert(&action, &reason, Some(&revert), None);
                self.report(TxOutcome::Reverted { kind, reason }).await;
                return Ok(());
            }
            Err(NotSent::Failed(e)) => {
                self.report(TxOutcome::Failed { kind }).await;
                return Err(e);
            }
        };
        let (provider, config, events) =
            (self.provider.clone(), self.config.clone(), self.events.clone());
        let (resync, from) = (self.resync.clone(), self.from);
        tokio::spawn(async move {
            let outcome = match wait_receipt(&provider, hash, &config).await {
                Some(Ok(block)) => {
                    debug!(%action, %hash, block, "mined");
                    TxOutcome::Mined { kind, block }
                }
                Some(Err(block)) => {
                    let revert = replay(&provider, tx.from(from), block).await;
                    let reason = classify(revert.as_ref());
                    log_revert(&action, &reason, revert.as_ref(), Some(hash));
                    TxOutcome::Reverted { kind, reason }
                }
                None => {
                    warn!(%action, %hash, "no receipt in time: resyncing the nonce before the next send");
                    resync.store(true, Ordering::Relaxed);
                    TxOutcome::Failed { kind }
                }
            };
            let _ = events.send(BotEvent::Outcome(outcome)).await;
        });
        Ok(())
    }

    async fn report(&self, outcome: TxOutcome) {
        let _ = self.events.send(BotEvent::Outcome(outcome)).await;
    }

    async fn run_action(&mut self, action: LiquidationAction) -> Result<()> {
        let a = self.addresses;
        match action {
            LiquidationAction::ConfirmHealth { .. } => Ok(()), // a read, done by the strategy
            LiquidationAction::Liquidate(o) => {
                let market = RedeemToRepayMarket::new(a.market, self.provider.clone());
                let tx =
                    market.liquidate(o.borrower, o.repay, o.min_seized).into_transaction_request();
                let what = format!("liquidate {}", o.borrower);
                self.send(TxKind::Liquidate(o.borrower), what, tx, o.fees).await
            }
            LiquidationAction::SlowLiquidate { borrower, fees } => {
                let market = RedeemToRepayMarket::new(a.market, self.provider.clone());
                let tx = market.slowLiquidate(borrower).into_transaction_request();
                let what = format!("slowLiquidate {borrower}");
                self.send(TxKind::SlowLiquidate(borrower), what, tx, fees).await
            }
            LiquidationAction::Sell(o) => {
                let pool = ConstantProductPool::new(a.pool, self.provider.clone());
                let deadline = U256::from(o.deadline);
                let tx = pool
                    .swap(a.vault, o.amount, o.min_out, self.from, deadline)
                    .into_transaction_request();
                let what = format!("sell {} collateral", o.amount);
                self.send(TxKind::Sell, what, tx, o.fees).await
            }
        }
    }
}

/// Why a transaction was not sent.
enum NotSent {
    /// Its simulation reverted.
    Reverted(Revert),
    /// The node could not be asked, or refused it.
    Failed(Error),
}

impl Executor<LiquidationAction> for TxExecutor {
    fn name(&self) -> &str {
        "transaction executor"
    }

    fn execute(&mut self, action: LiquidationAction) -> BoxFuture<'_, Result<()>> {
        Box::pin(self.run_action(action))
    }
}

/// Whether the node refused a transaction for its nonce (used already, too far ahead, or
/// replacing one in the pool).
fn is_nonce_error(err: &TransportError) -> bool {
    let message = match err.as_error_resp() {
        Some(resp) => resp.message.to_ascii_lowercase(),
        None => return false,
    };
    message.contains("nonce")
        || message.contains("already known")
        || message.contains("replacement")
}

/// Waits for a receipt: `Ok(block)` if it succeeded, `Err(block)` if it reverted, `None` if it
/// did not show up within the timeout.
async fn wait_receipt(
    provider: &DynProvider,
    hash: TxHash,
    config: &ExecutorConfig,
) -> Option<Result<u64, u64>> {
    let started = tokio::time::Instant::now();
    let mut wait = config.receipt_poll;
    while started.elapsed() < config.receipt_timeout {
        match provider.get_transaction_receipt(hash).await {
            Ok(Some(receipt)) => {
                let block = receipt.block_number.unwrap_or_default();
                return Some(if receipt.status() { Ok(block) } else { Err(block) });
            }
            Ok(None) => {}
            Err(e) => debug!(%hash, error = %e, "receipt poll failed"),
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(Duration::from_millis(500));
    }
    None
}

/// Replays a transaction that reverted in `block` to decode why: on the state before the block
/// first, then, if that succeeds (a transaction earlier in the same block changed the state,
/// typically a competitor's liquidation), on the state after it.
async fn replay(provider: &DynProvider, tx: TransactionRequest, block: u64) -> Option<Revert> {
    for at in [block.saturating_sub(1), block] {
        if let Err(e) = provider.call(tx.clone()).block(BlockId::number(at)).await
            && let Some(revert) = revert_of_transport(&e)
        {
            return Some(revert);
        }
    }
    None
}

/// Classifies a decoded revert for the agent.
pub fn classify(revert: Option<&Revert>) -> RevertReason {
    let Some(revert) = revert else {
        return RevertReason::Other("reverted (no revert data)".into());
    };
    match revert.as_contract() {
        Some(ContractRevert::RedeemToRepayMarket(e)) => match e {
            RedeemToRepayMarketErrors::MarketPositionHealthy(_)
            | RedeemToRepayMarketErrors::MarketNoDebt(_) => RevertReason::NotLiquidatable,
            RedeemToRepayMarketErrors::MarketLiquidationThrottled(_) => RevertReason::Throttled,
            RedeemToRepayMarketErrors::MarketSeizedBelowMinimum(_) => {
                RevertReason::SeizedBelowMinimum
            }
            RedeemToRepayMarketErrors::MarketSlowPathClosed(_) => RevertReason::SlowPathClosed,
            _ => RevertReason::Other(revert.to_string()),
        },
        _ => RevertReason::Other(revert.to_string()),
    }
}

fn log_revert(action: &str, reason: &RevertReason, revert: Option<&Revert>, hash: Option<TxHash>) {
    let error = revert.map_or_else(|| "no revert data".to_string(), ToString::to_string);
    let stage = if hash.is_some() { "on chain" } else { "in simulation (not sent)" };
    match reason {
        RevertReason::NotLiquidatable => {
            info!(action, %error, stage, "position no longer liquidatable (race lost?): skipped");
        }
        _ => warn!(action, %error, stage, ?hash, "reverted"),
    }
}
