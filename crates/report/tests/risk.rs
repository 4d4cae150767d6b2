//! The risk report on synthetic paths: its statistics on known inputs, the tail-count rule,
//! paired verdicts, determinism, the JSON round trip and the files written.

use breakwater_report::{
    Estimate, HISTOGRAM_BINS, Metrics, PathResult, RiskOptions, RiskReport, TailStat, Verdict,
    WORST_PATHS_KEPT, summarize, write_risk,
};
use std::path::{Path, PathBuf};

/// A path of `policy` in scenario `s` with this bad debt and borrow capacity; its seed is
/// derived from the path number, as a runner would.
fn path(policy: &str, k: u64, bad_debt: f64, capacity: f64) -> PathResult {
    PathResult {
        scenario: "s".into(),
        policy: policy.into(),
        path: k,
        seed: 1000 + k,
        metrics: Metrics {
            bad_debt,
            borrow_capacity: capacity,
            liquidated_collateral: 2.0 * bad_debt,
            liquidations: k % 3,
            slow_liquidations: 1,
            fire_sale_loss: bad_debt / 4.0,
            attacker_profit: -1.0,
            liquidator_profit: bad_debt / 10.0,
            ..Metrics::default()
        },
    }
}

/// Uniform draws in [0, 1) from a fixed seed (the test's own generator, so the data do not
/// depend on the crate's resampler).
fn uniforms(seed: u64, n: usize) -> Vec<f64> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (s >> 11) as f64 / (1u64 << 53) as f64
        })
        .collect()
}

/// `n` paths of `policy` whose bad debt is 1..=n (path k has k + 1), in a scrambled order.
fn one_to(n: u64, policy: &str) -> Vec<PathResult> {
    (0..n).map(|i| (i * 7919) % n).map(|k| path(policy, k, (k + 1) as f64, 500.0)).collect()
}

fn options(resamples: usize) -> RiskOptions {
    RiskOptions { resamples, seed: 42 }
}

fn estimated(t: &TailStat) -> Estimate {
    *t.estimate().unwrap_or_else(|| panic!("no estimate: {t:?}"))
}

fn brackets(e: &Estimate) -> bool {
    e.low <= e.value && e.value <= e.high && e.low < e.high
}

#[test]
fn var_es_and_lar_of_one_to_two_thousand() {
    let report = summarize(&one_to(2000, "p"), &options(200));
    let p = report.policy("s", "p").expect("the policy");
    assert_eq!(p.paths, 2000);
    assert_eq!(p.bad_debt_mean.value, 1000.5);
    assert_eq!(estimated(&p.var95).value, 1900.0, "nearest rank: the 1,900th of 2,000");
    assert_eq!(estimated(&p.es95).value, 1950.5, "the mean of 1901..=2000");
    assert_eq!(estimated(&p.es99).value, 1990.5, "the mean of 1981..=2000");
    assert_eq!(estimated(&p.lar95).value, 3800.0, "liquidated collateral is twice bad debt");
    for e in [p.bad_debt_mean, estimated(&p.var95), estimated(&p.es95), estimated(&p.es99)] {
        assert!(brackets(&e), "{e:?}");
    }
    // The distributions' quantiles, nearest rank: fire-sale loss is a quarter of bad debt.
    let f = &p.fire_sale_loss;
    assert_eq!([f.p5, f.p25, f.p50, f.p75, f.p95], [25.0, 125.0, 250.0, 375.0, 475.0]);
    assert_eq!(p.liquidations.mean.value, (0..2000).map(|k| k % 3 + 1).sum::<u64>() as f64 / 2e3);
    assert_eq!(p.attacker_profit.mean, Estimate { value: -1.0, low: -1.0, high: -1.0 });
    let l = &p.liquidator_profit;
    assert_eq!([l.p5, l.p25, l.p50, l.p75, l.p95], [10.0, 50.0, 100.0, 150.0, 190.0]);
    // The worst paths are the highest bad debts, with their seeds.
    let worst = &p.worst_paths;
    assert_eq!(worst.len(), WORST_PATHS_KEPT);
    assert_eq!((worst[0].path, worst[0].seed, worst[0].bad_debt), (1999, 2999, 2000.0));
    assert_eq!(report.worst_paths("s", "p", 3), vec![1999, 1998, 1997]);
    assert!(report.worst_paths("s", "other", 3).is_empty());
}

#[test]
fn a_tail_statistic_needs_twenty_paths_in_its_tail() {
    let at = |n| summarize(&one_to(n, "p"), &options(50)).scenarios[0].policies[0].clone();
    let p = at(399);
    assert_eq!(p.var95, TailStat::TooFewPaths { paths: 399, needs: 400 });
    assert_eq!(p.es95, TailStat::TooFewPaths { paths: 399, needs: 400 });
    assert_eq!(p.lar95, TailStat::TooFewPaths { paths: 399, needs: 400 });
    assert_eq!(p.es99, TailStat::TooFewPaths { paths: 399, needs: 2000 });
    let p = at(400);
    assert_eq!(estimated(&p.var95).value, 380.0);
    assert_eq!(estimated(&p.es95).value, 390.5, "the mean of 381..=400");
    assert!(p.lar95.estimate().is_some());
    assert_eq!(p.es99, TailStat::TooFewPaths { paths: 400, needs: 2000 });
    assert_eq!(at(1999).es99, TailStat::TooFewPaths { paths: 1999, needs: 2000 });
}

#[test]
fn the_same_inputs_and_seed_give_the_same_intervals() {
    let paths = one_to(500, "p");
    let a = summarize(&paths, &options(300));
    assert_eq!(a, summarize(&paths, &options(300)));
    let other = summarize(&paths, &RiskOptions { resamples: 300, seed: 43 });
    let interval = |r: &RiskReport| r.scenarios[0].policies[0].bad_debt_mean;
    assert_eq!(interval(&a).value, interval(&other).value);
    assert_ne!(interval(&a), interval(&other), "another seed resamples otherwise");
    // Without resamples every interval is its point.
    let none = summarize(&paths, &options(0));
    let e = estimated(&none.scenarios[0].policies[0].var95);
    assert_eq!((e.low, e.high), (e.value, e.value));
}

#[test]
fn the_interval_of_a_known_mean_contains_it() {
    // Bad debt uniform on [0, 1000): the mean is 500; 2,000 paths put it within ±13 (2 SE).
    let paths: Vec<PathResult> = uniforms(3, 2000)
        .into_iter()
        .enumerate()
        .map(|(k, u)| path("p", k as u64, 1000.0 * u, 0.0))
        .collect();
    let e = summarize(&paths, &options(500)).scenarios[0].policies[0].bad_debt_mean;
    assert!(e.low < 500.0 && 500.0 < e.high, "{e:?}");
    assert!((15.0..40.0).contains(&(e.high - e.low)), "a 95% interval is about 25 wide: {e:?}");
}

/// Three policies on common random numbers: each path's world sets a bad debt that varies far
/// more across paths than between policies. `better` has 5% less bad debt and 5% less borrow
/// capacity than `base` on every path; `twin` is `base` exactly.
fn three_policies(n: usize) -> Vec<PathResult> {
    let mut out = Vec::new();
    for (k, u) in uniforms(9, n).into_iter().enumerate() {
        let (world, k) = (1000.0 + 9000.0 * u, k as u64);
        out.push(path("base", k, world, 50_000.0 - world));
        out.push(path("better", k, 0.95 * world, 0.95 * (50_000.0 - world)));
        out.push(path("twin", k, world, 50_000.0 - world));
    }
    out
}

#[test]
fn a_clearly_better_policy_is_called_better_and_identical_ones_are_not() {
    let report = summarize(&three_policies(300), &options(400));
    let s = &report.scenarios[0];
    let names: Vec<(&str, &str)> = s.paired.iter().map(|c| (&*c.a, &*c.b)).collect();
    assert_eq!(names, [("base", "better"), ("base", "twin"), ("better", "twin")]);
    let base_better = &s.paired[0];
    assert_eq!(base_better.paths, 300);
    assert!(base_better.bad_debt.difference.low > 0.0, "base − better is positive on every path");
    let better = Verdict::Better { policy: "better".into() };
    assert_eq!(base_better.bad_debt.verdict, better);
    assert_eq!(base_better.borrow_capacity.verdict, Verdict::Better { policy: "base".into() });
    // The unpaired intervals of the two means overlap: only pairing shows the difference.
    let mean = |p: &str| report.policy("s", p).expect("policy").bad_debt_mean;
    assert!(mean("better").high > mean("base").low);
    let twins = &s.paired[1];
    assert_eq!(twins.bad_debt.difference, Estimate { value: 0.0, low: 0.0, high: 0.0 });
    assert_eq!(twins.bad_debt.verdict, Verdict::NoDifferenceShown);
    assert_eq!(twins.borrow_capacity.verdict, Verdict::NoDifferenceShown);
    // Order within the pair does not change who is better.
    assert_eq!(s.paired[2].bad_debt.verdict, better);
}

#[test]
fn noise_without_a_difference_is_not_called_better() {
    // B is A plus zero-mean noise on each path: the interval straddles zero.
    let mut paths = Vec::new();
    for (k, u) in uniforms(5, 400).into_iter().enumerate() {
        let k = k as u64;
        let noise = if k.is_multiple_of(2) { 100.0 * u } else { -100.0 * u };
        paths.push(path("a", k, 5000.0, 1000.0));
        paths.push(path("b", k, 5000.0 + noise, 1000.0 + noise));
    }
    let c = &summarize(&paths, &options(400)).scenarios[0].paired[0];
    assert!(c.bad_debt.difference.low < 0.0 && c.bad_debt.difference.high > 0.0, "{c:?}");
    assert_eq!(c.bad_debt.verdict, Verdict::NoDifferenceShown);
    assert_eq!(c.borrow_capacity.verdict, Verdict::NoDifferenceShown);
}

#[test]
fn pairs_are_taken_on_the_paths_both_policies_ran() {
    let mut paths = one_to(30, "a");
    paths.extend(one_to(30, "b").into_iter().filter(|p| p.path.is_multiple_of(2)));
    let c = &summarize(&paths, &options(50)).scenarios[0].paired[0];
    assert_eq!(c.paths, 15);
    assert_eq!(c.bad_debt.difference.value, 0.0, "the same path has the same bad debt");
}

#[test]
fn summarize_does_not_depend_on_the_input_order() {
    let mut paths = three_policies(200);
    paths.extend(
        one_to(50, "naive-spot").into_iter().map(|p| PathResult { scenario: "t".into(), ..p }),
    );
    let json =
        |p: &[PathResult]| serde_json::to_string(&summarize(p, &options(100))).expect("serializes");
    let reference = json(&paths);
    paths.reverse();
    assert_eq!(json(&paths), reference);
    // A deterministic shuffle: shards interleaved.
    let order = uniforms(1, paths.len());
    let mut keyed: Vec<(f64, PathResult)> = order.into_iter().zip(paths).collect();
    keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
    let shuffled: Vec<PathResult> = keyed.into_iter().map(|(_, p)| p).collect();
    assert_eq!(json(&shuffled), reference);
    let report = summarize(&shuffled, &options(100));
    let scenarios: Vec<&str> = report.scenarios.iter().map(|s| s.scenario.as_str()).collect();
    assert_eq!(scenarios, ["s", "t"]);
}

#[test]
fn known_policies_come_in_the_report_order_and_share_histogram_edges() {
    let mut paths = one_to(100, "safeguarded");
    paths.extend(one_to(100, "naive-spot").into_iter().map(|p| PathResult {
        metrics: Metrics { bad_debt: 3.0 * p.metrics.bad_debt, ..p.metrics },
        ..p
    }));
    paths.extend(one_to(100, "my-policy"));
    let s = &summarize(&paths, &options(20)).scenarios[0];
    let names: Vec<&str> = s.policies.iter().map(|p| p.policy.as_str()).collect();
    assert_eq!(names, ["naive-spot", "safeguarded", "my-policy"]);
    assert_eq!(s.bad_debt_edges.len(), HISTOGRAM_BINS + 1);
    assert_eq!((s.bad_debt_edges[0], s.bad_debt_edges[HISTOGRAM_BINS]), (0.0, 300.0));
    for p in &s.policies {
        assert_eq!(p.bad_debt_histogram.len(), HISTOGRAM_BINS);
        assert_eq!(p.bad_debt_histogram.iter().sum::<u64>(), 100, "{}", p.policy);
    }
    // 1..=100 on edges 0, 15, 30, ...: 14 values in the first bin, none above 100.
    let safeguarded = &s.policies[1].bad_debt_histogram;
    assert_eq!(safeguarded[0], 14);
    assert!(safeguarded[7..].iter().all(|&c| c == 0), "{safeguarded:?}");
    assert_eq!(s.policies[0].bad_debt_histogram[HISTOGRAM_BINS - 1], 6, "285, 288, ..., 300");
}

#[test]
fn no_bad_debt_anywhere_gives_one_bin() {
    let paths: Vec<PathResult> = (0..10).map(|k| path("p", k, 0.0, 1.0)).collect();
    let s = &summarize(&paths, &options(10)).scenarios[0];
    assert_eq!(s.bad_debt_edges, [0.0, 0.0]);
    assert_eq!(s.policies[0].bad_debt_histogram, [10]);
    assert_eq!(s.policies[0].worst_paths[0].path, 0, "ties: the lowest path first");
}

#[test]
fn the_report_round_trips_through_json() {
    let mut paths = three_policies(450);
    paths.extend(one_to(10, "naive-nav"));
    let report = summarize(&paths, &options(50));
    let json = serde_json::to_string_pretty(&report).expect("serializes");
    let back: RiskReport = serde_json::from_str(&json).expect("parses");
    assert_eq!(back, report);
    // The tail rule is data: a status and the reason's numbers, not only text.
    assert!(json.contains(r#""status": "too_few_paths""#), "{json}");
    assert!(json.contains(r#""needs": 2000"#));
    assert!(json.contains(r#""verdict": "better""#));
    assert!(json.contains(r#""verdict": "no_difference_shown""#));
}

/// A directory under the system's temporary directory, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("breakwater-risk-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        Self(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn write_risk_writes_the_json_and_the_markdown() {
    let dir = Scratch::new("write");
    let mut paths = three_policies(420);
    paths.extend(
        one_to(399, "naive-spot").into_iter().map(|p| PathResult { scenario: "t".into(), ..p }),
    );
    let report = summarize(&paths, &options(100));
    write_risk(&report, &dir.0.join("out")).expect("writes");
    let back: RiskReport =
        serde_json::from_str(&read(&dir.0.join("out/risk.json"))).expect("risk.json parses");
    assert_eq!(back, report);
    let md = read(&dir.0.join("out/risk.md"));
    for want in [
        "## s\n",
        "## t\n",
        "| Policy | Paths | Bad debt (mean) | VaR95 | ES95 | ES99 | LaR95 | Borrow capacity (mean) |",
        "too few paths (420; needs 2000)",
        "too few paths (399; needs 400)",
        "better is better than base on bad debt: base − better = +",
        "base is better than better on borrow capacity",
        "No difference in bad debt is shown between base and twin: base − twin = 0 per path, 95% interval \\[0, 0\\], over 420 paired paths.",
        "| naive-spot | Liquidations (fast + slow) |",
        "- naive-spot: path 398 (seed 1398): 399; path 397 (seed 1397): 398;",
    ] {
        assert!(md.contains(want), "risk.md lacks {want:?}:\n{md}");
    }
    // The page: per scenario a frontier and the histograms, one bar per non-empty bin, in the
    // policy's colour; the frontier plots VaR95 where every policy has it, else the mean.
    let html = read(&dir.0.join("out/risk.html"));
    for want in [
        "id=\"risk-s\"",
        "id=\"risk-t\"",
        "s: risk frontier",
        "t: bad debt over the paths",
        "bad debt VaR95 (loan units)",
        "mean bad debt (too few paths for VaR95)",
    ] {
        assert!(html.contains(want), "risk.html lacks {want:?}");
    }
    let bins: usize = report.scenarios[0]
        .policies
        .iter()
        .map(|p| p.bad_debt_histogram.iter().filter(|c| **c > 0).count())
        .sum();
    let first = html.split("id=\"risk-t\"").next().expect("scenario s first");
    assert_eq!(first.matches("stroke=\"none\"").count(), bins, "one bar per non-empty bin");
    // Rewriting over an existing report works; a file in the directory's place is an error
    // that names it.
    write_risk(&report, &dir.0.join("out")).expect("rewrites");
    let blocked = dir.0.join("out/risk.json/inside");
    let err = write_risk(&report, &blocked).expect_err("a file is in the way");
    assert!(err.to_string().contains("risk.json"), "{err}");
}
