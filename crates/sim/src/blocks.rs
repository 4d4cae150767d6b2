//! The block builder: sends the lab's transactions (impersonated, explicit nonces, fixed gas),
//! mines each block at its timestamp, attributes every receipt to its sender (activity counts,
//! the bots' outcomes), and folds the block's logs into balances, slow liquidations and the
//! tally.

use std::collections::{BTreeMap, BTreeSet};

use alloy::{
    network::TransactionBuilder,
    primitives::{Address, B256},
    providers::{DynProvider, Provider},
    rpc::types::{Log, TransactionRequest},
    sol_types::SolEvent,
};
use breakwater_agents::liquidation::{RevertReason, TxKind, TxOutcome};
use breakwater_chain::{
    bindings::{
        CircuitBreaker, ConstantProductPool, LendingMarket, RedeemToRepayMarket, RwaVault,
        Stablecoin,
    },
    dev,
};
use tracing::debug;

use crate::{
    Activity, Error, OnProgress, Progress, Result,
    node::TX_GAS,
    observer::Observer,
    tally::Tally,
    units::float,
    wallets::{Ledger, Token},
};

/// Who sent a transaction, for outcomes and attribution.
#[derive(Debug, Clone)]
pub(crate) enum Sender {
    /// A crowd agent's action: "role:action".
    Crowd(String),
    /// Bot `i`'s transaction.
    Bot(usize, TxKind),
}

/// A mined block: its logs, and the outcomes of the bots' transactions in it, in sending order.
pub(crate) struct Mined {
    pub(crate) block: u64,
    pub(crate) logs: Vec<Log>,
    pub(crate) outcomes: Vec<(usize, TxOutcome)>,
}

/// Sends, mines and counts.
pub(crate) struct BlockBuilder {
    lab: DynProvider,
    nonces: BTreeMap<Address, u64>,
    /// Transactions sent.
    pub(crate) sent: u64,
    /// Blocks mined.
    pub(crate) blocks: u64,
    /// Transactions by "role:action".
    pub(crate) activity: BTreeMap<String, Activity>,
    /// The chain's latest block number, and its timestamp.
    pub(crate) head: u64,
    pub(crate) head_timestamp: u64,
    /// Blocks the run will mine in all, and who to tell as they are.
    pub(crate) total: u64,
    pub(crate) progress: Option<OnProgress>,
}

impl BlockBuilder {
    /// A builder sending through `lab` on a chain whose head is block `head` at `timestamp`.
    pub(crate) fn new(lab: DynProvider, head: u64, timestamp: u64) -> Self {
        Self {
            lab,
            nonces: BTreeMap::new(),
            sent: 0,
            blocks: 0,
            activity: BTreeMap::new(),
            head,
            head_timestamp: timestamp,
            total: 0,
            progress: None,
        }
    }

    /// The provider it sends through.
    pub(crate) fn lab(&self) -> &DynProvider {
        &self.lab
    }

    /// Tells the progress callback where the run is.
    pub(crate) fn report_progress(&self) {
        if let Some(p) = &self.progress {
            p.call(Progress { job: 0, block: self.blocks, blocks: self.total.max(self.blocks) });
        }
    }

    /// Sends one transaction from `from` (impersonated) with the next nonce.
    pub(crate) async fn send(&mut self, from: Address, tx: TransactionRequest) -> Result<B256> {
        let nonce = match self.nonces.get(&from) {
            Some(n) => *n,
            None => self
                .lab
                .get_transaction_count(from)
                .pending()
                .await
                .map_err(|e| Error::rpc("eth_getTransactionCount", e))?,
        };
        self.nonces.insert(from, nonce + 1);
        let tx = tx
            .from(from)
            .with_nonce(nonce)
            .with_gas_limit(TX_GAS)
            .with_max_fee_per_gas(2_000_000_000)
            .with_max_priority_fee_per_gas(1_000_000_000);
        let pending = self
            .lab
            .send_transaction(tx)
            .await
            .map_err(|e| Error::rpc("eth_sendTransaction", e))?;
        self.sent += 1;
        Ok(*pending.tx_hash())
    }

    /// Mines the pending transactions in a block at `timestamp`; counts every one of `sent` and
    /// returns the block's logs and the bots' outcomes.
    pub(crate) async fn mine(
        &mut self,
        timestamp: u64,
        sent: Vec<(B256, Sender)>,
    ) -> Result<Mined> {
        dev::mine_at(&self.lab, timestamp).await?;
        self.blocks += 1;
        self.report_progress();
        self.head += 1;
        self.head_timestamp = timestamp;
        let receipts = self
            .lab
            .get_block_receipts(alloy::eips::BlockId::latest())
            .await
            .map_err(|e| Error::rpc("eth_getBlockReceipts", e))?
            .unwrap_or_default();
        let mut status = BTreeMap::new();
        let mut logs = Vec::new();
        for r in &receipts {
            status.insert(r.transaction_hash, r.status());
            logs.extend(r.inner.logs().iter().cloned());
        }
        let block = self.head;
        if sent.iter().any(|(h, _)| !status.contains_key(h)) {
            return Err(Error::Setup(format!("a transaction was left out of block {block}")));
        }
        let liquidated: BTreeSet<Address> = logs
            .iter()
            .filter_map(|l| LendingMarket::Liquidate::decode_log(&l.inner).ok())
            .map(|e| e.borrower)
            .collect();
        let mut outcomes = Vec::new();
        for (hash, who) in sent {
            let ok = status[&hash];
            let label = match &who {
                Sender::Crowd(label) => label.clone(),
                Sender::Bot(_, kind) => format!("bot:{}", kind.name()),
            };
            if !ok {
                debug!(block, tx = %hash, %label, "transaction reverted");
            }
            let activity = self.activity.entry(label).or_default();
            activity.ok += u64::from(ok);
            activity.reverted += u64::from(!ok);
            let Sender::Bot(i, kind) = who else { continue };
            let outcome = if ok {
                TxOutcome::Mined { kind, block }
            } else {
                let reason = match &kind {
                    TxKind::Liquidate(b) | TxKind::SlowLiquidate(b) if liquidated.contains(b) => {
                        RevertReason::NotLiquidatable
                    }
                    _ => RevertReason::Other("reverted".into()),
                };
                TxOutcome::Reverted { kind, reason }
            };
            outcomes.push((i, outcome));
        }
        Ok(Mined { block, logs, outcomes })
    }
}

/// What a block's logs are folded into.
pub(crate) struct Fold<'a> {
    /// The market and its open slow liquidations (and the NAV seized collateral is valued at).
    pub(crate) observer: &'a mut Observer,
    pub(crate) ledger: &'a mut Ledger,
    pub(crate) tally: &'a mut Tally,
    /// The bots' accounts (their sales of collateral are fire sales).
    pub(crate) bots: &'a BTreeSet<Address>,
    /// The chain timestamp the tally's times count from.
    pub(crate) start_ts: u64,
}

impl Fold<'_> {
    /// Balances from Transfer logs, redemption requests, slow liquidations; liquidations, bad
    /// debt, sales and trips into the tally.
    pub(crate) fn fold(self, logs: &[Log], block: u64, timestamp: u64) {
        let Self { observer, ledger, tally, bots, start_ts } = self;
        let w = &observer.world;
        let (usd, vault, pool, market) =
            (*w.stablecoin.address(), *w.vault.address(), *w.pool.address(), *w.market.address());
        let breaker = *w.breaker.address();
        let t = timestamp.saturating_sub(start_ts);
        let nav = observer.nav;
        for log in logs {
            let topic = log.topic0().copied().unwrap_or_default();
            let at = log.address();
            if topic == Stablecoin::Transfer::SIGNATURE_HASH && [usd, vault, pool].contains(&at) {
                let Ok(e) = Stablecoin::Transfer::decode_log(&log.inner) else { continue };
                let token = if at == usd {
                    Token::Stable
                } else if at == vault {
                    Token::Shares
                } else {
                    Token::Lp
                };
                ledger.transfer(token, e.from, e.to, e.value);
            } else if at == vault {
                if let Ok(e) = RwaVault::RedeemRequested::decode_log(&log.inner) {
                    ledger.requested(e.requestId.to::<u64>(), e.controller);
                } else if RwaVault::RedemptionsSettled::decode_log(&log.inner).is_ok() {
                    ledger.settled();
                } else if let Ok(e) = RwaVault::RedeemClaimed::decode_log(&log.inner) {
                    ledger.claimed(e.requestId.to::<u64>());
                }
            } else if at == market {
                fold_market(log, t, block, nav, &mut observer.slow, tally);
            } else if at == pool {
                if let Ok(e) = ConstantProductPool::Swap::decode_log(&log.inner)
                    && bots.contains(&e.sender)
                    && e.tokenIn == vault
                {
                    tally.fire_sale(float(e.amountIn), float(e.amountOut), nav);
                }
            } else if at == breaker && topic == CircuitBreaker::Tripped::SIGNATURE_HASH {
                tally.trip();
            }
        }
    }
}

/// One of the market's logs: liquidations (fast and slow), keeper fees, bad debt.
fn fold_market(
    log: &Log,
    t: u64,
    block: u64,
    nav: f64,
    slow: &mut BTreeSet<u64>,
    tally: &mut Tally,
) {
    if let Ok(e) = RedeemToRepayMarket::Liquidate::decode_log(&log.inner) {
        tally.liquidation(t, block, e.borrower, float(e.repaidAssets), float(e.seized), nav);
    } else if let Ok(e) = RedeemToRepayMarket::SlowLiquidationStarted::decode_log(&log.inner) {
        slow.insert(e.id.to::<u64>());
        tally.slow_liquidation(t, block, e.borrower);
    } else if let Ok(e) = RedeemToRepayMarket::SlowLiquidationProgressed::decode_log(&log.inner) {
        tally.keeper_fee(float(e.fee));
    } else if let Ok(e) = RedeemToRepayMarket::SlowLiquidationClosed::decode_log(&log.inner) {
        slow.remove(&e.id.to::<u64>());
    } else if let Ok(e) = RedeemToRepayMarket::SlowLiquidationCured::decode_log(&log.inner) {
        slow.remove(&e.id.to::<u64>());
    } else if let Ok(e) = RedeemToRepayMarket::BadDebtRealized::decode_log(&log.inner) {
        tally.bad_debt(float(e.badDebt), float(e.socialized));
    }
}
