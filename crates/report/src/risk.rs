//! The Monte Carlo risk report: per scenario and policy, the distribution of each figure over
//! many paths (bad debt's mean, VaR95 and expected shortfall, LaR95, borrow capacity,
//! liquidations, fire-sale loss, attacker and liquidator profit) with bootstrap intervals; paired differences
//! between policies; the paths behind the worst tail. [`summarize`] computes it from one
//! [`PathResult`] per scenario × policy × path, [`write_risk`] writes `risk.json` (the
//! [`RiskReport`]), `risk.md` and `risk.html` (the risk frontier and the bad-debt distributions).
//!
//! Policies are compared on common random numbers (path k is the same world under every
//! policy), so a difference is taken path by path and its interval resamples path numbers
//! jointly. A tail statistic is reported only when at least 20 paths lie in its tail; below
//! that the report holds [`TailStat::TooFewPaths`] instead of a number.

mod charts;
mod render;
mod stats;

use std::io;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::metric::{BAD_DEBT, BORROW_CAPACITY, Better, Metric, same};
use crate::model::Metrics;
use crate::policy::POLICIES;
use stats::{
    MIN_TAIL, Rng, bootstrap, expected_shortfall, mean, paths_needed, quantile, tail_count,
};

/// One path's figures: one scenario under one policy in the world drawn for path `path`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PathResult {
    /// Scenario name (file stem).
    pub scenario: String,
    /// Policy name.
    pub policy: String,
    /// The path's number: the same number is the same world under every policy.
    pub path: u64,
    /// The seed the path was drawn from, to re-run it alone.
    pub seed: u64,
    /// The run's figures.
    pub metrics: Metrics,
}

/// How [`summarize`] resamples.
#[derive(Debug, Clone)]
pub struct RiskOptions {
    /// Bootstrap resamples behind each interval (0: every interval is its point).
    pub resamples: usize,
    /// The resampling's seed: the same paths, resamples and seed give the same intervals.
    pub seed: u64,
}

impl Default for RiskOptions {
    fn default() -> Self {
        Self { resamples: 1000, seed: 0 }
    }
}

/// The risk report: what `risk.json` holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskReport {
    /// Bootstrap resamples behind each interval.
    pub resamples: usize,
    /// The resampling's seed.
    pub seed: u64,
    /// One entry per scenario, in name order.
    pub scenarios: Vec<ScenarioRisk>,
}

/// One scenario's policies over its paths.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioRisk {
    /// Scenario name.
    pub scenario: String,
    /// The bad-debt histograms' bin edges, ascending, shared by every policy of the scenario:
    /// [`HISTOGRAM_BINS`] + 1 edges from min(0, lowest) to the highest bad debt on any path
    /// (two equal edges when every path has the same bad debt). A bin holds its lower edge; the
    /// last also holds its upper one.
    pub bad_debt_edges: Vec<f64>,
    /// One entry per policy: those of [`POLICIES`] in its order, then others by name.
    pub policies: Vec<PolicyRisk>,
    /// Every two policies A, B (A listed first), on the paths both ran.
    pub paired: Vec<PairedComparison>,
}

/// One policy's figures over a scenario's paths. Means and tail statistics carry 95%
/// bootstrap percentile intervals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyRisk {
    /// Policy name.
    pub policy: String,
    /// Paths run.
    pub paths: usize,
    /// Mean bad debt.
    pub bad_debt_mean: Estimate,
    /// Value at risk: the 95th percentile of bad debt (nearest rank).
    pub var95: TailStat,
    /// Expected shortfall: the mean bad debt of the worst 5% of paths.
    pub es95: TailStat,
    /// Expected shortfall: the mean bad debt of the worst 1% of paths.
    pub es99: TailStat,
    /// Liquidations at risk: the 95th percentile of liquidated collateral.
    pub lar95: TailStat,
    /// Time-averaged borrow capacity.
    pub borrow_capacity: Distribution,
    /// Liquidations, fast plus slow.
    pub liquidations: Distribution,
    /// Fire-sale loss.
    pub fire_sale_loss: Distribution,
    /// The oracle-arbitrage attacker's profit.
    pub attacker_profit: Distribution,
    /// The liquidation bots' profit (who pays when lenders do not).
    pub liquidator_profit: Distribution,
    /// Paths per bin of [`ScenarioRisk::bad_debt_edges`].
    pub bad_debt_histogram: Vec<u64>,
    /// The paths with the most bad debt, worst first (ties: lower path first), at most
    /// [`WORST_PATHS_KEPT`].
    pub worst_paths: Vec<WorstPath>,
}

/// A statistic with its 95% bootstrap percentile interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// The statistic on the paths as run.
    pub value: f64,
    /// The interval's lower bound (2.5th percentile of the resampled statistic).
    pub low: f64,
    /// The interval's upper bound (97.5th percentile).
    pub high: f64,
}

/// A tail statistic, or why there is none.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum TailStat {
    /// At least 20 paths lie in the tail.
    Estimated(Estimate),
    /// Fewer than 20 paths lie in the tail: `paths` ran, `needs` would put 20 there.
    TooFewPaths {
        /// Paths run.
        paths: usize,
        /// Paths needed.
        needs: usize,
    },
}

impl TailStat {
    /// The estimate, if there were paths enough.
    pub fn estimate(&self) -> Option<&Estimate> {
        match self {
            Self::Estimated(e) => Some(e),
            Self::TooFewPaths { .. } => None,
        }
    }
}

/// A figure's distribution over the paths: quantiles (nearest rank) and the mean with its
/// interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Distribution {
    /// The mean, with its interval.
    pub mean: Estimate,
    /// 5th percentile.
    pub p5: f64,
    /// 25th percentile.
    pub p25: f64,
    /// Median.
    pub p50: f64,
    /// 75th percentile.
    pub p75: f64,
    /// 95th percentile.
    pub p95: f64,
}

/// A path of the worst tail, to re-run alone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorstPath {
    /// The path's number.
    pub path: u64,
    /// Its seed.
    pub seed: u64,
    /// Its bad debt.
    pub bad_debt: f64,
}

/// Policy A against policy B, path by path on the paths both ran.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairedComparison {
    /// Policy A.
    pub a: String,
    /// Policy B.
    pub b: String,
    /// Paths both ran.
    pub paths: usize,
    /// Bad debt, A − B.
    pub bad_debt: PairedDifference,
    /// Borrow capacity, A − B.
    pub borrow_capacity: PairedDifference,
}

/// The mean per-path difference A − B of one figure, and what it shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairedDifference {
    /// The mean difference with its interval (path numbers resampled jointly).
    pub difference: Estimate,
    /// Which policy is better, if the interval excludes zero.
    pub verdict: Verdict,
}

/// What a paired difference shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// The interval excludes zero on this policy's side.
    Better {
        /// The better policy.
        policy: String,
    },
    /// The interval contains zero.
    NoDifferenceShown,
}

/// Bins of the bad-debt histograms.
pub const HISTOGRAM_BINS: usize = 20;

/// Worst paths kept per scenario × policy: as many as the smallest tail a statistic is
/// reported on.
pub const WORST_PATHS_KEPT: usize = MIN_TAIL;

/// Quantile levels, per mille.
const P95: u32 = 950;
const P99: u32 = 990;
const DISTRIBUTION_QUANTILES: [u32; 5] = [50, 250, 500, 750, 950];

impl RiskReport {
    /// One policy's figures in one scenario.
    pub fn policy(&self, scenario: &str, policy: &str) -> Option<&PolicyRisk> {
        let s = self.scenarios.iter().find(|s| s.scenario == scenario)?;
        s.policies.iter().find(|p| p.policy == policy)
    }

    /// The numbers of up to `k` paths with the most bad debt (at most [`WORST_PATHS_KEPT`]),
    /// worst first; none for a scenario or policy not in the report.
    pub fn worst_paths(&self, scenario: &str, policy: &str, k: usize) -> Vec<u64> {
        self.policy(scenario, policy)
            .map(|p| p.worst_paths.iter().take(k).map(|w| w.path).collect())
            .unwrap_or_default()
    }
}

/// Summarizes paths into the risk report. Deterministic: the input is first sorted by
/// (scenario, policy, path, seed), so the order shards arrive in does not matter, and each
/// interval's resampling is seeded by `options.seed` and its scenario and policies. Each
/// (scenario, policy, path) is expected once (merging shards must not repeat a path).
pub fn summarize(paths: &[PathResult], options: &RiskOptions) -> RiskReport {
    let mut sorted: Vec<&PathResult> = paths.iter().collect();
    sorted.sort_by(|a, b| {
        (&a.scenario, &a.policy, a.path, a.seed).cmp(&(&b.scenario, &b.policy, b.path, b.seed))
    });
    let scenarios = sorted
        .chunk_by(|a, b| a.scenario == b.scenario)
        .map(|group| scenario_risk(group, options))
        .collect();
    RiskReport { resamples: options.resamples, seed: options.seed, scenarios }
}

/// One scenario, its paths sorted by policy and path.
fn scenario_risk(paths: &[&PathResult], options: &RiskOptions) -> ScenarioRisk {
    let scenario = &paths[0].scenario;
    let mut by_policy: Vec<&[&PathResult]> = paths.chunk_by(|a, b| a.policy == b.policy).collect();
    by_policy.sort_by_key(|ps| policy_rank(&ps[0].policy));
    let edges = histogram_edges(paths.iter().map(|p| p.metrics.bad_debt));
    let policies = by_policy.iter().map(|ps| policy_risk(scenario, ps, &edges, options)).collect();
    let mut paired = Vec::new();
    for (i, a) in by_policy.iter().enumerate() {
        for b in &by_policy[i + 1..] {
            paired.extend(paired_comparison(scenario, a, b, options));
        }
    }
    ScenarioRisk { scenario: scenario.clone(), bad_debt_edges: edges, policies, paired }
}

/// The report's policy order: [`POLICIES`]' order, then other names alphabetically.
fn policy_rank(policy: &str) -> (usize, &str) {
    (POLICIES.iter().position(|(name, _)| *name == policy).unwrap_or(POLICIES.len()), policy)
}

/// One policy's paths (sorted by path).
fn policy_risk(
    scenario: &str,
    paths: &[&PathResult],
    edges: &[f64],
    options: &RiskOptions,
) -> PolicyRisk {
    let n = paths.len();
    let policy = &paths[0].policy;
    let column =
        |f: fn(&Metrics) -> f64| -> Vec<f64> { paths.iter().map(|p| f(&p.metrics)).collect() };
    let bad_debt = column(|m| m.bad_debt);
    let liquidated = column(|m| m.liquidated_collateral);
    // The figures whose distributions are reported, in `Distribution` fields' order below.
    let figures = [
        column(|m| m.borrow_capacity),
        column(|m| (m.liquidations + m.slow_liquidations) as f64),
        column(|m| m.fire_sale_loss),
        column(|m| m.attacker_profit),
        column(|m| m.liquidator_profit),
    ];
    let mut scratch = Vec::with_capacity(n);
    let mut rng = Rng::new(options.seed, &format!("{scenario}\0{policy}"));
    let estimates = bootstrap(n, options.resamples, &mut rng, |idx| {
        gather(&mut scratch, &bad_debt, idx);
        let mut out = vec![mean(&scratch)];
        out.push(quantile(&mut scratch, P95));
        out.push(expected_shortfall(&mut scratch, P95));
        out.push(expected_shortfall(&mut scratch, P99));
        gather(&mut scratch, &liquidated, idx);
        out.push(quantile(&mut scratch, P95));
        out.extend(figures.iter().map(|f| mean_at(f, idx)));
        out
    });
    let tail = |per_mille, e| {
        if tail_count(n, per_mille) >= MIN_TAIL {
            TailStat::Estimated(e)
        } else {
            TailStat::TooFewPaths { paths: n, needs: paths_needed(per_mille) }
        }
    };
    let [capacity, liquidations, fire_sale, attacker, liquidator] =
        std::array::from_fn(|i| distribution(&figures[i], estimates[5 + i]));
    PolicyRisk {
        policy: policy.clone(),
        paths: n,
        bad_debt_mean: estimates[0],
        var95: tail(P95, estimates[1]),
        es95: tail(P95, estimates[2]),
        es99: tail(P99, estimates[3]),
        lar95: tail(P95, estimates[4]),
        borrow_capacity: capacity,
        liquidations,
        fire_sale_loss: fire_sale,
        attacker_profit: attacker,
        liquidator_profit: liquidator,
        bad_debt_histogram: histogram(&bad_debt, edges),
        worst_paths: worst_paths(paths),
    }
}

/// `out` = the values at `indices`.
fn gather(out: &mut Vec<f64>, values: &[f64], indices: &[usize]) {
    out.clear();
    out.extend(indices.iter().map(|&i| values[i]));
}

/// The mean of the values at `indices`.
fn mean_at(values: &[f64], indices: &[usize]) -> f64 {
    indices.iter().map(|&i| values[i]).sum::<f64>() / indices.len() as f64
}

fn distribution(values: &[f64], mean: Estimate) -> Distribution {
    let mut v = values.to_vec();
    let [p5, p25, p50, p75, p95] = DISTRIBUTION_QUANTILES.map(|q| quantile(&mut v, q));
    Distribution { mean, p5, p25, p50, p75, p95 }
}

/// [`ScenarioRisk::bad_debt_edges`] for these values.
fn histogram_edges(values: impl Iterator<Item = f64>) -> Vec<f64> {
    let (lo, hi) = values.fold((0.0f64, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if hi <= lo {
        return vec![lo, lo.max(hi)];
    }
    // The last edge is `hi` itself, not `lo + (hi − lo)` rounded.
    (0..HISTOGRAM_BINS)
        .map(|i| lo + (hi - lo) * i as f64 / HISTOGRAM_BINS as f64)
        .chain([hi])
        .collect()
}

/// Counts per bin of `edges` (see [`ScenarioRisk::bad_debt_edges`]).
fn histogram(values: &[f64], edges: &[f64]) -> Vec<u64> {
    let bins = edges.len() - 1;
    let (lo, hi) = (edges[0], edges[bins]);
    let mut counts = vec![0; bins];
    for &v in values {
        let bin = if hi > lo { ((v - lo) / (hi - lo) * bins as f64) as usize } else { 0 };
        counts[bin.min(bins - 1)] += 1;
    }
    counts
}

fn worst_paths(paths: &[&PathResult]) -> Vec<WorstPath> {
    let mut ranked: Vec<&PathResult> = paths.to_vec();
    ranked.sort_by(|a, b| {
        b.metrics.bad_debt.total_cmp(&a.metrics.bad_debt).then(a.path.cmp(&b.path))
    });
    ranked
        .iter()
        .take(WORST_PATHS_KEPT)
        .map(|p| WorstPath { path: p.path, seed: p.seed, bad_debt: p.metrics.bad_debt })
        .collect()
}

/// A against B on the paths both ran (each sorted by path); none if they share no path.
fn paired_comparison(
    scenario: &str,
    a: &[&PathResult],
    b: &[&PathResult],
    options: &RiskOptions,
) -> Option<PairedComparison> {
    let (name_a, name_b) = (&a[0].policy, &b[0].policy);
    let pairs = common_paths(a, b);
    if pairs.is_empty() {
        return None;
    }
    let difference =
        |f: fn(&Metrics) -> f64| -> Vec<f64> { pairs.iter().map(|(x, y)| f(x) - f(y)).collect() };
    let bad_debt = difference(|m| m.bad_debt);
    let capacity = difference(|m| m.borrow_capacity);
    let mut rng = Rng::new(options.seed, &format!("{scenario}\0{name_a}\0{name_b}"));
    let e = bootstrap(pairs.len(), options.resamples, &mut rng, |idx| {
        vec![mean_at(&bad_debt, idx), mean_at(&capacity, idx)]
    });
    let paired = |metric: &Metric, difference: Estimate| PairedDifference {
        verdict: verdict(metric, &difference, name_a, name_b),
        difference,
    };
    Some(PairedComparison {
        a: name_a.clone(),
        b: name_b.clone(),
        paths: pairs.len(),
        bad_debt: paired(BAD_DEBT, e[0]),
        borrow_capacity: paired(BORROW_CAPACITY, e[1]),
    })
}

/// The metrics of A and B on each path number both have, in path order.
fn common_paths<'a>(a: &[&'a PathResult], b: &[&'a PathResult]) -> Vec<(&'a Metrics, &'a Metrics)> {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        match a[i].path.cmp(&b[j].path) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push((&a[i].metrics, &b[j].metrics));
                i += 1;
                j += 1;
            }
        }
    }
    out
}

/// A is better when the interval of A − B lies wholly on the metric's better side of zero (by
/// more than rounding noise), B when it lies wholly on the other.
fn verdict(metric: &Metric, d: &Estimate, a: &str, b: &str) -> Verdict {
    let above = d.low > 0.0 && !same(d.low, 0.0);
    let below = d.high < 0.0 && !same(d.high, 0.0);
    let better = match metric.better {
        Better::Lower if below => Some(a),
        Better::Lower if above => Some(b),
        Better::Higher if above => Some(a),
        Better::Higher if below => Some(b),
        _ => None,
    };
    better.map_or(Verdict::NoDifferenceShown, |p| Verdict::Better { policy: p.to_string() })
}

/// Per scenario: its name, its risk frontier and its bad-debt histograms (SVG), for pages that
/// show them.
pub(crate) fn figures(report: &RiskReport) -> Vec<(String, String, String)> {
    let each =
        |sc: &ScenarioRisk| (sc.scenario.clone(), charts::frontier(sc), charts::histograms(sc));
    report.scenarios.iter().map(each).collect()
}

/// Writes `risk.json` (the report), `risk.md` and `risk.html` into `dir` (created if missing), each to a
/// temporary name renamed into place, `risk.json` last so an interrupted write never leaves a
/// directory that looks complete. Errors name the path.
pub fn write_risk(report: &RiskReport, dir: &Path) -> io::Result<()> {
    let json = serde_json::to_string_pretty(report)
        .map_err(|e| io::Error::other(format!("serializing risk.json: {e}")))?
        + "\n";
    std::fs::create_dir_all(dir).map_err(at(dir))?;
    let json_path = dir.join("risk.json");
    match std::fs::remove_file(&json_path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(at(&json_path)(e)),
        _ => {}
    }
    write_atomic(&dir.join("risk.md"), &render::markdown(report))?;
    write_atomic(&dir.join("risk.html"), &charts::html(report))?;
    write_atomic(&json_path, &json)
}

fn write_atomic(path: &Path, contents: &str) -> io::Result<()> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp"));
    std::fs::write(&tmp, contents).map_err(at(&tmp))?;
    std::fs::rename(&tmp, path).map_err(at(path))
}

/// An I/O error that names its path.
fn at(path: &Path) -> impl FnOnce(io::Error) -> io::Error + '_ {
    move |e| io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}
