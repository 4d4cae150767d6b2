//! Renders synthetic reports and checks the files, their determinism and their content.

use breakwater_report::{
    Event, Metrics, Provenance, Report, Run, Series, Sweep, SweepPoint, summary_table, write,
};
use std::path::{Path, PathBuf};

fn metrics(bad_debt: f64, liquidations: u64, capacity: f64) -> Metrics {
    Metrics {
        bad_debt,
        bad_debt_pct: bad_debt / 1e4,
        liquidations,
        slow_liquidations: 0,
        liquidated_collateral: 250_000.0,
        fire_sale_loss: bad_debt / 2.0,
        min_market_to_nav: 0.8125,
        first_liquidation_after_s: (liquidations > 0).then_some(7500),
        cascade_rounds: 3,
        breaker_trips: 0,
        halted_s: 0,
        borrower_penalties: 1_000.0,
        liquidator_profit: 2_000.0,
        attacker_profit: -50.0,
        lender_loss_pct: 0.5,
        borrow_capacity: capacity,
        shadow_insolvency: 0.0,
        overpaid: 75.0,
        // A gap of half the bad debt: seizures below the fundamental value, incentives and
        // interest, less the equity the positions had.
        real_shortfall: bad_debt / 2.0,
        gap_below_fundamental: bad_debt * 0.3,
        gap_incentive: bad_debt * 0.15,
        gap_interest: bad_debt * 0.1,
        gap_equity: -bad_debt * 0.05,
        ..Metrics::default()
    }
}

/// `n` samples a minute apart of a falling price with a spike, breaker levels when `breaker`.
fn series(n: usize, breaker: bool) -> Series {
    let f = |i: usize| 1.0 - 0.2 * i as f64 / n.max(1) as f64;
    Series {
        t: (0..n as u64).map(|i| i * 60).collect(),
        spot: (0..n).map(|i| if i == n / 2 { 0.3 } else { f(i) - 0.05 }).collect(),
        nav: (0..n).map(f).collect(),
        fundamental: (0..n).map(|i| if i == 7 { f64::NAN } else { f(i) - 0.1 }).collect(),
        oracle: (0..n).map(f).collect(),
        liquidations: (0..n as u64).map(|i| i / 100).collect(),
        bad_debt: (0..n).map(|i| i as f64 * 10.0).collect(),
        breaker_level: (0..n)
            .map(|i| if breaker && i > n / 3 { (i / 300 % 4) as u8 } else { 0 })
            .collect(),
        shadow_insolvency: vec![0.0; n],
        pool_depth: vec![1e5; n],
        ..Series::default()
    }
}

/// A series whose every value is the same.
fn constant(n: usize) -> Series {
    Series {
        t: vec![3600; n],
        spot: vec![1.0; n],
        nav: vec![1.0; n],
        fundamental: vec![1.0; n],
        oracle: vec![1.0; n],
        liquidations: vec![0; n],
        bad_debt: vec![0.0; n],
        breaker_level: vec![0; n],
        shadow_insolvency: vec![0.0; n],
        pool_depth: vec![0.0; n],
        ..Series::default()
    }
}

fn run(scenario: &str, title: &str, policy: &str, metrics: Metrics, series: Series) -> Run {
    Run {
        scenario: scenario.into(),
        title: title.into(),
        policy: policy.into(),
        seed: 7,
        scale: 1e-4,
        description: format!("What {title} replays <b>."),
        provenance: Provenance {
            scenario_sha256: format!("{:064x}", scenario.len()),
            program: "breakwater-sim 0.1.0 (git test)".into(),
            parameters: [
                ("market.max_ltv".to_string(), 0.7),
                (format!("oracle.heartbeat_s.{policy}"), 86_400.0),
            ]
            .into_iter()
            .collect(),
        },
        metrics,
        series,
    }
}

/// Two scenarios × three policies and a sweep. In `credit-default` the safeguarded market has
/// the least bad debt; in `oracle-attack` it has more than naive-spot (and the same borrow
/// capacity), with constant and empty series.
fn fixture() -> Report {
    let title = "Credit default <&> \"quoted\"";
    let mut runs = vec![
        run(
            "credit-default",
            title,
            "naive-spot",
            metrics(120_000.0, 40, 500_000.0),
            series(3000, false),
        ),
        run(
            "credit-default",
            title,
            "naive-nav",
            metrics(80_000.0, 30, 500_000.0),
            series(3000, false),
        ),
        run(
            "credit-default",
            title,
            "safeguarded",
            metrics(12_345.0, 12, 450_000.0),
            series(3000, true),
        ),
        run(
            "oracle-attack",
            "Oracle attack",
            "naive-spot",
            metrics(1_000.0, 5, 500_000.0),
            constant(50),
        ),
        run(
            "oracle-attack",
            "Oracle attack",
            "naive-nav",
            metrics(1_000.0, 5, 500_000.0),
            Series::default(),
        ),
        run(
            "oracle-attack",
            "Oracle attack",
            "safeguarded",
            metrics(1_500.0, 0, 500_000.0),
            constant(1),
        ),
    ];
    // An RWA² run carries its junior tranche's value, and its scenario gets that chart.
    runs[3].series.junior = (0..50).map(|i| 1_000.0 - 20.0 * f64::from(i)).collect();
    runs[2].metrics.halted_s = 7_500;
    runs[2].metrics.breaker_trips = 3;
    let points = [0.0, 10.0, 25.0]
        .iter()
        .flat_map(|&v| {
            ["naive-spot", "safeguarded"].map(|p| SweepPoint {
                value: v,
                policy: p.into(),
                metrics: metrics(v * if p == "naive-spot" { 1000.0 } else { 100.0 }, 1, 5e5),
            })
        })
        .collect();
    let sweep =
        Sweep { scenario: "credit-default".into(), parameter: "NAV markdown (%)".into(), points };
    Report { generated_by: "breakwater 0.1.0 test".into(), runs, sweeps: vec![sweep], risk: None }
}

/// A fresh, empty directory for one test, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("breakwater-report-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        Self(dir)
    }
}

impl std::ops::Deref for Scratch {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
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

/// Every file under `dir`, relative, sorted, with its bytes.
fn tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for sub in [dir.to_path_buf(), dir.join("charts")] {
        for entry in std::fs::read_dir(&sub).expect("read_dir") {
            let path = entry.expect("entry").path();
            if path.is_file() {
                let rel = path.strip_prefix(dir).expect("prefix").to_path_buf();
                out.push((rel, std::fs::read(&path).expect("read")));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn writes_every_file_and_no_temporaries() {
    let dir = Scratch::new("files");
    let written = write(&fixture(), &dir).expect("write");
    let names: Vec<String> =
        tree(&dir).into_iter().map(|(p, _)| p.to_string_lossy().replace('\\', "/")).collect();
    let want = [
        "charts/credit-default-bad-debt.svg",
        "charts/credit-default-breaker.svg",
        "charts/credit-default-liquidations.svg",
        "charts/credit-default-prices.svg",
        "charts/oracle-attack-bad-debt.svg",
        "charts/oracle-attack-junior.svg",
        "charts/oracle-attack-liquidations.svg",
        "charts/oracle-attack-prices.svg",
        "charts/sweep-credit-default.svg",
        "index.html",
        "report.json",
        "report.md",
    ];
    assert_eq!(names, want);
    assert_eq!(written.charts.len(), 9);
    assert_eq!(written.paths().last().copied(), Some(dir.join("report.json").as_path()));
    assert!(written.paths().iter().all(|p| p.is_file()));
}

#[test]
fn rendering_is_byte_identical() {
    let (a, b) = (Scratch::new("det-a"), Scratch::new("det-b"));
    write(&fixture(), &a).expect("write a");
    write(&fixture(), &b).expect("write b");
    let (ta, tb) = (tree(&a), tree(&b));
    assert_eq!(ta.len(), 12);
    assert!(ta == tb, "two renderings differ");
    // Rewriting over an existing report replaces it in place.
    write(&fixture(), &a).expect("rewrite");
    assert!(tree(&a) == tb);
}

#[test]
fn report_json_round_trips() {
    let dir = Scratch::new("json");
    let mut report = fixture();
    // NaN does not survive JSON (it becomes null); the simulator never writes it in metrics.
    for r in &mut report.runs {
        r.series.fundamental.retain(|v| v.is_finite());
    }
    write(&report, &dir).expect("write");
    let back: Report = serde_json::from_str(&read(&dir.join("report.json"))).expect("parse");
    for (a, b) in back.runs.iter().zip(&report.runs) {
        let diff = a.series.nav.iter().zip(&b.series.nav).filter(|(x, y)| x != y).count();
        assert!(
            a == b,
            "run {}/{} differs after the round trip ({diff} NAV samples)",
            b.scenario,
            b.policy
        );
    }
    assert!(back == report, "report differs after the round trip");
}

#[test]
fn reading_names_least_bad_debt_and_says_when_a_safeguard_is_worse() {
    let dir = Scratch::new("reading");
    write(&fixture(), &dir).expect("write");
    let md = read(&dir.join("report.md"));
    assert!(md.contains("Least bad debt: safeguarded (12.3k"), "{md}");
    assert!(md.contains("Most: naive-spot (120k"), "{md}");
    assert!(md.contains("Bad debt was higher under safeguarded than under naive-spot: 1.5k against 1k (+500, +50%)."), "{md}");
    assert!(md.contains("Least bad debt: naive-spot and naive-nav (1k"), "ties name both: {md}");
    assert!(md.contains("borrow capacity 450k (vs naive-spot 500k: -50k, -10%"), "{md}");
    assert!(md.contains("fast liquidation halted for 2h05m"), "{md}");
    assert!(md.contains("Figures are at scale 1e-4 of the real-world ones; divide by the scale"));
    // The conclusion follows the data: make naive-nav the best and the reading changes.
    let mut report = fixture();
    report.runs[1].metrics.bad_debt = 10.0;
    let dir = Scratch::new("reading-2");
    write(&report, &dir).expect("write");
    assert!(read(&dir.join("report.md")).contains("Least bad debt: naive-nav (10,"));
}

#[test]
fn reading_without_baselines_or_bad_debt() {
    let mut report = fixture();
    report.runs.retain(|r| r.policy == "safeguarded");
    report.runs.iter_mut().for_each(|r| r.metrics.bad_debt = 0.0);
    report.runs.push(Run { policy: "breaker-only".into(), ..report.runs[0].clone() });
    let dir = Scratch::new("no-baseline");
    write(&report, &dir).expect("write");
    let md = read(&dir.join("report.md"));
    assert!(md.contains("No policy ended with bad debt."), "{md}");
    assert!(md.contains("no baseline to compare with"), "{md}");
}

/// A rough well-formedness check: tags balance and nothing non-numeric leaks into numbers.
fn assert_well_formed(svg: &str) {
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(!svg.contains("NaN") && !svg.contains("inf"), "non-finite number");
    let mut stack: Vec<&str> = Vec::new();
    let mut rest = svg;
    while let Some(start) = rest.find('<') {
        let end = start + rest[start..].find('>').expect("unclosed tag");
        let tag = &rest[start + 1..end];
        let name = tag.trim_start_matches('/').split([' ', '/']).next().unwrap_or("");
        if let Some(closing) = tag.strip_prefix('/') {
            assert_eq!(stack.pop(), Some(closing.trim()), "mismatched </{closing}>");
        } else if !tag.ends_with('/') {
            stack.push(name);
        }
        rest = &rest[end + 1..];
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
}

#[test]
fn svgs_are_well_formed_and_downsampled() {
    let dir = Scratch::new("svg");
    let written = write(&fixture(), &dir).expect("write");
    for path in &written.charts {
        let svg = read(path);
        assert_well_formed(&svg);
        for poly in svg.split("<polyline points=\"").skip(1) {
            let n = poly.split('"').next().unwrap_or("").split(' ').count();
            assert!(n <= 2 * 1502, "{}: {n} points", path.display());
        }
    }
    let prices = read(&dir.join("charts/credit-default-prices.svg"));
    assert!(prices.contains(">naive-nav</text>") && prices.contains(">fundamental</text>"));
    assert!(prices.contains(">time (h)</text>"));
}

#[test]
fn empty_report_and_empty_series_do_not_panic() {
    let dir = Scratch::new("empty");
    let empty =
        Report { generated_by: "x".into(), runs: Vec::new(), sweeps: Vec::new(), risk: None };
    write(&empty, &dir).expect("write empty");
    assert!(dir.join("report.json").is_file() && dir.join("index.html").is_file());
    let mut report = fixture();
    report.runs.iter_mut().for_each(|r| r.series = Series::default());
    report.sweeps[0].points.clear();
    let dir = Scratch::new("empty-series");
    let written = write(&report, &dir).expect("write");
    for path in &written.charts {
        let svg = read(path);
        assert_well_formed(&svg);
        assert!(svg.contains("no data"), "{}", path.display());
    }
    assert!(summary_table(&empty).starts_with("scenario"));
}

#[test]
fn html_is_self_contained_and_escaped() {
    let dir = Scratch::new("html");
    write(&fixture(), &dir).expect("write");
    let html = read(&dir.join("index.html"));
    assert!(html.contains("Credit default &lt;&amp;&gt; &quot;quoted&quot;"));
    assert!(!html.contains("<&>") && !html.contains("\"quoted\""));
    // Offline: nothing fetched; the scripts are inline, and the data cannot close its element.
    assert!(!html.contains("src=") && !html.contains("<link") && !html.contains("href=\"http"));
    assert_eq!(html.matches("<script").count(), 3, "data, uPlot, timelines");
    assert_eq!(html.matches("</script>").count(), 3);
    assert_eq!(html.matches("<svg ").count(), 9, "charts are inlined");
    assert!(html.contains("<a href=\"#scenario-credit-default\">"));
    let svg = read(&dir.join("charts/credit-default-prices.svg"));
    assert!(svg.contains("Credit default &lt;&amp;&gt;") && !svg.contains("<&>"));
    let md = read(&dir.join("report.md"));
    assert!(md.contains("### Credit default &lt;&amp;&gt; \"quoted\""), "{md}");
    assert!(md.contains("![Prices per policy](charts/credit-default-prices.svg)"));
}

#[test]
fn summary_table_is_fixed_width_and_compact() {
    let table = summary_table(&fixture());
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 2 + 6);
    assert!(lines[0].starts_with("scenario") && lines[0].contains("borrow capacity"));
    let row = lines[4];
    for cell in
        ["credit-default", "safeguarded", "12.3k", "1.23%", "12/0", "0.812", "2h05m", "-50", "450k"]
    {
        assert!(row.contains(cell), "{cell} missing from {row:?}");
    }
    assert!(lines[7].contains("  -  "), "no first liquidation reads '-': {:?}", lines[7]);
    let widths: Vec<usize> =
        lines[2..].iter().map(|l| l.find("naive").or(l.find("safe")).unwrap_or(0)).collect();
    assert!(widths.windows(2).all(|w| w[0] == w[1]), "columns are aligned");
}

#[test]
fn html_puts_the_headline_first_with_units_and_sentences() {
    let dir = Scratch::new("headline");
    let mut report = fixture();
    report.runs[1].scale = 3e-4;
    write(&report, &dir).expect("write");
    let html = read(&dir.join("index.html"));
    let at = |needle: &str| html.find(needle).unwrap_or_else(|| panic!("{needle} missing"));
    assert!(at("id=\"headline\"") < at("id=\"timelines\""));
    assert!(at("id=\"timelines\"") < at("id=\"contents\""));
    assert!(at("id=\"contents\"") < at("id=\"metrics\""));
    // One headline per scenario, each stating its loan unit and scale.
    assert_eq!(html.matches("<article class=\"headline\"").count(), 2);
    assert!(html.contains("in a model at 1/10,000 (1e-4) of the real-world size"), "unit note");
    // Figures from the metrics, capacity kept against the best policy.
    assert!(html.contains("<td>safeguarded</td><td class=\"best\">12.3k</td>"), "{html}");
    assert!(html.contains("450k (90%)"), "capacity kept vs the best");
    // The sentences follow the numbers: where the safeguards help, and where they cost.
    assert!(html.contains("Bad debt under safeguarded: 12.3k (1.23% of supply), against 120k (12% of supply) under naive-spot and 80k (8% of supply) under naive-nav: the safeguards help lenders here."), "{html}");
    assert!(html.contains("The cost: safeguarded keeps 90% of the best borrow capacity (450k against naive-spot&#39;s 500k), and fast liquidation is halted for 2h05m."), "{html}");
    assert!(
        html.contains("more than naive-spot and naive-nav, so here the safeguards cost lenders")
    );
    assert!(html.contains("the run data does not record which of them were solvent"));
    let md = read(&dir.join("report.md"));
    let at = |needle: &str| md.find(needle).unwrap_or_else(|| panic!("{needle} missing: {md}"));
    assert!(at("## Headline") < at("## Metrics"));
    assert!(md.contains("| safeguarded | 12.3k | 1.23% | 450k (90%) | 12/0 | -50 |"), "{md}");
}

#[test]
fn html_carries_the_timeline_data_with_events_and_license() {
    let dir = Scratch::new("timeline");
    let mut report = fixture();
    let ev = |t: u64, kind: &str, label: &str| Event { t, kind: kind.into(), label: label.into() };
    let n = report.runs[2].series.t.len();
    // A calm month but for a stress in the middle: the page zooms to it first.
    for r in &mut report.runs[..3] {
        r.series.fundamental.iter_mut().filter(|v| v.is_nan()).for_each(|v| *v = 0.9);
        r.series.spot = r.series.nav.clone();
        r.series.liquidations = (0..n as u64).map(|i| u64::from(i >= 1500) * 5).collect();
        r.series.breaker_level =
            (0..n).map(|i| if (1500..1600).contains(&i) { 3 } else { 0 }).collect();
    }
    report.runs[2].series.events = vec![
        ev(3600, "custodian_breach", ""),
        ev(7200, "review_resolved", ""),
        ev(9000, "lp_withdrawal", "LPs <pull>"),
    ];
    report.runs[2].series.slow_liquidations = vec![1; n];
    report.runs[2].series.borrow_price = vec![0.5; n];
    write(&report, &dir).expect("write");
    let html = read(&dir.join("index.html"));
    let start = html.find("id=\"bw-data\">").expect("data") + "id=\"bw-data\">".len();
    let end = start + html[start..].find("</script>").expect("end");
    let data: serde_json::Value = serde_json::from_str(&html[start..end]).expect("JSON data");
    let tl = &data[0];
    assert_eq!(tl["id"], "timeline-scenario-credit-default");
    assert_eq!(tl["runs"].as_array().map(Vec::len), Some(3));
    assert_eq!(tl["first"], 2, "safeguarded shown first");
    let safe = &tl["runs"][2];
    assert_eq!(safe["events"][0]["label"], "custodian breach");
    assert_eq!(safe["events"][2]["label"], "LPs <pull>");
    assert_eq!(
        safe["review"][0],
        serde_json::json!([1.0, 2.0]),
        "review from breach to resolution"
    );
    assert_eq!(safe["events_recorded"], true);
    assert!(safe["slow"].is_array() && safe["borrow"].is_array());
    assert!(tl["runs"][0]["slow"].is_null(), "missing series stay out");
    let shock = tl["shock"].as_array().expect("a shock window");
    let (a, b) = (shock[0].as_f64().unwrap_or(0.0), shock[1].as_f64().unwrap_or(0.0));
    assert!(a < 1.0 && (26.0..40.0).contains(&b), "shock window {a}..{b} h");
    assert!(data[1]["shock"].is_null(), "a constant run has no shock window");
    assert!(html.contains("Permission is hereby granted"), "uPlot's license");
    assert!(html.contains("<div class=\"tl\" id=\"timeline-scenario-oracle-attack\">"));
    // Events survive report.json.
    let back: Report = serde_json::from_str(&read(&dir.join("report.json"))).expect("parse");
    assert_eq!(back.runs[2].series.events, report.runs[2].series.events);
}

#[test]
fn the_gap_the_description_and_the_provenance_are_rendered() {
    let dir = Scratch::new("gap");
    write(&fixture(), &dir).expect("write");
    let md = read(&dir.join("report.md"));
    let html = read(&dir.join("index.html"));
    // The description sits under the title, escaped.
    assert!(md.contains("### Oracle attack\n\nWhat Oracle attack replays &lt;b&gt;.\n"), "{md}");
    assert!(html.contains("<p class=\"description\">What Oracle attack replays &lt;b&gt;.</p>"));
    // The gap: what it is, a sentence per run with its largest item, and its own table whose
    // items are not repeated in the comparison.
    assert!(md.contains("**Bad debt and the real shortfall.** Bad debt minus the real shortfall"));
    assert!(
        md.contains(
            "naive-spot: bad debt 120k against a real shortfall of 60k, a gap of 60k, mostly \
             seizures below the fundamental value (36k)."
        ),
        "{md}"
    );
    let gap_header = "| Policy | Bad debt | Real shortfall | Gap | Gap: seized below F |";
    assert!(md.contains(gap_header), "{md}");
    assert!(md.contains("| naive-spot | 120k | 60k | 60k | 36k | 18k | 0 | 12k | 0 | 0 | -6k |"));
    let comparison = md.lines().find(|l| l.starts_with("| Policy | Bad debt | Bad debt % |"));
    let comparison = comparison.expect("the comparison table");
    assert!(comparison.contains("| Overpaid |") && !comparison.contains("Gap:"), "{comparison}");
    assert!(html.contains("<h4>Bad debt and the real shortfall</h4>"));
    // Provenance: the file's hash, the program, and each run's parameters ("-" where a policy
    // has none).
    let hash = format!("{:064x}", "oracle-attack".len());
    assert!(md.contains(&format!("Scenario file SHA-256: {hash}.")), "{md}");
    assert!(html.contains("Program: breakwater-sim 0.1.0 (git test).</p>"));
    assert!(md.contains("| oracle.heartbeat\\_s.naive-nav | - | 86400 | - |"), "{md}");
    assert!(md.contains("| market.max\\_ltv | 0.7 | 0.7 | 0.7 |"), "{md}");
    assert!(html.contains("<details class=\"provenance\">"));
}
