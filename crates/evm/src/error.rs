//! The crate's errors: what can go wrong loading a world, queueing a transaction, mining, or
//! reading.

use alloy::{
    primitives::{Address, Bytes},
    transports::TransportError,
};

/// The crate's result.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why loading, sending or mining failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A JSON-RPC call to the node the world is loaded from failed.
    #[error("{method}: {source}")]
    Rpc {
        /// The method.
        method: &'static str,
        /// What the node or transport said.
        source: TransportError,
    },
    /// The node's state dump could not be read.
    #[error("anvil_dumpState: {0}")]
    Dump(String),
    /// The node runs a hardfork this revm does not know.
    #[error("unknown hardfork {0:?}")]
    Hardfork(String),
    /// A transaction's explicit nonce is not the sender's next one (Anvil rejects a lower one and
    /// parks a higher one forever; here both are errors).
    #[error("nonce {nonce} from {from}: the next one is {expected}")]
    Nonce {
        /// The sender.
        from: Address,
        /// The nonce given.
        nonce: u64,
        /// The sender's next nonce, pending transactions included.
        expected: u64,
    },
    /// A block's timestamp must not be before the head's.
    #[error("block timestamp {timestamp} is before the head's {head}")]
    Timestamp {
        /// The timestamp asked for.
        timestamp: u64,
        /// The head block's timestamp.
        head: u64,
    },
    /// The EVM itself failed (not a revert: a malformed environment).
    #[error("evm: {0}")]
    Evm(String),
}

/// Why a read ([`EvmChain::call`](crate::EvmChain::call)) returned no data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    /// The call reverted with this output (decode with `breakwater_bindings::Revert::decode`).
    #[error("reverted with {0}")]
    Reverted(Bytes),
    /// The call halted (out of gas, invalid opcode, ...).
    #[error("halted: {0}")]
    Halted(String),
    /// The read asked for a block other than the head.
    #[error("block {block} is not the head {head}: this chain keeps the head state only")]
    NotHead {
        /// The block asked for.
        block: u64,
        /// The head block.
        head: u64,
    },
    /// The EVM itself failed.
    #[error("evm: {0}")]
    Evm(String),
}
