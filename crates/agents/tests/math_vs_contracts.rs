//! `breakwater_agents::math` copies the contracts' fixed-point math so that the bot's local health
//! checks, liquidation amounts and sale quotes agree with what the contracts compute. This test
//! makes "bit for bit" a tested claim: every copy is compared with the contract's own code on a
//! grid of inputs (zero, 1 wei, dust, the virtual shares, one wad and its neighbours, awkward
//! values, 1e30, and the type limits where the Rust side documents its behaviour), all on one
//! embedded Anvil.
//!
//! The contracts' internal functions are reached through test harnesses compiled with the others
//! (`contracts/test/MathHarness.sol`, `contracts/test/LendingMarketHarness.sol`); the pool's
//! `getAmountOut` is called on a real `ConstantProductPool` whose reserves are written directly.
//! Where the contract reverts (overflow, division by zero), the Rust copy must saturate at
//! `U256::MAX`, as `math` documents.

use std::{future::Future, pin::Pin};

use alloy::{
    primitives::{Address, B256, U256},
    providers::{Provider, ext::AnvilApi},
};
use anyhow::{Context, Result, bail, ensure};
use breakwater_agents::math;
use breakwater_bindings::{ConstantProductPool, LendingMarketHarness, MathHarness};
use breakwater_chain::{AnvilOptions, Chain};
use tokio::task::JoinSet;

const WAD: u128 = 1_000_000_000_000_000_000;

fn u(x: u128) -> U256 {
    U256::from(x)
}

fn e(n: usize) -> U256 {
    U256::from(10).pow(U256::from(n))
}

/// Amounts, prices and factors: zero, 1 wei, dust, around the virtual shares (1e6), around one
/// wad, an awkward 21-digit value, 1e24 and 1e30.
fn grid() -> Vec<U256> {
    vec![
        U256::ZERO,
        u(1),
        u(2),
        u(999_999),
        u(1_000_000),
        u(1_000_001),
        u(WAD - 1),
        u(WAD),
        u(WAD + 1),
        u(123_456_789_012_345_678_901),
        e(24),
        e(30),
    ]
}

/// The grid with the type limit and a value just past 2^128, for the raw mulDiv helpers.
fn wide_grid() -> Vec<U256> {
    let mut g = grid();
    g.extend([(U256::from(1) << 128) + U256::from(3), U256::MAX - U256::from(1), U256::MAX]);
    g
}

/// What a contract call gave: a value, or a revert (any other error fails the test).
type Outcome<T> = Option<T>;

fn outcome<T>(r: Result<T, alloy::contract::Error>) -> Result<Outcome<T>> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.as_revert_data().is_some() => Ok(None),
        Err(e) => Err(e).context("contract call failed without reverting"),
    }
}

/// A check: `None` when the Rust copy agrees, else what differed.
type Check = Pin<Box<dyn Future<Output = Result<Option<String>>> + Send>>;

/// Runs every check with at most 32 calls in flight; fails with every mismatch (the first 20).
async fn run(what: &str, checks: Vec<Check>) -> Result<usize> {
    let total = checks.len();
    let mut queue = checks.into_iter();
    let mut running = JoinSet::new();
    let mut mismatches = vec![];
    loop {
        while running.len() < 32 {
            let Some(check) = queue.next() else { break };
            running.spawn(check);
        }
        let Some(done) = running.join_next().await else { break };
        if let Some(m) = done?? {
            mismatches.push(m);
        }
    }
    if !mismatches.is_empty() {
        let shown: Vec<&String> = mismatches.iter().take(20).collect();
        bail!(
            "{what}: {} of {total} inputs differ from the contract, e.g.\n  {}",
            mismatches.len(),
            shown.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n  ")
        );
    }
    Ok(total)
}

/// Compares a contract outcome with the Rust value: equal, or a revert where Rust saturates.
fn compare(name: String, contract: Outcome<U256>, rust: U256) -> Option<String> {
    match contract {
        Some(v) if v == rust => None,
        None if rust == U256::MAX => None,
        Some(v) => Some(format!("{name}: contract {v}, Rust {rust}")),
        None => Some(format!("{name}: contract reverts, Rust {rust} (should saturate at MAX)")),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rust_math_matches_the_contracts_on_a_grid() -> Result<()> {
    let chain = Chain::anvil(AnvilOptions::default()).await?;
    let provider = chain.provider().clone();
    let mut calls = 0;

    // ---------------------------------------------------------------- WadMath and SharesMath
    let h = MathHarness::deploy(provider.clone()).await?;
    let (g, wide) = (grid(), wide_grid());
    let mut checks: Vec<Check> = vec![];
    for &x in &wide {
        for &y in &wide {
            for &d in &wide {
                let h = h.clone();
                checks.push(Box::pin(async move {
                    let down = outcome(h.mulDivDown(x, y, d).call().await)?;
                    let up = outcome(h.mulDivUp(x, y, d).call().await)?;
                    Ok(compare(
                        format!("mulDivDown({x}, {y}, {d})"),
                        down,
                        math::mul_div_down(x, y, d),
                    )
                    .or(compare(
                        format!("mulDivUp({x}, {y}, {d})"),
                        up,
                        math::mul_div_up(x, y, d),
                    )))
                }));
            }
            let h = h.clone();
            checks.push(Box::pin(async move {
                let pairs = [
                    (
                        "mulWadDown",
                        outcome(h.mulWadDown(x, y).call().await)?,
                        math::mul_wad_down(x, y),
                    ),
                    ("mulWadUp", outcome(h.mulWadUp(x, y).call().await)?, math::mul_wad_up(x, y)),
                    (
                        "divWadDown",
                        outcome(h.divWadDown(x, y).call().await)?,
                        math::div_wad_down(x, y),
                    ),
                    ("divWadUp", outcome(h.divWadUp(x, y).call().await)?, math::div_wad_up(x, y)),
                ];
                Ok(pairs.into_iter().find_map(|(f, c, r)| compare(format!("{f}({x}, {y})"), c, r)))
            }));
        }
    }
    calls += run("WadMath", checks).await? * 3;

    // Shares against totals: the market keeps totals in 128 bits, so the grid stops at 2^128 − 1.
    let mut totals = g.clone();
    totals.push(U256::from(u128::MAX));
    let mut checks: Vec<Check> = vec![];
    for &amount in &totals {
        for &assets in &totals {
            for &shares in &totals {
                let h = h.clone();
                checks.push(Box::pin(async move {
                    let up = outcome(h.toAssetsUp(amount, assets, shares).call().await)?;
                    let down = outcome(h.toSharesDown(amount, assets, shares).call().await)?;
                    let name = |f: &str| format!("{f}({amount}, {assets}, {shares})");
                    Ok(compare(name("toAssetsUp"), up, math::to_assets_up(amount, assets, shares))
                        .or(compare(
                            name("toSharesDown"),
                            down,
                            math::to_shares_down(amount, assets, shares),
                        )))
                }));
            }
        }
    }
    calls += run("SharesMath", checks).await? * 2;

    // ---------------------------------------------------------------- the market's formulas
    // (LLTV, close factor, dust debt): the defaults, the bounds, and awkward values.
    let configs = [
        (u(8 * WAD / 10), u(WAD / 2), u(WAD)),
        (u(5 * WAD / 100), u(5 * WAD / 100), U256::ZERO),
        (u(98 * WAD / 100), u(WAD), e(24)),
        (u(WAD / 2), u(WAD / 3), u(1)),
        (u(123_456_789_012_345_678), u(777_777_777_777_777_777), u(12_345)),
    ];
    let prices = [U256::ZERO, u(1), u(WAD / 2), u(WAD - 1), u(WAD), u(3 * WAD + 7), e(30)];
    for (i, &(lltv, close_factor, dust)) in configs.iter().enumerate() {
        let m = LendingMarketHarness::deploy(provider.clone(), lltv, close_factor, dust).await?;
        let lif = m.liquidationIncentiveFactor().call().await?;
        ensure!(
            lif == math::liquidation_incentive_factor(lltv),
            "liquidationIncentiveFactor at LLTV {lltv}: contract {lif}, Rust {}",
            math::liquidation_incentive_factor(lltv)
        );
        let mut checks: Vec<Check> = vec![];
        for &debt in &g {
            let mm = m.clone();
            checks.push(Box::pin(async move {
                let c = outcome(mm.maxRepayOf(debt).call().await)?;
                Ok(compare(
                    format!("maxRepay({debt}) at close factor {close_factor}, dust {dust}"),
                    c,
                    math::max_repay(debt, close_factor, dust),
                ))
            }));
            for &collateral in &g {
                for &price in &prices {
                    let m = m.clone();
                    checks.push(Box::pin(async move {
                        let c = outcome(m.healthFactorOf(collateral, debt, price).call().await)?;
                        Ok(compare(
                            format!("healthFactor({collateral}, {debt}, {price}) at LLTV {lltv}"),
                            c,
                            math::health_factor(collateral, debt, price, lltv),
                        ))
                    }));
                }
            }
        }
        calls += run("health factor and close factor", checks).await? + 1;

        // A fast liquidation's amounts, as the bot composes them, at several borrow totals
        // (fresh: 1e6 shares per asset; after interest; shares worth more than an asset).
        if i > 2 {
            continue;
        }
        let totals = [
            (U256::ZERO, U256::ZERO),
            (e(21), e(27)),
            (e(21) + u(12_345), e(27) - u(7)),
            (e(30), e(30)),
            (u(5), u(3)),
        ];
        let owed = [U256::ZERO, u(1), u(999_999), u(1_000_000), e(24), e(27) / u(3)];
        let collateral = [U256::ZERO, u(1), u(WAD), e(21), e(30)];
        let repay = [U256::ZERO, u(1), u(WAD), e(21), U256::MAX];
        let mut checks: Vec<Check> = vec![];
        for &(assets, shares) in &totals {
            for &o in &owed {
                for &c in &collateral {
                    for &p in &prices[..6] {
                        for &r in &repay {
                            let m = m.clone();
                            checks.push(Box::pin(async move {
                                check_liquidation(
                                    m,
                                    (lltv, close_factor, dust, lif),
                                    o,
                                    c,
                                    p,
                                    r,
                                    assets,
                                    shares,
                                )
                                .await
                            }));
                        }
                    }
                }
            }
        }
        calls += run("liquidation amounts", checks).await?;
    }

    // ---------------------------------------------------------------- the pool
    calls += check_pool(&chain).await?;
    eprintln!("{calls} contract calls agree with breakwater_agents::math");
    Ok(())
}

/// `LendingMarket._liquidationAmounts` against the Rust steps the bot takes: the debt from the
/// shares owed, the health factor, `max_repay`, `liquidation_amounts`, then the repayment's
/// conversion to shares and back as the market does it.
#[allow(clippy::too_many_arguments)]
async fn check_liquidation<P: alloy::providers::Provider + Clone>(
    m: LendingMarketHarness::LendingMarketHarnessInstance<P>,
    (lltv, close_factor, dust, lif): (U256, U256, U256, U256),
    owed: U256,
    collateral: U256,
    price: U256,
    repay: U256,
    assets: U256,
    shares: U256,
) -> Result<Option<String>> {
    let (a128, s128) = (assets.to::<u128>(), shares.to::<u128>());
    let c = m.liquidationAmountsOf(owed, collateral, price, repay, a128, s128).call().await?;
    let debt = math::to_assets_up(owed, assets, shares);
    let mut rust = (debt, U256::ZERO, U256::ZERO, U256::ZERO, U256::ZERO);
    if !price.is_zero() {
        rust.1 = math::health_factor(collateral, debt, price, lltv);
        if rust.1 < u(WAD) {
            let cap = math::max_repay(debt, close_factor, dust);
            let (repaid, seized) = math::liquidation_amounts(repay, cap, collateral, price, lif);
            let repaid_shares =
                if repaid >= debt { owed } else { math::to_shares_down(repaid, assets, shares) };
            let final_repaid = math::to_assets_up(repaid_shares, assets, shares);
            // The conversion to shares never makes a liquidation repay more than computed.
            if final_repaid > repaid {
                return Ok(Some(format!(
                    "repayment rounds up from {repaid} to {final_repaid} (owed {owed}, totals {assets}/{shares})"
                )));
            }
            rust = (debt, rust.1, final_repaid, repaid_shares, seized);
        }
    }
    let contract = (c.debt, c.healthFactor, c.repaid, c.repaidShares, c.seized);
    Ok((contract != rust).then(|| {
        format!(
            "liquidation of owed {owed}, collateral {collateral}, price {price}, repay {repay} at \
             totals {assets}/{shares}, LLTV {lltv}: contract (debt, hf, repaid, shares, seized) = \
             {contract:?}, Rust {rust:?}"
        )
    }))
}

/// The pool's fee and `getAmountOut` against `math::amm_amount_out`, on a grid of reserves
/// (written into the pool's storage) and amounts, in both directions.
async fn check_pool(chain: &Chain) -> Result<usize> {
    let provider = chain.provider().clone();
    let (base, quote) = (Address::repeat_byte(0xb1), Address::repeat_byte(0xc2));
    let pool = ConstantProductPool::deploy(
        provider.clone(),
        base,
        quote,
        "probe".into(),
        "P".into(),
        60,
        1,
    )
    .await?;
    let fee = pool.FEE_BPS().call().await?;
    ensure!(
        fee == U256::from(math::POOL_FEE_BPS),
        "ConstantProductPool.FEE_BPS = {fee}, math::POOL_FEE_BPS = {}",
        math::POOL_FEE_BPS
    );
    ensure!(
        math::POOL_FEE_FACTOR == 0.997
            && math::POOL_FEE_FACTOR == 1.0 - fee.to::<u64>() as f64 / 1e4,
        "math::POOL_FEE_FACTOR = {} is not 1 − FEE_BPS/10,000",
        math::POOL_FEE_FACTOR
    );

    // The reserves' slot: the one whose value getReserves reads back (reserveBase in the low
    // 112 bits, reserveQuote above it, then the 32-bit lastUpdate).
    let packed = |rb: U256, rq: U256| B256::from(rb | (rq << 112));
    let mut slot = None;
    for s in 0..64u64 {
        let s = U256::from(s);
        let before = provider.get_storage_at(*pool.address(), s).await?;
        provider.anvil_set_storage_at(*pool.address(), s, packed(u(7), u(11))).await?;
        let r = pool.getReserves().call().await;
        provider.anvil_set_storage_at(*pool.address(), s, B256::from(before)).await?;
        if r.is_ok_and(|r| r._0 == u(7) && r._1 == u(11)) {
            slot = Some(s);
            break;
        }
    }
    let slot = slot.context("no storage slot of the pool holds its reserves")?;

    let max112 = (U256::from(1) << 112) - U256::from(1);
    let reserves = [
        (u(1), u(1)),
        (u(1), e(30)),
        (e(30), u(1)),
        (u(WAD), u(WAD)),
        (e(24), u(3) * e(24) + u(7)),
        (u(999), u(1_000_003)),
        (max112, max112),
    ];
    let amounts = [U256::ZERO, u(1), u(2), u(333), u(WAD - 1), u(WAD), e(24), e(30), max112];
    let mut total = 0;
    for (rb, rq) in reserves {
        provider.anvil_set_storage_at(*pool.address(), slot, packed(rb, rq)).await?;
        let mut checks: Vec<Check> = vec![];
        for amount in amounts {
            for (token_in, r_in, r_out) in [(base, rb, rq), (quote, rq, rb)] {
                let pool = pool.clone();
                checks.push(Box::pin(async move {
                    let c = outcome(pool.getAmountOut(token_in, amount).call().await)?;
                    Ok(compare(
                        format!("getAmountOut({amount}) at reserves in {r_in}, out {r_out}"),
                        c,
                        math::amm_amount_out(amount, r_in, r_out),
                    ))
                }));
            }
        }
        total += run("pool getAmountOut", checks).await?;
    }
    Ok(total)
}
