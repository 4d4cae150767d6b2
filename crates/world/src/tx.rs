//! The transaction policy every sender follows: how much gas to allow over an estimate, how
//! nonces are counted, and how a revert is decoded and classified. [`TxSender`] is the one
//! sender that applies it: the deployment, the bot, the lab and the benchmarks all send through
//! it.

use std::collections::HashMap;

use alloy::{
    eips::BlockId,
    network::TransactionBuilder,
    primitives::{Address, TxHash},
    providers::{DynProvider, Provider},
    rpc::types::TransactionRequest,
    transports::TransportError,
};
use breakwater_bindings::{
    ContractRevert, RedeemToRepayMarket::RedeemToRepayMarketErrors, Revert, revert_of_transport,
};
use tracing::{debug, warn};

/// Gas limit for a transaction whose `eth_estimateGas` answered `estimate`: 25% plus 30,000 on
/// top. The estimate runs against the latest block; mined in the next one, the call may also
/// pay for the market's interest accrual, a pool ring slot falling due or the breaker's first
/// write at a new timestamp.
pub fn padded_gas(estimate: u64) -> u64 {
    estimate.saturating_add(estimate / 4).saturating_add(30_000)
}

/// Fees offered per gas (EIP-1559).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Fees {
    /// `maxFeePerGas`.
    pub max_fee_per_gas: u128,
    /// `maxPriorityFeePerGas`.
    pub max_priority_fee_per_gas: u128,
}

impl Fees {
    /// The fees for a block with `base_fee` and a tip of `priority_fee`: twice the base fee plus
    /// the tip, so the transaction stays valid for a few blocks of rising base fee.
    pub fn for_block(base_fee: u128, priority_fee: u128) -> Self {
        Self {
            max_fee_per_gas: base_fee.saturating_mul(2).saturating_add(priority_fee),
            max_priority_fee_per_gas: priority_fee,
        }
    }
}

/// How the gas limit is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gas {
    /// `eth_estimateGas`, padded by [`padded_gas`]; a revert in the estimate is reported
    /// without sending (no gas, no nonce spent).
    Estimate,
    /// A fixed limit, no estimate (the lab, whose blocks are built by hand).
    Fixed(u64),
}

/// Why a transaction was not sent.
#[derive(Debug, thiserror::Error)]
pub enum NotSent {
    /// Its simulation reverted, with the decoded reason.
    #[error("reverted in simulation: {0}")]
    Reverted(Revert),
    /// The node could not be asked, or refused it.
    #[error("{action}: {source}")]
    Failed {
        /// What was being done (`eth_estimateGas`, `eth_sendTransaction`, …).
        action: &'static str,
        /// The transport's error.
        source: TransportError,
    },
}

/// Why the contracts refused a transaction, as far as a sender needs to know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RevertReason {
    /// `MarketPositionHealthy` or `MarketNoDebt`: someone else got there first, or the price
    /// moved back. Not an error.
    NotLiquidatable,
    /// `MarketLiquidationThrottled`: the breaker's budget shrank meanwhile.
    Throttled,
    /// `MarketSeizedBelowMinimum`: the price moved against us.
    SeizedBelowMinimum,
    /// `MarketSlowPathClosed`: the breaker closed the slow path meanwhile.
    SlowPathClosed,
    /// Anything else, by its decoded name.
    Other(String),
}

impl RevertReason {
    /// Classifies a decoded revert (`None`: the node gave no revert data).
    pub fn of(revert: Option<&Revert>) -> Self {
        let Some(revert) = revert else {
            return Self::Other("reverted (no revert data)".into());
        };
        match revert.as_contract() {
            Some(ContractRevert::RedeemToRepayMarket(e)) => match e {
                RedeemToRepayMarketErrors::MarketPositionHealthy(_)
                | RedeemToRepayMarketErrors::MarketNoDebt(_) => Self::NotLiquidatable,
                RedeemToRepayMarketErrors::MarketLiquidationThrottled(_) => Self::Throttled,
                RedeemToRepayMarketErrors::MarketSeizedBelowMinimum(_) => Self::SeizedBelowMinimum,
                RedeemToRepayMarketErrors::MarketSlowPathClosed(_) => Self::SlowPathClosed,
                _ => Self::Other(revert.to_string()),
            },
            _ => Self::Other(revert.to_string()),
        }
    }
}

/// The name a revert is counted under: the custom error's name (`MarketPositionHealthy`), or
/// the `Error(string)` / panic text, or "no revert data".
pub fn revert_name(revert: Option<&Revert>) -> String {
    let Some(revert) = revert else { return "no revert data".into() };
    let text = revert.to_string();
    // Custom errors print as `Name(args…)`: count by name, not by arguments.
    match revert.as_contract() {
        Some(_) => text.split('(').next().unwrap_or(&text).trim().to_string(),
        None => text,
    }
}

/// Replays a transaction mined (and reverted) in `block` to decode why: on the state before the
/// block first, then, if that succeeds (a transaction earlier in the same block changed the
/// state, typically a competitor's liquidation), on the state after it.
pub async fn replay_revert<P: Provider>(
    provider: &P,
    tx: TransactionRequest,
    block: u64,
) -> Option<Revert> {
    for at in [block.saturating_sub(1), block] {
        if let Err(e) = provider.call(tx.clone()).block(BlockId::number(at)).await
            && let Some(revert) = revert_of_transport(&e)
        {
            return Some(revert);
        }
    }
    None
}

/// Whether the node refused a transaction for its nonce (used already, too far ahead, or
/// replacing one in the pool).
pub fn is_nonce_error(err: &TransportError) -> bool {
    let message = match err.as_error_resp() {
        Some(resp) => resp.message.to_ascii_lowercase(),
        None => return false,
    };
    message.contains("nonce")
        || message.contains("already known")
        || message.contains("replacement")
}

/// The one transaction sender: fills the nonce (counted locally per account, so a block's
/// transactions go out back to back, and resynced from the node when it refuses one), the gas
/// limit ([`Gas`]) and the fees, and sends. [`TxSender::send_all`] pipelines a batch.
#[derive(Debug, Clone)]
pub struct TxSender {
    provider: DynProvider,
    nonces: HashMap<Address, u64>,
    sent: u64,
    resyncs: u64,
}

impl TxSender {
    /// A sender through `provider` (which signs, or whose node holds the accounts unlocked or
    /// impersonated).
    pub fn new(provider: DynProvider) -> Self {
        Self { provider, nonces: HashMap::new(), sent: 0, resyncs: 0 }
    }

    /// The provider it sends through.
    pub fn provider(&self) -> &DynProvider {
        &self.provider
    }

    /// Transactions sent so far.
    pub fn sent(&self) -> u64 {
        self.sent
    }

    /// Nonces the node refused so far (each answered by a resync and a retry).
    pub fn resyncs(&self) -> u64 {
        self.resyncs
    }

    /// Forgets `from`'s nonce: the next send asks the node.
    pub fn resync(&mut self, from: Address) {
        self.nonces.remove(&from);
    }

    /// The next nonce of `from`.
    async fn next_nonce(&mut self, from: Address) -> Result<u64, NotSent> {
        if let Some(n) = self.nonces.get(&from) {
            return Ok(*n);
        }
        let n = self
            .provider
            .get_transaction_count(from)
            .pending()
            .await
            .map_err(|source| NotSent::Failed { action: "eth_getTransactionCount", source })?;
        debug!(%from, nonce = n, "nonce synced from the node");
        Ok(n)
    }

    /// The gas limit for `tx` (from its `from`), or why it would revert.
    pub async fn gas_limit(&self, tx: &TransactionRequest, gas: Gas) -> Result<u64, NotSent> {
        match gas {
            Gas::Fixed(limit) => Ok(limit),
            Gas::Estimate => match self.provider.estimate_gas(tx.clone()).await {
                Ok(estimate) => Ok(padded_gas(estimate)),
                Err(e) => Err(match revert_of_transport(&e) {
                    Some(revert) => NotSent::Reverted(revert),
                    None => NotSent::Failed { action: "eth_estimateGas", source: e },
                }),
            },
        }
    }

    /// Sends `tx` from `from` with `fees` and the given gas limit; on a refused nonce, resyncs
    /// from the node and retries once.
    pub async fn send(
        &mut self,
        from: Address,
        tx: TransactionRequest,
        gas_limit: u64,
        fees: Fees,
    ) -> Result<TxHash, NotSent> {
        let tx = tx
            .from(from)
            .with_gas_limit(gas_limit)
            .with_max_fee_per_gas(fees.max_fee_per_gas)
            .with_max_priority_fee_per_gas(fees.max_priority_fee_per_gas);
        for attempt in 0..2 {
            let nonce = self.next_nonce(from).await?;
            match self.provider.send_transaction(tx.clone().with_nonce(nonce)).await {
                Ok(pending) => {
                    self.nonces.insert(from, nonce + 1);
                    self.sent += 1;
                    return Ok(*pending.tx_hash());
                }
                Err(e) if attempt == 0 && is_nonce_error(&e) => {
                    warn!(%from, nonce, error = %e, "nonce refused: resyncing from the node");
                    self.resyncs += 1;
                    self.resync(from);
                }
                Err(e) => {
                    self.resync(from);
                    return Err(match revert_of_transport(&e) {
                        Some(revert) => NotSent::Reverted(revert),
                        None => NotSent::Failed { action: "eth_sendTransaction", source: e },
                    });
                }
            }
        }
        Err(NotSent::Failed {
            action: "eth_sendTransaction",
            source: TransportError::local_usage_str("the node kept refusing the nonce"),
        })
    }

    /// Sends a batch: every gas estimate in flight at once (the slow part: the node executes
    /// each call several times), then the sends in the batch's order, each with the next nonce
    /// of its account. Sends stay in order because a node's pool may drop one account's
    /// transactions that arrive out of nonce order. One result per transaction, in order; a
    /// transaction whose estimate reverts takes no nonce, so it leaves no gap.
    pub async fn send_all(
        &mut self,
        batch: Vec<(Address, TransactionRequest, Fees)>,
        gas: Gas,
    ) -> Vec<Result<TxHash, NotSent>> {
        let limits = futures::future::join_all(
            batch.iter().map(|(from, tx, _)| self.gas_limit_from(*from, tx, gas)),
        )
        .await;
        let mut results = Vec::with_capacity(batch.len());
        for ((from, tx, fees), limit) in batch.into_iter().zip(limits) {
            results.push(match limit {
                Ok(limit) => self.send(from, tx, limit, fees).await,
                Err(e) => Err(e),
            });
        }
        results
    }

    async fn gas_limit_from(
        &self,
        from: Address,
        tx: &TransactionRequest,
        gas: Gas,
    ) -> Result<u64, NotSent> {
        self.gas_limit(&tx.clone().from(from), gas).await
    }
}
