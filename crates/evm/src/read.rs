//! The lab's read seam ([`Reads`]) answered from memory: the bot's strategy and the lab's
//! observers read an [`EvmChain`] exactly as they read a node over JSON-RPC.

use alloy::{
    primitives::{Address, Bytes},
    transports::TransportErrorKind,
};
use breakwater_world::{
    Reads,
    bindings::Revert,
    read::{ReadError, ReadFuture},
};

use crate::{CallError, EvmChain};

impl Reads for EvmChain {
    /// `None`: [`EvmChain::call_latest`] (Anvil's "latest"); the head's number:
    /// [`EvmChain::call`]; any other block is an error, since the chain keeps no history.
    fn call_raw(&self, to: Address, data: Bytes, block: Option<u64>) -> ReadFuture<'_> {
        let head = self.head().number;
        let result = match block {
            None => self.call_latest(to, data),
            Some(block) if block == head => self.call(to, data),
            Some(block) => Err(CallError::NotHead { block, head }),
        };
        Box::pin(std::future::ready(result.map_err(|e| match e {
            CallError::Reverted(data) => ReadError::Reverted(Revert::decode(&data)),
            other => ReadError::Transport(TransportErrorKind::custom_str(&other.to_string())),
        })))
    }
}
