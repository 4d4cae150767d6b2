//! The lab's node: a fresh embedded Anvil set up for stepping blocks by hand, and the provider
//! the engine sends through.

use alloy::providers::{DynProvider, Provider, ProviderBuilder, ext::AnvilApi};
use breakwater_chain::Chain;

use crate::{Error, Result, RunOptions};

/// Gas limit of every lab transaction (the block limit is raised to fit hundreds).
pub(crate) const TX_GAS: u64 = 3_000_000;

/// A fresh embedded Anvil as the lab uses it: any account can send (impersonation), blocks
/// hold hundreds of transactions, and gas costs nothing beyond the priority fee.
pub(crate) async fn lab_node(options: &RunOptions) -> Result<Chain> {
    let mut anvil = options.anvil.clone();
    // Fixed clock: a genesis timestamp, then one second per deployment block. With wall-clock
    // timestamps a loaded machine deploys over more seconds, which moves the pool's first TWAPs
    // and the breaker's absolute windows: same seed, different numbers.
    anvil.args.extend(
        [
            "--auto-impersonate",
            "--gas-limit",
            "1000000000",
            "--block-base-fee-per-gas",
            "0",
            "--timestamp",
            "1767225600",
        ]
        .map(String::from),
    );
    let chain = Chain::anvil(anvil).await?;
    chain
        .provider()
        .anvil_set_block_timestamp_interval(1)
        .await
        .map_err(|e| Error::rpc("anvil_setBlockTimestampInterval", e))?;
    Ok(chain)
}

/// The lab's transaction provider: no fillers (the engine sets nonces and gas itself, so a
/// send is one `eth_sendTransaction` and nothing else).
pub(crate) fn lab_provider(chain: &Chain) -> Result<DynProvider> {
    let url =
        chain.url().parse().map_err(|_| Error::Setup(format!("bad node URL {}", chain.url())))?;
    Ok(ProviderBuilder::new().disable_recommended_fillers().connect_http(url).erased())
}
