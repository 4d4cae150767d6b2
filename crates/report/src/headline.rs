//! The page's headline: per scenario, each policy's bad debt, the borrow capacity it kept, its
//! liquidations and the attacker's profit, and two or three sentences drawn from those numbers
//! saying where the safeguards help and where they cost.

use crate::format::{compact, duration, pct};
use crate::group::Scenario;
use crate::metric::{
    ATTACKER, BAD_DEBT, BAD_DEBT_PCT, BORROW_CAPACITY, FAST, HALTED, Metric, SLOW, same,
};
use crate::policy::{BASELINES, SAFEGUARDED};
use crate::risk::{Estimate, PolicyRisk, ScenarioRisk};

/// One policy's headline figures (means over its seeds).
pub(crate) struct Row {
    pub(crate) policy: String,
    pub(crate) bad_debt: f64,
    pub(crate) bad_debt_pct: f64,
    pub(crate) capacity: f64,
    /// Borrow capacity as a percentage of the best policy's in the scenario.
    pub(crate) kept_pct: f64,
    pub(crate) fast: f64,
    pub(crate) slow: f64,
    pub(crate) attacker: f64,
    pub(crate) halted_s: f64,
    /// With a Monte Carlo: bad debt over its paths (VaR95 with its interval, or the mean where
    /// the paths are too few for a tail).
    pub(crate) tail: Option<String>,
}

/// The headline's extra column when the report carries a Monte Carlo.
pub(crate) const TAIL: &str = "Bad debt VaR95 over the paths [95% interval]";

/// The headline table's header.
pub(crate) const HEADER: [&str; 6] = [
    "Policy",
    BAD_DEBT.label,
    "% of supply",
    "Borrow capacity (kept)",
    "Liquidations fast/slow",
    ATTACKER.label,
];

impl Row {
    /// The row's cells, in [`HEADER`]'s order, then [`TAIL`]'s if it has one.
    pub(crate) fn cells(&self) -> Vec<String> {
        let mut cells = vec![
            self.policy.clone(),
            compact(self.bad_debt),
            pct(self.bad_debt_pct),
            format!("{} ({})", compact(self.capacity), pct(self.kept_pct)),
            format!("{}/{}", compact(self.fast), compact(self.slow)),
            compact(self.attacker),
        ];
        cells.extend(self.tail.clone());
        cells
    }
}

/// One scenario's headline.
pub(crate) struct Headline {
    pub(crate) rows: Vec<Row>,
    /// The policy with the most borrow capacity (ties: the first).
    pub(crate) best_capacity: Option<String>,
    pub(crate) sentences: Vec<String>,
    /// How many seeds each policy ran (the figures are their means when above 1).
    pub(crate) seeds: usize,
}

/// The headline's header: [`HEADER`], and [`TAIL`] when a row has a Monte Carlo figure.
pub(crate) fn header(h: &Headline) -> Vec<String> {
    let tail = h.rows.iter().any(|r| r.tail.is_some()).then_some(TAIL);
    HEADER.iter().copied().chain(tail).map(String::from).collect()
}

/// A policy's bad debt over the Monte Carlo's paths, as the headline shows it.
fn tail(p: &PolicyRisk) -> String {
    let interval = |e: &Estimate| format!("[{}, {}]", compact(e.low), compact(e.high));
    match p.var95.estimate() {
        Some(e) => format!("{} {}", compact(e.value), interval(e)),
        // Too few paths for a tail: the mean, said to be one.
        None => format!("mean {} {}", compact(p.bad_debt_mean.value), interval(&p.bad_debt_mean)),
    }
}

/// Builds a scenario's headline; `risk` is its Monte Carlo, if the report has one.
pub(crate) fn headline(sc: &Scenario<'_>, risk: Option<&ScenarioRisk>) -> Headline {
    let mean = |p: &str, f: &Metric| sc.mean(p, |m| f.get(m)).unwrap_or(0.0);
    let mut rows: Vec<Row> = sc
        .policies()
        .into_iter()
        .map(|p| Row {
            policy: p.to_string(),
            bad_debt: mean(p, BAD_DEBT),
            bad_debt_pct: mean(p, BAD_DEBT_PCT),
            capacity: mean(p, BORROW_CAPACITY),
            kept_pct: 0.0,
            fast: mean(p, FAST),
            slow: mean(p, SLOW),
            attacker: mean(p, ATTACKER),
            halted_s: mean(p, HALTED),
            tail: risk.and_then(|r| r.policies.iter().find(|x| x.policy == p)).map(tail),
        })
        .collect();
    let best = rows.iter().fold(None::<&Row>, |b, r| match b {
        Some(b) if b.capacity >= r.capacity => Some(b),
        _ => Some(r),
    });
    let (best_name, best_cap) = best.map_or((None, 0.0), |b| (Some(b.policy.clone()), b.capacity));
    for r in &mut rows {
        r.kept_pct = if best_cap > 0.0 { 100.0 * r.capacity / best_cap } else { 100.0 };
    }
    let seeds = sc.runs.len().div_ceil(rows.len().max(1));
    let sentences = sentences(&rows, best_name.as_deref());
    Headline { rows, best_capacity: best_name, sentences, seeds }
}

fn money(x: f64, p: f64) -> String {
    if same(x, 0.0) { "none".into() } else { format!("{} ({} of supply)", compact(x), pct(p)) }
}

fn sentences(rows: &[Row], best: Option<&str>) -> Vec<String> {
    let get = |p: &str| rows.iter().find(|r| r.policy == p);
    let Some(s) = get(SAFEGUARDED) else {
        return fallback(rows, best);
    };
    let bases: Vec<&Row> = BASELINES.iter().filter_map(|p| get(p)).collect();
    let mut out = Vec::new();
    // 1. Bad debt: the lenders' side.
    let against: Vec<String> = bases
        .iter()
        .map(|b| format!("{} under {}", money(b.bad_debt, b.bad_debt_pct), b.policy))
        .collect();
    let names = |f: &dyn Fn(&Row) -> bool| -> Vec<String> {
        bases.iter().filter(|b| f(b)).map(|b| b.policy.clone()).collect()
    };
    let (better, worse) = (
        names(&|b| BAD_DEBT.better(s.bad_debt, b.bad_debt)),
        names(&|b| BAD_DEBT.better(b.bad_debt, s.bad_debt)),
    );
    let equal = names(&|b| same(b.bad_debt, s.bad_debt));
    let verdict = if bases.is_empty() {
        String::new()
    } else if bases.iter().all(|b| same(b.bad_debt, 0.0)) && same(s.bad_debt, 0.0) {
        ": no policy loses lenders money here, so the safeguards can only cost".into()
    } else if !worse.is_empty() {
        format!(": more than {}, so here the safeguards cost lenders", join(&worse))
    } else if equal.is_empty() {
        ": the safeguards help lenders here".into()
    } else {
        format!(": better for lenders than {}, as good as {}", join(&better), join(&equal))
    };
    let against =
        if against.is_empty() { String::new() } else { format!(", against {}", join(&against)) };
    // The ablations: one safeguard without the others can be worse than all or none.
    let worst = rows
        .iter()
        .filter(|r| r.policy != SAFEGUARDED && !BASELINES.contains(&r.policy.as_str()))
        .filter(|r| BAD_DEBT.better(s.bad_debt, r.bad_debt))
        .fold(None::<&Row>, |m, r| match m {
            Some(m) if m.bad_debt >= r.bad_debt => Some(m),
            _ => Some(r),
        });
    let ablation = worst.map_or(String::new(), |w| {
        format!(
            " (but {} alone ends with {})",
            w.policy,
            compact(w.bad_debt) + &format!(", {} of supply", pct(w.bad_debt_pct))
        )
    });
    out.push(format!(
        "Bad debt under safeguarded: {}{against}{verdict}{ablation}.",
        money(s.bad_debt, s.bad_debt_pct)
    ));
    // 2. Borrow capacity and halted time: the borrowers' side.
    let halted = if s.halted_s > 0.0 {
        format!(", and fast liquidation is halted for {}", duration(s.halted_s.round() as u64))
    } else {
        String::new()
    };
    match best {
        Some(b) if b != SAFEGUARDED && s.kept_pct < 99.95 => out.push(format!(
            "The cost: safeguarded keeps {} of the best borrow capacity ({} against {}'s {}){halted}.",
            pct(s.kept_pct),
            compact(s.capacity),
            b,
            compact(rows.iter().find(|r| r.policy == b).map_or(0.0, |r| r.capacity)),
        )),
        _ => out.push(format!(
            "Safeguarded keeps the best borrow capacity ({}){halted}.",
            compact(s.capacity)
        )),
    }
    // 3. Liquidations and the attacker.
    let liq = |r: &Row| format!("{}/{}", compact(r.fast), compact(r.slow));
    let nobody = rows.iter().all(|r| same(r.fast + r.slow, 0.0));
    let mut third = if nobody {
        "No policy liquidated anyone".to_string()
    } else {
        format!("Liquidations fast/slow: {} under safeguarded", liq(s))
    };
    for b in bases.iter().filter(|_| !nobody) {
        third.push_str(&format!(", {} under {}", liq(b), b.policy));
    }
    if rows.iter().any(|r| !same(r.attacker, 0.0)) {
        let most = rows.iter().fold(&rows[0], |m, r| if r.attacker > m.attacker { r } else { m });
        third.push_str(&format!(
            "; the oracle attacker gains {} under safeguarded and {} under {}",
            compact(s.attacker),
            compact(most.attacker),
            most.policy
        ));
    }
    third.push('.');
    out.push(third);
    out
}

/// Without a safeguarded run: who had the least bad debt and who kept the most capacity.
fn fallback(rows: &[Row], best: Option<&str>) -> Vec<String> {
    let Some(first) = rows.first() else { return Vec::new() };
    let least = rows.iter().fold(first, |m, r| if r.bad_debt < m.bad_debt { r } else { m });
    let most = rows.iter().fold(first, |m, r| if r.bad_debt > m.bad_debt { r } else { m });
    let mut out = vec![if same(most.bad_debt, 0.0) {
        "No policy ended with bad debt.".to_string()
    } else {
        format!(
            "Least bad debt: {} ({}); most: {} ({}).",
            least.policy,
            money(least.bad_debt, least.bad_debt_pct),
            most.policy,
            money(most.bad_debt, most.bad_debt_pct)
        )
    }];
    if let Some(b) = best {
        out.push(format!("The most borrow capacity: {b}."));
    }
    out
}

/// `a`, `a and b`, `a, b and c`.
fn join(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}
