//! Market sanity as properties with numbers: a crowd that can arbitrage and that knows the
//! assets keeps the token near what it is worth. Each property is checked under two policies
//! and two seeds (the crowd's draws differ), on the default in-process backend.

use std::path::Path;

use anyhow::{Result, ensure};
use breakwater_chain::Policy;
use breakwater_report::Series;
use breakwater_sim::{RunOptions, Scenario, run};

const DAY: u64 = 86_400;

fn load(file: &str) -> Scenario {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let path =
        if file.contains('/') { dir.join(file) } else { dir.join("tests/fixtures").join(file) };
    Scenario::load(path).unwrap_or_else(|e| panic!("{e}"))
}

/// Every (policy, seed) run's series.
async fn runs(s: &Scenario) -> Result<Vec<(String, Series)>> {
    let mut out = Vec::new();
    for (policy, seed) in [(Policy::NaiveNav, 1), (Policy::Safeguarded, 2)] {
        let o = run(s, policy, seed, &RunOptions::default()).await?;
        out.push((format!("{} seed {seed}", policy.name()), o.run.series));
    }
    Ok(out)
}

/// The longest run of consecutive samples with spot below NAV × (1 − `gap`).
fn longest_discount(s: &Series, gap: f64) -> usize {
    let (mut longest, mut current) = (0, 0);
    for (spot, nav) in s.spot.iter().zip(&s.nav) {
        current = if *spot < nav * (1.0 - gap) { current + 1 } else { 0 };
        longest = longest.max(current);
    }
    longest
}

/// The largest |spot / NAV − 1| over the samples at or after `from` seconds, and when.
fn widest_gap_after(s: &Series, from: u64) -> (f64, u64) {
    s.t.iter()
        .zip(s.spot.iter().zip(&s.nav))
        .filter(|(t, _)| **t >= from)
        .map(|(t, (spot, nav))| ((spot / nav - 1.0).abs(), *t))
        .fold((0.0, 0), |a, b| if b.0 > a.0 { b } else { a })
}

#[tokio::test]
async fn with_next_day_redemption_the_discount_never_outlasts_ten_blocks() -> Result<()> {
    let s = load("market-t1.toml");
    // The carry of a dollar locked until tomorrow's settlement, at the arbitrageur's 10%/year.
    let carry = 0.1 * s.redemption() as f64 / (365.0 * DAY as f64);
    for (label, series) in runs(&s).await? {
        let min = series.spot.iter().zip(&series.nav).map(|(s, n)| s / n).fold(1.0, f64::min);
        ensure!(min < 0.995, "{label}: the wave never pushed spot below NAV (min {min:.4})");
        let longest = longest_discount(&series, 0.02 + carry);
        ensure!(
            longest <= 10,
            "{label}: spot stayed more than 2% + carry below NAV for {longest} blocks (min {min:.4})"
        );
    }
    Ok(())
}

#[tokio::test]
async fn a_false_alarm_confirmed_by_a_par_nav_is_forgotten_within_two_days() -> Result<()> {
    let s = load("market-false-alarm.toml");
    let report = s.events.iter().find(|e| e.kind.name() == "nav_report").expect("a report").at.0;
    for (label, series) in runs(&s).await? {
        let (worst, _) = widest_gap_after(&series, 0);
        ensure!(worst > 0.03, "{label}: the rumour never opened a gap over 3% ({worst:.4})");
        let (gap, t) = widest_gap_after(&series, report + 2 * DAY);
        ensure!(
            gap <= 0.03,
            "{label}: {:.1}% off NAV at {:.1}h, over two days after the par report",
            gap * 100.0,
            t as f64 / 3_600.0
        );
    }
    Ok(())
}

#[tokio::test]
async fn in_a_calm_month_spot_stays_within_three_percent_of_nav_after_the_first_day() -> Result<()>
{
    let s = load("scenarios/calm.toml");
    for (label, series) in runs(&s).await? {
        ensure!(
            *series.t.last().unwrap_or(&0) > 20 * DAY,
            "{label}: the run is shorter than a month"
        );
        let (gap, t) = widest_gap_after(&series, DAY);
        ensure!(
            gap <= 0.03,
            "{label}: {:.1}% off NAV on day {:.1}",
            gap * 100.0,
            t as f64 / DAY as f64
        );
    }
    Ok(())
}
