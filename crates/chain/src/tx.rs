//! Sending transactions and waiting for them with errors that say which step failed and why
//! (reverts decoded into the contracts' custom errors).

use std::time::Duration;

use alloy::{
    contract::{CallBuilder, CallDecoder},
    network::Ethereum,
    network::TransactionResponse as _,
    primitives::{Address, TxHash},
    providers::Provider,
    rpc::types::TransactionReceipt,
};
use tracing::debug;

use crate::{Error, Result};

/// How long [`confirm`] waits for a receipt before giving up.
pub const RECEIPT_TIMEOUT: Duration = Duration::from_secs(120);

pub use breakwater_world::tx::padded_gas;

/// Sends a contract call as a transaction and waits for its receipt; a revert (at gas
/// estimation or on chain) is an [`Error::Contract`] naming `step` and the decoded error. The
/// gas limit is the estimate padded by [`padded_gas`].
pub async fn send<P, D>(step: &str, call: CallBuilder<P, D, Ethereum>) -> Result<TransactionReceipt>
where
    P: Provider,
    D: CallDecoder,
{
    // alloy uses the estimate as is, but execution can cost more than estimated: the pool
    // writes a ring slot only once its observation period has passed, which the estimate (run
    // against the previous block) may not see. Pad it.
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
                let used = Some(receipt.gas_used);
                let reason = replay_revert(provider, hash, receipt.block_number, used).await;
                return Err(Error::Contract {
                    step: step.to_string(),
                    message: format!("transaction {hash} reverted on chain: {reason}"),
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

/// Best effort at why a mined transaction reverted: replays it (see
/// [`breakwater_world::tx::replay_revert`]) without its gas limit, to see whether gas was the
/// cause.
async fn replay_revert<P: Provider>(
    provider: &P,
    hash: TxHash,
    block: Option<u64>,
    gas_used: Option<u64>,
) -> String {
    let unknown = || "the reason could not be reproduced".to_string();
    let Ok(Some(tx)) = provider.get_transaction_by_hash(hash).await else { return unknown() };
    let from = tx.from();
    let mut request = tx.into_request().from(from);
    let limit = request.gas.take();
    let Some(block) = block else { return unknown() };
    match breakwater_world::tx::replay_revert(provider, request, block).await {
        Some(revert) => revert.to_string(),
        None => match (limit, gas_used) {
            (Some(limit), Some(used)) if used >= limit => {
                format!("out of gas (used the whole limit of {limit})")
            }
            _ => unknown(),
        },
    }
}
