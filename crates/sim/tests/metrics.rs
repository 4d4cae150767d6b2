//! The metrics on whole lab runs: bad debt against the real shortfall (the gap's items sum to
//! the gap), borrow capacity that does not depend on how finely a skip is stepped, and each
//! run's provenance.

use std::path::{Path, PathBuf};

use anyhow::{Result, ensure};
use breakwater_chain::Policy;
use breakwater_report::Metrics;
use breakwater_sim::{Outcome, RunOptions, Scenario, run};
use sha2::{Digest, Sha256};

fn fixture_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

async fn run_file(scenario: &Scenario, policy: Policy) -> Result<Outcome> {
    Ok(run(scenario, policy, 11, &RunOptions::default()).await?)
}

fn gap_items(m: &Metrics) -> [f64; 7] {
    [
        m.gap_below_fundamental,
        m.gap_incentive,
        m.gap_slow_path,
        m.gap_interest,
        m.gap_fundamental,
        m.gap_borrower,
        m.gap_equity,
    ]
}

#[tokio::test]
async fn the_gap_s_items_sum_to_bad_debt_minus_the_real_shortfall() -> Result<()> {
    let scenario = Scenario::load(fixture_path("bad-debt.toml"))?;
    let (spot, nav, safe) = tokio::join!(
        run_file(&scenario, Policy::NaiveSpot),
        run_file(&scenario, Policy::NaiveNav),
        run_file(&scenario, Policy::Safeguarded),
    );
    let mut liquidated = 0;
    for o in [spot?, nav?, safe?] {
        let m = &o.run.metrics;
        let policy = &o.run.policy;
        // Underwater at the fundamental value after the loss, and never topped up.
        ensure!(m.bad_debt > 0.0 && m.real_shortfall > 0.0, "{policy}: {m:?}");
        ensure!(m.real_shortfall <= m.bad_debt + 1e-6, "{policy}: {m:?}");
        let items: f64 = gap_items(m).iter().sum();
        let gap = m.bad_debt - m.real_shortfall;
        ensure!(
            (items - gap).abs() <= 1e-6 * m.bad_debt.max(1.0),
            "{policy}: items {items} against a gap of {gap}: {m:?}"
        );
        if m.liquidations > 0 {
            // Each fast liquidation pays the incentive (the factor follows from the LLTV).
            ensure!(m.gap_incentive > 0.0, "{policy}: {m:?}");
        }
        if m.liquidations + m.slow_liquidations > 0 {
            // Debt accrues between the first liquidation and the end.
            ensure!(m.gap_interest > 0.0, "{policy}: {m:?}");
        } else {
            // Never liquidated (a spot oracle over a pool nobody sold into): no gap at all.
            ensure!(gap.abs() < 1e-9 && items == 0.0, "{policy}: {m:?}");
        }
        liquidated += usize::from(m.liquidations + m.slow_liquidations > 0);
    }
    // The NAV oracle sees the markdown at once: that run at least has a gap to itemize.
    ensure!(liquidated > 0, "no run liquidated anything");
    Ok(())
}

#[tokio::test]
async fn borrow_capacity_does_not_depend_on_the_skip_s_step() -> Result<()> {
    // No loss: the bad-debt fixture's impairment is dropped, its 3-hour skip stepped every 30
    // minutes or every 90. Nothing changes the capacity during the skip, so its hours weigh the
    // same however many blocks stand for them.
    let text = std::fs::read_to_string(fixture_path("bad-debt.toml"))?;
    let calm = text
        .replace("loss = 0.5", "loss = 0.0")
        .replace("utilization = [0.95, 0.99]", "utilization = 0.5");
    let coarse = calm.replace("step = \"30m\"", "step = \"90m\"");
    let (fine, coarse) =
        (Scenario::from_toml(&calm, "fine.toml")?, Scenario::from_toml(&coarse, "coarse.toml")?);
    let (a, b) =
        tokio::join!(run_file(&fine, Policy::NaiveNav), run_file(&coarse, Policy::NaiveNav));
    let (a, b) = (a?.run.metrics.borrow_capacity, b?.run.metrics.borrow_capacity);
    ensure!(a > 0.0, "no capacity: {a}");
    ensure!((a - b).abs() <= 1e-9 * a, "30-minute steps {a}, 90-minute steps {b}");
    Ok(())
}

#[tokio::test]
async fn each_run_records_its_file_its_deployed_parameters_and_the_program() -> Result<()> {
    let path = fixture_path("bad-debt.toml");
    let scenario = Scenario::load(&path)?;
    let (nav, safe) = tokio::join!(
        run_file(&scenario, Policy::NaiveNav),
        run_file(&scenario, Policy::Safeguarded)
    );
    let (nav, safe) = (nav?.run, safe?.run);
    let hash: String =
        Sha256::digest(std::fs::read(&path)?).iter().map(|b| format!("{b:02x}")).collect();
    for r in [&nav, &safe] {
        let p = &r.provenance;
        ensure!(p.scenario_sha256 == hash, "{} against {hash}", p.scenario_sha256);
        ensure!(p.program.starts_with("breakwater "), "{}", p.program);
        ensure!(r.description == scenario.description.trim(), "{}", r.description);
        // The fixture's market, as deployed.
        ensure!(p.parameters.get("market.max_ltv") == Some(&0.7), "{:?}", p.parameters);
        ensure!(p.parameters.get("market.lltv") == Some(&0.8), "{:?}", p.parameters);
        let lif = p.parameters.get("market.liquidation_incentive").copied().unwrap_or_default();
        ensure!(lif > 1.0 && lif < 1.2, "incentive factor {lif}");
    }
    // The oracle's and the breaker's parameters where the policy has them.
    let has = |r: &breakwater_report::Run, prefix: &str| {
        r.provenance.parameters.keys().any(|k| k.starts_with(prefix))
    };
    ensure!(has(&safe, "oracle.") && has(&safe, "breaker."), "{:?}", safe.provenance);
    ensure!(!has(&nav, "oracle.") && !has(&nav, "breaker."), "{:?}", nav.provenance);
    Ok(())
}
