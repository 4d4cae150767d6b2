//! An in-process chain on [revm](https://github.com/bluealloy/revm) for the lab: the same compiled
//! contracts as on Anvil, with no JSON-RPC on the hot path.
//!
//! The lab runs each scenario as a block-stepping loop: read views, send transactions from any
//! account with explicit nonces, mine a block at a timestamp it chooses, read the block's
//! statuses and logs. On Anvil every step is a JSON-RPC round trip and every block recomputes a
//! state root; here the state is an in-memory [`CacheDB`](revm::database::CacheDB) and a block
//! is a loop of `transact` + `commit`.
//!
//! - [`EvmChain::from_anvil`] loads a deployed world from an Anvil node (its `anvil_dumpState`:
//!   every account, its code and storage; the head block's number and timestamp; the node's
//!   hardfork, chain id, gas limit, base fee and coinbase), so deployment stays on Anvil.
//! - [`EvmChain::send`] queues a [`Tx`] from any address (no signatures, as Anvil's
//!   impersonation), [`EvmChain::mine`] executes the queue as one block at the caller's
//!   timestamp and returns a [`Block`] of [`Receipt`]s (status, gas, logs, revert data).
//! - [`EvmChain::call`] reads the head state without committing and without copying it; the
//!   lab's read seam [`breakwater_world::Reads`] is implemented on top.
//! - [`EvmChain`] is [`Clone`]: one deployed world, many independent paths.
//!
//! What Anvil does and this chain does not: no state root, block hashes or transaction
//! signatures (a receipt's hash is an id, not the Ethereum hash), no `BLOCKHASH` history, no
//! pre-block system calls. None of the lab's contracts reads them (they read `block.timestamp`
//! only); `tests/anvil_parity.rs` checks statuses, gas, logs and views block by block against
//! Anvil.

mod chain;
mod dump;
mod env;
mod error;
mod exec;
mod read;
mod tx;

pub use chain::{EvmChain, Head};
pub use dump::{AccountRecord, AnvilDump};
pub use env::ChainEnv;
pub use error::{CallError, Error, Result};
pub use tx::{Block, Dropped, Receipt, Tx};
