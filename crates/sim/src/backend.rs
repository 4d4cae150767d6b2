//! Where a lab run executes. The world is always deployed on an embedded Anvil (the same deploy
//! code as `breakwater deploy`); then either the run goes on there, over JSON-RPC (the reference
//! backend), or the deployed state is loaded into an in-process EVM (revm) and the run's blocks
//! are built in memory: same contracts, same transactions, same timestamps, no JSON-RPC on the
//! hot path. Everything the engine does to the chain goes through [`Backend`].

use std::{
    fmt,
    str::FromStr,
    sync::{Arc, PoisonError, RwLock},
};

use alloy::{
    primitives::{Address, B256, Bytes, U256},
    providers::{DynProvider, Provider, ext::AnvilApi},
    rpc::types::{Log, TransactionRequest},
};
use breakwater_chain::dev;
use breakwater_evm::{EvmChain, Tx};
use breakwater_world::{Fees, Reads, TxSender, bindings::Revert, read::ReadFuture};
use futures::FutureExt;
use serde::Deserialize;
use tracing::debug;

use crate::{Error, Result, node::TX_GAS};

/// Which engine executes a lab run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum BackendKind {
    /// The in-process EVM (revm): the default, tens of times faster.
    #[default]
    Evm,
    /// The embedded Anvil over JSON-RPC: the reference the in-process backend is tested against,
    /// and the one a kept world (`--keep-alive`) runs on.
    Anvil,
}

impl BackendKind {
    /// Both, in the order benchmarks print them.
    pub const ALL: [Self; 2] = [Self::Evm, Self::Anvil];

    /// The name on the command line.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Evm => "evm",
            Self::Anvil => "anvil",
        }
    }
}

impl fmt::Display for BackendKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for BackendKind {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|b| b.name() == s)
            .ok_or_else(|| format!("unknown backend `{s}` (evm or anvil)"))
    }
}

/// What every lab transaction offers: the lab node's base fee is 0, so the tip is the price.
const LAB_FEES: Fees =
    Fees { max_fee_per_gas: 2_000_000_000, max_priority_fee_per_gas: 1_000_000_000 };

/// One transaction of a mined block, as the engine needs it.
pub(crate) struct Included {
    pub(crate) hash: B256,
    pub(crate) ok: bool,
    /// Why it reverted (`None` when it succeeded or the reason is unknown).
    pub(crate) revert: Option<Revert>,
}

/// A mined block: its transactions and its logs, in order.
pub(crate) struct MinedBlock {
    pub(crate) included: Vec<Included>,
    pub(crate) logs: Vec<Log>,
}

/// An in-process chain shared between the block builder (which writes) and the readers.
#[derive(Debug, Clone)]
pub(crate) struct SharedEvm(Arc<RwLock<EvmChain>>);

impl Reads for SharedEvm {
    fn call_raw(&self, to: Address, data: Bytes, block: Option<u64>) -> ReadFuture<'_> {
        let chain = self.0.read().unwrap_or_else(PoisonError::into_inner);
        // In-process reads are answered at once; resolve them under the lock.
        let Some(result) = chain.call_raw(to, data, block).now_or_never() else {
            unreachable!("an in-process read is ready when it is made")
        };
        Box::pin(std::future::ready(result))
    }
}

/// The chain a run executes on.
pub(crate) enum Backend {
    /// Over JSON-RPC, through the world's one sender.
    Anvil(TxSender),
    /// In memory.
    Evm { chain: SharedEvm, sent: u64 },
}

impl Backend {
    /// Continues on the node behind `lab` (the Anvil backend), or loads its state into an
    /// in-process EVM (which must then be the only writer: the node is left as it is).
    pub(crate) async fn start(kind: BackendKind, lab: DynProvider) -> Result<Self> {
        Ok(match kind {
            BackendKind::Anvil => Self::Anvil(TxSender::new(lab)),
            BackendKind::Evm => Self::in_process(load(&lab).await?),
        })
    }

    /// Runs on `chain` in memory (a copy of a loaded world: each path gets its own).
    pub(crate) fn in_process(chain: EvmChain) -> Self {
        Self::Evm { chain: SharedEvm(Arc::new(RwLock::new(chain))), sent: 0 }
    }

    /// What the engine, the observer and the bots read through.
    pub(crate) fn reads(&self) -> Arc<dyn Reads> {
        match self {
            Self::Anvil(sender) => Arc::new(sender.provider().clone()),
            Self::Evm { chain, .. } => Arc::new(chain.clone()),
        }
    }

    /// Transactions sent so far.
    pub(crate) fn sent(&self) -> u64 {
        match self {
            Self::Anvil(sender) => sender.sent(),
            Self::Evm { sent, .. } => *sent,
        }
    }

    /// The head block's number and timestamp.
    pub(crate) async fn head(&self) -> Result<(u64, u64)> {
        match self {
            Self::Anvil(sender) => {
                let p = sender.provider();
                let number =
                    p.get_block_number().await.map_err(|e| Error::rpc("eth_blockNumber", e))?;
                Ok((number, dev::latest_timestamp(p).await?))
            }
            Self::Evm { chain, .. } => {
                let head = chain.0.read().unwrap_or_else(PoisonError::into_inner).head();
                Ok((head.number, head.timestamp))
            }
        }
    }

    /// Gives `who` `wei` of ether (for gas).
    pub(crate) async fn set_balance(&mut self, who: Address, wei: U256) -> Result<()> {
        match self {
            Self::Anvil(sender) => sender
                .provider()
                .anvil_set_balance(who, wei)
                .await
                .map_err(|e| Error::rpc("anvil_setBalance", e)),
            Self::Evm { chain, .. } => {
                chain.0.write().unwrap_or_else(PoisonError::into_inner).set_balance(who, wei);
                Ok(())
            }
        }
    }

    /// Stops mining on each transaction: from here on blocks are built by hand.
    pub(crate) async fn manual_mining(&self) -> Result<()> {
        match self {
            Self::Anvil(sender) => dev::set_automine(sender.provider(), false).await,
            Self::Evm { .. } => Ok(()),
        }
        .map_err(Error::from)
    }

    /// Queues one transaction from `from` (impersonated) with its next nonce and the lab's fixed
    /// gas limit and fees; returns its id.
    pub(crate) async fn send(&mut self, from: Address, tx: TransactionRequest) -> Result<B256> {
        match self {
            Self::Anvil(sender) => sender
                .send(from, tx, TX_GAS, LAB_FEES)
                .await
                .map_err(|e| Error::Setup(format!("sending a lab transaction from {from}: {e}"))),
            Self::Evm { chain, sent } => {
                let to = tx.to.and_then(|t| t.to().copied()).ok_or_else(|| {
                    Error::Setup(format!("a lab transaction from {from} has no recipient"))
                })?;
                let input = tx.input.input().cloned().unwrap_or_default();
                let mut call = Tx::call(from, to, input).with_gas_limit(TX_GAS);
                call.value = tx.value.unwrap_or_default();
                let mut chain = chain.0.write().unwrap_or_else(PoisonError::into_inner);
                let id = chain.send(call).map_err(|e| Error::Setup(e.to_string()))?;
                *sent += 1;
                Ok(id)
            }
        }
    }

    /// Mines the queued transactions as one block at `timestamp`.
    pub(crate) async fn mine(&mut self, timestamp: u64) -> Result<MinedBlock> {
        match self {
            Self::Anvil(sender) => mine_anvil(sender.provider(), timestamp).await,
            Self::Evm { chain, .. } => {
                let mut chain = chain.0.write().unwrap_or_else(PoisonError::into_inner);
                let block = chain.mine(timestamp).map_err(|e| Error::Setup(e.to_string()))?;
                if let Some(d) = block.dropped.first() {
                    return Err(Error::Setup(format!(
                        "a transaction from {} was refused in block {}: {}",
                        d.from, block.number, d.reason
                    )));
                }
                let logs = block.logs().cloned().collect();
                let included = block
                    .receipts
                    .iter()
                    .map(|r| Included { hash: r.hash, ok: r.success, revert: r.revert() })
                    .collect();
                Ok(MinedBlock { included, logs })
            }
        }
    }
}

/// The world of the node behind `lab`, loaded into an in-process EVM.
pub(crate) async fn load(lab: &DynProvider) -> Result<EvmChain> {
    EvmChain::from_anvil(lab)
        .await
        .map_err(|e| Error::Setup(format!("loading the deployed world into revm: {e}")))
}

/// Mines a block on the node and collects its receipts; a reverted transaction's reason comes
/// from the node's call tracer (exact: a replay on another state could fail differently).
async fn mine_anvil(p: &DynProvider, timestamp: u64) -> Result<MinedBlock> {
    dev::mine_at(p, timestamp).await?;
    let receipts = p
        .get_block_receipts(alloy::eips::BlockId::latest())
        .await
        .map_err(|e| Error::rpc("eth_getBlockReceipts", e))?
        .unwrap_or_default();
    let mut included = Vec::with_capacity(receipts.len());
    let mut logs = Vec::new();
    for r in &receipts {
        let ok = r.status();
        let revert = if ok { None } else { traced_revert(p, r.transaction_hash).await };
        included.push(Included { hash: r.transaction_hash, ok, revert });
        logs.extend(r.inner.logs().iter().cloned());
    }
    Ok(MinedBlock { included, logs })
}

/// The revert data of a mined transaction, from its top call's output.
async fn traced_revert(p: &DynProvider, hash: B256) -> Option<Revert> {
    #[derive(Debug, Deserialize)]
    struct TopCall {
        output: Option<Bytes>,
    }
    let options =
        serde_json::json!({ "tracer": "callTracer", "tracerConfig": { "onlyTopCall": true } });
    match p.raw_request::<_, TopCall>("debug_traceTransaction".into(), (hash, options)).await {
        Ok(call) => call.output.filter(|o| !o.is_empty()).map(|o| Revert::decode(&o)),
        Err(e) => {
            debug!(tx = %hash, error = %e, "could not trace a reverted transaction");
            None
        }
    }
}
