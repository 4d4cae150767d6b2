//! Connecting to a chain: an embedded Anvil (the default) or any JSON-RPC endpoint (http/ws),
//! with a signer from a private key, an encrypted keystore or, on Anvil, its unlocked accounts.

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use alloy::{
    network::EthereumWallet,
    node_bindings::{Anvil, AnvilInstance},
    primitives::Address,
    providers::{DynProvider, Provider, ProviderBuilder, ext::AnvilApi},
    signers::local::PrivateKeySigner,
    transports::{TransportError, TransportErrorKind},
};
use tracing::{debug, info};

use crate::{Error, Result};

/// The provider every Breakwater crate uses: type-erased, cheap to clone, with the recommended
/// fillers (nonce, gas, chain id) and, when we sign locally, a wallet holding every key we have.
/// Generated bindings take it directly: `LendingMarket::new(address, provider.clone())`.
pub type ChainProvider = DynProvider;

/// How long to wait for a node to answer its first request.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
/// How long to wait for an embedded Anvil to print its listening address.
const ANVIL_START_TIMEOUT_MS: u64 = 60_000;

/// Where the signing key comes from when connecting to an RPC endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignerSource {
    /// A hex private key in this environment variable.
    PrivateKeyEnv(String),
    /// An encrypted JSON keystore, with its password in an environment variable.
    Keystore {
        /// The keystore file.
        path: PathBuf,
        /// The environment variable holding the password.
        password_env: String,
    },
    /// The node's own unlocked accounts (`eth_accounts`): Anvil only.
    NodeAccounts,
}

/// Options for an embedded Anvil.
#[derive(Debug, Clone, Default)]
pub struct AnvilOptions {
    /// Port to listen on; `None` picks a free one.
    pub port: Option<u16>,
    /// The anvil binary; `None` resolves it (see [`find_anvil`]).
    pub binary: Option<PathBuf>,
    /// Number of funded dev accounts (Anvil's default is 10).
    pub accounts: Option<u32>,
    /// Mine a block every this many seconds instead of on every transaction.
    pub block_time: Option<u64>,
    /// Extra command-line arguments.
    pub args: Vec<String>,
}

/// A connected chain: the provider, who we send as, and the embedded node if we started one
/// (it stops when the `Chain` is dropped).
#[derive(Debug)]
pub struct Chain {
    provider: ChainProvider,
    url: String,
    ws_url: Option<String>,
    chain_id: u64,
    client: String,
    sender: Address,
    accounts: Vec<Address>,
    anvil: Option<AnvilInstance>,
}

impl Chain {
    /// A fresh embedded Anvil as the scenario lab uses it: any account can send
    /// (impersonation), blocks hold hundreds of transactions (gas limit 1e9), gas costs nothing
    /// beyond the priority fee (base fee 0), and a fixed clock: a genesis timestamp, then one
    /// second per block until the lab mines blocks at its own timestamps. With wall-clock
    /// timestamps a loaded machine deployed over more seconds, which moved the pool's first TWAPs
    /// and the breaker's absolute windows: same seed, different numbers. The in-process EVM
    /// answers unpinned reads one second after the head, as this node does.
    pub async fn lab(mut options: AnvilOptions) -> Result<Self> {
        options.args.extend(
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
        let chain = Self::anvil(options).await?;
        chain
            .provider()
            .anvil_set_block_timestamp_interval(1)
            .await
            .map_err(|e| Error::rpc("anvil_setBlockTimestampInterval", e))?;
        Ok(chain)
    }

    /// Starts an embedded Anvil and connects to it, signing locally with all its dev keys (the
    /// first is the deployer; send as another with `.from(address)`).
    pub async fn anvil(options: AnvilOptions) -> Result<Self> {
        let binary = match &options.binary {
            Some(path) if path.exists() => path.clone(),
            Some(path) => {
                return Err(Error::AnvilNotFound { looked: vec![path.display().to_string()] });
            }
            None => find_anvil()?,
        };
        let mut builder =
            Anvil::at(&binary).port(options.port.unwrap_or(0)).timeout(ANVIL_START_TIMEOUT_MS);
        if let Some(n) = options.accounts {
            builder = builder.arg("--accounts").arg(n.to_string());
        }
        if let Some(secs) = options.block_time {
            builder = builder.block_time(secs);
        }
        // An embedded node is thrown away with its process: states it would page out to disk
        // (~/.foundry/anvil/tmp) are never read back and are not removed when it is killed, so a
        // long lab run leaked gigabytes. Old states are dropped from memory instead.
        builder = builder.arg("--max-persisted-states").arg("0");
        builder = builder.args(options.args.clone());
        let spawn_binary = binary.clone();
        // Spawning blocks on reading anvil's stdout until it listens.
        let instance = tokio::task::spawn_blocking(move || builder.try_spawn())
            .await
            .map_err(|e| Error::AnvilStart {
                binary: spawn_binary.clone(),
                source: alloy::node_bindings::NodeError::Fatal(e.to_string()),
            })?
            .map_err(|source| Error::AnvilStart { binary: binary.clone(), source })?;

        let url = format!("http://127.0.0.1:{}", instance.port());
        let ws_url = format!("ws://127.0.0.1:{}", instance.port());
        let wallet = instance.wallet().ok_or_else(|| Error::AnvilStart {
            binary: binary.clone(),
            source: alloy::node_bindings::NodeError::NoKeysAvailable,
        })?;
        let accounts = instance.addresses().to_vec();
        let sender = accounts.first().copied().unwrap_or_default();
        let http = url
            .parse()
            .map_err(|e| Error::InvalidUrl { url: url.clone(), reason: format!("{e}") })?;
        let provider = ProviderBuilder::new().wallet(wallet).connect_http(http).erased();
        let (chain_id, client) = probe(&provider, &url).await?;
        info!(%url, chain_id, binary = %binary.display(), "embedded anvil started");
        Ok(Self {
            provider,
            url,
            ws_url: Some(ws_url),
            chain_id,
            client,
            sender,
            accounts,
            anvil: Some(instance),
        })
    }

    /// Connects to any JSON-RPC endpoint (`http(s)://` or `ws(s)://`). Without a signer, an
    /// Anvil node's unlocked accounts are used; any other node needs one.
    pub async fn connect(url: &str, signer: Option<SignerSource>) -> Result<Self> {
        let scheme_ok =
            ["http://", "https://", "ws://", "wss://"].iter().any(|s| url.starts_with(s));
        if !scheme_ok {
            return Err(Error::InvalidUrl {
                url: url.to_string(),
                reason: "expected an http://, https://, ws:// or wss:// URL".into(),
            });
        }
        let local = match &signer {
            Some(SignerSource::PrivateKeyEnv(var)) => Some(key_from_env(var)?),
            Some(SignerSource::Keystore { path, password_env }) => {
                Some(key_from_keystore(path, password_env)?)
            }
            Some(SignerSource::NodeAccounts) | None => None,
        };

        let builder = ProviderBuilder::new();
        let connect = async {
            match &local {
                Some(key) => builder
                    .wallet(EthereumWallet::from(key.clone()))
                    .connect(url)
                    .await
                    .map(Provider::erased),
                None => builder.connect(url).await.map(Provider::erased),
            }
        };
        let provider = tokio::time::timeout(CONNECT_TIMEOUT, connect)
            .await
            .map_err(|_| Error::Unreachable { url: url.to_string(), source: timed_out() })?
            .map_err(|source| Error::Unreachable { url: url.to_string(), source })?;
        let (chain_id, client) = probe(&provider, url).await?;

        let (sender, accounts) = match local {
            Some(key) => (key.address(), vec![key.address()]),
            None => {
                if !is_anvil(&client) {
                    return Err(Error::NoSigner { url: url.to_string() });
                }
                let accounts = provider
                    .get_accounts()
                    .await
                    .map_err(|e| Error::rpc(format!("eth_accounts on {url}"), e))?;
                let Some(first) = accounts.first().copied() else {
                    return Err(Error::NoSigner { url: url.to_string() });
                };
                info!(%url, sender = %first, "no key given: using the Anvil node's unlocked accounts");
                (first, accounts)
            }
        };
        info!(%url, chain_id, %client, %sender, "connected");
        Ok(Self {
            provider,
            url: url.to_string(),
            ws_url: url.starts_with("ws").then(|| url.to_string()),
            chain_id,
            client,
            sender,
            accounts,
            anvil: None,
        })
    }

    /// The provider (cheap to clone).
    pub fn provider(&self) -> &ChainProvider {
        &self.provider
    }

    /// The HTTP (or ws, if that is what was given) endpoint.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A websocket endpoint, when known (an embedded Anvil serves both on one port).
    pub fn ws_url(&self) -> Option<&str> {
        self.ws_url.as_deref()
    }

    /// The chain id.
    pub fn chain_id(&self) -> u64 {
        self.chain_id
    }

    /// What the node calls itself (`web3_clientVersion`), e.g. `anvil/v1.7.1`.
    pub fn client_version(&self) -> &str {
        &self.client
    }

    /// The default sender: the deployer.
    pub fn sender(&self) -> Address {
        self.sender
    }

    /// Every account we can send from (the sender first). On Anvil, its dev accounts.
    pub fn accounts(&self) -> &[Address] {
        &self.accounts
    }

    /// Whether the node is Anvil, so the development helpers (mine, time travel, snapshots)
    /// and the local-only deployment steps apply.
    pub fn is_dev(&self) -> bool {
        is_anvil(&self.client)
    }

    /// The embedded node, if this `Chain` started one (its keys, port, …).
    pub fn embedded(&self) -> Option<&AnvilInstance> {
        self.anvil.as_ref()
    }

    /// Fails with a clear error unless the node is Anvil.
    pub(crate) fn require_dev(&self, method: &'static str) -> Result<()> {
        if self.is_dev() {
            Ok(())
        } else {
            Err(Error::NotDevNode { method, url: self.url.clone(), client: self.client.clone() })
        }
    }
}

fn is_anvil(client: &str) -> bool {
    client.to_ascii_lowercase().starts_with("anvil")
}

fn timed_out() -> TransportError {
    TransportErrorKind::custom_str(&format!("no answer within {}s", CONNECT_TIMEOUT.as_secs()))
}

/// The chain id and client version: the first requests, which tell whether the node is there.
async fn probe(provider: &ChainProvider, url: &str) -> Result<(u64, String)> {
    let unreachable = |source| Error::Unreachable { url: url.to_string(), source };
    let chain_id = tokio::time::timeout(CONNECT_TIMEOUT, provider.get_chain_id())
        .await
        .map_err(|_| unreachable(timed_out()))?
        .map_err(unreachable)?;
    let client = provider.get_client_version().await.unwrap_or_default();
    debug!(url, chain_id, client, "node answered");
    Ok((chain_id, client))
}

fn key_from_env(var: &str) -> Result<PrivateKeySigner> {
    let origin = format!("environment variable {var}");
    let value = std::env::var(var).map_err(|e| Error::BadKey {
        origin: origin.clone(),
        reason: match e {
            std::env::VarError::NotPresent => "not set".into(),
            std::env::VarError::NotUnicode(_) => "not valid UTF-8".into(),
        },
    })?;
    value.trim().parse::<PrivateKeySigner>().map_err(|_| Error::BadKey {
        origin,
        // Never echo the value: it may be a real key with a typo.
        reason: "not a 32-byte hex private key".into(),
    })
}

fn key_from_keystore(path: &Path, password_env: &str) -> Result<PrivateKeySigner> {
    let origin = format!("keystore {}", path.display());
    if !path.is_file() {
        return Err(Error::BadKey { origin, reason: "no such file".into() });
    }
    let password = std::env::var(password_env).map_err(|_| Error::BadKey {
        origin: origin.clone(),
        reason: format!("its password variable {password_env} is not set"),
    })?;
    PrivateKeySigner::decrypt_keystore(path, password).map_err(|e| Error::BadKey {
        origin,
        reason: format!("cannot decrypt ({e}); wrong password in {password_env}?"),
    })
}

/// Finds the anvil binary: `$ANVIL`, then the native binary that `npm ci` installs under
/// `node_modules/@foundry-rs/anvil-<platform>/bin/` (in the current directory, then in this
/// repository), then `node_modules/.bin/anvil` (a Node launcher), then `PATH`.
///
/// The native binary is preferred over the launcher: it starts faster, and stopping it stops the
/// node itself rather than a Node process in front of it.
pub fn find_anvil() -> Result<PathBuf> {
    let mut looked = Vec::new();
    if let Some(path) = std::env::var_os("ANVIL") {
        let path = PathBuf::from(path);
        if path.is_file() {
            return Ok(path);
        }
        looked.push(format!("$ANVIL={} (missing)", path.display()));
    } else {
        looked.push("$ANVIL (unset)".into());
    }
    let mut roots = Vec::new();
    if let Ok(cwd) = std::env::current_dir() {
        roots.push(cwd);
    }
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    if let Ok(repo) = repo.canonicalize()
        && !roots.contains(&repo)
    {
        roots.push(repo);
    }
    for root in &roots {
        let scope = root.join("node_modules/@foundry-rs");
        if let Ok(entries) = std::fs::read_dir(&scope) {
            let mut natives: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("anvil-"))
                })
                .map(|p| p.join("bin/anvil"))
                .filter(|p| p.is_file())
                .collect();
            natives.sort();
            if let Some(native) = natives.into_iter().next() {
                return Ok(native);
            }
        }
        looked.push(format!("{}/anvil-*/bin/anvil", scope.display()));
        let launcher = root.join("node_modules/.bin/anvil");
        if launcher.is_file() {
            return Ok(launcher);
        }
        looked.push(launcher.display().to_string());
    }
    if let Some(paths) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&paths) {
            let candidate = dir.join("anvil");
            if candidate.is_file() {
                return Ok(candidate);
            }
        }
    }
    looked.push("PATH".into());
    Err(Error::AnvilNotFound { looked })
}
