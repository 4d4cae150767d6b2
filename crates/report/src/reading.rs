//! A short reading of one scenario, generated from its figures: which policy had the least and
//! the most bad debt, what each policy changed against the naive baselines, and at what cost.
//! With several seeds per policy, the means are compared.

use crate::format::{compact, duration, pct, signed};
use crate::group::Scenario;
use crate::metric::{
    ATTACKER, BAD_DEBT, BAD_DEBT_PCT, BORROW_CAPACITY, BREAKER_TRIPS, FAST, FIRE_SALE, HALTED,
    Metric, SLOW, same,
};
use crate::policy::BASELINES;

/// The figures each policy is compared on against the baselines.
const EFFECTS: [&Metric; 5] = [BAD_DEBT, FAST, SLOW, FIRE_SALE, ATTACKER];

/// The reading: one plain sentence or short paragraph per item.
pub(crate) fn reading(sc: &Scenario<'_>) -> Vec<String> {
    let policies = sc.policies();
    let mean = |p: &str, f: &Metric| sc.mean(p, |m| f.get(m)).unwrap_or(0.0);
    let mut out = vec![extremes(sc, &policies)];
    let baselines: Vec<&str> = BASELINES.into_iter().filter(|b| policies.contains(b)).collect();
    if baselines.is_empty() {
        let [spot, nav] = BASELINES;
        out.push(format!(
            "Neither {spot} nor {nav} ran in this scenario, so there is no baseline to compare with."
        ));
        return out;
    }
    for &p in &policies {
        // Compare each policy with the baselines listed before it (naive-nav with naive-spot).
        let bases: Vec<&str> = baselines.iter().copied().take_while(|&b| b != p).collect();
        if bases.is_empty() {
            continue;
        }
        let bd = |q: &str| mean(q, BAD_DEBT);
        for &b in &bases {
            if BAD_DEBT.better(bd(b), bd(p)) {
                out.push(format!(
                    "Bad debt was higher under {p} than under {b}: {} against {} ({}{}).",
                    compact(bd(p)),
                    compact(bd(b)),
                    signed(bd(p) - bd(b), compact),
                    rel(bd(p), bd(b)),
                ));
            }
        }
        let slow_matters = sc.runs.iter().any(|r| r.metrics.slow_liquidations > 0);
        let effects: Vec<String> = EFFECTS
            .iter()
            .filter(|f| slow_matters || f.key != SLOW.key)
            .map(|f| compare(f, &|q| mean(q, f), p, &bases))
            .collect();
        out.push(format!("{p}: {}.", effects.join("; ")));
        out.push(format!("{p}, cost: {}.", cost(sc, p, &bases, &|q, f| mean(q, f))));
    }
    out
}

/// Who had the least and the most bad debt, naming every policy in a tie.
fn extremes(sc: &Scenario<'_>, policies: &[&str]) -> String {
    let debts: Vec<(&str, f64, f64)> = policies
        .iter()
        .map(|&p| {
            (
                p,
                sc.mean(p, |m| BAD_DEBT.get(m)).unwrap_or(0.0),
                sc.mean(p, |m| BAD_DEBT_PCT.get(m)).unwrap_or(0.0),
            )
        })
        .collect();
    let lo = debts.iter().map(|d| d.1).fold(f64::INFINITY, f64::min);
    let hi = debts.iter().map(|d| d.1).fold(f64::NEG_INFINITY, f64::max);
    let at = |v: f64| {
        let names: Vec<&str> = debts.iter().filter(|d| same(d.1, v)).map(|d| d.0).collect();
        let pct_v = debts.iter().find(|d| same(d.1, v)).map_or(0.0, |d| d.2);
        (join(&names), format!("{}, {} of lender supply", compact(v), pct(pct_v)))
    };
    match debts.len() {
        0 => "No runs.".into(),
        1 => format!("Only {} ran: bad debt {}.", debts[0].0, compact(debts[0].1)),
        _ if same(lo, hi) && same(hi, 0.0) => "No policy ended with bad debt.".into(),
        _ if same(lo, hi) => {
            format!("Every policy ended with the same bad debt ({}).", compact(lo))
        }
        _ => {
            let ((least, least_v), (most, most_v)) = (at(lo), at(hi));
            format!("Least bad debt: {least} ({least_v}). Most: {most} ({most_v}).")
        }
    }
}

/// `name X (vs B1 Y1: +d, +r%; vs B2 ...)`.
fn compare(f: &Metric, value: &dyn Fn(&str) -> f64, p: &str, bases: &[&str]) -> String {
    let v = value(p);
    let parts: Vec<String> = bases
        .iter()
        .map(|&b| {
            let base = value(b);
            let change = if same(v, base) {
                "same".to_string()
            } else {
                format!("{}{}", signed(v - base, |x| f.mean_text(x)), rel(v, base))
            };
            format!("vs {b} {}: {change}", f.mean_text(base))
        })
        .collect();
    format!("{} {} ({})", f.name, f.mean_text(v), parts.join("; "))
}

/// The relative change `, +12.5%`, or nothing when the baseline is zero.
fn rel(v: f64, base: f64) -> String {
    if base == 0.0 || !base.is_finite() {
        String::new()
    } else {
        format!(", {}", signed((v - base) / base.abs() * 100.0, pct))
    }
}

/// What the policy gave up: borrow capacity, halted time and breaker trips.
fn cost(sc: &Scenario<'_>, p: &str, bases: &[&str], mean: &dyn Fn(&str, &Metric) -> f64) -> String {
    let mut parts = vec![compare(BORROW_CAPACITY, &|q| mean(q, BORROW_CAPACITY), p, bases)];
    let halted = sc.mean(p, |m| HALTED.get(m)).unwrap_or(0.0);
    parts.push(if halted > 0.0 {
        format!("fast liquidation halted for {}", duration(halted.round() as u64))
    } else {
        "fast liquidation never halted".into()
    });
    let trips = sc.mean(p, |m| BREAKER_TRIPS.get(m)).unwrap_or(0.0);
    if trips > 0.0 {
        parts.push(format!("{} breaker trips", compact(trips)));
    }
    parts.join("; ")
}

/// `a`, `a and b`, `a, b and c`.
fn join(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}
