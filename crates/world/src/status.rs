//! The contracts' enums, so Rust code says `NavStatus::UnderReview` where the ABI returns a bare
//! `uint8`. Each mirrors its Solidity declaration in order (a test reads the `.sol` files).

/// Declares a `u8`-backed mirror of a Solidity enum, with `from_u8` and `as_u8`.
macro_rules! solidity_enum {
    ($(#[$doc:meta])* $name:ident in $file:literal { $($(#[$vdoc:meta])* $variant:ident),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        #[repr(u8)]
        pub enum $name {
            #[default]
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];
            /// The Solidity file declaring it, relative to the repository root.
            pub const SOURCE: &'static str = $file;

            /// The value the ABI encodes as `raw`, if any.
            pub fn from_u8(raw: u8) -> Option<Self> {
                Self::ALL.get(usize::from(raw)).copied()
            }

            /// The ABI's `uint8`.
            pub const fn as_u8(self) -> u8 {
                self as u8
            }

            /// The Solidity variant name.
            pub const fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => stringify!($variant)),+
                }
            }
        }
    };
}

solidity_enum! {
    /// `NavStatus` (`IRwaVault`): whether the vault's NAV is credible.
    NavStatus in "contracts/interfaces/IRwaVault.sol" {
        /// The NAV stands.
        Normal,
        /// A custodian breach or title challenge: the NAV is not credible until cleared.
        UnderReview,
    }
}

solidity_enum! {
    /// `BreakerLevel` (`ICircuitBreaker`): what the circuit breaker allows.
    BreakerLevel in "contracts/interfaces/ICircuitBreaker.sol" {
        /// Everything allowed.
        Normal,
        /// No new debt, no collateral withdrawal against debt.
        BorrowsClosed,
        /// Fast liquidation limited by a refilling budget; slow path open.
        Throttled,
        /// Only confirmed losses, within the budget.
        Halted,
    }
}

solidity_enum! {
    /// `OracleState` (`IConservativeOracle`): why the conservative oracle prices as it does.
    OracleState in "contracts/interfaces/IConservativeOracle.sol" {
        /// NAV fresh, market within tolerance.
        Normal,
        /// The market's long TWAP is below the haircut NAV by more than the tolerance.
        Diverging,
        /// NAV older than its heartbeat: a haircut applies.
        Stale,
        /// The vault's NAV is under review.
        UnderReview,
        /// A TWAP the oracle needs cannot be read.
        MarketUnavailable,
    }
}

solidity_enum! {
    /// `BasketStatus` (`ITrancheVault`): the RWA² basket's view of its constituents.
    BasketStatus in "contracts/interfaces/ITrancheVault.sol" {
        /// Every constituent's NAV is fresh and credible.
        Normal,
        /// A constituent's NAV is older than its maximum age.
        Stale,
        /// A constituent's NAV is under review.
        UnderReview,
    }
}

solidity_enum! {
    /// `Tranche` (`ITrancheVault`): which side of the RWA² waterfall.
    Tranche in "contracts/interfaces/ITrancheVault.sol" {
        /// Paid first: the senior market's collateral.
        Senior,
        /// Takes losses first.
        Junior,
    }
}

impl NavStatus {
    /// `UnderReview` when `on`, else `Normal`.
    pub const fn under_review(on: bool) -> Self {
        if on { Self::UnderReview } else { Self::Normal }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The variant names declared in `file` for `enum name { … }`, comments stripped.
    fn declared(file: &str, name: &str) -> Vec<String> {
        let path = format!("{}/../../{file}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let start =
            text.find(&format!("enum {name} {{")).unwrap_or_else(|| panic!("{name} in {path}"));
        let body = &text[start..];
        let body = &body[body.find('{').unwrap_or(0) + 1..body.find('}').unwrap_or(0)];
        body.lines()
            .map(|l| l.split("//").next().unwrap_or("").trim().trim_end_matches(',').to_string())
            .filter(|l| !l.is_empty())
            .collect()
    }

    #[test]
    fn mirrors_match_the_solidity_declarations() {
        let check = |file: &str, name: &str, ours: Vec<&str>| {
            assert_eq!(declared(file, name), ours, "{name} in {file}");
        };
        check(NavStatus::SOURCE, "NavStatus", NavStatus::ALL.iter().map(|v| v.name()).collect());
        check(
            BreakerLevel::SOURCE,
            "BreakerLevel",
            BreakerLevel::ALL.iter().map(|v| v.name()).collect(),
        );
        check(
            OracleState::SOURCE,
            "OracleState",
            OracleState::ALL.iter().map(|v| v.name()).collect(),
        );
        check(
            BasketStatus::SOURCE,
            "BasketStatus",
            BasketStatus::ALL.iter().map(|v| v.name()).collect(),
        );
        check(Tranche::SOURCE, "Tranche", Tranche::ALL.iter().map(|v| v.name()).collect());
        assert_eq!(NavStatus::from_u8(1), Some(NavStatus::UnderReview));
        assert_eq!(BreakerLevel::from_u8(4), None);
    }
}
