//! Sending transactions and waiting for them with errors that say which step failed and why
//! (reverts decoded into the contracts' custom errors).

use std::time::Duration;

use alloy::{
    contract::{CallBuilder, CallDecoder},
    network::Ethereum,
    primitives::{Address, TxHash},
    providers::Provider,
    rpc::types::TransactionReceipt,
};
use tracing::debug;

use crate::{Error, Result};

/// How long [`confirm`] waits for a receipt before giving up.
pub const RECEIPT_TIMEOUT: Duration = Duration::from_secs(120);

/// Gas limit for a transaction whose `eth_estimateGas` answered `estimate`: 25% plus 25,000
/// on top, enough for state the estimate did not see (a new block's first pool observation,
/// interest accrual, a breaker update).
pub fn padded_gas(estimate: u64) -> u64 {
    estimate.saturating_add(estimate / 4).saturating_add(25_000)
}

/// Sends a contract call as a transaction and waits for its receipt; a revert (at gas
/// estimation or on chain) is an [`Error::Contract`] naming `step` and the decoded error. The
/// gas limit is the estimate padded by [`padded_gas`].
pub async fn send<P, D>(step: &str, call: CallBuilder<P, D, Ethereum>) -> Result<TransactionReceipt>
where
    P: Provider,
    D: CallDecoder,
{
    // alloy uses the estimate as is, but execution can cost more than estimated: the pool
    // writes its first observation of a block only when the block's timestamp moved, and the
    // estimate may run in a block where it did not. Pad it.
    let estimate = call.estimate_gas().await.map_err(|e| Error::contract(step, &e))?;
    let call = call.gas(padded_gas(estimate));
    let pending = call.send().await.map_err(|e| Error::contract(step, &e))?;
    let hash = *pending.tx_hash();
    confirm(pending.provider(), step, hash).await
}

/// Deploys a contract from a `deploy_builder` and returns its address.
pub async fn deploy<P, D>(step: &str, builder: CallBuilder<P, D, Ethereum>) -> Result<Address>
where
    P: Provider,
    D: CallDecoder,
{
    let receipt = send(step, builder).await?;
    receipt.contract_address.ok_or_else(|| Error::Contract {
        step: step.to_string(),
        message: format!("transaction {} created no contract", receipt.transaction_hash),
    })
}

/// Waits for the receipt of `hash`, polling quickly at first (an automining Anvil answers at
/// once) and backing off to one second; a reverted transaction is an error naming `step`.
pub async fn confirm<P: Provider>(
    provider: &P,
    step: &str,
    hash: TxHash,
) -> Result<TransactionReceipt> {
    let started = tokio::time::Instant::now();
    let mut wait = Duration::from_millis(5);
    loop {
        let receipt = provider
            .get_transaction_receipt(hash)
            .await
            .map_err(|e| Error::rpc(format!("{step}: eth_getTransactionReceipt({hash})"), e))?;
        if let Some(receipt) = receipt {
            if !receipt.status() {
                return Err(Error::Contract {
                    step: step.to_string(),
                    message: format!("transaction {hash} reverted on chain"),
                });
            }
            debug!(step, %hash, gas = receipt.gas_used, "confirmed");
            return Ok(receipt);
        }
        if started.elapsed() > RECEIPT_TIMEOUT {
            return Err(Error::Contract {
                step: step.to_string(),
                message: format!(
                    "transaction {hash} not mined within {}s (automine off?)",
                    RECEIPT_TIMEOUT.as_secs()
                ),
            });
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(Duration::from_secs(1));
    }
}
