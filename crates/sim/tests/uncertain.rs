//! Distributions in scenario files: parsed, drawn per path by key, and rejected when bad with
//! the file, the field and the problem named (no chain needed).

use breakwater_sim::{Distribution, Scenario, path_seed, scenario::EventKind};

mod common;
use common::rejected;

const FIXTURE: &str = include_str!("fixtures/uncertain.toml");

fn fixture() -> Scenario {
    Scenario::from_toml(FIXTURE, "uncertain.toml").expect("the fixture loads")
}

/// The fixture with `from` replaced by `to` (which must change it).
fn edited(from: &str, to: &str) -> String {
    common::edit(FIXTURE, from, to)
}

fn loss(s: &Scenario) -> f64 {
    match s.events[0].kind {
        EventKind::Impairment { loss, .. } => loss,
        _ => panic!("events[0] is the impairment"),
    }
}

#[test]
fn the_fixture_declares_one_distribution_of_each_kind() {
    let s = fixture();
    let fields: Vec<&str> = s.distributions().iter().map(|u| u.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "borrowers[0].count",
            "borrowers[0].capital",
            "sellers.holdings",
            "events[0].at",
            "events[0].loss"
        ]
    );
    // Durations are read as seconds.
    assert_eq!(s.distributions()[3].dist, Distribution::Uniform { low: 360.0, high: 840.0 });
    // The parsed file holds the nominal values until a path draws.
    assert_eq!(s.borrowers[0].count, 4);
    assert_eq!(s.events[0].at.0, 600);
    assert!((loss(&s) - 0.3).abs() < 1e-12);
}

#[test]
fn each_path_draws_its_own_world_within_the_supports() {
    let s = fixture();
    let mut losses = Vec::new();
    for path in 0..200 {
        let r = s.realize(path_seed(11, path)).expect("every draw is valid");
        assert!(r.distributions().is_empty());
        assert!((3..=5).contains(&r.borrowers[0].count));
        assert!((360..=840).contains(&r.events[0].at.0));
        let l = loss(&r);
        assert!((0.05..=0.6).contains(&l), "{l}");
        losses.push(l);
        // The same seed gives the same world.
        assert_eq!(r, s.realize(path_seed(11, path)).expect("valid"));
    }
    let mean = losses.iter().sum::<f64>() / losses.len() as f64;
    assert!((mean - 0.3).abs() < 0.03, "mean loss {mean}");
    let counts: std::collections::BTreeSet<u32> =
        (0..50).map(|k| s.realize(path_seed(11, k)).expect("valid").borrowers[0].count).collect();
    assert_eq!(counts.len(), 3, "{counts:?}");
    // Another study seed, other worlds.
    assert_ne!(loss(&s.realize(path_seed(12, 0)).expect("valid")), losses[0]);
}

#[test]
fn draws_are_keyed_by_field_so_a_new_distribution_moves_no_other_draw() {
    let before = fixture();
    let after = Scenario::from_toml(
        &edited(
            "[sellers]\ncount = 2",
            "[sellers]\ncount = { dist = \"choice\", values = [1, 2] }",
        ),
        "more.toml",
    )
    .expect("loads");
    assert_eq!(after.distributions().len(), before.distributions().len() + 1);
    for path in 0..20 {
        let (a, b) = (
            before.realize(path_seed(3, path)).expect("valid"),
            after.realize(path_seed(3, path)).expect("valid"),
        );
        assert_eq!(a.events, b.events, "path {path}");
        assert_eq!(a.borrowers, b.borrowers, "path {path}");
        assert_eq!(a.sellers.as_ref().map(|s| s.holdings), b.sellers.as_ref().map(|s| s.holdings));
    }
}

#[test]
fn a_scenario_without_distributions_realizes_to_itself() {
    let plain =
        Scenario::from_toml(include_str!("fixtures/bad-debt.toml"), "plain").expect("loads");
    assert!(plain.distributions().is_empty());
    assert_eq!(plain.realize(42).expect("valid"), plain);
}

#[test]
fn bad_distributions_are_named_with_the_field_and_the_problem() {
    let loss = "loss = { dist = \"normal\", mean = 0.3, sd = 0.1, low = 0.05, high = 0.6 }";
    // (replacement of the loss's distribution, what the problem must mention)
    let cases: [(&str, &[&str]); 11] = [
        (
            "loss = { dist = \"normal\", mean = 0.3, sd = -0.1 }",
            &["events[0].loss", "sd = -0.1", "positive"],
        ),
        (
            "loss = { dist = \"gamma\", k = 2 }",
            &["events[0].loss", "unknown distribution `gamma`", "uniform"],
        ),
        (
            "loss = { dist = \"uniform\", low = 0.4, high = 0.1 }",
            &["events[0].loss", "low = 0.4 is above high = 0.1"],
        ),
        (
            "loss = { dist = \"normal\", mean = 0.9, sd = 0.1, low = 0.1, high = 0.5 }",
            &["events[0].loss", "mean = 0.9 lies outside"],
        ),
        (
            "loss = { dist = \"triangular\", low = 0.1, mode = 0.7, high = 0.5 }",
            &["events[0].loss", "mode = 0.7 lies outside"],
        ),
        (
            "loss = { dist = \"lognormal\", median = 0.2, sigma = 0 }",
            &["events[0].loss", "sigma = 0", "positive"],
        ),
        ("loss = { dist = \"uniform\", low = 0.1 }", &["events[0].loss", "needs `high`"]),
        (
            "loss = { dist = \"uniform\", low = 0.1, hi = 0.2 }",
            &["events[0].loss", "unknown key `hi`"],
        ),
        ("loss = { dist = \"choice\", values = [] }", &["events[0].loss", "non-empty"]),
        ("loss = { low = 0.1, high = 0.2 }", &["events[0].loss", "needs `dist`"]),
        // Every value a distribution can draw must be valid for its field.
        (
            "loss = { dist = \"uniform\", low = 0.5, high = 1.5 }",
            &["highest value", "events[0].loss = 1.5"],
        ),
    ];
    for (to, parts) in cases {
        let line = rejected(&edited(loss, to));
        for p in parts {
            assert!(line.contains(p), "{to}: {line:?} does not mention {p:?}");
        }
    }
}

#[test]
fn times_that_could_cross_fields_that_cannot_vary_and_block_tables_are_rejected() {
    let line = rejected(&edited(
        "at = \"20m\"",
        "at = { dist = \"uniform\", low = \"12m\", high = \"30m\" }",
    ));
    assert!(line.contains("events[0].at") && line.contains("out of order"), "{line}");
    let line = rejected(&edited(
        "duration = \"10m\"",
        "duration = { dist = \"uniform\", low = 60, high = 600 }",
    ));
    assert!(line.contains("events[1].duration") && line.contains("cannot be uncertain"), "{line}");
    let line = rejected(&edited("values = [3, 4, 5]", "values = [0, 4, 5]"));
    assert!(line.contains("lowest value") && line.contains("borrowers[0].count = 0"), "{line}");
    let line = rejected(&edited(
        "intensity = 0.2",
        "[events.intensity]\ndist = \"uniform\"\nlow = 0.1\nhigh = 0.3",
    ));
    assert!(line.contains("events[1].intensity") && line.contains("inline"), "{line}");
}

#[test]
fn other_errors_keep_their_line_after_a_distribution() {
    // The distributions are replaced in place: a later typo is reported on its own line.
    let text = edited("top_up_to = 1.3", "top_up_too = 1.3");
    let line = rejected(&text);
    let want = text.lines().position(|l| l.starts_with("top_up_too")).expect("the typo") + 1;
    assert!(line.contains("top_up_too") && line.contains(&format!("line {want}")), "{line}");
}
