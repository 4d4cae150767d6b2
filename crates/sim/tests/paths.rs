//! Monte Carlo paths on embedded Anvils: common random numbers (path k is the same world under
//! every policy, and the same whatever the number of paths), and a path replays alone from its
//! seed through the ordinary `run`.

use std::{
    collections::BTreeMap,
    path::Path,
    sync::{Arc, Mutex},
};

use anyhow::{Result, ensure};
use breakwater_chain::Policy;
use breakwater_report::Run;
use breakwater_sim::{RunOptions, Scenario, Shard, Study, path_seed, run};

fn fixture() -> Arc<Scenario> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/uncertain.toml");
    Arc::new(Scenario::load(path).expect("the fixture loads"))
}

fn study(paths: u64, policies: &[Policy]) -> Study {
    Study {
        scenarios: vec![fixture()],
        policies: policies.to_vec(),
        seed: 5,
        paths,
        shard: Shard::ALL,
        jobs: 2,
        keep_worst: paths as usize,
    }
}

/// Every path's whole run, by (policy, path).
async fn runs(study: &Study) -> Result<BTreeMap<(String, u64), (Run, BTreeMap<String, u64>)>> {
    let seen = Arc::new(Mutex::new(BTreeMap::new()));
    let sink = Arc::clone(&seen);
    let outcome = study
        .run(&RunOptions::default(), move |p, o| {
            let activity = o.activity.iter().map(|(k, a)| (k.clone(), a.ok)).collect();
            let mut seen = sink.lock().expect("not poisoned");
            seen.insert((p.policy.clone(), p.path), (o.run.clone(), activity));
        })
        .await?;
    ensure!(outcome.paths.len() == study.len(), "{} results", outcome.paths.len());
    let seen = std::mem::take(&mut *seen.lock().expect("not poisoned"));
    Ok(seen)
}

#[tokio::test]
async fn path_k_is_the_same_world_under_every_policy_and_for_any_number_of_paths() -> Result<()> {
    let policies = [Policy::NaiveSpot, Policy::Safeguarded];
    let four = runs(&study(4, &policies)).await?;
    for path in 0..4 {
        let (spot, spot_activity) = &four[&("naive-spot".to_string(), path)];
        let (safe, safe_activity) = &four[&("safeguarded".to_string(), path)];
        ensure!(spot.seed == path_seed(5, path) && safe.seed == spot.seed, "path {path}'s seed");
        // The drawn shock (size and time) is the same fundamental value at the same times.
        ensure!(spot.series.t == safe.series.t, "path {path}: other block times");
        ensure!(spot.series.fundamental == safe.series.fundamental, "path {path}: other shock");
        // The drawn crowd: as many borrowers and sellers, subscribing the same amounts.
        for role in ["borrower:subscribe", "seller:subscribe"] {
            ensure!(spot_activity.get(role) == safe_activity.get(role), "path {path}: {role}");
        }
    }
    // Paths differ from one another (other draws).
    let fundamentals: std::collections::BTreeSet<String> = (0..4)
        .map(|k| format!("{:?}", four[&("naive-spot".to_string(), k)].0.series.fundamental))
        .collect();
    ensure!(fundamentals.len() > 1, "every path drew the same shock");
    // Fewer paths: the first ones are unchanged.
    let two = runs(&study(2, &policies[..1])).await?;
    for path in 0..2 {
        let key = ("naive-spot".to_string(), path);
        ensure!(two[&key].0.metrics == four[&key].0.metrics, "path {path} moved with N");
    }
    Ok(())
}

#[tokio::test]
async fn a_path_replays_alone_with_its_seed() -> Result<()> {
    let s = study(3, &[Policy::NaiveNav]);
    let paths = runs(&s).await?;
    let (from_study, _) = &paths[&("naive-nav".to_string(), 2)];
    let alone = run(&fixture(), Policy::NaiveNav, path_seed(5, 2), &RunOptions::default()).await?;
    let bytes = |r: &Run| serde_json::to_string(r).expect("serializes");
    ensure!(bytes(&alone.run) == bytes(from_study), "the replay differs from the study's path");
    Ok(())
}

#[test]
fn shards_split_the_paths_without_overlap() {
    let count = 3;
    for path in 0..30 {
        let owners = (0..count).filter(|&index| Shard { index, count }.owns(path)).count();
        assert_eq!(owners, 1, "path {path}");
    }
    let total: usize = (0..count)
        .map(|index| {
            Study { shard: Shard { index, count }, ..study(10, &[Policy::NaiveNav]) }.len()
        })
        .sum();
    assert_eq!(total, 10);
}
