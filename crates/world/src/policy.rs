//! The safeguard policies compared by the lab: which oracle and breaker the market is wired to.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

/// Which collateral oracle a policy uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OracleKind {
    /// `SpotOracle`: the AMM's instantaneous price.
    Spot,
    /// `NavOracle`: the vault's last NAV, however old.
    Nav,
    /// `ConservativeOracle`: haircut NAV and TWAPs, rate-limited liquidation price.
    Conservative,
}

/// Which circuit breaker a policy uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BreakerKind {
    /// `PermissiveBreaker`: allows everything, never restricts (so no slow path ever opens).
    Permissive,
    /// `CircuitBreaker` with graduated levels, throttle and bounded halts.
    Circuit,
}

/// Which market contract a policy deploys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MarketKind {
    /// `RedeemToRepayMarket`: a `LendingMarket` with the redeem-to-repay slow path, which opens
    /// whenever the breaker restricts fast liquidation.
    RedeemToRepay,
    /// The base `LendingMarket`: fast liquidation only.
    FastOnly,
}

/// A safeguard policy: the same market code wired to different modules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Policy {
    /// Spot oracle, permissive breaker: the naive baseline that follows a thin pool down.
    NaiveSpot,
    /// NAV oracle, permissive breaker: the naive baseline that trusts a stale NAV.
    NaiveNav,
    /// Conservative oracle and circuit breaker with the slow path: every safeguard.
    Safeguarded,
    /// Ablation: conservative oracle, permissive breaker.
    OracleOnly,
    /// Ablation: naive NAV oracle, circuit breaker (with the slow path).
    BreakerOnly,
    /// Ablation: safeguarded, on the base market without the redeem-to-repay slow path.
    NoSlowPath,
}

impl Policy {
    /// Every policy, in the order reports list them.
    pub const ALL: [Self; 6] = [
        Self::NaiveSpot,
        Self::NaiveNav,
        Self::Safeguarded,
        Self::OracleOnly,
        Self::BreakerOnly,
        Self::NoSlowPath,
    ];

    /// The name used in files and on the command line (`naive-spot`, …).
    pub const fn name(self) -> &'static str {
        match self {
            Self::NaiveSpot => "naive-spot",
            Self::NaiveNav => "naive-nav",
            Self::Safeguarded => "safeguarded",
            Self::OracleOnly => "oracle-only",
            Self::BreakerOnly => "breaker-only",
            Self::NoSlowPath => "no-slow-path",
        }
    }

    /// The oracle this policy deploys.
    pub const fn oracle(self) -> OracleKind {
        match self {
            Self::NaiveSpot => OracleKind::Spot,
            Self::NaiveNav | Self::BreakerOnly => OracleKind::Nav,
            Self::Safeguarded | Self::OracleOnly | Self::NoSlowPath => OracleKind::Conservative,
        }
    }

    /// The breaker this policy deploys.
    pub const fn breaker(self) -> BreakerKind {
        match self {
            Self::NaiveSpot | Self::NaiveNav | Self::OracleOnly => BreakerKind::Permissive,
            Self::Safeguarded | Self::BreakerOnly | Self::NoSlowPath => BreakerKind::Circuit,
        }
    }

    /// The market contract this policy deploys.
    pub const fn market(self) -> MarketKind {
        match self {
            Self::NoSlowPath => MarketKind::FastOnly,
            _ => MarketKind::RedeemToRepay,
        }
    }

    /// Whether the world needs TWAP history before its oracle or breaker reads are meaningful.
    pub const fn reads_twap(self) -> bool {
        matches!(self.oracle(), OracleKind::Conservative)
            || matches!(self.breaker(), BreakerKind::Circuit)
    }
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Policy {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|p| p.name() == s).ok_or_else(|| {
            let names: Vec<&str> = Self::ALL.iter().map(|p| p.name()).collect();
            format!("unknown policy `{s}`: expected one of {}", names.join(", "))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for p in Policy::ALL {
            assert_eq!(p.name().parse::<Policy>(), Ok(p));
            assert_eq!(serde_json::to_string(&p).ok(), Some(format!("\"{p}\"")));
        }
        let err = "naive".parse::<Policy>().err().unwrap_or_default();
        assert!(err.contains("naive-spot, naive-nav, safeguarded"), "{err}");
    }
}
