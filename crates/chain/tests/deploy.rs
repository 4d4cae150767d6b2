//! Deploys every policy on its own embedded Anvil and checks the wiring on chain.

use alloy::primitives::{U256, utils::parse_ether};
use anyhow::{Context, Result, ensure};
use breakwater_chain::{
    AnvilOptions, Chain, DeployConfig, Deployment, Policy, check_code, deploy, role_id,
};

/// `BreakerLevel.Normal` in `ICircuitBreaker.sol` (the bindings return the enum as a `u8`).
const BREAKER_NORMAL: u8 = 0;

async fn deployed(policy: Policy) -> Result<(Chain, Deployment)> {
    let chain = Chain::anvil(AnvilOptions::default()).await?;
    let deployment = deploy(&chain, &DeployConfig::default(), policy).await?;
    Ok((chain, deployment))
}

/// Everything every policy must get right.
async fn check_wiring(chain: &Chain, d: &Deployment) -> Result<()> {
    let config = DeployConfig::default();
    let w = d.world(chain.provider().clone());
    let c = &d.contracts;
    let me = chain.sender();
    check_code(chain, d).await?;
    ensure!(d.chain_id == chain.chain_id() && d.deployer == Some(me));

    // Market modules.
    ensure!(w.market.loanToken().call().await? == c.stablecoin, "market.loanToken");
    ensure!(w.market.collateralToken().call().await? == c.vault, "market.collateralToken");
    ensure!(w.market.oracle().call().await? == c.oracle, "market.oracle");
    ensure!(w.market.breaker().call().await? == c.breaker, "market.breaker");
    ensure!(w.market.rateModel().call().await? == c.rate_model, "market.rateModel");
    let params = w.market.params().call().await?;
    ensure!(params.maxLtv == config.market.max_ltv.raw() && params.lltv == parse_ether("0.8")?);

    // Pool and vault.
    ensure!(w.pool.base().call().await? == c.vault && w.pool.quote().call().await? == c.stablecoin);
    let reserves = w.pool_interface().getReserves().call().await?;
    let seed = parse_ether("1000000")?;
    ensure!(reserves.reserveBase == seed && reserves.reserveQuote == seed, "pool {reserves:?}");
    ensure!(w.pool.observationCardinalityNext().call().await? == 1536, "observation ring");
    ensure!(w.vault.asset().call().await? == c.stablecoin);
    for role in ["DEFAULT_ADMIN_ROLE", "NAV_REPORTER_ROLE", "NAV_CONFIRMER_ROLE", "GUARDIAN_ROLE"] {
        let id = if role == "DEFAULT_ADMIN_ROLE" { Default::default() } else { role_id(role) };
        ensure!(w.vault.hasRole(id, me).call().await?, "vault {role}");
    }
    let nav = w.vault_interface().navInfo().call().await?;
    ensure!(nav.navPerShare == parse_ether("1")?);

    // Seeded market, funded accounts, warm-up.
    let totals = w.market_interface().totals().call().await?;
    ensure!(totals.totalSupplyAssets == seed, "market supply {}", totals.totalSupplyAssets);
    ensure!(totals.totalBorrowAssets.is_zero());
    ensure!(d.actors.len() == 10 && d.actors[0] == me);
    let actor_balance = w.stablecoin.balanceOf(d.actors[3]).call().await?;
    ensure!(actor_balance == seed, "actor balance {actor_balance}");
    let ts = d.timestamp.context("timestamp")?;
    ensure!(ts >= nav.asOf + 86_400, "warm-up skipped a day");

    // The policy's modules.
    let borrow_price = w.oracle.borrowPrice().call().await?;
    ensure!(borrow_price > U256::ZERO, "{}: borrowing closed after warm-up", d.policy);
    match (d.policy.oracle(), w.conservative_oracle()) {
        (breakwater_chain::OracleKind::Conservative, Some(o)) => {
            ensure!(o.vault().call().await? == c.vault && o.pool().call().await? == c.pool);
            let p = o.params().call().await?;
            ensure!(p.longTwapWindow == 6 * 3600);
            ensure!(o.hasRole(Default::default(), me).call().await?);
        }
        (breakwater_chain::OracleKind::Spot, None) => {
            let o = breakwater_chain::bindings::SpotOracle::new(c.oracle, chain.provider());
            ensure!(o.pool().call().await? == c.pool);
        }
        (breakwater_chain::OracleKind::Nav, None) => {
            let o = breakwater_chain::bindings::NavOracle::new(c.oracle, chain.provider());
            ensure!(o.vault().call().await? == c.vault);
            ensure!(borrow_price == nav.navPerShare);
        }
        (kind, o) => anyhow::bail!("oracle {kind:?} bound as {:?}", o.map(|o| *o.address())),
    }
    match (d.policy.breaker(), w.circuit_breaker()) {
        (breakwater_chain::BreakerKind::Circuit, Some(b)) => {
            ensure!(b.market().call().await? == c.market, "breaker.market");
            ensure!(b.oracle().call().await? == c.oracle, "breaker.oracle");
            ensure!(b.hasRole(role_id("GUARDIAN_ROLE"), me).call().await?, "breaker guardian");
            ensure!(b.level().call().await? == BREAKER_NORMAL, "breaker starts at Normal");
        }
        (breakwater_chain::BreakerKind::Permissive, None) => {
            let allowance = w.breaker.previewLiquidationAllowance().call().await?;
            ensure!(allowance.seizable == U256::MAX && !allowance.confirmedOnly);
        }
        (kind, b) => anyhow::bail!("breaker {kind:?} bound as {:?}", b.map(|b| *b.address())),
    }
    Ok(())
}

macro_rules! policy_test {
    ($name:ident, $policy:expr) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() -> Result<()> {
            let (chain, d) = deployed($policy).await?;
            ensure!(d.policy == $policy);
            check_wiring(&chain, &d).await
        }
    };
}

policy_test!(deploys_naive_spot, Policy::NaiveSpot);
policy_test!(deploys_naive_nav, Policy::NaiveNav);
policy_test!(deploys_safeguarded, Policy::Safeguarded);
policy_test!(deploys_oracle_only, Policy::OracleOnly);
policy_test!(deploys_breaker_only, Policy::BreakerOnly);
policy_test!(deploys_no_slow_path, Policy::NoSlowPath);
