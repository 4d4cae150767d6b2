//! The crate's error type: every variant names what is wrong (the URL, the file and field, the
//! binary and where it was looked for, the deployment step).

use std::path::PathBuf;

use alloy::transports::TransportError;

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What can go wrong while connecting, configuring, deploying or reading a manifest.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No `anvil` binary at any of the places looked at.
    #[error(
        "anvil binary not found; looked at: {}. Run `npm ci` at the repository root or set ANVIL",
        .looked.join(", ")
    )]
    AnvilNotFound {
        /// Every place looked at, in order.
        looked: Vec<String>,
    },

    /// `anvil` was found but did not start.
    #[error("anvil at {binary} did not start: {source}")]
    AnvilStart {
        /// The binary that was run.
        binary: PathBuf,
        /// Why it failed.
        #[source]
        source: alloy::node_bindings::NodeError,
    },

    /// The RPC URL is malformed or its scheme is not supported.
    #[error("invalid RPC URL `{url}`: {reason}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },

    /// The node at the URL did not answer.
    #[error("RPC endpoint {url} is unreachable: {source}")]
    Unreachable {
        /// The URL that was tried.
        url: String,
        /// The transport error.
        #[source]
        source: TransportError,
    },

    /// A private key could not be read (missing or malformed environment variable, bad keystore
    /// or password).
    #[error("bad signing key from {origin}: {reason}")]
    BadKey {
        /// Where the key came from, e.g. `environment variable PRIVATE_KEY` or a keystore path.
        origin: String,
        /// What is wrong (never the key itself).
        reason: String,
    },

    /// No signer was given and the node cannot sign for us.
    #[error(
        "no signer for {url}: pass a private key (environment variable) or a keystore; \
         only an Anvil node's own unlocked accounts can be used without one"
    )]
    NoSigner {
        /// The endpoint.
        url: String,
    },

    /// A development-only RPC method (`anvil_*`, `evm_*`) on a node that is not Anvil.
    #[error("{method} needs an Anvil node, but {url} is `{client}`")]
    NotDevNode {
        /// The method that was wanted.
        method: &'static str,
        /// The endpoint.
        url: String,
        /// What the node says it is (`web3_clientVersion`).
        client: String,
    },

    /// A configuration file could not be read, parsed or validated. Each problem names the
    /// file and the field.
    #[error("{}", .problems.iter().map(|p| format!("{file}: {p}")).collect::<Vec<_>>().join("\n"))]
    Config {
        /// The file (or `<defaults>` for built-in values).
        file: String,
        /// One line per problem: `market.max_ltv = 0.95 must be below …`.
        problems: Vec<String>,
    },

    /// A deployment manifest is malformed.
    #[error("{file}: {field}: {problem}")]
    Manifest {
        /// The manifest file.
        file: String,
        /// The JSON field, e.g. `contracts.market` (empty for the whole file).
        field: String,
        /// What is wrong.
        problem: String,
    },

    /// A manifest is for another chain than the node's.
    #[error("the manifest is for chain {manifest} but {url} is chain {node}")]
    WrongChain {
        /// The manifest's chain id.
        manifest: u64,
        /// The node's chain id.
        node: u64,
        /// The endpoint.
        url: String,
    },

    /// A manifest address holds no code on the node.
    #[error("{field}: no contract at {address} on {url} (another chain, or a restarted node?)")]
    NotDeployed {
        /// The manifest field, e.g. `contracts.market`.
        field: String,
        /// The address.
        address: alloy::primitives::Address,
        /// The endpoint.
        url: String,
    },

    /// Reading or writing a file failed.
    #[error("{}: {source}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },

    /// An RPC request failed.
    #[error("{action} failed: {source}")]
    Rpc {
        /// What was being done.
        action: String,
        /// The transport error.
        #[source]
        source: TransportError,
    },

    /// A contract call, transaction or deployment failed; reverts are decoded into the
    /// contracts' custom errors.
    #[error("{step}: {message}")]
    Contract {
        /// The deployment step or action, e.g. `deploy LendingMarket`.
        step: String,
        /// The decoded revert or the error.
        message: String,
    },
}

impl Error {
    /// Wraps a contract error, decoding its revert through the generated bindings.
    pub fn contract(step: impl Into<String>, err: &alloy::contract::Error) -> Self {
        Self::Contract { step: step.into(), message: breakwater_bindings::revert_message(err) }
    }

    /// Wraps a failed RPC request.
    pub fn rpc(action: impl Into<String>, source: TransportError) -> Self {
        Self::Rpc { action: action.into(), source }
    }
}
