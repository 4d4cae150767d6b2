//! Scenario files: every shipped one loads, and bad ones are rejected naming the file, the
//! field and the problem (no chain needed).

use std::path::Path;

use breakwater_sim::{Scenario, scenario::EventKind};

mod common;
use common::rejected;

const FIXTURE: &str = include_str!("fixtures/every-event.toml");

/// The fixture with `from` replaced by `to` (which must change it).
fn edited(from: &str, to: &str) -> String {
    common::edit(FIXTURE, from, to)
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

/// The fixture with `event` (TOML lines of one `[[events]]` table) appended at 2h20m.
fn with_event(event: &str) -> String {
    format!("{FIXTURE}\n[[events]]\nat = \"2h20m\"\n{event}\n")
}

/// The index of the fixture's appended event.
fn appended() -> usize {
    Scenario::from_toml(FIXTURE, "fixture").expect("the fixture loads").events.len()
}

/// One valid example of each event kind; `covers` fails to compile when a kind is added
/// without one here.
const EXAMPLES: [&str; 14] = [
    "kind = \"nav_report\"",
    "kind = \"impairment\"\nloss = 0.1",
    "kind = \"recovery\"\ngain = 0.1",
    "kind = \"depeg\"\nprice = 0.9",
    "kind = \"rumour\"\nintensity = 0.1\nduration = \"10m\"",
    "kind = \"rumour_denial\"",
    "kind = \"buying_wave\"\nintensity = 0.1\nduration = \"10m\"",
    "kind = \"redemption_run\"\nfraction = 0.1",
    "kind = \"lp_withdrawal\"\nfraction = 0.1",
    "kind = \"borrow\"\nutilization = 0.9",
    "kind = \"custodian_breach\"",
    "kind = \"review_resolved\"",
    "kind = \"oracle_stall\"\nduration = \"10m\"",
    "kind = \"skip\"\nduration = \"1h\"",
];

fn covers(kind: &EventKind) -> usize {
    match kind {
        EventKind::NavReport { .. } => 0,
        EventKind::Impairment { .. } => 1,
        EventKind::Recovery { .. } => 2,
        EventKind::Depeg { .. } => 3,
        EventKind::Rumour { .. } => 4,
        EventKind::RumourDenial {} => 5,
        EventKind::BuyingWave { .. } => 6,
        EventKind::RedemptionRun { .. } => 7,
        EventKind::LpWithdrawal { .. } => 8,
        EventKind::Borrow { .. } => 9,
        EventKind::CustodianBreach {} => 10,
        EventKind::ReviewResolved {} => 11,
        EventKind::OracleStall { .. } => 12,
        EventKind::Skip { .. } => 13,
    }
}

#[test]
fn every_event_kind_rejects_an_unknown_key_naming_it_and_the_event() {
    let i = appended();
    for (k, example) in EXAMPLES.iter().enumerate() {
        let s = Scenario::from_toml(&with_event(example), "ok.toml")
            .unwrap_or_else(|e| panic!("{example:?}: {e}"));
        assert_eq!(covers(&s.events[i].kind), k, "{example:?} is not example {k}");
        let line = rejected(&with_event(&format!("{example}\nwibble = 1")));
        assert_mentions(&line, &[&format!("events[{i}]"), "wibble"]);
    }
    // The case that went unnoticed: a duration on a breach used to be ignored.
    let line = rejected(&with_event("kind = \"custodian_breach\"\nduration = \"30m\""));
    assert_mentions(&line, &[&format!("events[{i}]"), "unknown field `duration`"]);
    // A value of the wrong type names the event, its kind and the field.
    let line = rejected(&edited("loss = 0.3", "loss = \"lots\""));
    assert_mentions(&line, &["events[2] (impairment): loss: invalid type: string \"lots\""]);
    let line =
        rejected(&with_event("kind = \"rumour\"\nintensity = 0.1\nduration = \"two hours\""));
    assert_mentions(&line, &[&format!("events[{i}] (rumour): duration: `two hours`")]);
    let line = rejected(&with_event("kind = \"impairment\"\nloss = 0.1\nreport = \"yes\""));
    assert_mentions(&line, &[&format!("events[{i}] (impairment): report: invalid type")]);
    let line = rejected(&with_event("kind = \"lp_withdrawal\"\nfraction = 0.5\nshock = 1"));
    assert_mentions(&line, &[&format!("events[{i}] (lp_withdrawal): shock: invalid type")]);
    // An unknown kind is named as such, not blamed on a field.
    let line = rejected(&with_event("kind = \"impairmnt\"\nloss = 0.1"));
    assert_mentions(&line, &[&format!("events[{i}] (impairmnt): unknown variant `impairmnt`")]);
}

#[test]
fn every_other_table_rejects_an_unknown_key() {
    let world = [
        "[world.vault]",
        "[world.amm]",
        "[world.market]",
        "[world.rates]",
        "[world.oracle]",
        "[world.breaker]",
        "[world.stablecoin]",
        "[world.roles]",
        "[world.local]",
    ];
    let crowd = [
        "[reporter]",
        "[[borrowers]]",
        "[sellers]",
        "[[arbitrageurs]]",
        "[lps]",
        "[attacker]",
        "[bots]",
    ];
    for table in world.iter().chain(&crowd) {
        let text = if FIXTURE.contains(&format!("\n{table}\n")) {
            FIXTURE.replacen(&format!("\n{table}\n"), &format!("\n{table}\nwibble = 1\n"), 1)
        } else {
            format!("{FIXTURE}\n{table}\nwibble = 1\n")
        };
        assert_mentions(&rejected(&text), &["wibble"]);
    }
    assert_mentions(&rejected(&format!("wibble = 1\n{FIXTURE}")), &["wibble"]);
    let sweep = "[sweep]\nevent = 2\nfield = \"loss\"\nvalues = [0.1]\nlabel = \"x\"\n";
    assert_mentions(&rejected(&format!("{FIXTURE}\n{sweep}wibble = 1\n")), &["wibble"]);
    for table in [
        "[basket.tranche]",
        "[basket.senior_amm]",
        "[basket.senior_market]",
        "[[basket.constituents]]",
        "[basket.constituents.vault]",
    ] {
        assert!(BASKET.contains(&format!("{table}\n")), "{table}");
        let text = BASKET.replacen(&format!("{table}\n"), &format!("{table}\nwibble = 1\n"), 1);
        assert_mentions(&rejected(&text), &["wibble"]);
    }
}

#[test]
fn a_file_over_the_cap_is_refused_naming_its_size() {
    let dir = std::env::temp_dir().join(format!("breakwater-cap-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let path = dir.join("huge.toml");
    let cap = breakwater_sim::scenario::MAX_FILE_BYTES as usize;
    // A valid scenario padded with a comment to one byte over the cap.
    let padding = "#".repeat(cap + 1 - FIXTURE.len() - 1);
    std::fs::write(&path, format!("{FIXTURE}\n{padding}")).expect("written");
    let e = Scenario::load(&path).expect_err("over the cap");
    assert_eq!(e.file, path.display().to_string());
    assert_mentions(&e.to_string(), &[&(cap + 1).to_string(), &cap.to_string(), "1 MiB"]);
    // At the cap it loads.
    std::fs::write(&path, format!("{FIXTURE}\n{}", &padding[1..])).expect("written");
    Scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn new_events_validate_their_fields_naming_them() {
    let i = appended();
    let cases: [(&str, &str); 12] = [
        ("kind = \"nav_report\"\nerror = -1.0", "error = -1 must be in (-1, 1]"),
        ("kind = \"nav_report\"\ndelay = \"30d\"", "delay = 30d: the report would land"),
        ("kind = \"recovery\"\ngain = 0", "gain = 0 must be in (0, 10]"),
        ("kind = \"depeg\"\nprice = 2.5", "price = 2.5 must be in (0, 2]"),
        ("kind = \"depeg\"\nprice = 0", "price = 0 must be in (0, 2]"),
        ("kind = \"depeg\"\nprice = 0.9\nexposure = 1.5", "exposure = 1.5 must be in [0, 1]"),
        ("kind = \"redemption_run\"\nfraction = 0", "fraction = 0 must be in (0, 1]"),
        ("kind = \"redemption_run\"\nfraction = 0.5\nrefill = 2", "refill = 2 must be in [0, 1]"),
        ("kind = \"redemption_run\"\nfraction = 0.5\nduration = 0", "duration must be positive"),
        ("kind = \"buying_wave\"\nintensity = 1.5\nduration = \"1h\"", "intensity = 1.5"),
        ("kind = \"buying_wave\"\nintensity = 0.5\nduration = 0", "duration must be positive"),
        ("kind = \"borrow\"\nutilization = 1.2", "utilization = 1.2 must be in (0, 1]"),
    ];
    for (event, problem) in cases {
        assert_mentions(&rejected(&with_event(event)), &[&format!("events[{i}].{problem}")]);
    }
    // Events that act through holders or borrowers need them; a basket has no queue to run on.
    let no_sellers = |event: &str| {
        let start = FIXTURE.find("[sellers]").expect("sellers");
        let end = start + FIXTURE[start..].find("\n\n").expect("the table ends");
        with_event(event).replacen(&FIXTURE[start..end], "", 1)
    };
    for event in [
        "kind = \"buying_wave\"\nintensity = 0.5\nduration = \"1h\"",
        "kind = \"redemption_run\"\nfraction = 0.5",
    ] {
        let line = rejected(&no_sellers(event));
        assert_mentions(&line, &[&format!("events[{i}]"), "needs [sellers]"]);
    }
    let run = "[[events]]\nat = \"2h\"\nkind = \"redemption_run\"\nfraction = 0.5\n";
    assert_mentions(
        &rejected(&format!("{BASKET}\n{run}")),
        &["a redemption_run needs a vault's queue"],
    );
    // A wrong report may name a constituent of a basket; a depeg hits the whole basket.
    let report = "[[events]]\nat = \"2h\"\nkind = \"nav_report\"\nerror = 0.1\nconstituent = 1\n";
    Scenario::from_toml(&format!("{BASKET}\n{report}"), "ok.toml").expect("a wrong report on one");
    let depeg = "[[events]]\nat = \"2h\"\nkind = \"depeg\"\nprice = 0.9\nconstituent = 1\n";
    assert_mentions(&rejected(&format!("{BASKET}\n{depeg}")), &["a depeg hits the whole basket"]);
}

#[test]
fn an_event_inside_a_skip_needs_the_skip_and_a_point_within_it() {
    // The fixture's skip: 6 hours from 2h, in 1-hour steps.
    let inside = |into: &str| {
        edited("at = \"2h10m\"\nkind = \"impairment\"", "at = \"2h\"\nkind = \"impairment\"")
            .replacen("report = true", &format!("report = true\ninto_skip = \"{into}\""), 1)
    };
    let s = Scenario::from_toml(&inside("3h"), "ok.toml").expect("3 hours into a 6-hour skip");
    assert_eq!(s.events[9].into_skip.map(|d| d.0), Some(3 * 3_600));
    assert_mentions(
        &rejected(&inside("6h")),
        &["events[9].into_skip = 6h must be positive, below the skip's duration = 6h"],
    );
    assert_mentions(&rejected(&inside("0s")), &["events[9].into_skip"]);
    // Without a skip at its `at`.
    let line = rejected(&edited("report = true", "report = true\ninto_skip = \"1h\""));
    assert_mentions(&line, &["events[9].into_skip = 1h: no skip starts at its at = 2h10m"]);
    // A skip inside a skip.
    let line = rejected(&edited("step = \"1h\"", "step = \"1h\"\ninto_skip = \"1h\""));
    assert_mentions(&line, &["events[8].into_skip: a skip cannot start inside another"]);
}

#[test]
fn sweeps_reach_the_new_events_numeric_fields() {
    let i = appended();
    let sweep = |event: &str, field: &str| {
        format!(
            "{}\n[sweep]\nevent = {i}\nfield = \"{field}\"\nvalues = [0.5, 0.9]\nlabel = \"x\"\n",
            with_event(event)
        )
    };
    let depeg = "kind = \"depeg\"\nprice = 0.9";
    let s = Scenario::from_toml(&sweep(depeg, "price"), "ok.toml").expect("a price sweep");
    let swept = s.with_swept(0.5).expect("a valid value");
    assert_eq!(swept.events[i].kind, EventKind::Depeg { price: 0.5, exposure: 0.0 });
    // Swept values are validated like written ones.
    let e = s.with_swept(3.0).expect_err("a price of $3");
    assert_mentions(&e.to_string(), &[&format!("events[{i}].price = 3")]);
    for (event, field) in [
        ("kind = \"nav_report\"\nerror = -0.05", "error"),
        ("kind = \"recovery\"\ngain = 0.1", "gain"),
        (depeg, "exposure"),
        ("kind = \"redemption_run\"\nfraction = 0.5", "refill"),
        ("kind = \"buying_wave\"\nintensity = 0.1\nduration = \"10m\"", "intensity"),
        ("kind = \"borrow\"\nutilization = 0.9", "utilization"),
    ] {
        Scenario::from_toml(&sweep(event, field), "ok.toml").unwrap_or_else(|e| panic!("{e}"));
    }
    let line = rejected(&sweep("kind = \"rumour_denial\"", "intensity"));
    assert_mentions(&line, &["sweep.field = `intensity`", "rumour_denial", "it has none"]);
}
