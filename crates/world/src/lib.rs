//! The world's shared vocabulary, used by `chain`, `agents` and `sim`: the safeguard policies,
//! where a market is ([`MarketAddresses`]), units and wad conversions, the contracts' enums, the
//! read seam every backend answers ([`Reads`]), and the transaction policy with its one sender
//! ([`TxSender`]: gas padding, nonces, revert decoding).

pub mod addresses;
pub mod policy;
pub mod read;
pub mod status;
pub mod tx;
pub mod units;

pub use addresses::MarketAddresses;
pub use policy::{BreakerKind, MarketKind, OracleKind, Policy};
pub use read::{ReadError, Reads};
pub use status::{BasketStatus, BreakerLevel, NavStatus, OracleState, Tranche};
pub use tx::{Fees, Gas, NotSent, RevertReason, TxSender, padded_gas};
pub use units::{from_wad, to_wad};

/// The generated contract bindings, re-exported so users need one dependency.
pub use breakwater_bindings as bindings;
