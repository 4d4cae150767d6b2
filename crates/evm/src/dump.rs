//! Loading a deployed world from Anvil: `anvil_dumpState` (every account's balance, nonce, code
//! and storage, as gzip-compressed JSON) plus what the node runs with (`anvil_nodeInfo`: head
//! number and timestamp, hardfork, chain id, gas limit, base fee; the head block's coinbase and
//! prevrandao). Deployment stays on Anvil; only the result moves in-process.

use std::{collections::BTreeMap, io::Read};

use alloy::{
    eips::BlockNumberOrTag,
    primitives::{Address, Bytes, U256},
    providers::{Provider, ext::AnvilApi},
    rpc::types::anvil::NodeInfo,
};
use serde::Deserialize;

use crate::{ChainEnv, Error, Head, Result, env::spec_named};

/// One account as Anvil dumps it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AccountRecord {
    /// Its nonce.
    pub nonce: u64,
    /// Its balance in wei.
    pub balance: U256,
    /// Its runtime code (empty for an externally owned account).
    pub code: Bytes,
    /// Its non-zero storage slots.
    #[serde(default)]
    pub storage: BTreeMap<U256, U256>,
}

/// A node's whole state at its head, and the environment it runs with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnvilDump {
    /// The rules and fixed block fields.
    pub env: ChainEnv,
    /// The head block.
    pub head: Head,
    /// Every account.
    pub accounts: BTreeMap<Address, AccountRecord>,
}

/// The part of Anvil's `SerializableState` the world needs (it also carries blocks and
/// transactions).
#[derive(Deserialize)]
struct State {
    accounts: BTreeMap<Address, AccountRecord>,
}

impl AnvilDump {
    /// Dumps the state of the Anvil node behind `provider` at its head. The node must not mine
    /// meanwhile (its head is read before and after: a change is an error).
    pub async fn fetch<P: Provider>(provider: &P) -> Result<Self> {
        let before = node_info(provider).await?;
        let dump = provider
            .anvil_dump_state()
            .await
            .map_err(|source| Error::Rpc { method: "anvil_dumpState", source })?;
        let after = node_info(provider).await?;
        if (before.current_block_number, before.current_block_hash)
            != (after.current_block_number, after.current_block_hash)
        {
            return Err(Error::Dump("the node mined a block while its state was dumped".into()));
        }
        let block = provider
            .get_block_by_number(BlockNumberOrTag::Number(after.current_block_number))
            .await
            .map_err(|source| Error::Rpc { method: "eth_getBlockByNumber", source })?
            .ok_or_else(|| Error::Dump("the head block is missing".into()))?;
        let environment = &after.environment;
        let env = ChainEnv {
            chain_id: environment.chain_id,
            spec: spec_named(&after.hard_fork)?,
            gas_limit: environment.gas_limit,
            base_fee: u64::try_from(environment.base_fee)
                .map_err(|_| Error::Dump(format!("base fee {}", environment.base_fee)))?,
            coinbase: block.header.beneficiary,
            prevrandao: block.header.mix_hash,
            // Anvil does not tell its timestamp interval; the lab's is 1 s.
            call_interval: ChainEnv::default().call_interval,
        };
        let head =
            Head { number: after.current_block_number, timestamp: after.current_block_timestamp };
        Ok(Self { env, head, accounts: parse_accounts(&dump)? })
    }
}

async fn node_info<P: Provider>(provider: &P) -> Result<NodeInfo> {
    provider
        .anvil_node_info()
        .await
        .map_err(|source| Error::Rpc { method: "anvil_nodeInfo", source })
}

/// The accounts of an `anvil_dumpState` answer: JSON, gzip-compressed (as Anvil sends it) or
/// not.
pub(crate) fn parse_accounts(dump: &[u8]) -> Result<BTreeMap<Address, AccountRecord>> {
    let mut json = Vec::new();
    let bytes = if dump.starts_with(&[0x1f, 0x8b]) {
        flate2::read::GzDecoder::new(dump)
            .read_to_end(&mut json)
            .map_err(|e| Error::Dump(format!("gzip: {e}")))?;
        &json[..]
    } else {
        dump
    };
    let state: State = serde_json::from_slice(bytes).map_err(|e| Error::Dump(e.to_string()))?;
    Ok(state.accounts)
}
