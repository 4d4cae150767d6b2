//! Breakwater's chain layer: start an embedded Anvil or connect to any RPC, deploy and wire the
//! whole world for a policy from a typed configuration, and read and write the deployment
//! manifest.
//!
//! ```no_run
//! use breakwater_chain::{AnvilOptions, Chain, DeployConfig, Policy, deploy};
//!
//! # async fn run() -> breakwater_chain::Result<()> {
//! let chain = Chain::anvil(AnvilOptions::default()).await?;
//! let deployment = deploy(&chain, &DeployConfig::default(), Policy::Safeguarded).await?;
//! deployment.write("deployments/local.json")?;
//! let world = deployment.world(chain.provider().clone());
//! let totals = world.market.totals().call().await;
//! # let _ = totals;
//! # Ok(())
//! # }
//! ```

mod basket;
mod config;
mod deploy;
pub mod dev;
mod error;
mod manifest;
mod node;
pub mod tx;
mod world;

// `crate::policy` and `crate::units` paths, for modules written before they moved to `world`.
use breakwater_world::policy;

pub use basket::{
    BasketConfig, BasketDeployment, ConstituentConfig, ConstituentDeployment, TrancheAddresses,
    TrancheConfig, deploy_basket,
};
pub use breakwater_world::{BreakerKind, MarketAddresses, MarketKind, OracleKind, Policy, units};
pub use config::{
    AmmConfig, BreakerConfig, DeployConfig, LocalConfig, MarketConfig, OracleConfig, RatesConfig,
    RolesConfig, StablecoinConfig, VaultConfig,
};
pub use deploy::{check_code, deploy, role_id};
pub use dev::Snapshot;
pub use error::{Error, Result};
pub use manifest::{Addresses, Deployment, Roles};
pub use node::{AnvilOptions, Chain, ChainProvider, SignerSource, find_anvil};
pub use world::World;

/// The generated contract bindings, re-exported so users need one dependency.
pub use breakwater_bindings as bindings;
