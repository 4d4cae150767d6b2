//! The lab end to end, each run on its own embedded Anvil: determinism, every event kind and
//! every agent kind, on a short fixture scenario.

use std::path::Path;

use anyhow::{Context, Result, ensure};
use breakwater_chain::Policy;
use breakwater_sim::{Outcome, RunOptions, Scenario, run};

fn fixture() -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/every-event.toml");
    Scenario::load(path).expect("the fixture loads")
}

async fn run_fixture(policy: Policy, seed: u64) -> Result<Outcome> {
    Ok(run(&fixture(), policy, seed, &RunOptions::default()).await?)
}

fn ok(o: &Outcome, label: &str) -> u64 {
    o.activity.get(label).map_or(0, |a| a.ok)
}

/// The first sample at or after `t` seconds.
fn at(o: &Outcome, t: u64) -> usize {
    o.run.series.t.iter().position(|&x| x >= t).expect("the run reaches t")
}

#[tokio::test]
async fn same_scenario_policy_and_seed_give_identical_numbers() -> Result<()> {
    let (a, b, c) = tokio::join!(
        run_fixture(Policy::Safeguarded, 7),
        run_fixture(Policy::Safeguarded, 7),
        run_fixture(Policy::Safeguarded, 8),
    );
    let (a, b, c) = (a?, b?, c?);
    let bytes = |o: &Outcome| serde_json::to_string(&o.run).expect("serializes");
    ensure!(bytes(&a) == bytes(&b), "two runs with seed 7 differ");
    ensure!(a.activity == b.activity && a.transactions == b.transactions, "activity differs");
    // The seed matters: another one draws other borrowers and sellers.
    ensure!(bytes(&a) != bytes(&c), "seed 8 gave the same run as seed 7");

    // Keepers poke every block except while the scenario stalls them (10 blocks of 2 minutes).
    let pokes = ok(&a, "keeper:poke_oracle")
        + a.activity.get("keeper:poke_oracle").map_or(0, |x| x.reverted);
    let silent = a.blocks - pokes;
    ensure!((10..=20).contains(&silent), "keepers silent for {silent} of {} blocks", a.blocks);
    ensure!(ok(&a, "keeper:poke_breaker") > 0, "no breaker poke");
    Ok(())
}

#[tokio::test]
async fn every_event_kind_and_every_agent_kind_leaves_its_mark() -> Result<()> {
    let o = run_fixture(Policy::NaiveNav, 42).await?;
    let s = &o.run.series;
    let m = &o.run.metrics;
    ensure!(s.junior.is_empty(), "a single-vault run has no junior tranche");

    // Agents: each kind got at least one transaction through.
    for label in [
        "borrower:subscribe",
        "borrower:borrow",
        "looper:borrow",
        "seller:sell",
        "arbitrageur:buy",
        "arbitrageur:request_redeem",
        "arbitrageur:claim",
        "lp:add_liquidity",
        "lp:remove_liquidity",
        "reporter:report_nav",
        "custodian:confirm_nav",
        "custodian:settle_epoch",
        "attacker:borrow",
        "informed:subscribe",
        "bot:liquidate",
        "bot:redeem",
        "bot:claim",
    ] {
        ensure!(ok(&o, label) > 0, "no successful {label}: {:?}", o.activity);
    }

    // Rumour (20m): holders sell, the price falls below NAV before anything is reported.
    let before = at(&o, 20 * 60);
    ensure!(s.spot[before] > 0.99, "spot before the rumour {}", s.spot[before]);
    // Arbitrageurs with a three-hour redemption and a 2% premium, and informed traders who know
    // nothing is lost, absorb it within about their hurdle.
    let wave = s.spot[before..at(&o, 40 * 60)].iter().copied().fold(f64::MAX, f64::min);
    ensure!((0.97..0.997).contains(&wave) && s.nav[at(&o, 40 * 60)] == 1.0, "rumour low {wave}");
    // LP withdrawal (30m): the LPs hold about half the pool and pull half of it.
    let (pre, post) = (s.pool_depth[at(&o, 30 * 60)], s.pool_depth[at(&o, 36 * 60)]);
    ensure!(
        post < 0.85 * pre,
        "LPs did not pull: depth {:?}, {:?}",
        &s.pool_depth[before..at(&o, 40 * 60)],
        o.activity.get("lp:remove_liquidity")
    );
    // Unreported impairment (40m): the fundamental value drops, the NAV does not.
    let i = at(&o, 42 * 60);
    ensure!(
        (s.fundamental[i] - 0.7).abs() < 1e-9 && s.nav[i] == 1.0,
        "impairment {}",
        s.fundamental[i]
    );
    // Custodian breach (50m) and review resolved (1h30): the status is set twice.
    ensure!(
        ok(&o, "reporter:set_status") == 2,
        "status changes: {:?}",
        o.activity.get("reporter:set_status")
    );
    // Oracle stall (1h-1h20) then the NAV report (1h40): the reporter reports the impairment; the
    // move exceeds the vault's 10% bound, so the custodian confirms it 10 minutes later.
    ensure!(s.nav[at(&o, 90 * 60)] == 1.0, "NAV moved before the report");
    ensure!(
        (s.nav[at(&o, 115 * 60)] - 0.7).abs() < 1e-9,
        "NAV after the report {}",
        s.nav[at(&o, 115 * 60)]
    );
    // Skip (2h, 6 hours in 1-hour blocks): time jumps in coarse blocks, and the run goes on.
    let gaps = s.t.windows(2).filter(|w| w[1] - w[0] == 3_600).count();
    ensure!(gaps >= 5, "{gaps} one-hour blocks");
    let end = *s.t.last().context("a sampled run")?;
    ensure!(end >= 9 * 3_600 - 120, "the run ends at {end}");
    // Reported impairment (2h10): the NAV is marked down at once, within the vault's bound.
    let last = s.nav.len() - 1;
    ensure!((s.nav[last] - 0.665).abs() < 1e-9, "final NAV {}", s.nav[last]);

    // The metrics are consistent with what happened.
    ensure!(
        m.liquidations > 0
            && m.liquidated_collateral > 0.0
            && m.first_liquidation_after_s.is_some()
    );
    ensure!(m.attacker_profit != 0.0, "the attacker neither won nor lost");
    ensure!(m.min_market_to_nav < 0.97);
    Ok(())
}

fn basket_fixture() -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/basket.toml");
    Scenario::load(path).expect("the basket fixture loads")
}

/// RWA²: the crowd buys into the basket and borrows against the senior token; reported losses
/// reach the senior's NAV through the waterfall; the same seed gives the same numbers.
#[tokio::test]
async fn a_basket_run_prices_the_senior_through_the_waterfall() -> Result<()> {
    let s = basket_fixture();
    let options = RunOptions::default();
    let (a, b, g) = tokio::join!(
        run(&s, Policy::NaiveNav, 42, &options),
        run(&s, Policy::NaiveNav, 42, &options),
        run(&s, Policy::Safeguarded, 42, &options),
    );
    let (a, b, g) = (a?, b?, g?);
    let bytes = |o: &Outcome| serde_json::to_string(&o.run).expect("serializes");
    ensure!(bytes(&a) == bytes(&b), "two basket runs with seed 42 differ");

    // Subscribing buys into every constituent and deposits the units as senior collateral.
    for label in ["borrower:subscribe", "borrower:supply_collateral", "borrower:borrow"] {
        ensure!(ok(&a, label) > 0, "no successful {label}: {:?}", a.activity);
    }
    // A report strikes all three NAVs; the breach and the resolution hit one constituent.
    ensure!(ok(&a, "reporter:report_nav") >= 6, "{:?}", a.activity.get("reporter:report_nav"));
    ensure!(ok(&a, "custodian:confirm_nav") >= 1, "the 50% markdown needs the confirmer");
    ensure!(ok(&a, "reporter:set_status") == 2, "{:?}", a.activity.get("reporter:set_status"));

    // 10% off everything, then half of the credit fund: a unit is worth 2.25 of 3 (−25%), more
    // than the thin junior absorbs; once reported, the senior's NAV is its true value.
    let s = &a.run.series;
    let before = at(&a, 15 * 60);
    ensure!((s.nav[before] - 1.0).abs() < 1e-12 && (s.fundamental[before] - 1.0).abs() < 1e-12);
    let last = s.nav.len() - 1;
    ensure!(s.fundamental[last] < 0.99, "the senior lost nothing: {}", s.fundamental[last]);
    ensure!(
        (s.nav[last] - s.fundamental[last]).abs() < 1e-9,
        "NAV {} vs true {}",
        s.nav[last],
        s.fundamental[last]
    );
    ensure!((s.oracle[last] - s.nav[last]).abs() < 1e-9, "the NAV oracle is the waterfall at NAV");
    // The junior took the loss first: the senior lost value, so the junior is worth nothing.
    ensure!(s.junior.len() == s.t.len(), "a junior value per sample");
    ensure!(
        s.junior[last] < 0.01 * s.junior[before],
        "junior {} of {}",
        s.junior[last],
        s.junior[before]
    );

    // Safeguarded: keepers poke each constituent's oracle, and the senior oracle stresses.
    let pokes = ok(&g, "keeper:poke_oracle");
    ensure!(pokes > 2 * g.blocks, "{pokes} pokes in {} blocks: not one per constituent", g.blocks);
    let gs = &g.run.series;
    ensure!(gs.oracle[gs.oracle.len() - 1] < s.nav[last], "the stressed senior price is lower");
    Ok(())
}
