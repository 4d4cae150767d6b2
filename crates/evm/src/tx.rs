//! What goes into a block and what comes out: a [`Tx`] request, its [`Receipt`], the mined
//! [`Block`].

use alloy::{
    primitives::{Address, B256, Bytes, U256, keccak256},
    rpc::types::Log,
};
use breakwater_world::bindings::Revert;

/// A transaction to queue: a call from any address (no signature, as with Anvil's
/// impersonation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tx {
    /// The sender.
    pub from: Address,
    /// The contract called.
    pub to: Address,
    /// The calldata.
    pub input: Bytes,
    /// Wei sent along.
    pub value: U256,
    /// The gas limit.
    pub gas_limit: u64,
    /// The nonce; `None`: the sender's next one (pending transactions included).
    pub nonce: Option<u64>,
    /// EIP-1559 maximum fee per gas, in wei.
    pub max_fee_per_gas: u128,
    /// EIP-1559 priority fee per gas, in wei.
    pub max_priority_fee_per_gas: u128,
}

impl Tx {
    /// A call as the lab sends it: no value, gas limit 3,000,000, max fee 2 gwei, priority fee
    /// 1 gwei, the next nonce.
    pub fn call(from: Address, to: Address, input: impl Into<Bytes>) -> Self {
        Self {
            from,
            to,
            input: input.into(),
            value: U256::ZERO,
            gas_limit: 3_000_000,
            nonce: None,
            max_fee_per_gas: 2_000_000_000,
            max_priority_fee_per_gas: 1_000_000_000,
        }
    }

    /// With an explicit nonce.
    pub fn with_nonce(self, nonce: u64) -> Self {
        Self { nonce: Some(nonce), ..self }
    }

    /// With a gas limit.
    pub fn with_gas_limit(self, gas_limit: u64) -> Self {
        Self { gas_limit, ..self }
    }

    /// With wei sent along.
    pub fn with_value(self, value: U256) -> Self {
        Self { value, ..self }
    }
}

/// The id of a queued transaction: `keccak256(from ‖ nonce)`, unique on one chain. It is not
/// the Ethereum transaction hash (there is no signature to hash).
pub(crate) fn tx_id(from: Address, nonce: u64) -> B256 {
    let mut buf = [0u8; 28];
    buf[..20].copy_from_slice(from.as_slice());
    buf[20..].copy_from_slice(&nonce.to_be_bytes());
    keccak256(buf)
}

/// What one transaction did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// The id [`EvmChain::send`](crate::EvmChain::send) returned.
    pub hash: B256,
    /// The sender.
    pub from: Address,
    /// The nonce it was executed with.
    pub nonce: u64,
    /// Whether it succeeded (receipt status 1).
    pub success: bool,
    /// Gas used, as in the receipt (refunds applied).
    pub gas_used: u64,
    /// Its logs, with block number, timestamp, transaction index and log index (in the block)
    /// filled in; no block hash. None when it failed.
    pub logs: Vec<Log>,
    /// The return data on success, the revert data on a revert, empty on a halt.
    pub output: Bytes,
}

impl Receipt {
    /// The decoded revert reason, if it failed.
    pub fn revert(&self) -> Option<Revert> {
        (!self.success).then(|| Revert::decode(&self.output))
    }
}

/// A transaction that could not be included (invalid when its turn came, e.g. the sender could
/// not pay for gas): nothing of it is in the state, its nonce is not used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dropped {
    /// The id [`EvmChain::send`](crate::EvmChain::send) returned.
    pub hash: B256,
    /// The sender.
    pub from: Address,
    /// Why revm refused it.
    pub reason: String,
}

/// A mined block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// Its number.
    pub number: u64,
    /// Its timestamp.
    pub timestamp: u64,
    /// One receipt per included transaction, in execution order.
    pub receipts: Vec<Receipt>,
    /// The transactions that were refused.
    pub dropped: Vec<Dropped>,
}

impl Block {
    /// Every log of the block, in order.
    pub fn logs(&self) -> impl Iterator<Item = &Log> {
        self.receipts.iter().flat_map(|r| r.logs.iter())
    }
}
