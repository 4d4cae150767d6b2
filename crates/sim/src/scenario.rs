//! Scenario files: a world, the crowd that lives in it, and a timeline of events. A new scenario
//! is a new TOML file; the vocabulary is documented in `scenarios/README.md`.
//!
//! Amounts are loan units (the local stablecoin: dollars at the file's `scale`), fractions are
//! decimals, durations are `"90s"`, `"30m"`, `"6h"`, `"30d"`. A parameter drawn per agent is a
//! number or a `[low, high]` range, drawn uniformly with the run's seed.

use std::{fmt, io::Read, path::Path};

use breakwater_agents::redemption::{LIQUIDATOR_COST_OF_CAPITAL, LIQUIDATOR_RISK_PREMIUM};
use breakwater_chain::{BasketConfig, DeployConfig, units::Seconds};
use serde::{Deserialize, Serialize};

use crate::event::events_by_index;
pub use crate::event::{Event, EventKind, peg_factor};

/// A scenario file, parsed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// One line for reports.
    pub title: String,
    /// What the scenario replays and why, a paragraph.
    #[serde(default)]
    pub description: String,
    /// Model size / real-world size (`0.0001`: a $5B book becomes $500k).
    pub scale: f64,
    /// Seconds between blocks.
    pub block_time: Seconds,
    /// Simulated time, skips excluded (the run mines `duration / block_time` blocks).
    pub duration: Seconds,
    /// The on-chain world: the deployment configuration's sections (`[world.market]`, ...).
    #[serde(default)]
    pub world: DeployConfig,
    /// RWA² instead: a tranche vault over several vault worlds (`[basket.tranche]`,
    /// `[[basket.constituents]]`, ...). The market under study is then the senior-tranche market,
    /// the crowd's collateral is the senior token (subscribing buys into every constituent and
    /// deposits the units as senior), and `constituent` names the vault an event hits.
    #[serde(default)]
    pub basket: Option<BasketConfig>,
    /// The NAV reporter and the custodian.
    #[serde(default)]
    pub reporter: ReporterSpec,
    /// Borrower groups.
    #[serde(default)]
    pub borrowers: Vec<BorrowerSpec>,
    /// Holders who sell on rumours.
    #[serde(default)]
    pub sellers: Option<SellerSpec>,
    /// Arbitrageur groups (e.g. fast arbitrage desks and distressed-debt funds).
    #[serde(default)]
    pub arbitrageurs: Vec<ArbitrageurSpec>,
    /// Informed trader groups: desks that see the fundamental value late and with noise.
    #[serde(default)]
    pub informed: Vec<InformedSpec>,
    /// Liquidity providers.
    #[serde(default)]
    pub lps: Option<LpSpec>,
    /// The oracle-arbitrage attacker.
    #[serde(default)]
    pub attacker: Option<AttackerSpec>,
    /// The competing liquidation bots.
    #[serde(default)]
    pub bots: BotSpec,
    /// The timeline, in time order.
    #[serde(default, deserialize_with = "events_by_index")]
    pub events: Vec<Event>,
    /// A sweep over one event field (for `breakwater sweep` and the demo).
    #[serde(default)]
    pub sweep: Option<SweepSpec>,
    /// The file it came from, for error messages.
    #[serde(skip)]
    pub origin: String,
    /// SHA-256 of the text it was parsed from (the file's bytes), in hex: the report's
    /// provenance.
    #[serde(skip)]
    pub source_sha256: String,
    /// For a copy made by [`Scenario::with_swept`]: the sweep's axis label.
    #[serde(skip)]
    pub sweep_label: String,
    /// The fields written as distributions, each holding its nominal value until a path draws
    /// it ([`Scenario::realize`]; `crate::uncertain`).
    #[serde(skip)]
    pub(crate) uncertain: Vec<crate::uncertain::Uncertain>,
}

/// A number, or a `[low, high]` range drawn per agent.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Draw {
    /// Always this value.
    Fixed(f64),
    /// Uniform in `[low, high)`.
    Range([f64; 2]),
}

impl Draw {
    /// Low and high bounds.
    pub fn bounds(self) -> (f64, f64) {
        match self {
            Self::Fixed(x) => (x, x),
            Self::Range([lo, hi]) => (lo, hi),
        }
    }
}

impl fmt::Display for Draw {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Fixed(x) => write!(f, "{x}"),
            Self::Range([lo, hi]) => write!(f, "[{lo}, {hi}]"),
        }
    }
}

/// The NAV reporter's schedule and the custodian's delays.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReporterSpec {
    /// Seconds between scheduled NAV reports (monthly).
    pub interval: Seconds,
    /// The custodian's delay before confirming a NAV move above the vault's bound.
    pub confirm_delay: Seconds,
}

impl Default for ReporterSpec {
    fn default() -> Self {
        Self { interval: Seconds::days(30), confirm_delay: Seconds::hours(2) }
    }
}

/// A group of borrowers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BorrowerSpec {
    /// How many.
    pub count: u32,
    /// Stablecoin each subscribes and posts.
    pub capital: Draw,
    /// Fraction of the max-LTV limit each borrows.
    pub utilization: Draw,
    /// Extra subscribe-and-borrow rounds (leverage loopers).
    #[serde(default)]
    pub loops: u32,
    /// Probability of topping up when health falls below `top_up_below`.
    #[serde(default)]
    pub top_up_probability: f64,
    /// Health that makes a borrower consider a top-up.
    #[serde(default = "default_top_up_below")]
    pub top_up_below: f64,
    /// Delay before a decided top-up lands, in seconds (number or range).
    #[serde(default = "default_top_up_delay")]
    pub top_up_delay: Draw,
    /// Health a top-up restores.
    #[serde(default = "default_top_up_to")]
    pub top_up_to: f64,
}

fn default_top_up_below() -> f64 {
    1.1
}
fn default_top_up_delay() -> Draw {
    Draw::Fixed(3600.0)
}
fn default_top_up_to() -> f64 {
    1.4
}

/// Holders who sell on rumours and panic below a discount.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SellerSpec {
    /// How many.
    pub count: u32,
    /// Stablecoin each subscribes into shares at the start.
    pub holdings: Draw,
    /// Panic below NAV × (1 − this) (jittered ±25% per seller).
    pub panic_discount: f64,
    /// Fraction of what is left sold in a panic.
    pub panic_fraction: f64,
    /// Slippage tolerance of each sale or purchase.
    #[serde(default = "default_slippage")]
    pub slippage: f64,
    /// Stablecoin each keeps in hand beside its shares (what a buying wave spends).
    #[serde(default = "no_cash")]
    pub cash: Draw,
}

fn no_cash() -> Draw {
    Draw::Fixed(0.0)
}

fn default_slippage() -> f64 {
    0.1
}

/// Arbitrageurs who buy below NAV and redeem.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArbitrageurSpec {
    /// How many.
    pub count: u32,
    /// Stablecoin each can deploy.
    pub capital: Draw,
    /// Yearly cost of capital (the hurdle pays it over the notice period plus one epoch).
    pub cost_of_capital: f64,
    /// Extra discount demanded because the NAV may be stale or wrong.
    pub risk_premium: f64,
    /// Most of its remaining capital spent in one block.
    #[serde(default = "default_max_per_block")]
    pub max_per_block: f64,
}

fn default_max_per_block() -> f64 {
    0.25
}

/// Traders who value the token at the fundamental value, seen late and with noise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InformedSpec {
    /// How many.
    pub count: u32,
    /// Stablecoin value each starts with (half subscribed into shares).
    pub capital: Draw,
    /// Relative standard deviation of each one's estimate of the fundamental value.
    pub noise: f64,
    /// How late they learn the fundamental value.
    #[serde(default)]
    pub lag: Seconds,
    /// Least mispricing they trade on, relative to their estimate.
    #[serde(default = "default_edge")]
    pub edge: f64,
    /// Most of their remaining stablecoin or shares traded in one block.
    #[serde(default = "default_max_per_block")]
    pub max_per_block: f64,
}

fn default_edge() -> f64 {
    0.01
}

/// Liquidity providers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LpSpec {
    /// How many.
    pub count: u32,
    /// Stablecoin value each provides.
    pub capital: Draw,
    /// Price range over `window` (fraction of the high) that makes them pull liquidity.
    pub volatility_trigger: f64,
    /// The look-back window.
    pub window: Seconds,
    /// Fraction of their liquidity pulled each time.
    pub withdraw_fraction: f64,
    /// Calm time after a pull before they provide again (default: twice the window).
    #[serde(default)]
    pub return_after: Option<Seconds>,
}

/// The oracle-arbitrage attacker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttackerSpec {
    /// Its own stablecoin.
    pub capital: f64,
    /// Least margin of borrowable value over the AMM price it attacks at.
    pub min_edge: f64,
}

/// The competing liquidation bots.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BotSpec {
    /// How many.
    pub count: u32,
    /// Stablecoin each holds to repay debt.
    pub capital: f64,
    /// `sell` seized collateral on the AMM, `hold` it, or `sell-or-redeem`: per lot, the better
    /// of a sale and a redemption at NAV by the arbitrageurs' return test.
    pub strategy: BotStrategy,
    /// Slippage tolerance of a sale.
    pub max_slippage: f64,
    /// With `sell-or-redeem`: the yearly return their capital must earn while a redemption
    /// is pending ...
    pub cost_of_capital: f64,
    /// ... and the extra discount they demand because the NAV may be stale or wrong.
    pub risk_premium: f64,
}

impl Default for BotSpec {
    fn default() -> Self {
        Self {
            count: 2,
            capital: 1_000_000.0,
            strategy: BotStrategy::SellOrRedeem,
            max_slippage: 0.1,
            cost_of_capital: LIQUIDATOR_COST_OF_CAPITAL,
            risk_premium: LIQUIDATOR_RISK_PREMIUM,
        }
    }
}

/// What bots do with seized collateral.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BotStrategy {
    /// Sell it on the AMM at once.
    Sell,
    /// Hold it.
    Hold,
    /// Sell a lot when the pool pays at least what redeeming it is worth; redeem it otherwise.
    SellOrRedeem,
}

/// A sweep: one numeric field of one event, over several values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepSpec {
    /// Index of the event in `events` (as written, from 0).
    pub event: usize,
    /// The field varied: a numeric field of that event (`loss`, `intensity`, `fraction`, ...;
    /// see [`EventKind::sweepable`]).
    pub field: String,
    /// The values.
    pub values: Vec<f64>,
    /// Axis label for the chart.
    pub label: String,
}

/// A scenario file that cannot be used: the file, and one line per problem naming the field.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {}", problems.join("; "))]
pub struct ScenarioError {
    /// The file.
    pub file: String,
    /// What is wrong, field by field.
    pub problems: Vec<String>,
}

/// The largest scenario file read: a scenario is a page of TOML, so anything near this is a
/// wrong path (a log, a dump), not a scenario.
pub const MAX_FILE_BYTES: u64 = 1 << 20;

impl Scenario {
    /// Reads, parses and validates a scenario file (at most [`MAX_FILE_BYTES`]).
    pub fn load(path: impl AsRef<Path>) -> Result<Self, ScenarioError> {
        let path = path.as_ref();
        let file = path.display().to_string();
        let error = |problem: String| ScenarioError { file: file.clone(), problems: vec![problem] };
        let too_big = |size: u64| {
            error(format!(
                "the file is {size} bytes: a scenario is at most {MAX_FILE_BYTES} (1 MiB)"
            ))
        };
        let f = std::fs::File::open(path).map_err(|e| error(e.to_string()))?;
        let size = f.metadata().map_err(|e| error(e.to_string()))?.len();
        if size > MAX_FILE_BYTES {
            return Err(too_big(size));
        }
        // The size read may not be the size there is (a pipe, a file still growing): read one
        // byte past the cap at most.
        let mut bytes = Vec::new();
        f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(|e| error(e.to_string()))?;
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return Err(too_big(bytes.len() as u64));
        }
        let text = String::from_utf8(bytes).map_err(|e| error(format!("not UTF-8 text: {e}")))?;
        Self::from_toml(&text, &file)
    }

    /// Parses and validates TOML text; `origin` names it in errors.
    pub fn from_toml(text: &str, origin: &str) -> Result<Self, ScenarioError> {
        let error = |problems| ScenarioError { file: origin.to_string(), problems };
        // Distributions out, nominal values in (same lines and columns); then the usual parse.
        let (parsed, uncertain) = crate::uncertain::extract(text).map_err(error)?;
        let mut s: Self = toml::from_str(&parsed).map_err(|e| {
            // An event's problem names the event; toml would point at the first `[[events]]`.
            let problem = if e.message().starts_with("events[") {
                e.message().to_string()
            } else {
                e.to_string()
            };
            error(vec![problem.trim_end().replace('\n', " ")])
        })?;
        s.origin = origin.to_string();
        s.source_sha256 = crate::provenance::sha256_hex(text.as_bytes());
        s.uncertain = uncertain;
        s.world.origin = origin.to_string();
        if let Some(b) = &mut s.basket {
            b.origin = origin.to_string();
        }
        let mut problems = s.problems();
        problems.extend(s.uncertain_problems());
        if problems.is_empty() { Ok(s) } else { Err(error(problems)) }
    }

    /// The scenario's name: its file stem.
    pub fn name(&self) -> String {
        Path::new(&self.origin)
            .file_stem()
            .map_or_else(|| self.origin.clone(), |s| s.to_string_lossy().into_owned())
    }

    /// Seconds a redemption of the collateral takes (notice plus one epoch): with a basket, its
    /// slowest constituent's, which a senior holder redeeming in kind waits for.
    pub fn redemption(&self) -> u64 {
        match &self.basket {
            Some(b) => b
                .constituents
                .iter()
                .map(|c| c.vault.notice_period.0 + c.vault.epoch_length.0)
                .max()
                .unwrap_or_default(),
            None => self.world.vault.notice_period.0 + self.world.vault.epoch_length.0,
        }
    }

    /// Share of the collateral's supply paid out per epoch (with a basket, whose senior tokens
    /// redeem in kind, no gate).
    pub fn gate(&self) -> f64 {
        match &self.basket {
            Some(_) => 1.0,
            None => breakwater_world::from_wad(self.world.vault.gate.raw()),
        }
    }

    /// The redemption epoch (with a basket, its slowest constituent's).
    pub fn epoch(&self) -> u64 {
        match &self.basket {
            Some(b) => b.constituents.iter().map(|c| c.vault.epoch_length.0).max().unwrap_or(1),
            None => self.world.vault.epoch_length.0,
        }
    }

    /// The event that is the shock (its index): the one marked `shock`, else the first that
    /// disturbs the market.
    pub fn shock_event(&self) -> Option<usize> {
        self.events
            .iter()
            .position(|e| e.shock)
            .or_else(|| self.events.iter().position(|e| e.kind.disturbs()))
    }

    /// A copy with sweep field `field` of event `event` set to `value`.
    pub fn with_swept(&self, value: f64) -> Result<Self, ScenarioError> {
        let sweep = self.sweep.as_ref().ok_or_else(|| ScenarioError {
            file: self.origin.clone(),
            problems: vec!["sweep: missing (add a [sweep] table)".into()],
        })?;
        let mut s = self.clone();
        s.sweep = None;
        s.sweep_label = sweep.label.clone();
        // The swept field is set, not drawn.
        let swept = format!("events[{}].{}", sweep.event, sweep.field);
        s.uncertain.retain(|u| u.field != swept);
        let slot = s.events.get_mut(sweep.event).and_then(|e| {
            e.kind.sweepable().into_iter().find(|(name, _)| *name == sweep.field).map(|(_, x)| x)
        });
        match slot {
            Some(slot) => *slot = value,
            None => {
                return Err(ScenarioError {
                    file: s.origin,
                    problems: vec![format!("sweep.field = `{}` is not sweepable", sweep.field)],
                });
            }
        }
        let problems = s.problems();
        if problems.is_empty() { Ok(s) } else { Err(ScenarioError { file: s.origin, problems }) }
    }
}
