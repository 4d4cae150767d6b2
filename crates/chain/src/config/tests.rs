//! The deployment configuration's tests: defaults, TOML round trips and the problems named.

use super::*;

/// The problems `toml` (named `file`) has for `policy`, as the error prints them.
fn problems(toml: &str, file: &str, policy: Policy) -> anyhow::Result<String> {
    let c = DeployConfig::from_toml(toml, file)?;
    Ok(c.validate(policy).err().map(|e| e.to_string()).unwrap_or_default())
}

/// The error parsing `toml` (named `file`) gives.
fn parse_error(toml: &str, file: &str) -> String {
    DeployConfig::from_toml(toml, file).err().map(|e| e.to_string()).unwrap_or_default()
}

#[test]
fn defaults_are_valid_for_every_policy() {
    let c = DeployConfig::default();
    for policy in Policy::ALL {
        assert!(c.validate(policy).is_ok(), "{policy}: {:?}", c.validate(policy));
    }
}

#[test]
fn empty_file_is_the_defaults() -> anyhow::Result<()> {
    let c = DeployConfig::from_toml("", "empty.toml")?;
    assert_eq!(c, DeployConfig { origin: "empty.toml".into(), ..DeployConfig::default() });
    Ok(())
}

#[test]
fn defaults_round_trip_through_toml() -> anyhow::Result<()> {
    let c = DeployConfig::default();
    let back = DeployConfig::from_toml(&c.to_toml(), "<defaults>")?;
    assert_eq!(back, c);
    Ok(())
}

#[test]
fn ltv_order_is_named_with_file_and_fields() -> anyhow::Result<()> {
    let err = problems(
        "[market]\nmax_ltv = 0.95\nliquidation_ltv = 0.9\n",
        "config.toml",
        Policy::NaiveNav,
    )?;
    assert!(
        err.contains(
            "config.toml: market.max_ltv = 0.95 must be below market.liquidation_ltv = 0.9"
        ),
        "{err}"
    );
    Ok(())
}

#[test]
fn every_problem_is_reported() -> anyhow::Result<()> {
    let toml = "[breaker]\nlevel1_decline = 0.2\nlevel2_decline = 0.1\n[oracle]\nlong_twap_window = \"10m\"\n";
    let err = problems(toml, "c.toml", Policy::Safeguarded)?;
    assert!(
        err.contains(
            "c.toml: breaker.level2_decline = 0.1 must be above breaker.level1_decline = 0.2"
        ),
        "{err}"
    );
    assert!(
        err.contains(
            "c.toml: oracle.long_twap_window = 10m must be at least oracle.short_twap_window = 30m"
        ),
        "{err}"
    );
    // The naive policies deploy neither module, so their parameters do not matter.
    assert_eq!(problems(toml, "c.toml", Policy::NaiveSpot)?, "");
    Ok(())
}

#[test]
fn unknown_and_mistyped_fields_name_the_file_and_key() {
    let err = parse_error("[market]\nmax_ltvv = 0.5\n", "typo.toml");
    assert!(err.starts_with("typo.toml: "), "{err}");
    assert!(err.contains("max_ltvv"), "{err}");

    let err = parse_error("[oracle]\nheartbeat = \"soon\"\n", "bad.toml");
    assert!(err.contains("bad.toml") && err.contains("heartbeat") && err.contains("soon"), "{err}");

    let err = parse_error("policy = \"yolo\"\n", "p.toml");
    assert!(err.contains("p.toml") && err.contains("yolo"), "{err}");
}
