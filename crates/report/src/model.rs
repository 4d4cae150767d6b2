//! The report's data model: what `report.json` holds. Amounts are in loan units (the local
//! stablecoin, i.e. US dollars at the scenario's scale); divide by `scale` for real-world
//! figures. Times are seconds since the run's start.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A whole report: every run of a demo, matrix or single run, and any sweeps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// What produced it (`breakwater 0.1.0 demo`, ...).
    pub generated_by: String,
    /// One entry per scenario × policy × seed, in the order they ran.
    pub runs: Vec<Run>,
    /// Parameter sweeps (bad debt vs shock size, ...).
    #[serde(default)]
    pub sweeps: Vec<Sweep>,
    /// The Monte Carlo over many paths per scenario and policy, when one was run with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk: Option<crate::RiskReport>,
}

/// One scenario under one policy with one seed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    /// Scenario name (file stem, e.g. `credit-default`).
    pub scenario: String,
    /// Scenario title, one line.
    pub title: String,
    /// Policy name: `naive-spot`, `naive-nav`, `safeguarded`, `oracle-only`, `breaker-only`,
    /// `no-slow-path`.
    pub policy: String,
    /// The RNG seed.
    pub seed: u64,
    /// Model size as a fraction of the real-world figures (e.g. 1e-4: $5B becomes $500k).
    pub scale: f64,
    /// The scenario's description (a paragraph), shown under its title.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Where the numbers come from: the scenario file, the deployed parameters, the program.
    #[serde(default)]
    pub provenance: Provenance,
    /// The run's figures.
    pub metrics: Metrics,
    /// The time series behind the charts.
    pub series: Series,
}

/// What a run's numbers depend on besides the policy and the seed.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Provenance {
    /// SHA-256 of the scenario file's bytes, in hex (`sha256sum FILE` prints the same).
    pub scenario_sha256: String,
    /// The program that ran it: crate version, and the source's `git describe` when the build
    /// had one (`breakwater-sim 0.1.0 (git 1a2b3c4)`).
    pub program: String,
    /// The market's parameters as deployed, read from the chain after deployment: `market.*`
    /// (fractions; `market.liquidation_incentive` the liquidation incentive factor, e.g. 1.05),
    /// and where the policy has them `oracle.*` (the conservative oracle's) and `breaker.*` (the
    /// circuit breaker's); names ending in `_s` are seconds.
    pub parameters: BTreeMap<String, f64>,
}

/// A run's figures (see README "Scenario lab" for each definition).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Metrics {
    /// Debt left uncovered: realized bad debt plus, at the end, open debt above the collateral's
    /// fundamental value (what the assets are really worth at the end, reported or not).
    pub bad_debt: f64,
    /// `bad_debt` as a percentage of the market's lender supply.
    pub bad_debt_pct: f64,
    /// Fast liquidations (transactions that succeeded).
    pub liquidations: u64,
    /// Positions moved to the slow redeem-to-repay path.
    pub slow_liquidations: u64,
    /// Collateral seized by fast liquidations, valued at the NAV of the moment.
    pub liquidated_collateral: f64,
    /// Collateral sold on the AMM by liquidators below its fundamental value (what the assets are
    /// really worth, not the possibly stale NAV): fundamental value minus proceeds.
    pub fire_sale_loss: f64,
    /// Lowest AMM spot price / reported NAV seen.
    pub min_market_to_nav: f64,
    /// Seconds from the first shock event to the first liquidation (fast or slow), if any.
    pub first_liquidation_after_s: Option<u64>,
    /// Liquidation waves: blocks in which a borrower not liquidated before is liquidated.
    pub cascade_rounds: u64,
    /// Times the breaker raised its level (trips).
    pub breaker_trips: u64,
    /// Seconds during which fast liquidation was halted.
    pub halted_s: u64,
    /// Liquidation incentives paid by borrowers: seized value at NAV minus debt repaid.
    pub borrower_penalties: f64,
    /// Liquidation bots' gain, marked at the final fundamental value.
    pub liquidator_profit: f64,
    /// The oracle-arbitrage attacker's gain, marked at the final fundamental value (defaulted
    /// loans count).
    pub attacker_profit: f64,
    /// Lenders' loss as a percentage of their supply (bad debt not covered by reserves).
    pub lender_loss_pct: f64,
    /// Time-weighted average over the run of what the posted collateral could borrow:
    /// collateral × the oracle's borrow price × max LTV, zero while the breaker closes borrowing
    /// (capital efficiency: one of the safeguards' costs). Each sample counts for the time since
    /// the previous one, so a coarse skip block weighs its hours, not one block.
    pub borrow_capacity: f64,
    /// Peak debt solvent by the oracle but insolvent at the AMM price.
    pub shadow_insolvency: f64,
    /// What buyers on the AMM paid above the fundamental value of the shares they got:
    /// Σ max(0, paid − shares × fundamental) over every buy (a loss traders bear, not lenders).
    #[serde(default)]
    pub overpaid: f64,
    /// The real shortfall of the positions that ended in bad debt (written off, or open debt
    /// above the collateral's fundamental value at the end): max(0, debt − collateral ×
    /// fundamental) just before each one's first liquidation (fast or slow), or at the end if
    /// never liquidated. `bad_debt − real_shortfall` is the gap the `gap_*` items explain.
    #[serde(default)]
    pub real_shortfall: f64,
    /// Gap item: liquidation incentives, seized × fundamental × i / (1 + i) (i the market's
    /// incentive), over those positions' fast liquidations after the real shortfall was taken.
    #[serde(default)]
    pub gap_incentive: f64,
    /// Gap item: seizures below the fundamental value, seized × fundamental / (1 + i) − repaid
    /// (an oracle price under the fundamental value, e.g. one that followed a fire-sold spot).
    #[serde(default)]
    pub gap_below_fundamental: f64,
    /// Gap item: the slow path, the locked shares at the fundamental value minus what their
    /// redemption paid to the debt (keeper fee, NAV below the fundamental value, any surplus).
    #[serde(default)]
    pub gap_slow_path: f64,
    /// Gap item: interest accrued on those positions' debt.
    #[serde(default)]
    pub gap_interest: f64,
    /// Gap item: the fundamental value moving afterwards, −collateral × its change (negative
    /// when it recovered).
    #[serde(default)]
    pub gap_fundamental: f64,
    /// Gap item: the borrowers' own flows: borrowing (+), repayments and collateral top-ups
    /// (−), withdrawals (+).
    #[serde(default)]
    pub gap_borrower: f64,
    /// Gap item: minus the equity (collateral at the fundamental value above the debt) those
    /// positions still had at their first liquidation, which the other items first used up;
    /// plus any equity left at the end.
    #[serde(default)]
    pub gap_equity: f64,
}

/// [`Series::breaker_level`] when the breaker restricts nothing (`BreakerLevel.Normal` in the
/// contracts), and for a policy without a circuit breaker.
pub(crate) const BREAKER_NORMAL: u8 = 0;

/// Time series, one point per sampled block (all vectors have the same length as `t`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Series {
    /// Seconds since the run's start.
    pub t: Vec<u64>,
    /// AMM spot price of a vault share (loan units).
    pub spot: Vec<f64>,
    /// The vault's reported NAV per share.
    pub nav: Vec<f64>,
    /// The scenario's fundamental value per share (what the assets are really worth).
    pub fundamental: Vec<f64>,
    /// The market's oracle price (the price liquidations use).
    pub oracle: Vec<f64>,
    /// Fast liquidations so far.
    pub liquidations: Vec<u64>,
    /// Bad debt so far (realized plus uncovered open debt at the current NAV).
    pub bad_debt: Vec<f64>,
    /// Breaker level (0 normal, 1 slowed, 2 throttled, 3 halted; 0 without a breaker).
    pub breaker_level: Vec<u8>,
    /// Debt solvent by the oracle but insolvent at the AMM price.
    pub shadow_insolvency: Vec<f64>,
    /// AMM stablecoin reserve (liquidity depth).
    pub pool_depth: Vec<f64>,
    /// RWA² runs only (else empty): the junior tranche's claim at the fundamental values, in
    /// loan units; the senior's per token is `fundamental`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub junior: Vec<f64>,
    /// The oracle's borrow price (what borrowing uses), when the run records it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub borrow_price: Vec<f64>,
    /// Positions moved to the slow path so far, when the run records it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub slow_liquidations: Vec<u64>,
    /// Whether the vault's NAV was under review at the sample, when the run records it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub under_review: Vec<bool>,
    /// The scenario's events as they fired (not per sample): the timelines' markers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<Event>,
}

/// One scenario event as it fired during a run.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Event {
    /// Seconds since the run's start.
    pub t: u64,
    /// The event's kind as the scenario file names it (`nav_report`, `rumour`,
    /// `lp_withdrawal`, `custodian_breach`, `review_resolved`, ...).
    pub kind: String,
    /// A short human label (`NAV report -6%`, `LPs pull 60%`); may be empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub label: String,
}

/// A parameter swept over several values, each value run under several policies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sweep {
    /// The scenario swept.
    pub scenario: String,
    /// What was varied, for the axis label (e.g. `NAV markdown (%)`).
    pub parameter: String,
    /// One point per value × policy.
    pub points: Vec<SweepPoint>,
}

/// One point of a sweep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepPoint {
    /// The parameter's value.
    pub value: f64,
    /// The policy.
    pub policy: String,
    /// The run's figures.
    pub metrics: Metrics,
}
