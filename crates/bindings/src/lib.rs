//! Typed bindings for Breakwater's contracts, generated at build time from forge artifacts.
//!
//! The build script compiles `contracts/` with the repository's forge and solc, then expands one
//! `alloy::sol!(#[sol(rpc)] Name, "<artifact>")` per contract and interface that exists. Each
//! becomes a module named after the contract, e.g. [`LendingMarket`], with:
//! - `LendingMarket::deploy(provider, ..constructor args)` and `LendingMarket::new(address, provider)`;
//! - one call builder per function (`market.liquidate(borrower, repay, min_seized).send()`);
//! - the events (`LendingMarket::Liquidate`) and structs (`LendingMarket::PositionHealth`);
//! - the custom errors, gathered in `LendingMarket::LendingMarketErrors`.
//!
//! Reverts are decoded into those enums, never shown as raw hex: [`ContractRevert::decode`] gives
//! the typed error, and [`revert_message`] a readable line for logs and error messages, such as
//! `MarketInsufficientCollateral(borrower: 0x70…, debt: 800, maxDebt: 700)`.
//!
//! Each contract's ABI is embedded too ([`abi`], [`ABIS`]), so a tool can write it next to a
//! deployment manifest for `cast` without a `forge build` of its own.

#[allow(missing_docs, unreachable_pub, clippy::all, clippy::pedantic)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/contracts.rs"));
}

pub use generated::*;

use alloy::{
    primitives::{B256, Bytes},
    sol_types::{GenericContractError, SolInterface as _},
    transports::TransportError,
};

/// A revert, decoded as far as the bindings allow.
#[derive(Debug, Clone)]
pub enum Revert {
    /// A custom error declared by one of the contracts.
    Contract(ContractRevert),
    /// `Error(string)` or `Panic(uint256)`.
    Generic(GenericContractError),
    /// Data that matches no known error (shown as hex: nothing better is known about it).
    Unknown(Bytes),
}

impl Revert {
    /// Decodes revert data: the contracts' custom errors first, then `Error(string)`/`Panic`.
    pub fn decode(data: &[u8]) -> Self {
        if let Some(e) = ContractRevert::decode(data) {
            return Self::Contract(e);
        }
        match GenericContractError::abi_decode(data) {
            Ok(e) => Self::Generic(e),
            Err(_) => Self::Unknown(Bytes::copy_from_slice(data)),
        }
    }

    /// The typed custom error, if the revert was one.
    pub fn as_contract(&self) -> Option<&ContractRevert> {
        match self {
            Self::Contract(e) => Some(e),
            _ => None,
        }
    }
}

impl std::fmt::Display for Revert {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Contract(e) => e.fmt(f),
            Self::Generic(GenericContractError::Revert(r)) => write!(f, "Error({:?})", r.reason),
            Self::Generic(GenericContractError::Panic(p)) => write!(f, "{p}"),
            Self::Generic(other) => write!(f, "{other:?}"),
            Self::Unknown(data) if data.is_empty() => f.write_str("reverted without data"),
            Self::Unknown(data) => write!(f, "unknown revert {data}"),
        }
    }
}

/// The revert carried by a contract call error, if it is one (a failed `eth_call` or
/// `eth_estimateGas`, or a reverted transaction's data returned by the node).
pub fn revert_of(err: &alloy::contract::Error) -> Option<Revert> {
    err.as_revert_data().map(|data| Revert::decode(&data))
}

/// The revert carried by a transport error (the RPC's error response), if any.
pub fn revert_of_transport(err: &TransportError) -> Option<Revert> {
    err.as_error_resp()
        .and_then(|resp| resp.as_revert_data())
        .map(|data: Bytes| Revert::decode(&data))
}

/// A readable message for a contract call error: the decoded revert (custom error with its
/// arguments) when there is one, else the error itself.
pub fn revert_message(err: &alloy::contract::Error) -> String {
    match revert_of(err) {
        Some(revert) => format!("reverted: {revert}"),
        None => err.to_string(),
    }
}

/// A contract's or interface's ABI as JSON (the array forge writes), e.g. `abi("LendingMarket")`,
/// for tools that decode calls themselves (`cast`, block explorers); `None` for an unknown name.
pub fn abi(name: &str) -> Option<&'static str> {
    ABIS.iter().find(|(n, _)| *n == name).map(|(_, json)| *json)
}

/// Shows a `bytes32` that holds a short ASCII name (parameter names in `*OutOfBounds` errors) as
/// text, anything else as hex.
pub fn fmt_bytes32(value: &B256) -> String {
    let trimmed: &[u8] = {
        let end = value.iter().rposition(|b| *b != 0).map_or(0, |i| i + 1);
        &value[..end]
    };
    if !trimmed.is_empty() && trimmed.iter().all(|b| b.is_ascii_graphic()) {
        format!("{:?}", String::from_utf8_lossy(trimmed))
    } else {
        value.to_string()
    }
}
