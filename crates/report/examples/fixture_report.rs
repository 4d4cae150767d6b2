//! Writes a report for the browser test, with no lab run: `fixture_report DIR` renders a small
//! synthetic report (two scenarios × three policies over a month, a crash at hour 300, every
//! series and event the model carries in one scenario and only the required ones in the other);
//! `fixture_report DIR --from report.json` re-renders an existing report (e.g. the demo's).

use breakwater_report::{
    Event, Metrics, PathResult, Provenance, Report, RiskOptions, RiskReport, Run, Series,
    summarize, write,
};
use std::path::PathBuf;

fn metrics(bad_debt: f64, fast: u64, slow: u64, capacity: f64, attacker: f64) -> Metrics {
    Metrics {
        bad_debt,
        bad_debt_pct: bad_debt / 4e3,
        liquidations: fast,
        slow_liquidations: slow,
        liquidated_collateral: 1_000.0 * fast as f64,
        fire_sale_loss: bad_debt / 2.0,
        min_market_to_nav: 0.41,
        first_liquidation_after_s: (fast + slow > 0).then_some(5_400),
        cascade_rounds: fast.min(9),
        breaker_trips: if slow > 0 { 4 } else { 0 },
        halted_s: if slow > 0 { 36 * 3600 } else { 0 },
        borrower_penalties: 50.0 * fast as f64,
        liquidator_profit: 40.0 * fast as f64,
        attacker_profit: attacker,
        lender_loss_pct: bad_debt / 4e3,
        borrow_capacity: capacity,
        shadow_insolvency: 2_000.0,
        overpaid: 300.0 * slow as f64,
        // The gap (bad debt − real shortfall = 2/3 of bad debt), mostly seizures below the
        // fundamental value.
        real_shortfall: bad_debt / 3.0,
        gap_below_fundamental: bad_debt / 2.0,
        gap_incentive: bad_debt / 6.0,
        ..Metrics::default()
    }
}

/// A month of hourly samples, denser (every 5 min) around the crash at hour 300. `policy`
/// shapes the oracle, the breaker and the liquidations; `full` adds the optional series and the
/// scenario's events.
fn series(policy: &str, full: bool) -> Series {
    let mut t: Vec<u64> = (0..300).map(|h| h * 3600).collect();
    t.extend((0..(48 * 12)).map(|i| 300 * 3600 + i * 300));
    t.extend((348..=730).map(|h| h * 3600));
    let h = |t: u64| t as f64 / 3600.0;
    let crash = |x: f64| if x < 300.0 { 0.0 } else { (-(x - 300.0) / 10.0).exp() };
    let nav = |x: f64| if x < 324.0 { 1.0 } else { 0.94 };
    let spot: Vec<f64> = t.iter().map(|&s| nav(h(s)) - 0.02 - 0.5 * crash(h(s))).collect();
    let oracle: Vec<f64> = t
        .iter()
        .zip(&spot)
        .map(|(&s, &p)| match policy {
            "naive-spot" => p,
            "naive-nav" => nav(h(s)),
            _ => (nav(h(s)) * 0.98).min(p.max(nav(h(s)) * 0.9)),
        })
        .collect();
    let level = |x: f64| match policy {
        "safeguarded" if (300.0..312.0).contains(&x) => 3,
        "safeguarded" if (312.0..330.0).contains(&x) => 1,
        _ => 0,
    };
    let fast_n = |x: f64| match policy {
        "naive-spot" => ((x - 300.0).clamp(0.0, 4.0) * 10.0) as u64,
        "naive-nav" => 0,
        _ => ((x - 324.0).clamp(0.0, 2.0) * 3.0) as u64,
    };
    let mut s = Series {
        spot: spot.clone(),
        nav: t.iter().map(|&s| nav(h(s))).collect(),
        fundamental: t.iter().map(|&s| if h(s) < 290.0 { 1.0 } else { 0.94 }).collect(),
        oracle,
        liquidations: t.iter().map(|&s| fast_n(h(s))).collect(),
        bad_debt: t
            .iter()
            .map(|&s| if policy == "naive-spot" { 3_000.0 * (1.0 - crash(h(s))) } else { 0.0 })
            .collect(),
        breaker_level: t.iter().map(|&s| level(h(s))).collect(),
        shadow_insolvency: t.iter().map(|&s| 2_000.0 * crash(h(s))).collect(),
        pool_depth: t.iter().map(|&s| if h(s) < 302.0 { 80_000.0 } else { 32_000.0 }).collect(),
        t: t.clone(),
        ..Series::default()
    };
    if full {
        s.borrow_price = s.oracle.iter().zip(&spot).map(|(o, p)| o.min(*p) * 0.97).collect();
        s.slow_liquidations = t
            .iter()
            .map(|&x| if policy == "safeguarded" && h(x) > 301.0 { 5 } else { 0 })
            .collect();
        s.under_review = t.iter().map(|&x| (300.0..320.0).contains(&h(x))).collect();
        let ev = |hour: u64, kind: &str, label: &str| Event {
            t: hour * 3600,
            kind: kind.into(),
            label: label.into(),
        };
        s.events = vec![
            ev(296, "rumour", "rumour wave"),
            ev(300, "custodian_breach", ""),
            ev(302, "lp_withdrawal", "LPs pull 60%"),
            ev(320, "review_resolved", ""),
            ev(324, "nav_report", "NAV report -6%"),
        ];
    }
    s
}

/// A Monte Carlo over the fixture's runs: 400 paths each, bad debt and capacity spread around
/// the run's own figures (deterministically), so the risk section has tails to show.
fn risk_fixture(runs: &[Run]) -> RiskReport {
    let mut paths = Vec::new();
    for run in runs {
        for path in 0..400u64 {
            let u = (path * 7_919 % 400) as f64 / 400.0;
            let mut metrics = run.metrics.clone();
            metrics.bad_debt = run.metrics.bad_debt * 2.0 * u + 100.0 * u * u;
            metrics.borrow_capacity = run.metrics.borrow_capacity * (0.9 + 0.2 * u);
            let (scenario, policy) = (run.scenario.clone(), run.policy.clone());
            paths.push(PathResult { scenario, policy, path, seed: 1_000 + path, metrics });
        }
    }
    summarize(&paths, &RiskOptions { resamples: 200, seed: 1 })
}

fn fixture() -> Report {
    let mut runs = Vec::new();
    for (scenario, title, scale, full) in [
        ("flash-crash", "Real-estate flash crash (fixture)", 1e-4, true),
        ("credit-default", "Credit-default ripple (fixture)", 3e-4, false),
    ] {
        for (policy, m) in [
            ("naive-spot", metrics(3_000.0, 40, 0, 50_000.0, 0.0)),
            ("naive-nav", metrics(0.0, 0, 0, 160_000.0, 4_900.0)),
            ("safeguarded", metrics(0.0, 6, 5, 61_000.0, 0.0)),
        ] {
            runs.push(Run {
                scenario: scenario.into(),
                title: title.into(),
                policy: policy.into(),
                seed: 42,
                scale,
                description: format!("{title}: a synthetic scenario for the browser test."),
                provenance: Provenance {
                    scenario_sha256: "ab".repeat(32),
                    program: "breakwater-report fixture".into(),
                    parameters: [("market.max_ltv".to_string(), 0.7)].into_iter().collect(),
                },
                metrics: m,
                series: series(policy, full),
            });
        }
    }
    let risk = Some(risk_fixture(&runs));
    Report { generated_by: "breakwater-report fixture".into(), runs, sweeps: Vec::new(), risk }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first().map(PathBuf::from) else {
        eprintln!("usage: fixture_report DIR [--from report.json]");
        std::process::exit(2);
    };
    let report = match args.get(1).map(String::as_str) {
        Some("--from") => {
            let Some(path) = args.get(2) else {
                eprintln!("--from needs a report.json path");
                std::process::exit(2);
            };
            let text = std::fs::read_to_string(path).unwrap_or_else(|e| {
                eprintln!("{path}: {e}");
                std::process::exit(1);
            });
            serde_json::from_str(&text).unwrap_or_else(|e| {
                eprintln!("{path}: not a report: {e}");
                std::process::exit(1);
            })
        }
        _ => fixture(),
    };
    match write(&report, &dir) {
        Ok(w) => println!("{}", w.html.display()),
        Err(e) => {
            eprintln!("writing the report: {e}");
            std::process::exit(1);
        }
    }
}
