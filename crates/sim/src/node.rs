//! The lab's node: a fresh embedded Anvil set up for stepping blocks by hand, and the provider
//! the engine sends through.

use alloy::providers::{DynProvider, Provider, ProviderBuilder};
use breakwater_chain::Chain;

use crate::{Error, Result, RunOptions};

/// Gas limit of every lab transaction (the block limit is raised to fit hundreds).
pub(crate) const TX_GAS: u64 = 3_000_000;

/// A fresh embedded Anvil as the lab uses it ([`Chain::lab`]), from the run's options.
pub(crate) async fn lab_node(options: &RunOptions) -> Result<Chain> {
    Ok(Chain::lab(options.anvil.clone()).await?)
}

/// The lab's transaction provider: no fillers (the engine sets nonces and gas itself, so a
/// send is one `eth_sendTransaction` and nothing else).
pub(crate) fn lab_provider(chain: &Chain) -> Result<DynProvider> {
    let url =
        chain.url().parse().map_err(|_| Error::Setup(format!("bad node URL {}", chain.url())))?;
    Ok(ProviderBuilder::new().disable_recommended_fillers().connect_http(url).erased())
}
