//! Scenario files: every shipped one loads, and bad ones are rejected naming the file, the
//! field and the problem (no chain needed).

use std::path::Path;

use breakwater_sim::Scenario;

const FIXTURE: &str = include_str!("fixtures/every-event.toml");

/// The fixture with `from` replaced by `to` (which must change it).
fn edited(from: &str, to: &str) -> String {
    assert!(FIXTURE.contains(from), "fixture lacks {from:?}");
    FIXTURE.replacen(from, to, 1)
}

/// The problems reported for `text`, as one line.
fn rejected(text: &str) -> String {
    match Scenario::from_toml(text, "bad.toml") {
        Ok(_) => panic!("accepted"),
        Err(e) => {
            assert_eq!(e.file, "bad.toml");
            let line = e.to_string();
            assert!(line.starts_with("bad.toml: "), "{line}");
            line
        }
    }
}

#[track_caller]
fn assert_mentions(line: &str, parts: &[&str]) {
    for p in parts {
        assert!(line.contains(p), "{line:?} does not mention {p:?}");
    }
}

#[test]
fn every_shipped_scenario_and_the_fixture_load() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("the scenarios directory") {
        let path = entry.expect("a directory entry").path();
        if path.extension().is_some_and(|x| x == "toml") {
            let s = Scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
            assert!(!s.title.is_empty() && !s.description.is_empty(), "{}", path.display());
            assert!(s.scale > 0.0 && s.scale <= 1.0);
            n += 1;
        }
    }
    assert!(n >= 4, "{n} shipped scenarios");
    Scenario::from_toml(FIXTURE, "fixture").expect("the fixture loads");
}

#[test]
fn syntax_and_type_errors_name_the_field() {
    assert_mentions(&rejected(&edited("scale = 0.0001", "scale = \"tiny\"")), &["scale"]);
    assert_mentions(&rejected(&edited("count = 3\nholdings", "cuont = 3\nholdings")), &["cuont"]);
    assert_mentions(
        &rejected(&edited("duration = \"3h\"", "duration = \"3 hours\"")),
        &["duration"],
    );
    assert_mentions(&rejected(&edited("kind = \"nav_report\"", "kind = \"meteor\"")), &["meteor"]);
    assert_mentions(&rejected(&edited("fraction = 0.5", "fration = 0.5")), &["fration"]);
    assert_mentions(&rejected(&FIXTURE.replace("scale = 0.0001\n", "")), &["scale"]);
}

#[test]
fn out_of_range_values_name_the_field_and_the_bound() {
    // (text, its out-of-range replacement, what the problem must mention)
    let cases: [(&str, &str, &[&str]); 7] = [
        ("loss = 0.3", "loss = 1.5", &["events[2].loss", "1.5"]),
        ("utilization = [0.9, 0.97]", "utilization = [0.97, 0.9]", &["borrowers[0].utilization"]),
        ("risk_premium = 0.02", "risk_premium = -0.1", &["arbitrageurs[0].risk_premium"]),
        ("at = \"1h30m\"", "at = \"10m\"", &["events[6]", "time order"]),
        ("at = \"2h10m\"", "at = \"4h\"", &["events[9]", "duration"]),
        ("step = \"1h\"", "step = \"1m\"", &["events[8].step"]),
        ("count = 2\ncapital = 200_000", "count = 20\ncapital = 200_000", &["bots.count"]),
    ];
    for (from, to, parts) in cases {
        assert_mentions(&rejected(&edited(from, to)), parts);
    }
}

#[test]
fn several_problems_are_reported_together() {
    let text =
        edited("loss = 0.3", "loss = 1.5").replace("risk_premium = 0.02", "risk_premium = -0.1");
    let e = Scenario::from_toml(&text, "bad.toml").expect_err("rejected");
    assert_eq!(e.problems.len(), 2, "{e}");
}

#[test]
fn a_sweep_must_name_a_sweepable_field_of_an_existing_event() {
    let sweep = |event: usize, field: &str| {
        format!(
            "{FIXTURE}\n[sweep]\nevent = {event}\nfield = \"{field}\"\nvalues = [0.1, 0.2]\nlabel = \"x\"\n"
        )
    };
    Scenario::from_toml(&sweep(2, "loss"), "ok.toml").expect("a valid sweep");
    assert_mentions(&rejected(&sweep(2, "intensity")), &["sweep.field", "intensity"]);
    assert_mentions(&rejected(&sweep(40, "loss")), &["sweep.event", "40"]);
}

#[test]
fn a_missing_file_is_named() {
    let e = Scenario::load("no/such/scenario.toml").expect_err("no such file");
    assert_eq!(e.file, "no/such/scenario.toml");
    assert!(!e.problems.is_empty());
}

const BASKET: &str = include_str!("fixtures/basket.toml");

#[test]
fn basket_events_must_name_a_constituent_that_exists() {
    Scenario::from_toml(BASKET, "basket.toml").expect("the basket fixture loads");
    let breach = "kind = \"custodian_breach\"\nconstituent = 2";
    assert!(BASKET.contains(breach));
    let line = rejected(&BASKET.replace(breach, "kind = \"custodian_breach\"\nconstituent = 3"));
    assert_mentions(&line, &["events[2].constituent = 3", "the basket has 3 (0 to 2)"]);
    let line = rejected(&BASKET.replace(breach, "kind = \"custodian_breach\""));
    assert_mentions(&line, &["events[2].constituent: missing", "custodian_breach"]);
    let line = rejected(&BASKET.replace("kind = \"rumour\"", "kind = \"rumour\"\nconstituent = 0"));
    assert_mentions(&line, &["events[4].constituent", "a rumour hits the whole basket"]);
    // Without a basket there are no constituents.
    let line = rejected(&edited(
        "kind = \"custodian_breach\"",
        "kind = \"custodian_breach\"\nconstituent = 0",
    ));
    assert_mentions(&line, &["constituent = 0: only a scenario with a [basket]"]);
}

#[test]
fn a_bad_basket_names_its_field() {
    let line = rejected(&BASKET.replace("min_junior_ratio = 0.1", "min_junior_ratio = 0.95"));
    assert_mentions(
        &line,
        &["basket.tranche.min_junior_ratio = 0.95 must be between 0.01 and 0.9"],
    );
    let line = rejected(&format!("{BASKET}\n[world.market]\nmax_ltv = 0.5\n"));
    assert_mentions(&line, &["world: a basket scenario sets [basket], not [world]"]);
}
