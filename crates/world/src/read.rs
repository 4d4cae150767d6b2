//! The seam the bot and the lab read the chain through: one contract call, at a block or at the
//! head. [`DynProvider`] answers it over JSON-RPC; an in-process EVM answers it from memory. The
//! typed reads ([`call`]) encode and decode with the bindings, so every backend returns the
//! contracts' exact values.

use std::{future::Future, pin::Pin};

use alloy::{
    eips::BlockId,
    primitives::{Address, Bytes},
    providers::{DynProvider, Provider},
    rpc::types::TransactionRequest,
    sol_types::SolCall,
    transports::TransportError,
};
use breakwater_bindings::{Revert, revert_of_transport};

/// A boxed future, so the seam is object safe.
pub type ReadFuture<'a> = Pin<Box<dyn Future<Output = Result<Bytes, ReadError>> + Send + 'a>>;

/// Why a read failed.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The call reverted, with the decoded reason.
    #[error("reverted: {0}")]
    Reverted(Revert),
    /// The backend could not answer.
    #[error("{0}")]
    Transport(#[from] TransportError),
    /// The answer did not decode as the call's return type.
    #[error("undecodable return data: {0}")]
    Decode(#[from] alloy::sol_types::Error),
}

/// Read access to a chain: `eth_call` of `data` on `to`, at `block` (`None`: the latest).
pub trait Reads: Send + Sync + std::fmt::Debug {
    /// The raw return data of the call.
    fn call_raw(&self, to: Address, data: Bytes, block: Option<u64>) -> ReadFuture<'_>;
}

impl Reads for DynProvider {
    fn call_raw(&self, to: Address, data: Bytes, block: Option<u64>) -> ReadFuture<'_> {
        Box::pin(async move {
            let request = TransactionRequest::default().to(to).input(data.into());
            let call = self.call(request);
            let call = match block {
                Some(n) => call.block(BlockId::number(n)),
                None => call,
            };
            call.await.map_err(|e| match revert_of_transport(&e) {
                Some(revert) => ReadError::Reverted(revert),
                None => ReadError::Transport(e),
            })
        })
    }
}

impl<R: Reads + ?Sized> Reads for std::sync::Arc<R> {
    fn call_raw(&self, to: Address, data: Bytes, block: Option<u64>) -> ReadFuture<'_> {
        (**self).call_raw(to, data, block)
    }
}

/// A typed read: `call` on `to` at `block`, decoded with the bindings.
pub async fn call<C: SolCall>(
    reads: &dyn Reads,
    to: Address,
    call: &C,
    block: Option<u64>,
) -> Result<C::Return, ReadError> {
    let data = reads.call_raw(to, call.abi_encode().into(), block).await?;
    Ok(C::abi_decode_returns(&data)?)
}
