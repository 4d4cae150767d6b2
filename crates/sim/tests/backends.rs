//! The in-process backend against the reference: the same scenario, policy and seed on revm and
//! on Anvil execute the same transactions at the same timestamps, so every metric, every series
//! point and every transaction count must be equal, bit for bit.

use std::path::Path;

use anyhow::{Result, ensure};
use breakwater_chain::Policy;
use breakwater_sim::{BackendKind, Outcome, RunOptions, Scenario, run};

fn fixture(name: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
    Scenario::load(path).expect("the fixture loads")
}

async fn on(backend: BackendKind, s: &Scenario, policy: Policy) -> Result<Outcome> {
    let options = RunOptions { backend, ..RunOptions::default() };
    Ok(run(s, policy, 42, &options).await?)
}

async fn same_on_both(file: &str, policy: Policy) -> Result<()> {
    let s = fixture(file);
    let (evm, anvil) =
        tokio::join!(on(BackendKind::Evm, &s, policy), on(BackendKind::Anvil, &s, policy));
    let (evm, anvil) = (evm?, anvil?);
    let json = |o: &Outcome| serde_json::to_string(&o.run).expect("serializes");
    let (m, n) = (&evm.run.metrics, &anvil.run.metrics);
    ensure!(m == n, "{file} {policy}: metrics differ:\nevm   {m:?}\nanvil {n:?}");
    ensure!(json(&evm) == json(&anvil), "{file} {policy}: the series differ");
    ensure!(evm.activity == anvil.activity, "{file} {policy}: activity differs");
    ensure!(
        (evm.blocks, evm.transactions) == (anvil.blocks, anvil.transactions),
        "{file} {policy}: {} blocks / {} txs on evm, {} / {} on anvil",
        evm.blocks,
        evm.transactions,
        anvil.blocks,
        anvil.transactions
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_safeguarded_is_the_same_on_both_backends() -> Result<()> {
    same_on_both("every-event.toml", Policy::Safeguarded).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_naive_spot_is_the_same_on_both_backends() -> Result<()> {
    same_on_both("every-event.toml", Policy::NaiveSpot).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_basket_run_is_the_same_on_both_backends() -> Result<()> {
    same_on_both("basket.toml", Policy::Safeguarded).await
}
