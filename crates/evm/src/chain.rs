//! [`EvmChain`]: the state, the head block and the queue of pending transactions, with what the
//! lab does to a chain: queue transactions, mine a block at a chosen timestamp, read, fund.

use std::collections::BTreeMap;

use alloy::{
    primitives::{Address, B256, Bytes, U256},
    providers::Provider,
};
use revm::{
    database::{AccountState, DbAccount},
    state::{AccountInfo, Bytecode},
};

use crate::{
    AnvilDump, Block, CallError, ChainEnv, Error, Result, Tx,
    dump::AccountRecord,
    exec::{self, Db, Queued},
    tx::tx_id,
};

/// The head block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Head {
    /// Its number.
    pub number: u64,
    /// Its timestamp.
    pub timestamp: u64,
}

/// An in-process chain: the whole state in memory, blocks mined when the caller says, at the
/// timestamp it says.
///
/// Cloning copies the state (a deployed world is a few dozen accounts): each clone is an
/// independent path from the same world.
#[derive(Debug, Clone)]
pub struct EvmChain {
    db: Db,
    env: ChainEnv,
    head: Head,
    pending: Vec<Queued>,
}

impl EvmChain {
    /// A chain with no accounts at `head`.
    pub fn new(env: ChainEnv, head: Head) -> Self {
        Self { db: Db::default(), env, head, pending: Vec::new() }
    }

    /// The world of an Anvil node, at its head ([`AnvilDump::fetch`]).
    pub async fn from_anvil<P: Provider>(provider: &P) -> Result<Self> {
        Ok(Self::from_dump(AnvilDump::fetch(provider).await?))
    }

    /// The chain a dump describes: every account, its code and storage, at the dump's head.
    pub fn from_dump(dump: AnvilDump) -> Self {
        let mut chain = Self::new(dump.env, dump.head);
        for (address, record) in dump.accounts {
            chain.insert(address, record);
        }
        chain
    }

    fn insert(&mut self, address: Address, record: AccountRecord) {
        let code = (!record.code.is_empty()).then(|| Bytecode::new_raw(record.code));
        let info = match code {
            Some(code) => AccountInfo::new(record.balance, record.nonce, code.hash_slow(), code),
            None => {
                AccountInfo { balance: record.balance, nonce: record.nonce, ..Default::default() }
            }
        };
        self.db.insert_account_info(address, info);
        let account = self.db.cache.accounts.entry(address).or_default();
        // The dump is the whole storage: slots it does not list are zero.
        account.account_state = AccountState::StorageCleared;
        account.storage = record.storage.into_iter().collect();
    }

    /// The rules the chain runs with.
    pub fn env(&self) -> &ChainEnv {
        &self.env
    }

    /// The head block.
    pub fn head(&self) -> Head {
        self.head
    }

    /// Queues `tx` for the next block and returns its id ([`Receipt::hash`](crate::Receipt)).
    /// Without a nonce it gets the sender's next one; an explicit one must be that one.
    pub fn send(&mut self, tx: Tx) -> Result<B256> {
        let queued = self.pending.iter().filter(|q| q.tx.from == tx.from).count() as u64;
        let expected = self.nonce(tx.from) + queued;
        let nonce = tx.nonce.unwrap_or(expected);
        if nonce != expected {
            return Err(Error::Nonce { from: tx.from, nonce, expected });
        }
        let hash = tx_id(tx.from, nonce);
        self.pending.push(Queued { tx, nonce, hash });
        Ok(hash)
    }

    /// How many transactions wait for the next block.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Mines the queued transactions, in the order they were sent, as the next block at
    /// `timestamp` (not before the head's: like Anvil's `evm_mine`, a block may share its
    /// parent's timestamp, as the lab's setup blocks do). What does not fit in the block's gas limit stays
    /// queued.
    pub fn mine(&mut self, timestamp: u64) -> Result<Block> {
        if timestamp < self.head.timestamp {
            return Err(Error::Timestamp { timestamp, head: self.head.timestamp });
        }
        let number = self.head.number + 1;
        let queue = std::mem::take(&mut self.pending);
        let executed = exec::execute_block(&mut self.db, &self.env, number, timestamp, queue)?;
        self.pending = executed.left;
        self.head = Head { number, timestamp };
        Ok(Block { number, timestamp, receipts: executed.receipts, dropped: executed.dropped })
    }

    /// Calls `to` with `data` on the head state in the head block's environment (as `eth_call`
    /// pinned to the head's number), without committing anything and without copying the state.
    pub fn call(&self, to: Address, data: impl Into<Bytes>) -> Result<Bytes, CallError> {
        let Head { number, timestamp } = self.head;
        exec::call(&self.db, &self.env, number, timestamp, to, data.into())
    }

    /// Calls `to` with `data` on the head state as Anvil answers an unpinned `eth_call`
    /// ("latest"): in the next block's environment, [`ChainEnv::call_interval`] seconds after
    /// the head. Views that depend on time (interest accrued, TWAPs, staleness) differ from
    /// [`call`](Self::call)'s.
    pub fn call_latest(&self, to: Address, data: impl Into<Bytes>) -> Result<Bytes, CallError> {
        let Head { number, timestamp } = self.head;
        let timestamp = timestamp + self.env.call_interval;
        exec::call(&self.db, &self.env, number + 1, timestamp, to, data.into())
    }

    fn account(&self, who: Address) -> Option<&DbAccount> {
        self.db.cache.accounts.get(&who)
    }

    /// The balance of `who` in wei.
    pub fn balance(&self, who: Address) -> U256 {
        self.account(who).and_then(DbAccount::info).map(|i| i.balance).unwrap_or_default()
    }

    /// The nonce of `who` (mined transactions only).
    pub fn nonce(&self, who: Address) -> u64 {
        self.account(who).and_then(DbAccount::info).map(|i| i.nonce).unwrap_or_default()
    }

    /// The storage slot `slot` of `who`.
    pub fn storage(&self, who: Address, slot: U256) -> U256 {
        self.account(who).and_then(|a| a.storage.get(&slot).copied()).unwrap_or_default()
    }

    /// Sets the balance of `who` (Anvil's `anvil_setBalance`).
    pub fn set_balance(&mut self, who: Address, wei: U256) {
        let info = self.account(who).and_then(DbAccount::info).unwrap_or_default();
        self.db.insert_account_info(who, AccountInfo { balance: wei, ..info });
    }

    /// Every account that exists, as an [`AnvilDump`] lists it (empty storage slots left out).
    pub fn accounts(&self) -> BTreeMap<Address, AccountRecord> {
        self.db
            .cache
            .accounts
            .iter()
            .filter_map(|(address, account)| {
                let info = account.info()?;
                let code = info
                    .code
                    .clone()
                    .or_else(|| self.db.cache.contracts.get(&info.code_hash).cloned())
                    .map(|c| c.original_bytes())
                    .unwrap_or_default();
                let storage = account
                    .storage
                    .iter()
                    .filter(|(_, v)| !v.is_zero())
                    .map(|(k, v)| (*k, *v))
                    .collect();
                let record =
                    AccountRecord { nonce: info.nonce, balance: info.balance, code, storage };
                Some((*address, record))
            })
            .collect()
    }
}
