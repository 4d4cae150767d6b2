//! What the parity test and the benchmark share: a world on an Anvil started as the lab starts
//! it, and the lab's way of sending to it.

use alloy::{
    network::TransactionBuilder,
    primitives::{Address, Bytes},
    providers::{DynProvider, Provider, ProviderBuilder},
    rpc::types::TransactionRequest,
};
use anyhow::Result;
use breakwater_chain::{AnvilOptions, Chain, DeployConfig, Deployment, Policy, deploy};

/// An Anvil started as the lab starts it ([`Chain::lab`]), the safeguarded world deployed on
/// it, and the lab's provider (no fillers: nonces and gas are set by the sender).
pub(crate) async fn lab_world() -> Result<(Chain, Deployment, DynProvider)> {
    let chain = Chain::lab(AnvilOptions::default()).await?;
    let deployment = deploy(&chain, &DeployConfig::default(), Policy::Safeguarded).await?;
    let url = chain.url().parse()?;
    let provider = ProviderBuilder::new().disable_recommended_fillers().connect_http(url).erased();
    Ok((chain, deployment, provider))
}

/// A transaction as the lab sends it: explicit nonce, gas 3,000,000, 2 gwei max fee, 1 gwei tip.
pub(crate) fn lab_tx(from: Address, to: Address, data: Bytes, nonce: u64) -> TransactionRequest {
    TransactionRequest::default()
        .from(from)
        .to(to)
        .input(data.into())
        .with_nonce(nonce)
        .with_gas_limit(3_000_000)
        .with_max_fee_per_gas(2_000_000_000)
        .with_max_priority_fee_per_gas(1_000_000_000)
}
