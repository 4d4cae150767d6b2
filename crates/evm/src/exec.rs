//! The revm glue: one block's transactions executed and committed in order, and one read
//! executed against the head without committing. Everything revm-specific stays here.

use alloy::{
    primitives::{Address, B256, Bytes, TxKind},
    rpc::types::Log,
};
use revm::{
    ExecuteCommitEvm, ExecuteEvm, MainBuilder, MainContext,
    context::{Context, TxEnv},
    context_interface::result::{EVMError, ExecutionResult, Output},
    database::{CacheDB, EmptyDB},
};

use crate::{CallError, ChainEnv, Dropped, Error, Receipt, Tx};

/// The whole state, in memory. Accounts are inserted when the world is loaded, so the empty
/// backing database only answers for accounts nobody has touched (zero).
pub(crate) type Db = CacheDB<EmptyDB>;

/// A transaction waiting for its block, with its nonce fixed at [`EvmChain::send`](crate::EvmChain::send).
#[derive(Debug, Clone)]
pub(crate) struct Queued {
    pub(crate) tx: Tx,
    pub(crate) nonce: u64,
    pub(crate) hash: B256,
}

/// What executing one block's queue gave.
#[derive(Debug, Default)]
pub(crate) struct Executed {
    pub(crate) receipts: Vec<Receipt>,
    pub(crate) dropped: Vec<Dropped>,
    /// Transactions that did not fit in the block's gas limit: they wait for the next block.
    pub(crate) left: Vec<Queued>,
}

/// Executes `queue` in order as block `number` at `timestamp`, committing each transaction.
///
/// As Anvil's block builder: a transaction whose gas limit no longer fits in what the block has
/// left waits, with every later one, for the next block; one that is invalid when its turn
/// comes (its sender cannot pay for gas) is dropped.
pub(crate) fn execute_block(
    db: &mut Db,
    env: &ChainEnv,
    number: u64,
    timestamp: u64,
    queue: Vec<Queued>,
) -> Result<Executed, Error> {
    let mut evm = Context::mainnet()
        .with_cfg(env.cfg())
        .with_block(env.block(number, timestamp))
        .with_db(db)
        .build_mainnet();
    let mut out = Executed::default();
    let mut block_gas = 0u64;
    let mut queue = queue.into_iter();
    while let Some(queued) = queue.next() {
        if block_gas.saturating_add(queued.tx.gas_limit) > env.gas_limit {
            out.left.push(queued);
            out.left.extend(queue);
            break;
        }
        let result = match evm.transact_commit(tx_env(&queued.tx, queued.nonce, env.chain_id)) {
            Ok(result) => result,
            Err(EVMError::Transaction(invalid)) => {
                let reason = invalid.to_string();
                out.dropped.push(Dropped { hash: queued.hash, from: queued.tx.from, reason });
                continue;
            }
            Err(e) => return Err(Error::Evm(e.to_string())),
        };
        block_gas += result.tx_gas_used();
        let tx_index = out.receipts.len() as u64;
        let first_log = out.receipts.iter().map(|r| r.logs.len() as u64).sum::<u64>();
        let (success, gas_used) = (result.is_success(), result.tx_gas_used());
        let (logs, output) = match result {
            ExecutionResult::Success { logs, output, .. } => (logs, output_bytes(output)),
            ExecutionResult::Revert { output, .. } => (Vec::new(), output),
            ExecutionResult::Halt { .. } => (Vec::new(), Bytes::new()),
        };
        let logs = logs
            .into_iter()
            .enumerate()
            .map(|(i, inner)| Log {
                inner,
                block_hash: None,
                block_number: Some(number),
                block_timestamp: Some(timestamp),
                transaction_hash: Some(queued.hash),
                transaction_index: Some(tx_index),
                log_index: Some(first_log + i as u64),
                removed: false,
            })
            .collect();
        out.receipts.push(Receipt {
            hash: queued.hash,
            from: queued.tx.from,
            nonce: queued.nonce,
            success,
            gas_used,
            logs,
            output,
        });
    }
    Ok(out)
}

/// Executes a read of `data` on `to` on the state `db` in the environment of block `number` at
/// `timestamp`, without committing, as Anvil's `eth_call`: from the zero address, no gas price,
/// the block's gas limit.
pub(crate) fn call(
    db: &Db,
    env: &ChainEnv,
    number: u64,
    timestamp: u64,
    to: Address,
    data: Bytes,
) -> Result<Bytes, CallError> {
    let mut evm = Context::mainnet()
        .with_cfg(env.call_cfg())
        .with_block(env.block(number, timestamp))
        .with_ref_db(db)
        .build_mainnet();
    let tx = TxEnv {
        tx_type: 0,
        caller: Address::ZERO,
        gas_limit: env.gas_limit,
        gas_price: 0,
        kind: TxKind::Call(to),
        data,
        chain_id: Some(env.chain_id),
        ..TxEnv::default()
    };
    match evm.transact(tx).map_err(|e| CallError::Evm(e.to_string()))?.result {
        ExecutionResult::Success { output, .. } => Ok(output_bytes(output)),
        ExecutionResult::Revert { output, .. } => Err(CallError::Reverted(output)),
        ExecutionResult::Halt { reason, .. } => Err(CallError::Halted(format!("{reason:?}"))),
    }
}

/// The revm transaction for `tx`: an EIP-1559 call with `nonce`.
fn tx_env(tx: &Tx, nonce: u64, chain_id: u64) -> TxEnv {
    TxEnv {
        tx_type: 2,
        caller: tx.from,
        gas_limit: tx.gas_limit,
        gas_price: tx.max_fee_per_gas,
        gas_priority_fee: Some(tx.max_priority_fee_per_gas),
        kind: TxKind::Call(tx.to),
        value: tx.value,
        data: tx.input.clone(),
        nonce,
        chain_id: Some(chain_id),
        ..TxEnv::default()
    }
}

fn output_bytes(output: Output) -> Bytes {
    match output {
        Output::Call(bytes) | Output::Create(bytes, _) => bytes,
    }
}
