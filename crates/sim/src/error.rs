//! The lab's errors.

use alloy::transports::TransportError;

/// What can go wrong in a run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A scenario file is unusable.
    #[error(transparent)]
    Scenario(#[from] crate::ScenarioError),
    /// Starting the node or deploying the world failed.
    #[error(transparent)]
    Chain(#[from] breakwater_chain::Error),
    /// A liquidation bot's read failed.
    #[error(transparent)]
    Agent(#[from] breakwater_agents::Error),
    /// An RPC request failed.
    #[error("{action}: {source}")]
    Rpc {
        /// What was being done.
        action: String,
        /// The transport error.
        source: TransportError,
    },
    /// A contract read failed.
    #[error("{action}: {message}")]
    Call {
        /// The call.
        action: String,
        /// The decoded error.
        message: String,
    },
    /// The run could not be set up or stepped.
    #[error("{0}")]
    Setup(String),
}

impl Error {
    pub(crate) fn rpc(action: impl Into<String>, source: TransportError) -> Self {
        Self::Rpc { action: action.into(), source }
    }

    /// A failed read through the [`breakwater_world::Reads`] seam.
    pub(crate) fn read(action: impl Into<String>, err: breakwater_world::ReadError) -> Self {
        Self::Call { action: action.into(), message: err.to_string() }
    }
}

/// The lab's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
