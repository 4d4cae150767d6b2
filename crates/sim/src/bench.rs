//! The yardstick `breakwater bench sim` compares the engine with: plain transfers sent and
//! mined exactly as the engine sends and mines (a fresh lab node, impersonated
//! `eth_sendTransaction` with explicit nonces, automine off, one `evm_mine` per block, the
//! block's receipts read back), with no agents, no reads and no contracts.

use std::time::Instant;

use alloy::{
    network::TransactionBuilder,
    primitives::{Address, U256, keccak256},
    providers::{Provider, ext::AnvilApi},
    rpc::types::TransactionRequest,
};
use breakwater_chain::dev;

use crate::{
    Error, Result, RunOptions,
    node::{TX_GAS, lab_node, lab_provider},
};

/// Transactions and the wall-clock seconds they took.
#[derive(Debug, Clone, Copy)]
pub struct Rate {
    /// Transactions mined.
    pub transactions: u64,
    /// Seconds from the first send to the last receipt.
    pub seconds: f64,
}

impl Rate {
    /// Transactions per second.
    pub fn per_second(&self) -> f64 {
        if self.seconds > 0.0 { self.transactions as f64 / self.seconds } else { 0.0 }
    }
}

/// `blocks` blocks of `per_block` ether transfers, each from its own sender (so that, like the
/// engine's, a block's transactions do not queue behind one nonce).
pub async fn raw_transfer_rate(
    per_block: usize,
    blocks: u64,
    options: &RunOptions,
) -> Result<Rate> {
    let chain = lab_node(options).await?;
    let lab = lab_provider(&chain)?;
    let senders: Vec<Address> = (0..per_block.max(1))
        .map(|i| Address::from_word(keccak256(format!("breakwater-bench/sender/{i}"))))
        .collect();
    for a in &senders {
        lab.anvil_set_balance(*a, U256::from(10u128.pow(24)))
            .await
            .map_err(|e| Error::rpc("anvil_setBalance", e))?;
    }
    dev::set_automine(&lab, false).await?;
    let mut timestamp = chain.latest_timestamp().await?;
    let to = Address::from_word(keccak256("breakwater-bench/receiver"));
    let started = Instant::now();
    let mut mined = 0;
    for nonce in 0..blocks {
        for from in &senders {
            let tx = TransactionRequest::default()
                .from(*from)
                .to(to)
                .value(U256::from(1))
                .with_nonce(nonce)
                .with_gas_limit(TX_GAS)
                .with_max_fee_per_gas(2_000_000_000)
                .with_max_priority_fee_per_gas(1_000_000_000);
            let _sent =
                lab.send_transaction(tx).await.map_err(|e| Error::rpc("eth_sendTransaction", e))?;
        }
        timestamp += 12;
        dev::mine_at(&lab, timestamp).await?;
        let receipts = lab
            .get_block_receipts(alloy::eips::BlockId::latest())
            .await
            .map_err(|e| Error::rpc("eth_getBlockReceipts", e))?
            .unwrap_or_default();
        mined += receipts.len() as u64;
    }
    let seconds = started.elapsed().as_secs_f64();
    if mined != blocks * senders.len() as u64 {
        return Err(Error::Setup(format!(
            "{mined} of {} transfers were mined",
            blocks * senders.len() as u64
        )));
    }
    Ok(Rate { transactions: mined, seconds })
}
