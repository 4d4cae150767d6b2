//! The RWA² world: a tranche vault over three vault worlds on one stablecoin, and a market lending
//! against its senior token. Each test starts its own Anvil.

use alloy::primitives::{Address, U256, utils::parse_ether};
use anyhow::{Context, Result, ensure};
use breakwater_chain::{
    AnvilOptions, BasketConfig, BasketDeployment, Chain, Policy,
    bindings::{
        ICollateralOracle, ILendingMarket, LendingMarket, RwaVault, SeniorTrancheOracle,
        SpotOracle, Stablecoin, TrancheToken, TrancheVault,
    },
    deploy_basket, tx,
};

const WAD: u128 = 1_000_000_000_000_000_000;

fn wad(x: &str) -> U256 {
    parse_ether(x).unwrap_or_default()
}

fn mul_wad(a: U256, b: U256) -> U256 {
    a * b / U256::from(WAD)
}

async fn deployed(policy: Policy) -> Result<(Chain, BasketDeployment)> {
    let chain = Chain::anvil(AnvilOptions::default()).await?;
    let d = deploy_basket(&chain, &BasketConfig::default(), policy).await?;
    Ok((chain, d))
}

/// Wiring that every policy must get right: one stablecoin under everything, the basket seeded
/// 30% junior, the senior pool at par, the senior market on the senior token.
async fn check_wiring(chain: &Chain, d: &BasketDeployment) -> Result<()> {
    let p = chain.provider().clone();
    let me = chain.sender();
    let t = &d.tranche;
    let tranche = TrancheVault::new(t.vault, p.clone());
    ensure!(d.constituents.len() == 3);
    ensure!(tranche.constituentCount().call().await? == U256::from(3));
    for (i, c) in d.constituents.iter().enumerate() {
        let vault = RwaVault::new(c.contracts.vault, p.clone());
        ensure!(vault.asset().call().await? == d.stablecoin, "{}: vault asset", c.symbol);
        let market = LendingMarket::new(c.contracts.market, p.clone());
        ensure!(market.loanToken().call().await? == d.stablecoin, "{}: market loan", c.symbol);
        let member = tranche.constituent(U256::from(i)).call().await?;
        ensure!(member.vault == c.contracts.vault && member.priceSource == Address::ZERO);
        ensure!(U256::from(member.unitShares) == c.unit_shares.raw());
    }
    let symbols: Vec<&str> = d.constituents.iter().map(|c| c.symbol.as_str()).collect();
    ensure!(symbols == ["RWAT", "RWAC", "RWAP"], "{symbols:?}");

    // 1M units of three NAV-1 shares: 3M of value, 2.1M senior, 0.9M junior.
    let w = tranche.waterfall().call().await?;
    ensure!(w.basketValue == wad("3000000"), "basket {}", w.basketValue);
    ensure!(w.seniorClaim == wad("2100000") && w.juniorClaim == wad("900000"), "{w:?}");
    let senior = TrancheToken::new(t.senior, p.clone());
    ensure!(senior.totalSupply().call().await? == wad("2100000"));
    ensure!(senior.balanceOf(me).call().await? == wad("1100000"), "1M went to the pool");
    let junior = TrancheToken::new(t.junior, p.clone());
    ensure!(junior.balanceOf(me).call().await? > U256::ZERO);

    let market = LendingMarket::new(t.market, p.clone());
    ensure!(market.collateralToken().call().await? == t.senior);
    ensure!(market.loanToken().call().await? == d.stablecoin);
    ensure!(
        market.oracle().call().await? == t.oracle && market.breaker().call().await? == t.breaker
    );
    let oracle = ICollateralOracle::new(t.oracle, p.clone());
    let borrow_price = oracle.borrowPrice().call().await?;
    match d.policy {
        Policy::NaiveSpot => {
            ensure!(SpotOracle::new(t.oracle, p.clone()).pool().call().await? == t.pool);
            ensure!(borrow_price == U256::from(WAD), "the pool is seeded at par");
        }
        policy => {
            let o = SeniorTrancheOracle::new(t.oracle, p.clone());
            ensure!(o.tranche().call().await? == t.vault);
            for (i, c) in d.constituents.iter().enumerate() {
                ensure!(o.constituentOracle(U256::from(i)).call().await? == c.contracts.oracle);
            }
            let stress = if policy == Policy::Safeguarded { wad("0.1") } else { U256::ZERO };
            ensure!(o.stress().call().await? == stress, "{policy}: stress");
            // 30% junior covers the 10% stress: the senior borrows at par either way.
            ensure!(borrow_price == U256::from(WAD), "{policy}: borrow price {borrow_price}");
        }
    }
    let totals = ILendingMarket::new(t.market, p.clone()).totals().call().await?;
    ensure!(totals.totalSupplyAssets == wad("1000000"), "senior market seeded");

    ensure!(BasketDeployment::from_json(&d.to_json(), "basket.json")? == *d, "round trip");
    d.check_code(chain).await?;
    let manifest: serde_json::Value = serde_json::from_str(&d.to_json())?;
    ensure!(manifest["policy"] == d.policy.name());
    ensure!(manifest["constituents"].as_array().map(Vec::len) == Some(3));
    let market_field = manifest["tranche"]["market"].as_str().context("tranche.market")?;
    ensure!(market_field.parse::<Address>()? == t.market);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploys_the_basket_for_a_spot_oracle() -> Result<()> {
    let (chain, d) = deployed(Policy::NaiveSpot).await?;
    check_wiring(&chain, &d).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploys_the_basket_for_a_nav_oracle() -> Result<()> {
    let (chain, d) = deployed(Policy::NaiveNav).await?;
    check_wiring(&chain, &d).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploys_the_basket_safeguarded() -> Result<()> {
    let (chain, d) = deployed(Policy::Safeguarded).await?;
    check_wiring(&chain, &d).await
}

/// Marks constituent `index` down to `nav` (the custodian confirms a move beyond the reporter's).
async fn mark_down(chain: &Chain, d: &BasketDeployment, index: usize, nav: &str) -> Result<()> {
    let vault = RwaVault::new(d.constituents[index].contracts.vault, chain.provider().clone());
    let me = chain.sender();
    let at = chain.advance(3600).await?;
    vault.reportNav(wad(nav), at).from(me).send().await?.get_receipt().await?;
    let status = vault.navInfo().call().await?;
    if status._0 != wad(nav) {
        vault.confirmNav().from(me).send().await?.get_receipt().await?;
    }
    ensure!(vault.navInfo().call().await?._0 == wad(nav), "NAV {nav} applied");
    Ok(())
}

/// The senior price the oracle should give: the constituents' own liquidation prices through the
/// waterfall, recomputed here from their oracles.
async fn expected_senior_price(chain: &Chain, d: &BasketDeployment, stress: U256) -> Result<U256> {
    let p = chain.provider().clone();
    let tranche = TrancheVault::new(d.tranche.vault, p.clone());
    let mut unit_value = U256::ZERO;
    for c in &d.constituents {
        let price =
            ICollateralOracle::new(c.contracts.oracle, p.clone()).liquidationPrice().call().await?;
        unit_value += mul_wad(c.unit_shares.raw(), price);
    }
    let basket = mul_wad(tranche.totalUnits().call().await?, unit_value);
    let stressed = mul_wad(basket, U256::from(WAD) - stress);
    let principal = tranche.seniorPrincipal().call().await?;
    Ok(stressed.min(principal) * U256::from(WAD) / principal)
}

/// Losses run through the waterfall: the junior takes a property loss whole; a credit loss on top
/// impairs the senior, whose oracle follows, and a senior-backed loan becomes liquidatable.
async fn losses_reach_the_senior_through_the_junior(policy: Policy) -> Result<()> {
    let (chain, d) = deployed(policy).await?;
    let p = chain.provider().clone();
    let me = chain.sender();
    let t = &d.tranche;
    let stress = if policy == Policy::Safeguarded { wad("0.1") } else { U256::ZERO };
    let tranche = TrancheVault::new(t.vault, p.clone());
    let market = LendingMarket::new(t.market, p.clone());
    let oracle = ICollateralOracle::new(t.oracle, p.clone());
    let senior = TrancheToken::new(t.senior, p.clone());

    // A loan at 69% of par against 100k senior tokens.
    let collateral = wad("100000");
    senior.approve(t.market, collateral).from(me).send().await?.get_receipt().await?;
    market.supplyCollateral(collateral, me).from(me).send().await?.get_receipt().await?;
    market.borrow(wad("69000"), me).from(me).send().await?.get_receipt().await?;

    // Property −60%: 0.6M of 0.9M junior gone, the senior whole.
    mark_down(&chain, &d, 2, "0.4").await?;
    let w = tranche.waterfall().call().await?;
    ensure!(w.basketValue == wad("2400000") && w.seniorClaim == wad("2100000"), "{w:?}");
    ensure!(w.juniorClaim == wad("300000"), "junior {}", w.juniorClaim);
    let price = oracle.liquidationPrice().call().await?;
    ensure!(price == expected_senior_price(&chain, &d, stress).await?, "{policy}: price {price}");
    if stress.is_zero() {
        ensure!(price == U256::from(WAD), "NAV-priced senior still at par");
    }

    // Credit −80% on top: the basket (1.6M) is below the senior principal.
    mark_down(&chain, &d, 1, "0.2").await?;
    let w = tranche.waterfall().call().await?;
    ensure!(w.basketValue == wad("1600000"), "{w:?}");
    ensure!(w.seniorClaim == w.basketValue && w.juniorClaim.is_zero(), "junior wiped first");
    let price = oracle.liquidationPrice().call().await?;
    ensure!(price == expected_senior_price(&chain, &d, stress).await?, "{policy}: price {price}");
    ensure!(price <= wad("0.762") && price > U256::ZERO, "{policy}: senior price {price}");

    let health = market.healthFactor(me).call().await?;
    ensure!(health < U256::from(WAD), "{policy}: health {health} after the senior's loss");
    let liquidator = *d.actors.get(1).context("a funded actor")?;
    let usd = Stablecoin::new(d.stablecoin, p.clone());
    usd.approve(t.market, U256::MAX).from(liquidator).send().await?.get_receipt().await?;
    // Through the project's sender: the gas estimate runs on the previous block, and mined a
    // second later the liquidation also pays for the oracle's and the market's first writes at
    // the new timestamp (unpadded, it ran out of gas on a loaded machine).
    let liquidate = market.liquidate(me, wad("10000"), U256::ZERO).from(liquidator);
    let receipt = tx::send("liquidation against the senior token", liquidate).await?;
    ensure!(receipt.status(), "liquidation against the senior token");
    ensure!(senior.balanceOf(liquidator).call().await? > wad("10000"), "seized at a discount");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn losses_reach_the_senior_through_the_junior_at_nav() -> Result<()> {
    losses_reach_the_senior_through_the_junior(Policy::NaiveNav).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn losses_reach_the_senior_through_the_junior_safeguarded() -> Result<()> {
    losses_reach_the_senior_through_the_junior(Policy::Safeguarded).await
}

#[test]
fn bad_basket_configs_name_the_field() {
    let text = "[tranche]\nmin_junior_ratio = 0.5\n\n[[constituents]]\nunit_shares = 0\n\
                [constituents.market]\nmax_ltv = 0.9\n";
    let config = BasketConfig::from_toml(text, "basket.toml").expect("parses");
    let err = config.validate(Policy::Safeguarded).expect_err("invalid").to_string();
    for needle in [
        "basket.toml: constituents[0].unit_shares = 0",
        "basket.toml: constituents[0].market.max_ltv = 0.9 must be below",
        "basket.toml: tranche.seed_junior_units = 300000 is below tranche.min_junior_ratio = 0.5",
    ] {
        assert!(err.contains(needle), "missing `{needle}` in:\n{err}");
    }
    let err = BasketConfig::from_toml("[tranche]\nstres = 0.1\n", "basket.toml")
        .expect_err("unknown field")
        .to_string();
    assert!(err.contains("basket.toml") && err.contains("stres"), "{err}");
    assert!(BasketConfig::default().validate(Policy::NaiveSpot).is_ok());
}

#[test]
fn malformed_basket_manifests_name_the_field() {
    let bad = |text: &str| {
        BasketDeployment::from_json(text, "basket.json").expect_err("malformed").to_string()
    };
    assert!(bad("[]").contains("basket.json: (root): expected an object"));
    let text = r#"{"chainId": 1, "block": 2, "timestamp": 3, "policy": "naive-nav",
        "stablecoin": "0x0000000000000000000000000000000000000001",
        "constituents": [{"symbol": "RWAT", "unitShares": "1", "contracts": {"vault": "0x12"}}]}"#;
    let err = bad(text);
    assert!(
        err.contains("basket.json: constituents[0].contracts.vault: `0x12` is not an address"),
        "{err}"
    );
}
