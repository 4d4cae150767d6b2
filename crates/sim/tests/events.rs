//! The events added with issue 13, end to end on the default in-process backend: a short fixture
//! that uses each of them, and the marks each leaves on the run.

use std::path::Path;

use anyhow::{Context, Result, ensure};
use breakwater_chain::Policy;
use breakwater_sim::{Outcome, RunOptions, Scenario, run};

const MINUTE: u64 = 60;
const HOUR: u64 = 3_600;

fn fixture() -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/new-events.toml");
    Scenario::load(path).expect("the fixture loads")
}

fn ok(o: &Outcome, label: &str) -> u64 {
    o.activity.get(label).map_or(0, |a| a.ok)
}

fn reverted(o: &Outcome, label: &str) -> u64 {
    o.activity.get(label).map_or(0, |a| a.reverted)
}

/// The first sample at or after `t` seconds.
fn at(o: &Outcome, t: u64) -> usize {
    o.run.series.t.iter().position(|&x| x >= t).expect("the run reaches t")
}

#[track_caller]
fn close(x: f64, want: f64) -> bool {
    (x - want).abs() < 1e-9
}

#[tokio::test]
async fn every_new_event_leaves_its_mark() -> Result<()> {
    let o = run(&fixture(), Policy::NaiveNav, 42, &RunOptions::default()).await?;
    let s = &o.run.series;
    for kind in [
        "nav_report",
        "borrow",
        "depeg",
        "recovery",
        "rumour_denial",
        "buying_wave",
        "redemption_run",
    ] {
        ensure!(s.events.iter().any(|e| e.kind == kind), "no {kind} marker: {:?}", s.events);
    }

    // A NAV reported 5% low at 10m stands (no report at 20m: it is 10 minutes late) until the
    // late report lands at 30m.
    let nav = |t: u64| s.nav[at(&o, t)];
    ensure!(nav(8 * MINUTE) == 1.0, "NAV before the wrong report {}", nav(8 * MINUTE));
    for t in [14, 22, 30] {
        ensure!(close(nav(t * MINUTE), 0.95), "NAV at {t}m {}", nav(t * MINUTE));
    }
    ensure!(close(nav(34 * MINUTE), 1.0), "NAV after the late report {}", nav(34 * MINUTE));

    // New borrowing at 36m: both borrowers borrow once more, and nothing reverts.
    ensure!(ok(&o, "borrower:borrow") == 4, "{:?}", o.activity.get("borrower:borrow"));
    ensure!(reverted(&o, "borrower:borrow") == 0, "{:?}", o.activity.get("borrower:borrow"));

    // Depeg to $0.80 with half the assets in the stablecoin: 0.5 / 0.8 + 0.5 = 1.125 loan units
    // a dollar; a 10% recovery in dollars; the repeg leaves the recovered dollar value. The
    // NAV learns none of it until a report.
    let fundamental = |t: u64| s.fundamental[at(&o, t)];
    ensure!(close(fundamental(38 * MINUTE), 1.0));
    ensure!(close(fundamental(42 * MINUTE), 1.125), "depeg {}", fundamental(42 * MINUTE));
    ensure!(close(fundamental(46 * MINUTE), 1.2375), "recovery {}", fundamental(46 * MINUTE));
    ensure!(close(fundamental(50 * MINUTE), 1.1), "repeg {}", fundamental(50 * MINUTE));
    ensure!(close(nav(78 * MINUTE), 1.0), "the NAV moved without a report");

    // Rumour sales from 50m; the denial at 56m stops them although the wave had 14 minutes to
    // run (a sample at t shows the state after the block at t − 4m); the buying wave from 1h
    // spends the holders' cash.
    let spot = |t: u64| s.spot[at(&o, t)];
    ensure!(spot(58 * MINUTE) < 0.9 * spot(54 * MINUTE), "no rumour sales {}", spot(58 * MINUTE));
    ensure!(
        spot(62 * MINUTE) == spot(58 * MINUTE),
        "sales after the denial: {} then {}",
        spot(58 * MINUTE),
        spot(62 * MINUTE)
    );
    ensure!(spot(70 * MINUTE) > spot(62 * MINUTE), "the buying wave did not lift the price");
    ensure!(ok(&o, "seller:sell") > 0 && ok(&o, "seller:buy") > 0, "{:?}", o.activity);
    // The run queues shares; the custodian refills (late, in part) and the holders claim.
    ensure!(ok(&o, "seller:request_redeem") == 2, "{:?}", o.activity.get("seller:request_redeem"));
    ensure!(
        ok(&o, "custodian:refill_buffer") > 0 && ok(&o, "seller:claim") > 0,
        "{:?}",
        o.activity
    );

    // The report 5 hours into the 12-hour skip at 1h20m fires at the first coarse block at or
    // after that point (hourly), and strikes the recovered value then, not before.
    let report =
        s.events.iter().rfind(|e| e.kind == "nav_report").context("the report inside the skip")?;
    let due = 80 * MINUTE + 5 * HOUR;
    ensure!((due..due + HOUR).contains(&report.t), "fired at {} s, due at {due} s", report.t);
    ensure!(close(nav(report.t), 1.0), "NAV before the report inside the skip {}", nav(report.t));
    let last = s.nav.len() - 1;
    ensure!(close(s.nav[last], 1.1), "final NAV {}", s.nav[last]);
    ensure!(s.t[last] >= 13 * HOUR, "the skip ran: the run ends at {} s", s.t[last]);
    Ok(())
}

/// RWA²: a recovery of every constituent raises the senior's fundamental value; a wrong report on
/// one constituent strikes that one low (and the others right), so the senior's NAV falls below
/// its fundamental value; a depeg moves every constituent.
#[tokio::test]
async fn a_basket_recovers_is_misreported_one_constituent_at_a_time_and_depegs() -> Result<()> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/basket.toml");
    let text = std::fs::read_to_string(&path)?;
    let events = "
[[events]]
at = \"2h10m\"
kind = \"recovery\"
gain = 0.05

[[events]]
at = \"2h20m\"
kind = \"nav_report\"
error = -0.5
constituent = 0

[[events]]
at = \"2h40m\"
kind = \"depeg\"
price = 1.5
";
    let s = Scenario::from_toml(&format!("{text}{events}"), "basket-new-events.toml")?;
    let o = run(&s, Policy::NaiveNav, 42, &RunOptions::default()).await?;
    let series = &o.run.series;
    let (before, after) = (at(&o, 129 * MINUTE), at(&o, 134 * MINUTE));
    ensure!(
        series.fundamental[after] > series.fundamental[before] + 0.01,
        "the recovery: {} then {}",
        series.fundamental[before],
        series.fundamental[after]
    );
    ensure!(close(series.nav[before], series.fundamental[before]), "reported before the recovery");
    // Constituent 0 is about 40% of a unit's value: struck 50% low (the move is confirmed 10
    // minutes later), the senior NAV is about 80% of its value (were every constituent struck
    // low, it would be half).
    let misreported = at(&o, 158 * MINUTE);
    let (nav, fundamental) = (series.nav[misreported], series.fundamental[misreported]);
    ensure!(
        nav < fundamental - 0.05 && nav > 0.7 * fundamental,
        "NAV {nav} vs fundamental {fundamental} after a report 50% low on one constituent"
    );
    // The stablecoin at $1.50 (no exposure): every constituent is worth a third fewer loan units.
    let depegged = series.fundamental[at(&o, 164 * MINUTE)];
    ensure!(
        depegged < 0.7 * fundamental && depegged > 0.6 * fundamental,
        "depeg: {fundamental} then {depegged}"
    );
    Ok(())
}
