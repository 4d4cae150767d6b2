//! The crate's error type. Transient RPC failures are retried where they happen (collectors back
//! off and reconnect, executors resync their nonce); what reaches a caller names what was being
//! done and why it failed.

use alloy::transports::TransportError;

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What can go wrong while collecting, deciding or executing.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An RPC request failed.
    #[error("{action} failed: {source}")]
    Rpc {
        /// What was being done, e.g. `eth_getLogs(100..=200)`.
        action: String,
        /// The transport error.
        #[source]
        source: TransportError,
    },

    /// A contract read failed (a revert is decoded into the contract's custom error).
    #[error("{action}: {message}")]
    Call {
        /// The call, e.g. `LendingMarket.positionsHealth(12 borrowers)`.
        action: String,
        /// The decoded revert or the error.
        message: String,
    },

    /// A transaction could not be sent, reverted, or was not mined in time.
    #[error("{action}: {message}")]
    Transaction {
        /// What the transaction was for, e.g. `liquidate 0x70…`.
        action: String,
        /// The decoded revert or the error.
        message: String,
    },

    /// A configuration value is unusable; names the field.
    #[error("bot configuration: {field}: {problem}")]
    Config {
        /// The field, e.g. `sell.max_slippage`.
        field: &'static str,
        /// What is wrong with it.
        problem: String,
    },

    /// An engine component stopped with an error; names the component.
    #[error("{component} stopped: {message}")]
    Component {
        /// The collector, strategy or executor.
        component: String,
        /// Why.
        message: String,
    },
}

impl Error {
    /// Wraps a failed RPC request.
    pub fn rpc(action: impl Into<String>, source: TransportError) -> Self {
        Self::Rpc { action: action.into(), source }
    }

    /// Wraps a failed contract read, decoding its revert through the generated bindings.
    pub fn call(action: impl Into<String>, err: &alloy::contract::Error) -> Self {
        Self::Call { action: action.into(), message: breakwater_bindings::revert_message(err) }
    }

    /// Wraps a failed read through the [`breakwater_world::Reads`] seam: a transport failure
    /// stays an RPC error (transient), a revert or bad data a call error.
    pub fn read(action: impl Into<String>, err: breakwater_world::ReadError) -> Self {
        match err {
            breakwater_world::ReadError::Transport(source) => Self::rpc(action, source),
            other => Self::Call { action: action.into(), message: other.to_string() },
        }
    }

    /// Whether the failure is the node being unreachable or failing (worth a retry with backoff)
    /// rather than an answer that will not change.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Rpc { source, .. } => is_transient_transport(source),
            _ => false,
        }
    }
}

/// Whether a transport error is a connection problem (node down, restarting, timed out) rather
/// than an error response from a live node.
pub fn is_transient_transport(err: &TransportError) -> bool {
    match err {
        TransportError::ErrorResp(_) => false,
        TransportError::Transport(_) => true,
        // Deserialization of an empty or HTML body from a restarting node, and the rest.
        _ => true,
    }
}
