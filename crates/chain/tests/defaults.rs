//! The default parameters stand in three places: `script/Defaults.sol` (the forge deploy script
//! and the Solidity tests), the `Default` impls of the Rust configuration (the Rust deployment and
//! the lab), and the README's parameter table (the reasons). These tests fail, naming the field
//! and both values, as soon as two of them disagree.
//!
//! The Solidity side is read from the contracts themselves: `contracts/test/DefaultsProbe.sol`
//! returns `Defaults.*` and is deployed on one embedded Anvil.

use std::fmt::Display;

use alloy::primitives::U256;
use anyhow::{Context, Result, bail, ensure};
use breakwater_chain::{AnvilOptions, Chain, DeployConfig, TrancheConfig, bindings::DefaultsProbe};

/// Every disagreement found, reported together.
#[derive(Default)]
struct Mismatches(Vec<String>);

impl Mismatches {
    fn check<T: PartialEq + Display>(&mut self, field: &str, solidity: T, rust: T) {
        if solidity != rust {
            self.0
                .push(format!("{field}: Defaults.sol has {solidity}, the Rust default is {rust}"));
        }
    }

    fn finish(self, what: &str) -> Result<()> {
        ensure!(self.0.is_empty(), "{what} disagree:\n  {}", self.0.join("\n  "));
        Ok(())
    }
}

fn secs(s: u64) -> U256 {
    U256::from(s)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn solidity_defaults_are_the_rust_defaults() -> Result<()> {
    let chain = Chain::anvil(AnvilOptions::default()).await?;
    let probe = DefaultsProbe::deploy(chain.provider().clone()).await?;
    let c = DeployConfig::default();
    let mut m = Mismatches::default();

    let w = probe.world().call().await?;
    m.check("stablecoin.name", w.stablecoinName, c.stablecoin.name.clone());
    m.check("stablecoin.symbol", w.stablecoinSymbol, c.stablecoin.symbol.clone());
    m.check("vault.name", w.vaultName, c.vault.name.clone());
    m.check("vault.symbol", w.vaultSymbol, c.vault.symbol.clone());
    m.check("amm.lp_name", w.lpName, c.amm.lp_name.clone());
    m.check("amm.lp_symbol", w.lpSymbol, c.amm.lp_symbol.clone());
    let v = &c.vault;
    m.check("vault.initial_nav", w.initialNav, v.initial_nav.raw());
    m.check("vault.notice_period", secs(w.noticePeriod), secs(v.notice_period.0));
    m.check("vault.epoch_length", secs(w.epochLength), secs(v.epoch_length.0));
    m.check("vault.gate", w.gate, v.gate.raw());
    m.check("vault.max_nav_move", w.maxNavMove, v.max_nav_move.raw());
    m.check(
        "amm.observation_period",
        secs(w.observationPeriod.into()),
        secs(c.amm.observation_period.0),
    );
    m.check("amm.observation_cardinality", w.observationCardinality, c.amm.observation_cardinality);
    m.check("rates.base_rate", w.baseRate, c.rates.base_rate.raw());
    m.check("rates.slope1", w.slope1, c.rates.slope1.raw());
    m.check("rates.slope2", w.slope2, c.rates.slope2.raw());
    m.check("rates.kink", w.kink, c.rates.kink.raw());
    // Deploy.s.sol seeds the pool (shares and stablecoin) and the market with one amount.
    m.check("amm.seed_shares", w.seedLiquidity, c.amm.seed_shares.raw());
    m.check("market.seed_supply", w.seedLiquidity, c.market.seed_supply.raw());

    let p = probe.marketParams().call().await?;
    let mk = &c.market;
    m.check("market.max_ltv", p.maxLtv, mk.max_ltv.raw());
    m.check("market.liquidation_ltv", p.lltv, mk.liquidation_ltv.raw());
    m.check("market.close_factor", p.closeFactor, mk.close_factor.raw());
    m.check("market.reserve_factor", p.reserveFactor, mk.reserve_factor.raw());
    m.check("market.keeper_fee", p.keeperFee, mk.keeper_fee.raw());
    m.check("market.dust_debt", p.dustDebt, mk.dust_debt.raw());
    // The caps are CAPS_PER_SEED times the seed in Deploy.s.sol.
    m.check("market.supply_cap", p.supplyCap, mk.supply_cap.raw());
    m.check("market.borrow_cap", p.borrowCap, mk.borrow_cap.raw());
    m.check("market.collateral_cap", p.collateralCap, mk.collateral_cap.raw());

    let p = probe.oracleParams().call().await?;
    let o = &c.oracle;
    m.check(
        "oracle.short_twap_window",
        secs(p.shortTwapWindow.into()),
        secs(o.short_twap_window.0),
    );
    m.check("oracle.long_twap_window", secs(p.longTwapWindow.into()), secs(o.long_twap_window.0));
    m.check("oracle.heartbeat", secs(p.heartbeat.into()), secs(o.heartbeat.0));
    m.check("oracle.max_nav_age", secs(p.maxNavAge.into()), secs(o.max_nav_age.0));
    m.check("oracle.haircut_per_day", U256::from(p.haircutPerDay), o.haircut_per_day.raw());
    m.check("oracle.max_haircut", U256::from(p.maxHaircut), o.max_haircut.raw());
    m.check(
        "oracle.divergence_tolerance",
        U256::from(p.divergenceTolerance),
        o.divergence_tolerance.raw(),
    );
    m.check(
        "oracle.base_confirmation",
        secs(p.baseConfirmation.into()),
        secs(o.base_confirmation.0),
    );
    m.check("oracle.min_confirmation", secs(p.minConfirmation.into()), secs(o.min_confirmation.0));
    m.check("oracle.max_drop_per_hour", U256::from(p.maxDropPerHour), o.max_drop_per_hour.raw());
    m.check("oracle.max_rise_per_hour", U256::from(p.maxRisePerHour), o.max_rise_per_hour.raw());

    let p = probe.breakerParams().call().await?;
    let b = &c.breaker;
    m.check("breaker.window", secs(p.window.into()), secs(b.window.0));
    m.check("breaker.level1_decline", U256::from(p.level1Decline), b.level1_decline.raw());
    m.check("breaker.level2_decline", U256::from(p.level2Decline), b.level2_decline.raw());
    m.check("breaker.level3_decline", U256::from(p.level3Decline), b.level3_decline.raw());
    m.check("breaker.divergence_bound", U256::from(p.divergenceBound), b.divergence_bound.raw());
    m.check(
        "breaker.divergence_window",
        secs(p.divergenceWindow.into()),
        secs(b.divergence_window.0),
    );
    m.check("breaker.slippage", U256::from(p.slippage), b.slippage.raw());
    m.check("breaker.refill_period", secs(p.refillPeriod.into()), secs(b.refill_period.0));
    m.check("breaker.max_halt", secs(p.maxHalt.into()), secs(b.max_halt.0));
    m.check("breaker.grace_period", secs(p.gracePeriod.into()), secs(b.grace_period.0));
    m.check("breaker.cooldown", secs(p.cooldown.into()), secs(b.cooldown.0));

    m.finish("script/Defaults.sol and DeployConfig::default()")
}

/// A value the README's table states: a fraction (from a percentage), a duration or a count.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Quantity {
    Fraction(U256),
    Seconds(u64),
    Count(U256),
}

impl Display for Quantity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Fraction(w) => write!(f, "{} (wad)", w),
            Self::Seconds(s) => write!(f, "{s} s"),
            Self::Count(n) => write!(f, "{n}"),
        }
    }
}

const WAD: u64 = 1_000_000_000_000_000_000;

/// `digits` (with an optional decimal point, thousands commas ignored) scaled by 10^`exp`.
fn decimal(text: &str, exp: u32) -> Option<U256> {
    let text = text.replace(',', "");
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let digits: U256 = format!("{int}{frac}").parse().ok()?;
    let shift = exp.checked_sub(u32::try_from(frac.len()).ok()?)?;
    Some(digits * U256::from(10).pow(U256::from(shift)))
}

/// The quantities a table cell states, in order: `70%`, `30 d`, `6 h`, `30-min`, `60 s`,
/// `1,536 slots`. Text in backticks (formulas, field names) is skipped.
fn quantities(cell: &str) -> Result<Vec<Quantity>> {
    let text: String =
        cell.split('`').enumerate().filter(|(i, _)| i % 2 == 0).map(|(_, s)| s).collect();
    let chars: Vec<char> = text.chars().collect();
    let mut out = vec![];
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() || (i > 0 && chars[i - 1].is_alphanumeric()) {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len()
            && (chars[i].is_ascii_digit()
                || (matches!(chars[i], '.' | ',')
                    && chars.get(i + 1).is_some_and(|c| c.is_ascii_digit())))
        {
            i += 1;
        }
        let number: String = chars[start..i].iter().collect();
        let mut j = i;
        while j < chars.len() && (chars[j] == ' ' || chars[j] == '-') {
            j += 1;
        }
        let unit: String = if chars.get(j) == Some(&'%') {
            "%".into()
        } else {
            chars[j..].iter().take_while(|c| c.is_alphabetic()).collect()
        };
        let bad = || format!("cannot read {number:?} in {cell:?}");
        let seconds = |per: u64| -> Result<Quantity> {
            let n: u64 = number.replace(',', "").parse().with_context(bad)?;
            Ok(Quantity::Seconds(n * per))
        };
        out.push(match unit.as_str() {
            "%" => Quantity::Fraction(decimal(&number, 16).with_context(bad)?),
            "s" => seconds(1)?,
            "min" => seconds(60)?,
            "h" | "hour" | "hours" => seconds(3600)?,
            "d" | "day" | "days" => seconds(86_400)?,
            _ => Quantity::Count(decimal(&number, 0).with_context(bad)?),
        });
    }
    Ok(out)
}

/// The table's rows (parameter cell, default cell) under `### Parameters and why`.
fn parameter_table(readme: &str) -> Result<Vec<(String, String)>> {
    let section = readme
        .split("### Parameters and why")
        .nth(1)
        .context("README.md has no `### Parameters and why` section")?;
    let rows: Vec<(String, String)> = section
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2) // header and separator
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            (cells.get(1).unwrap_or(&"").to_string(), cells.get(2).unwrap_or(&"").to_string())
        })
        .collect();
    ensure!(!rows.is_empty(), "the README's parameter table has no rows");
    Ok(rows)
}

/// What each README row must state, in the order it states it, with the field each value is.
fn expected_rows() -> Vec<(&'static str, Vec<(&'static str, Quantity)>)> {
    let c = DeployConfig::default();
    let t = TrancheConfig::default();
    let (mk, r, v, a, o, b) = (&c.market, &c.rates, &c.vault, &c.amm, &c.oracle, &c.breaker);
    let f = |w: U256| Quantity::Fraction(w);
    let s = Quantity::Seconds;
    // The incentive at the default LLTV, min(1.15, 1/(0.3·LLTV + 0.7)) − 1, to the 0.01% the
    // table shows (LendingMarket's formula, rounded to nearest).
    let wad = U256::from(WAD);
    let lif = (wad * wad
        / (U256::from(3) * mk.liquidation_ltv.raw() / U256::from(10)
            + U256::from(7) * wad / U256::from(10)))
    .min(U256::from(115) * wad / U256::from(100));
    let step = U256::from(WAD / 10_000);
    let incentive = (lif - wad + step / U256::from(2)) / step * step;
    vec![
        (
            "market `maxLtv` / `lltv`",
            vec![
                ("market.max_ltv", f(mk.max_ltv.raw())),
                ("market.liquidation_ltv", f(mk.liquidation_ltv.raw())),
            ],
        ),
        ("market `closeFactor`", vec![("market.close_factor", f(mk.close_factor.raw()))]),
        (
            "market incentive",
            vec![
                ("incentive at market.liquidation_ltv", f(incentive)),
                ("market.liquidation_ltv", f(mk.liquidation_ltv.raw())),
            ],
        ),
        (
            "market `reserveFactor` / `keeperFee`",
            vec![
                ("market.reserve_factor", f(mk.reserve_factor.raw())),
                ("market.keeper_fee", f(mk.keeper_fee.raw())),
            ],
        ),
        (
            "rates",
            vec![
                ("rates.base_rate", f(r.base_rate.raw())),
                ("rates.slope1", f(r.slope1.raw())),
                ("rates.kink", f(r.kink.raw())),
                ("rates.slope2", f(r.slope2.raw())),
            ],
        ),
        (
            "vault notice / epoch / gate / max move",
            vec![
                ("vault.notice_period", s(v.notice_period.0)),
                ("vault.epoch_length", s(v.epoch_length.0)),
                ("vault.gate", f(v.gate.raw())),
                ("vault.max_nav_move", f(v.max_nav_move.raw())),
            ],
        ),
        (
            "pool observation period / ring",
            vec![
                ("amm.observation_period", s(a.observation_period.0)),
                (
                    "amm.observation_cardinality",
                    Quantity::Count(U256::from(a.observation_cardinality)),
                ),
            ],
        ),
        (
            "oracle TWAP windows",
            vec![
                ("oracle.short_twap_window", s(o.short_twap_window.0)),
                ("oracle.long_twap_window", s(o.long_twap_window.0)),
            ],
        ),
        (
            "oracle heartbeat / max NAV age",
            vec![
                ("oracle.heartbeat", s(o.heartbeat.0)),
                ("oracle.max_nav_age", s(o.max_nav_age.0)),
            ],
        ),
        (
            "oracle haircut",
            vec![
                ("oracle.haircut_per_day", f(o.haircut_per_day.raw())),
                ("oracle.max_haircut", f(o.max_haircut.raw())),
            ],
        ),
        (
            "oracle divergence tolerance / confirmation",
            vec![
                ("oracle.divergence_tolerance", f(o.divergence_tolerance.raw())),
                ("oracle.base_confirmation", s(o.base_confirmation.0)),
                ("oracle.divergence_tolerance", f(o.divergence_tolerance.raw())),
                ("oracle.min_confirmation", s(o.min_confirmation.0)),
            ],
        ),
        (
            "oracle max fall / rise",
            vec![
                ("oracle.max_drop_per_hour", f(o.max_drop_per_hour.raw())),
                ("oracle.max_rise_per_hour", f(o.max_rise_per_hour.raw())),
            ],
        ),
        ("oracle target lifetime", vec![("oracle.min_confirmation", s(o.min_confirmation.0))]),
        (
            "breaker window / levels",
            vec![
                ("breaker.window", s(b.window.0)),
                ("breaker.level1_decline", f(b.level1_decline.raw())),
                ("breaker.level2_decline", f(b.level2_decline.raw())),
                ("breaker.level3_decline", f(b.level3_decline.raw())),
            ],
        ),
        (
            "breaker divergence bound",
            vec![
                ("breaker.divergence_bound", f(b.divergence_bound.raw())),
                ("breaker.divergence_window", s(b.divergence_window.0)),
            ],
        ),
        ("breaker throttle", vec![("breaker.slippage", f(b.slippage.raw()))]),
        (
            "breaker max halt / grace / cooldown",
            vec![
                ("breaker.max_halt", s(b.max_halt.0)),
                ("breaker.grace_period", s(b.grace_period.0)),
                ("breaker.cooldown", s(b.cooldown.0)),
            ],
        ),
        (
            "tranche `minJuniorRatio` / `maxNavAge`",
            vec![
                ("tranche.min_junior_ratio", f(t.min_junior_ratio.raw())),
                ("tranche.max_nav_age", s(t.max_nav_age.0)),
            ],
        ),
        (
            "senior oracle stress / review haircut",
            vec![
                ("tranche.stress", f(t.stress.raw())),
                ("tranche.review_haircut", f(t.review_haircut.raw())),
            ],
        ),
    ]
}

/// Compares the README's table with the expected rows; every problem, one a line.
fn table_problems(table: &[(String, String)]) -> Result<Vec<String>> {
    let expected = expected_rows();
    let mut problems = vec![];
    for (name, cell) in table {
        let Some((_, fields)) = expected.iter().find(|(n, _)| n == name) else {
            problems.push(format!(
                "row `{name}` is not known to this test: add what it states to expected_rows()"
            ));
            continue;
        };
        let stated = quantities(cell)?;
        if stated.len() != fields.len() {
            problems.push(format!(
                "row `{name}`: the README states {} values ({cell:?}), expected {} ({})",
                stated.len(),
                fields.len(),
                fields.iter().map(|(f, _)| *f).collect::<Vec<_>>().join(", ")
            ));
            continue;
        }
        for ((field, want), got) in fields.iter().zip(&stated) {
            if want != got {
                problems.push(format!(
                    "row `{name}`, {field}: the README says {got}, the default is {want}"
                ));
            }
        }
    }
    for (name, _) in &expected {
        if !table.iter().any(|(n, _)| n == name) {
            problems.push(format!("row `{name}` is missing from the README's table"));
        }
    }
    Ok(problems)
}

#[test]
fn readme_parameter_table_states_the_defaults() -> Result<()> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md");
    let readme = std::fs::read_to_string(path).with_context(|| format!("reading {path}"))?;
    let problems = table_problems(&parameter_table(&readme)?)?;
    ensure!(
        problems.is_empty(),
        "README.md's parameter table and the defaults disagree:\n  {}",
        problems.join("\n  ")
    );
    Ok(())
}

#[test]
fn the_table_check_can_fail() -> Result<()> {
    // The parser reads every unit the table uses.
    assert_eq!(
        quantities(
            "3%, 24 h × 3% / divergence, ≥ 1 h, a 30-min TWAP, 60 s / 1,536 slots, 45 days"
        )?,
        vec![
            Quantity::Fraction(U256::from(WAD / 100 * 3)),
            Quantity::Seconds(86_400),
            Quantity::Fraction(U256::from(WAD / 100 * 3)),
            Quantity::Seconds(3600),
            Quantity::Seconds(1800),
            Quantity::Seconds(60),
            Quantity::Count(U256::from(1536)),
            Quantity::Seconds(45 * 86_400),
        ]
    );
    assert_eq!(
        quantities("`min(1.15, 1/(0.3·LLTV+0.7))` = 6.38% at 80%, 0.5%/day")?,
        vec![
            Quantity::Fraction(U256::from(WAD / 10_000 * 638)),
            Quantity::Fraction(U256::from(WAD / 100 * 80)),
            Quantity::Fraction(U256::from(WAD / 1000 * 5)),
        ]
    );
    // A changed value, an unknown row and a missing row are each named.
    let wrong = vec![
        ("oracle haircut".to_string(), "0.5%/day past heartbeat, max 30%".to_string()),
        ("market `lltv` twice".to_string(), "80%".to_string()),
    ];
    let problems = table_problems(&wrong)?;
    let all = problems.join("\n");
    if !all.contains("row `oracle haircut`, oracle.max_haircut: the README says")
        || !all.contains("row `market `lltv` twice` is not known")
        || !all.contains("row `breaker throttle` is missing")
    {
        bail!("unexpected problems:\n{all}");
    }
    Ok(())
}
