//! The transaction executor: turns the liquidation agent's actions into transactions through the
//! world's one sender ([`TxSender`]: explicit nonces, padded gas, EIP-1559 fees) and reports
//! every outcome back as an event.
//!
//! - A block's actions are pipelined: every gas estimate in flight at once, then the sends in
//!   order. An estimate that reverts, such as a race already lost to another bot, is decoded into
//!   the contract's custom error and reported without spending gas or a nonce.
//! - Nonces are counted locally; a nonce the node rejects (another process used the key, a node
//!   restarted) triggers a resync from the node.
//! - Receipts are awaited in the background; an on-chain revert is replayed to decode its
//!   custom error.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use alloy::{
    primitives::{Address, TxHash, U256},
    providers::{DynProvider, Provider},
    rpc::types::TransactionRequest,
};
use breakwater_bindings::{ConstantProductPool, RedeemToRepayMarket, Revert, RwaVault, Stablecoin};
use breakwater_world::{Gas, NotSent, TxSender, tx::replay_revert};
use tracing::{debug, info, warn};

use crate::{
    Error, Result,
    engine::{BoxFuture, EventSender, Executor},
    liquidation::{
        BotEvent, Fees, LiquidationAction, MarketAddresses, RevertReason, TxKind, TxOutcome,
    },
    metrics::SharedMetrics,
};

/// Settings of the [`TxExecutor`].
#[derive(Debug, Clone)]
pub struct ExecutorConfig {
    /// How long to wait for a receipt before reporting the transaction failed.
    pub receipt_timeout: Duration,
    /// First interval between receipt polls (doubles up to 500 ms).
    pub receipt_poll: Duration,
}

impl Default for ExecutorConfig {
    fn default() -> Self {
        Self { receipt_timeout: Duration::from_secs(60), receipt_poll: Duration::from_millis(10) }
    }
}

/// Sends the liquidation bot's transactions from one account.
#[derive(Debug)]
pub struct TxExecutor {
    sender: TxSender,
    from: Address,
    addresses: MarketAddresses,
    config: ExecutorConfig,
    /// Set by a receipt watcher whose transaction never showed up: the nonce may be off.
    resync: Arc<AtomicBool>,
    events: EventSender<BotEvent>,
    metrics: SharedMetrics,
}

/// One action ready to send: what it is, a label for logs, the transaction and its fees.
struct Prepared {
    kind: TxKind,
    label: String,
    tx: TransactionRequest,
    fees: Fees,
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
            sender: TxSender::new(provider),
            from,
            addresses,
            config,
            resync: Arc::new(AtomicBool::new(false)),
            events,
            metrics,
        }
    }

    fn provider(&self) -> &DynProvider {
        self.sender.provider()
    }

    /// Approves the market to pull the stablecoin (and, when `sell`, the pool to pull the
    /// collateral) once, with an unlimited allowance, if not already done; waits for receipts.
    pub async fn ensure_approvals(&mut self, sell: bool) -> Result<()> {
        let usd = Stablecoin::new(self.addresses.stablecoin, self.provider().clone());
        let vault = Stablecoin::new(self.addresses.vault, self.provider().clone());
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
            let hash = self.submit(&action, tx, fees).await?;
            match wait_receipt(self.provider(), hash, &self.config).await {
                Some(Ok(_)) => info!(what, "approved once, unlimited"),
                _ => {
                    return Err(Error::Transaction {
                        action,
                        message: format!("transaction {hash} failed or was not mined"),
                    });
                }
            }
        }
        Ok(())
    }

    async fn current_fees(&self) -> Result<Fees> {
        let f = self
            .provider()
            .estimate_eip1559_fees()
            .await
            .map_err(|e| Error::rpc("eth_feeHistory (fee estimate)", e))?;
        Ok(Fees {
            max_fee_per_gas: f.max_fee_per_gas,
            max_priority_fee_per_gas: f.max_priority_fee_per_gas,
        })
    }

    /// Estimates and sends one transaction, waiting for nothing but the node's acceptance.
    async fn submit(&mut self, action: &str, tx: TransactionRequest, fees: Fees) -> Result<TxHash> {
        let tx = tx.from(self.from);
        let sent = match self.sender.gas_limit(&tx, Gas::Estimate).await {
            Ok(limit) => self.sender.send(self.from, tx, limit, fees).await,
            Err(e) => Err(e),
        };
        sent.map_err(|e| Error::Transaction { action: action.into(), message: e.to_string() })
    }

    /// The transaction for one action (`None` for the reads the strategy answers itself).
    fn prepare(&self, action: LiquidationAction) -> Option<Prepared> {
        let (a, p) = (self.addresses, self.provider().clone());
        Some(match action {
            LiquidationAction::ConfirmHealth { .. } => return None,
            LiquidationAction::Liquidate(o) => Prepared {
                kind: TxKind::Liquidate(o.borrower),
                label: format!("liquidate {}", o.borrower),
                tx: RedeemToRepayMarket::new(a.market, p)
                    .liquidate(o.borrower, o.repay, o.min_seized)
                    .into_transaction_request(),
                fees: o.fees,
            },
            LiquidationAction::SlowLiquidate { borrower, fees } => Prepared {
                kind: TxKind::SlowLiquidate(borrower),
                label: format!("slowLiquidate {borrower}"),
                tx: RedeemToRepayMarket::new(a.market, p)
                    .slowLiquidate(borrower)
                    .into_transaction_request(),
                fees,
            },
            LiquidationAction::Sell(o) => Prepared {
                kind: TxKind::Sell,
                label: format!("sell {} collateral", o.amount),
                tx: ConstantProductPool::new(a.pool, p)
                    .swap(a.vault, o.amount, o.min_out, self.from, U256::from(o.deadline))
                    .into_transaction_request(),
                fees: o.fees,
            },
            LiquidationAction::Redeem { shares, fees } => Prepared {
                kind: TxKind::Redeem,
                label: format!("redeem {shares} collateral"),
                tx: RwaVault::new(a.vault, p)
                    .requestRedeem(shares, self.from, self.from)
                    .into_transaction_request(),
                fees,
            },
            LiquidationAction::SettleSlow { id, fees } => Prepared {
                kind: TxKind::SettleSlow,
                label: format!("settleSlowLiquidation {id}"),
                tx: RedeemToRepayMarket::new(a.market, p)
                    .settleSlowLiquidation(id)
                    .into_transaction_request(),
                fees,
            },
            LiquidationAction::Claim { id, fees } => Prepared {
                kind: TxKind::Claim,
                label: format!("claim redemption {id}"),
                tx: RwaVault::new(a.vault, p)
                    .claim(U256::from(id), self.from)
                    .into_transaction_request(),
                fees,
            },
        })
    }

    /// Sends a block's actions pipelined and watches each in the background; every outcome is
    /// reported as an event.
    async fn run_batch(&mut self, actions: Vec<LiquidationAction>) -> Result<()> {
        let prepared: Vec<Prepared> = actions.into_iter().filter_map(|a| self.prepare(a)).collect();
        if prepared.is_empty() {
            return Ok(());
        }
        if self.resync.swap(false, Ordering::Relaxed) {
            self.sender.resync(self.from);
        }
        let batch = prepared.iter().map(|p| (self.from, p.tx.clone(), p.fees)).collect();
        let results = self.sender.send_all(batch, Gas::Estimate).await;
        let (sent, resyncs) = (self.sender.sent(), self.sender.resyncs());
        self.metrics.update(|m| {
            m.sent = sent;
            m.nonce_resyncs = resyncs;
        });
        let mut failure = None;
        for (p, result) in prepared.into_iter().zip(results) {
            match result {
                Ok(hash) => {
                    debug!(action = %p.label, %hash, "sent");
                    self.watch(p, hash);
                }
                Err(NotSent::Reverted(revert)) => {
                    // The simulation reverted: nothing was sent, nothing was spent.
                    let reason = RevertReason::of(Some(&revert));
                    log_revert(&p.label, &reason, Some(&revert), None);
                    self.report(TxOutcome::Reverted { kind: p.kind, reason }).await;
                }
                Err(e) => {
                    self.report(TxOutcome::Failed { kind: p.kind }).await;
                    failure.get_or_insert(Error::Transaction {
                        action: p.label,
                        message: e.to_string(),
                    });
                }
            }
        }
        failure.map_or(Ok(()), Err)
    }

    /// Waits for `hash`'s receipt in the background and reports the outcome.
    fn watch(&self, p: Prepared, hash: TxHash) {
        let (provider, config, events) =
            (self.provider().clone(), self.config.clone(), self.events.clone());
        let (resync, from) = (self.resync.clone(), self.from);
        tokio::spawn(async move {
            let Prepared { kind, label, tx, .. } = p;
            let outcome = match wait_receipt(&provider, hash, &config).await {
                Some(Ok(block)) => {
                    debug!(action = %label, %hash, block, "mined");
                    TxOutcome::Mined { kind, block }
                }
                Some(Err(block)) => {
                    let revert = replay_revert(&provider, tx.from(from), block).await;
                    let reason = RevertReason::of(revert.as_ref());
                    log_revert(&label, &reason, revert.as_ref(), Some(hash));
                    TxOutcome::Reverted { kind, reason }
                }
                None => {
                    warn!(action = %label, %hash, "no receipt in time: resyncing the nonce before the next send");
                    resync.store(true, Ordering::Relaxed);
                    TxOutcome::Failed { kind }
                }
            };
            let _ = events.send(BotEvent::Outcome(outcome)).await;
        });
    }

    async fn report(&self, outcome: TxOutcome) {
        let _ = self.events.send(BotEvent::Outcome(outcome)).await;
    }
}

impl Executor<LiquidationAction> for TxExecutor {
    fn name(&self) -> &str {
        "transaction executor"
    }

    fn execute(&mut self, action: LiquidationAction) -> BoxFuture<'_, Result<()>> {
        Box::pin(self.run_batch(vec![action]))
    }

    fn execute_all(&mut self, actions: Vec<LiquidationAction>) -> BoxFuture<'_, Result<()>> {
        Box::pin(self.run_batch(actions))
    }
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
