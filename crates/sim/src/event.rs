//! The timeline's vocabulary: one timed [`Event`] and its [`EventKind`] (what each does is in
//! `scenarios/README.md`; when and how it fires is in `timeline.rs`).

use breakwater_chain::units::Seconds;
use serde::{Deserialize, Serialize};

/// One timed event. (Unknown fields are rejected by [`EventKind`]: serde's `flatten` and
/// `deny_unknown_fields` do not mix on the outer struct.)
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// When, from the start (skips excluded).
    pub at: Seconds,
    /// Marks the shock that `first_liquidation_after_s` counts from (default: the first
    /// disturbance, see [`EventKind::disturbs`]).
    #[serde(default)]
    pub shock: bool,
    /// With a basket: the constituent (index) an event hits. Breaches and resolutions need one;
    /// an impairment, a recovery or a wrong NAV report without one hits every constituent (a
    /// shared dependency: the stablecoin their cash sits in, a custodian they share).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constituent: Option<usize>,
    /// Fires this far into the skip that starts at the same `at` (at the first coarse block at
    /// or after that point) instead of at `at`: a report in the middle of a month skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub into_skip: Option<Seconds>,
    /// What happens.
    #[serde(flatten)]
    pub kind: EventKind,
}

/// The event vocabulary. Every variant has braces, even without fields: serde lets a unit
/// variant of an internally tagged enum swallow any key, `deny_unknown_fields` or not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum EventKind {
    /// The reporter strikes the NAV at the fundamental value × (1 + `error`), `delay` after `at`.
    /// A wrong NAV stands until the next report (scheduled reports are right).
    NavReport {
        /// Fraction the NAV is off by (−0.05 reports 5% low).
        #[serde(default)]
        error: f64,
        /// How late the report lands.
        #[serde(default)]
        delay: Seconds,
    },
    /// The assets lose `loss` of their value (defaults, physical damage). With `report`, the
    /// reporter marks the NAV down at once; otherwise the NAV learns it at the next report.
    Impairment {
        /// Fraction of the fundamental value lost.
        loss: f64,
        /// Mark the NAV down now.
        #[serde(default)]
        report: bool,
    },
    /// Value comes back (a workout, a resold building): the fundamental value rises by `gain`.
    Recovery {
        /// Fraction of the fundamental value gained.
        gain: f64,
        /// Mark the NAV up now.
        #[serde(default)]
        report: bool,
    },
    /// The loan stablecoin trades at `price` dollars; the vault holds `exposure` of its assets in
    /// it. The vault's value in loan units becomes its dollar value × [`peg_factor`].
    Depeg {
        /// The stablecoin's value in dollars.
        price: f64,
        /// Fraction of the vault's assets held in the stablecoin.
        #[serde(default)]
        exposure: f64,
    },
    /// Holders sell `intensity` of their shares over `duration`.
    Rumour {
        /// Fraction of holdings.
        intensity: f64,
        /// Spread over this long.
        duration: Seconds,
    },
    /// The issuer denies the rumour: holders stop selling and their panic ends.
    RumourDenial {},
    /// Holders buy shares with `intensity` of their stablecoin over `duration`.
    BuyingWave {
        /// Fraction of their stablecoin.
        intensity: f64,
        /// Spread over this long.
        duration: Seconds,
    },
    /// Holders queue `fraction` of their shares for redemption at once; while the run lasts the
    /// custodian raises at most `refill` of what is owed per epoch, and nothing before
    /// `refill_delay`.
    RedemptionRun {
        /// Fraction of holdings queued.
        fraction: f64,
        /// Fraction of what is owed the custodian raises per epoch.
        #[serde(default = "default_refill")]
        refill: f64,
        /// How long before the custodian raises anything.
        #[serde(default)]
        refill_delay: Seconds,
        /// How long the custodian's limits last (default: to the end).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        duration: Option<Seconds>,
    },
    /// Liquidity providers pull `fraction` of their liquidity.
    LpWithdrawal {
        /// Fraction of LP tokens.
        fraction: f64,
    },
    /// Every borrower borrows more, up to `utilization` of its max-LTV limit.
    Borrow {
        /// Fraction of the max-LTV limit at the current borrow price.
        utilization: f64,
    },
    /// A custodian breach or title challenge: the vault goes UnderReview.
    CustodianBreach {},
    /// The review ends: the vault is Normal again.
    ReviewResolved {},
    /// The NAV reporter and the keepers go silent for `duration` (oracle/keeper outage).
    OracleStall {
        /// How long.
        duration: Seconds,
    },
    /// Time runs ahead by `duration` (weeks of redemption notice) in coarse blocks, one every
    /// `step`: everyone still acts in each (keepers poke, bots liquidate, redemptions mature),
    /// so nothing that needs a block is frozen across the gap.
    Skip {
        /// How far.
        duration: Seconds,
        /// Time between the coarse blocks.
        #[serde(default = "default_skip_step")]
        step: Seconds,
    },
}

/// Loan units a dollar of the vault's assets is worth when the loan stablecoin trades at `price`
/// dollars and `exposure` of the assets are held in it: (1 − exposure) / price + exposure.
pub fn peg_factor(price: f64, exposure: f64) -> f64 {
    (1.0 - exposure) / price + exposure
}

/// Signed percent for labels: `+5%`, `-5%`.
fn percent(x: f64) -> String {
    format!("{:+.0}%", x * 100.0)
}

impl EventKind {
    /// A short label for the report's timeline markers (`loss 6%`, `LPs pull 60%`).
    pub fn label(&self) -> String {
        match self {
            Self::NavReport { error, delay } => {
                let mut label = "NAV report".to_string();
                if *error != 0.0 {
                    label += &format!(" {}", percent(*error));
                }
                if delay.0 > 0 {
                    label += &format!(", {delay} late");
                }
                label
            }
            Self::Impairment { loss, report } => {
                format!("loss {:.0}%{}", loss * 100.0, if *report { ", reported" } else { "" })
            }
            Self::Recovery { gain, report } => {
                format!("recovery {}{}", percent(*gain), if *report { ", reported" } else { "" })
            }
            Self::Depeg { price, exposure } if *exposure > 0.0 => {
                format!("stablecoin at ${price:.2}, {:.0}% of assets in it", exposure * 100.0)
            }
            Self::Depeg { price, .. } => format!("stablecoin at ${price:.2}"),
            Self::Rumour { intensity, .. } => format!("rumour ({intensity})"),
            Self::RumourDenial {} => "rumour denied".into(),
            Self::BuyingWave { intensity, .. } => format!("buying wave ({intensity})"),
            Self::RedemptionRun { fraction, refill, .. } => format!(
                "redemption run {:.0}%, refill {:.0}%/epoch",
                fraction * 100.0,
                refill * 100.0
            ),
            Self::LpWithdrawal { fraction } => format!("LPs pull {:.0}%", fraction * 100.0),
            Self::Borrow { utilization } => {
                format!("borrowers borrow to {:.0}%", utilization * 100.0)
            }
            Self::CustodianBreach {} => "custodian breach: under review".into(),
            Self::ReviewResolved {} => "review resolved".into(),
            Self::OracleStall { .. } => "oracle and keepers stall".into(),
            Self::Skip { .. } => "time skip".into(),
        }
    }

    /// The kind's name as written in files.
    pub fn name(&self) -> &'static str {
        match self {
            Self::NavReport { .. } => "nav_report",
            Self::Impairment { .. } => "impairment",
            Self::Recovery { .. } => "recovery",
            Self::Depeg { .. } => "depeg",
            Self::Rumour { .. } => "rumour",
            Self::RumourDenial {} => "rumour_denial",
            Self::BuyingWave { .. } => "buying_wave",
            Self::RedemptionRun { .. } => "redemption_run",
            Self::LpWithdrawal { .. } => "lp_withdrawal",
            Self::Borrow { .. } => "borrow",
            Self::CustodianBreach {} => "custodian_breach",
            Self::ReviewResolved {} => "review_resolved",
            Self::OracleStall { .. } => "oracle_stall",
            Self::Skip { .. } => "skip",
        }
    }

    /// Whether the event disturbs the market, so that it can be the default shock: not a NAV
    /// report, a skip, or news that calms (a recovery, a denial, a buying wave, new borrowing).
    pub fn disturbs(&self) -> bool {
        !matches!(
            self,
            Self::NavReport { .. }
                | Self::Skip { .. }
                | Self::Recovery { .. }
                | Self::RumourDenial {}
                | Self::BuyingWave { .. }
                | Self::Borrow { .. }
        )
    }

    /// The numeric fields a sweep may vary, by name (the one list `[sweep]` is checked against).
    pub fn sweepable(&mut self) -> Vec<(&'static str, &mut f64)> {
        match self {
            Self::NavReport { error, .. } => vec![("error", error)],
            Self::Impairment { loss, .. } => vec![("loss", loss)],
            Self::Recovery { gain, .. } => vec![("gain", gain)],
            Self::Depeg { price, exposure } => vec![("price", price), ("exposure", exposure)],
            Self::Rumour { intensity, .. } | Self::BuyingWave { intensity, .. } => {
                vec![("intensity", intensity)]
            }
            Self::RedemptionRun { fraction, refill, .. } => {
                vec![("fraction", fraction), ("refill", refill)]
            }
            Self::LpWithdrawal { fraction } => vec![("fraction", fraction)],
            Self::Borrow { utilization } => vec![("utilization", utilization)],
            Self::RumourDenial {}
            | Self::CustodianBreach {}
            | Self::ReviewResolved {}
            | Self::OracleStall { .. }
            | Self::Skip { .. } => Vec::new(),
        }
    }
}

fn default_refill() -> f64 {
    1.0
}

fn default_skip_step() -> Seconds {
    Seconds(3_600)
}

/// The events, each parsed on its own so that a problem names its index (events[3]: unknown
/// field `duration`).
pub(crate) fn events_by_index<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Vec<Event>, D::Error> {
    let tables = Vec::<toml::Value>::deserialize(d)?;
    tables
        .into_iter()
        .enumerate()
        .map(|(i, t)| {
            let kind = match t.get("kind").and_then(toml::Value::as_str) {
                Some(kind) => format!(" ({kind})"),
                None => String::new(),
            };
            Event::deserialize(t.clone()).map_err(|e| {
                let problem = e.message().trim_end();
                let field = (t.as_table().and_then(bad_field))
                    .filter(|f| !problem.contains(&format!("`{f}`")))
                    .map(|f| format!("{f}: "))
                    .unwrap_or_default();
                serde::de::Error::custom(format!("events[{i}]{kind}: {field}{problem}"))
            })
        })
        .collect()
}

/// The key of an event whose value it cannot take. serde buffers an event's fields to find its
/// `kind`, and a type error then names no field; so each key is tried alone beside `kind` and
/// `at`: serde rejects a bad value as it reads it, and reports missing fields only at the end.
fn bad_field(event: &toml::Table) -> Option<&str> {
    let rejects = |at: Option<&toml::Value>, key: Option<&str>| {
        let fields = [("kind", event.get("kind")), ("at", at)]
            .into_iter()
            .chain(key.map(|k| (k, event.get(k))));
        let probe: toml::Table =
            fields.filter_map(|(k, v)| Some((k.to_owned(), v?.clone()))).collect();
        Event::deserialize(toml::Value::Table(probe))
            .is_err_and(|e| !e.message().starts_with("missing field"))
    };
    // An unknown kind is the whole problem, and its message says so.
    if rejects(Some(&toml::Value::Integer(0)), None) {
        return None;
    }
    let at = event.get("at");
    if rejects(at, None) {
        return Some("at");
    }
    event
        .keys()
        .map(String::as_str)
        .filter(|k| !matches!(*k, "kind" | "at"))
        .find(|k| rejects(at, Some(k)))
}
