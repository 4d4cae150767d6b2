//! `breakwater deploy`: deploy and wire the world for a policy on an embedded Anvil (default)
//! or any RPC, write the manifest, print it, and with `--keep-alive` keep the embedded node
//! running until Ctrl-C. With `--basket`, the RWA² world instead: three vault worlds on one
//! stablecoin, a tranche vault over them and a market lending against its senior token.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use breakwater_chain::{AnvilOptions, BasketConfig, Chain, DeployConfig, Policy, SignerSource};
use clap::Args;
use tracing::info;

use crate::out::outln;

/// Arguments of `breakwater deploy`.
#[derive(Debug, Args)]
pub(crate) struct DeployArgs {
    /// Deployment configuration (TOML); every field has a default.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,

    /// Deploy the RWA² world (the config file is then a basket configuration) [manifest default:
    /// deployments/basket.json on Anvil].
    #[arg(long)]
    basket: bool,

    /// Policy [default: the config's `policy`, else safeguarded].
    #[arg(long, value_name = "POLICY", value_parser = crate::policy_parser())]
    policy: Option<Policy>,

    /// JSON-RPC endpoint (http, https, ws, wss). Without it, an embedded Anvil is started.
    #[arg(long, value_name = "URL")]
    rpc: Option<String>,

    /// Environment variable holding the deployer's hex private key (with --rpc).
    #[arg(long, value_name = "VAR", conflicts_with = "keystore", requires = "rpc")]
    key_env: Option<String>,

    /// Encrypted JSON keystore of the deployer (with --rpc).
    #[arg(long, value_name = "FILE", requires = "rpc")]
    keystore: Option<PathBuf>,

    /// Environment variable holding the keystore's password (with --keystore).
    #[arg(long, value_name = "VAR", default_value = "KEYSTORE_PASSWORD")]
    password_env: String,

    /// Where to write the manifest [default: deployments/local.json on Anvil, else
    /// deployments/<chain id>.json].
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,

    /// Port of the embedded Anvil [default: a free one].
    #[arg(long, conflicts_with = "rpc")]
    port: Option<u16>,

    /// Keep the embedded Anvil running after deploying, until Ctrl-C (otherwise it stops when
    /// the command exits, and the manifest's addresses with it).
    #[arg(long, conflicts_with = "rpc")]
    keep_alive: bool,

    /// Print the effective configuration (defaults filled in) as TOML and exit.
    #[arg(long)]
    print_config: bool,
}

pub(crate) async fn run(args: DeployArgs) -> Result<()> {
    if args.basket {
        deploy_world::<BasketConfig>(args).await
    } else {
        deploy_world::<DeployConfig>(args).await
    }
}

/// What `deploy` deploys: one vault world ([`DeployConfig`]) or the RWA² world
/// ([`BasketConfig`]).
trait World: Default + Sized {
    /// The manifest's name in errors.
    const MANIFEST: &'static str;
    fn load(path: &Path) -> breakwater_chain::Result<Self>;
    fn policy(&self) -> Policy;
    /// The effective configuration as TOML, with `policy`.
    fn print(self, policy: Policy) -> String;
    fn validate(&self, policy: Policy) -> breakwater_chain::Result<()>;
    /// Deploys and wires the world, writes its manifest to `out` and returns the manifest.
    async fn deploy(&self, chain: &Chain, policy: Policy, out: &Path) -> Result<String>;
}

/// Implements [`World`] for a configuration type through its own methods and `deploy` function.
macro_rules! world {
    ($config:ty, $deploy:path, $manifest:literal) => {
        impl World for $config {
            const MANIFEST: &'static str = $manifest;
            fn load(path: &Path) -> breakwater_chain::Result<Self> {
                Self::load(path)
            }
            fn policy(&self) -> Policy {
                self.policy
            }
            fn print(self, policy: Policy) -> String {
                Self { policy, ..self }.to_toml()
            }
            fn validate(&self, policy: Policy) -> breakwater_chain::Result<()> {
                self.validate(policy)
            }
            async fn deploy(&self, chain: &Chain, policy: Policy, out: &Path) -> Result<String> {
                let deployment = $deploy(chain, self, policy).await?;
                deployment.write(out).with_context(|| format!("writing {}", Self::MANIFEST))?;
                Ok(deployment.to_json())
            }
        }
    };
}
world!(DeployConfig, breakwater_chain::deploy, "the deployment manifest");
world!(BasketConfig, breakwater_chain::deploy_basket, "the basket manifest");

async fn deploy_world<W: World>(args: DeployArgs) -> Result<()> {
    let config = match &args.config {
        Some(path) => W::load(path)?,
        None => W::default(),
    };
    let policy = args.policy.unwrap_or(config.policy());
    if args.print_config {
        crate::out::print(&config.print(policy))?;
        return Ok(());
    }
    // Validate before starting a node, so a bad file fails fast.
    config.validate(policy)?;
    let chain = connect(&args).await?;
    let out = manifest_path(&args, &chain);
    let json = config.deploy(&chain, policy, &out).await?;
    info!(manifest = %out.display(), "manifest written");
    outln!("{}", json.trim_end())?;
    stay_alive(&args, &chain).await
}

async fn connect(args: &DeployArgs) -> Result<Chain> {
    Ok(match &args.rpc {
        None => Chain::anvil(AnvilOptions { port: args.port, ..AnvilOptions::default() }).await?,
        Some(url) => {
            let signer = match (&args.key_env, &args.keystore) {
                (Some(var), _) => Some(SignerSource::PrivateKeyEnv(var.clone())),
                (None, Some(path)) => Some(SignerSource::Keystore {
                    path: path.clone(),
                    password_env: args.password_env.clone(),
                }),
                (None, None) => None,
            };
            Chain::connect(url, signer).await?
        }
    })
}

/// `--out`, else `deployments/local.json` (`basket.json`) on Anvil and
/// `deployments/<chain id>.json` (`<chain id>-basket.json`) elsewhere.
fn manifest_path(args: &DeployArgs, chain: &Chain) -> PathBuf {
    let name = match (chain.is_dev(), args.basket) {
        (true, false) => "local".to_string(),
        (true, true) => "basket".to_string(),
        (false, false) => chain.chain_id().to_string(),
        (false, true) => format!("{}-basket", chain.chain_id()),
    };
    args.out.clone().unwrap_or_else(|| PathBuf::from(format!("deployments/{name}.json")))
}

async fn stay_alive(args: &DeployArgs, chain: &Chain) -> Result<()> {
    if chain.embedded().is_some() {
        if args.keep_alive {
            outln!("RPC {} (chain id {}): Ctrl-C stops the node", chain.url(), chain.chain_id())?;
            tokio::signal::ctrl_c().await.context("waiting for Ctrl-C")?;
            info!("stopping the embedded anvil");
        } else {
            info!(
                "the embedded anvil stops now, and these addresses with it: \
                 pass --keep-alive to keep it, or --rpc to deploy to a node you run"
            );
        }
    }
    Ok(())
}
