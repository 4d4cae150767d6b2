//! Human units for configuration files: decimal amounts and fractions (stored 1e18-scaled, as the
//! contracts use them) and durations (`"30m"`, `"6h"`, `"30d"` or plain seconds).

use std::{fmt, str::FromStr};

use alloy::primitives::U256;
use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

/// 1e18: the contracts' fixed-point scale, and the stablecoin's and vault shares' decimals.
pub const WAD: u128 = 1_000_000_000_000_000_000;

/// A non-negative decimal number scaled by 1e18: a token amount (18 decimals) or a fraction
/// (`0.7` is `0.7e18`). In TOML it is an integer (`1_000_000`), a float (`0.07`) or a string
/// (`"1000000.5"`); floats are read through their shortest decimal form, so `0.07` is exactly
/// `0.07e18`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Wad(pub U256);

impl Wad {
    /// Zero.
    pub const ZERO: Self = Self(U256::ZERO);
    /// One (1e18).
    pub const ONE: Self = Self(U256::from_limbs([WAD as u64, 0, 0, 0]));

    /// The raw 1e18-scaled value.
    pub const fn raw(self) -> U256 {
        self.0
    }

    /// From a raw 1e18-scaled value.
    pub const fn from_raw(raw: U256) -> Self {
        Self(raw)
    }

    /// A whole number of units (`Wad::units(5)` is 5e18).
    pub fn units(n: u64) -> Self {
        Self(U256::from(n) * U256::from(WAD))
    }

    /// The value as a `u64` (fractions of at most 18.4 in the contracts' packed structs).
    pub fn to_u64(self) -> Option<u64> {
        u64::try_from(self.0).ok()
    }

    /// `self × other`, both 1e18-scaled, rounded down.
    pub fn mul_down(self, other: Self) -> Self {
        Self(self.0 * other.0 / U256::from(WAD))
    }
}

impl FromStr for Wad {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim().replace('_', "");
        let bad = || format!("`{s}` is not a non-negative decimal number");
        let (mantissa, exponent) = match s.split_once(['e', 'E']) {
            Some((m, e)) => (m.to_string(), e.parse::<i32>().map_err(|_| bad())?),
            None => (s.clone(), 0),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((&mantissa, ""));
        if int.is_empty() && frac.is_empty()
            || !int.chars().chain(frac.chars()).all(|c| c.is_ascii_digit())
        {
            return Err(bad());
        }
        // value = digits × 10^(exponent − len(frac)); scaled by 1e18.
        let digits = format!("{int}{frac}");
        let digits = U256::from_str_radix(if digits.is_empty() { "0" } else { &digits }, 10)
            .map_err(|_| bad())?;
        let shift = 18 + exponent - i32::try_from(frac.len()).map_err(|_| bad())?;
        let ten = U256::from(10u8);
        let value = if shift >= 0 {
            let factor = ten.checked_pow(U256::from(shift)).ok_or_else(bad)?;
            digits.checked_mul(factor).ok_or_else(|| format!("`{s}` is too large"))?
        } else {
            let divisor = ten.checked_pow(U256::from(-shift)).ok_or_else(bad)?;
            if digits % divisor != U256::ZERO {
                return Err(format!("`{s}` has more than 18 decimals"));
            }
            digits / divisor
        };
        Ok(Self(value))
    }
}

impl fmt::Display for Wad {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scale = U256::from(WAD);
        let int = self.0 / scale;
        let frac = self.0 % scale;
        if frac.is_zero() {
            return write!(f, "{int}");
        }
        let frac = format!("{:0>18}", frac.to_string());
        write!(f, "{int}.{}", frac.trim_end_matches('0'))
    }
}

impl Serialize for Wad {
    /// As a number when that is exact (integers, and decimals of up to 15 significant digits,
    /// which read back through the same shortest form), else as a string.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let text = self.to_string();
        if let Ok(int) = text.parse::<i64>() {
            return s.serialize_i64(int);
        }
        let digits = text.chars().filter(char::is_ascii_digit).count();
        if let Ok(float) = text.parse::<f64>()
            && digits <= 15
            && format!("{float}") == text
        {
            return s.serialize_f64(float);
        }
        s.serialize_str(&text)
    }
}

impl<'de> Deserialize<'de> for Wad {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl de::Visitor<'_> for V {
            type Value = Wad;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a non-negative number, such as 0.7, 1_000_000 or \"1000000.5\"")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Wad, E> {
                Ok(Wad::units(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Wad, E> {
                u64::try_from(v).map(Wad::units).map_err(|_| {
                    E::custom(format!("{v} is negative: expected a non-negative number"))
                })
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Wad, E> {
                if !v.is_finite() || v < 0.0 {
                    return Err(E::custom(format!("{v} is not a non-negative finite number")));
                }
                // Rust prints the shortest decimal that reads back as `v`: 0.07 -> "0.07".
                format!("{v}").parse().map_err(E::custom)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Wad, E> {
                v.parse().map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

/// A duration in whole seconds. In TOML: an integer of seconds, or a string with a unit:
/// `"90s"`, `"30m"`, `"6h"`, `"30d"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Seconds(pub u64);

impl Seconds {
    /// Minutes.
    pub const fn minutes(n: u64) -> Self {
        Self(n * 60)
    }
    /// Hours.
    pub const fn hours(n: u64) -> Self {
        Self(n * 3600)
    }
    /// Days.
    pub const fn days(n: u64) -> Self {
        Self(n * 86_400)
    }
    /// The value as the contracts' `uint32` durations.
    pub fn to_u32(self) -> Option<u32> {
        u32::try_from(self.0).ok()
    }
}

impl FromStr for Seconds {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let bad = || {
            format!(
                "`{t}` is not a duration such as \"90s\", \"30m\", \"6h\", \"1h30m\" or \"30d\""
            )
        };
        if t.is_empty() {
            return Err(bad());
        }
        // A sequence of <number><unit> parts, largest unit first ("1d6h", "4h10m"); a bare
        // number is seconds.
        let (mut total, mut rest, mut last) = (0u64, t, u64::MAX);
        while !rest.is_empty() {
            let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
            let n: u64 = rest[..digits].parse().map_err(|_| bad())?;
            rest = &rest[digits..];
            let letters = rest.find(|c: char| c.is_ascii_digit()).unwrap_or(rest.len());
            let factor = match &rest[..letters] {
                "" | "s" => 1,
                "m" | "min" => 60,
                "h" => 3600,
                "d" => 86_400,
                "w" => 7 * 86_400,
                _ => return Err(bad()),
            };
            rest = &rest[letters..];
            if factor >= last {
                return Err(bad());
            }
            last = factor;
            total = n.checked_mul(factor).and_then(|x| total.checked_add(x)).ok_or_else(bad)?;
        }
        Ok(Self(total))
    }
}

impl fmt::Display for Seconds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0;
        match s {
            0 => f.write_str("0s"),
            _ if s.is_multiple_of(86_400) => write!(f, "{}d", s / 86_400),
            _ if s.is_multiple_of(3600) => write!(f, "{}h", s / 3600),
            _ if s.is_multiple_of(60) && s > 3600 => write!(f, "{}h{}m", s / 3600, s % 3600 / 60),
            _ if s.is_multiple_of(60) => write!(f, "{}m", s / 60),
            _ => write!(f, "{s}s"),
        }
    }
}

impl Serialize for Seconds {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Seconds {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl de::Visitor<'_> for V {
            type Value = Seconds;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a duration: seconds, or a string such as \"30m\", \"6h\" or \"30d\"")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Seconds, E> {
                Ok(Seconds(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Seconds, E> {
                u64::try_from(v)
                    .map(Seconds)
                    .map_err(|_| E::custom(format!("{v} is negative: expected a duration")))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Seconds, E> {
                v.parse().map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

/// Loan units or shares as the contracts' 1e18 fixed point, for the lab's `f64` agents
/// (truncated toward zero; negative, NaN and infinite amounts are 0).
pub fn to_wad(x: f64) -> U256 {
    if x.is_finite() && x > 0.0 { U256::from((x * 1e18) as u128) } else { U256::ZERO }
}

/// 1e18 fixed point as `f64`: the integer and fractional parts converted apart, so values
/// below 2^53 wei are exact and larger ones rounded once.
pub fn from_wad(x: U256) -> f64 {
    let (hi, lo) = x.div_rem(U256::from(WAD));
    u128::try_from(hi).map_or(f64::MAX, |h| h as f64)
        + u128::try_from(lo).map_or(0.0, |l| l as f64) / 1e18
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wad_parses_exact_decimals() {
        let w = |s: &str| s.parse::<Wad>().map(|w| w.0);
        assert_eq!(w("0.07"), Ok(U256::from(70_000_000_000_000_000u128)));
        assert_eq!(w("1_000_000"), Ok(U256::from(1_000_000u128 * WAD)));
        assert_eq!(w("1e6"), Ok(U256::from(1_000_000u128 * WAD)));
        assert_eq!(w(".5"), Ok(U256::from(WAD / 2)));
        assert!(w("-1").is_err());
        assert!(w("0.0000000000000000001").is_err());
        assert!(w("abc").is_err());
    }

    #[test]
    fn wad_round_trips_through_display_and_toml_floats() {
        for s in ["0", "0.95", "1", "1000000", "0.005", "123.456"] {
            let w: Wad = s.parse().expect("valid");
            assert_eq!(w.to_string(), s);
        }
        #[derive(Deserialize)]
        struct T {
            a: Wad,
            b: Wad,
            c: Wad,
        }
        let t: T = toml::from_str("a = 0.07\nb = 3\nc = \"2.5\"").expect("valid TOML");
        assert_eq!(t.a.to_string(), "0.07");
        assert_eq!(t.b, Wad::units(3));
        assert_eq!(t.c.to_string(), "2.5");
    }

    #[test]
    fn seconds_parse_units() {
        assert_eq!("30m".parse(), Ok(Seconds(1800)));
        assert_eq!("6h".parse(), Ok(Seconds(21_600)));
        assert_eq!("30d".parse(), Ok(Seconds(2_592_000)));
        assert_eq!("45".parse(), Ok(Seconds(45)));
        assert_eq!("1h30m".parse(), Ok(Seconds(5_400)));
        assert_eq!("1d6h".parse(), Ok(Seconds(108_000)));
        assert!("6 hours".parse::<Seconds>().is_err());
        assert!("30m1h".parse::<Seconds>().is_err(), "units must shrink");
        assert!("1h1h".parse::<Seconds>().is_err());
        assert!("".parse::<Seconds>().is_err() && "h".parse::<Seconds>().is_err());
        assert_eq!(Seconds(5_400).to_string(), "1h30m");
        assert_eq!(Seconds::hours(6).to_string(), "6h");
        assert_eq!(Seconds(90).to_string(), "90s");
    }

    #[test]
    fn f64_conversions_round_trip_exactly_below_2_pow_53_wei() {
        assert_eq!(to_wad(1.5), U256::from(1_500_000_000_000_000_000u128));
        assert_eq!(to_wad(-1.0), U256::ZERO);
        assert_eq!(to_wad(f64::NAN), U256::ZERO);
        assert_eq!(from_wad(U256::from(2_500_000_000_000_000_000u128)), 2.5);
        assert_eq!(from_wad(U256::from(1u64)), 1e-18);
    }
}
