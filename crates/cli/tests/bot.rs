//! `breakwater bot` end to end: clear errors for a malformed or missing manifest, an unreachable
//! RPC or a manifest from another node, and a live run that liquidates and stops on Ctrl-C.

use std::{
    io::Read,
    process::{Command, Stdio},
    time::Duration,
};

use alloy::{
    primitives::{U256, utils::parse_ether},
    providers::Provider,
};
use anyhow::{Context, Result, ensure};
use breakwater_chain::{
    AnvilOptions, Chain, DeployConfig, Deployment, Policy, deploy, tx::send, units::Wad,
};

mod common;
use common::{breakwater, ctrl_c, hex_key, stderr, temp_dir};

const ADDRESS: &str = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

fn manifest(market: &str) -> String {
    format!(
        r#"{{"chainId": 31337, "block": 1, "policy": "naive-nav", "contracts": {{
            "stablecoin": "{ADDRESS}", "vault": "{ADDRESS}", "pool": "{ADDRESS}",
            "rateModel": "{ADDRESS}", "oracle": "{ADDRESS}", "breaker": "{ADDRESS}",
            "market": "{market}"}}}}"#
    )
}

/// `breakwater bot` with `strategy` for seized collateral, liquidating with Anvil account `i`'s
/// key from the environment, output piped.
fn bot_with_key(
    chain: &Chain,
    i: usize,
    manifest: &std::path::Path,
    strategy: &str,
) -> Result<Command> {
    let mut cmd = breakwater();
    cmd.args(["bot", "--rpc", chain.url(), "--key-env", "BW_BOT_KEY", "--strategy", strategy])
        .args(["--poll-ms", "20", "--deployment"])
        .arg(manifest)
        .env("BW_BOT_KEY", hex_key(chain, i)?)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    Ok(cmd)
}

/// A naive-nav world deployed with `config` on a fresh Anvil, its manifest written to a temporary
/// directory `name`: (chain, deployment, directory, manifest).
async fn deployed(
    config: &DeployConfig,
    name: &str,
) -> Result<(Chain, Deployment, std::path::PathBuf, std::path::PathBuf)> {
    let chain = Chain::anvil(AnvilOptions::default()).await?;
    let d = deploy(&chain, config, Policy::NaiveNav).await?;
    let dir = temp_dir(name)?;
    let file = dir.join("m.json");
    d.write(&file)?;
    Ok((chain, d, dir, file))
}

/// Lets the receipt watcher report the last outcome, sends Ctrl-C and checks the bot exits
/// cleanly; its stdout and stderr.
async fn interrupt(mut child: std::process::Child) -> Result<(String, String)> {
    tokio::time::sleep(Duration::from_millis(500)).await;
    let exit = ctrl_c(&mut child)?;
    let mut out = String::new();
    child.stdout.take().context("stdout")?.read_to_string(&mut out)?;
    let mut err = String::new();
    child.stderr.take().context("stderr")?.read_to_string(&mut err)?;
    ensure!(exit.success(), "Ctrl-C is a clean exit: {exit}\n{err}");
    Ok((out, err))
}

#[test]
fn malformed_or_missing_manifest_names_the_file_and_field() -> Result<()> {
    let dir = temp_dir("malformed")?;
    let file = dir.join("bad.json");
    std::fs::write(&file, manifest("0x1234"))?;
    // The file is checked before the RPC: the (unreachable) URL is never tried.
    let run = breakwater()
        .args(["bot", "--rpc", "http://127.0.0.1:9", "--deployment"])
        .arg(&file)
        .output()?;
    ensure!(!run.status.success());
    let expected =
        format!("error: {}: contracts.market: `0x1234` is not an address", file.display());
    ensure!(stderr(&run).contains(&expected), "{}", stderr(&run));

    std::fs::write(&file, "{\"chainId\": 31337")?;
    let run = breakwater()
        .args(["bot", "--rpc", "http://127.0.0.1:9", "--deployment"])
        .arg(&file)
        .output()?;
    ensure!(
        stderr(&run).contains(&format!("{}: (root): not JSON", file.display())),
        "{}",
        stderr(&run)
    );

    let missing = dir.join("nope.json");
    let run = breakwater()
        .args(["bot", "--rpc", "http://127.0.0.1:9", "--deployment"])
        .arg(&missing)
        .output()?;
    ensure!(!run.status.success());
    ensure!(stderr(&run).contains(&format!("error: {}: ", missing.display())), "{}", stderr(&run));
    std::fs::remove_dir_all(dir).ok();
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_rpc_or_foreign_manifest_is_a_clear_error() -> Result<()> {
    let dir = temp_dir("rpc")?;
    let file = dir.join("m.json");
    std::fs::write(&file, manifest(ADDRESS))?;
    let run = breakwater()
        .args(["bot", "--rpc", "http://127.0.0.1:9", "--deployment"])
        .arg(&file)
        .output()?;
    ensure!(!run.status.success());
    ensure!(
        stderr(&run).contains("RPC endpoint http://127.0.0.1:9 is unreachable"),
        "{}",
        stderr(&run)
    );

    let run = breakwater()
        .args(["bot", "--rpc", "localhost:8545", "--deployment"])
        .arg(&file)
        .output()?;
    ensure!(stderr(&run).contains("invalid RPC URL `localhost:8545`"), "{}", stderr(&run));

    // A live node where the manifest's contracts do not exist (another chain, a restarted node).
    let node = Chain::anvil(AnvilOptions::default()).await?;
    let run =
        breakwater().args(["bot", "--rpc", node.url(), "--deployment"]).arg(&file).output()?;
    ensure!(!run.status.success());
    ensure!(stderr(&run).contains("contracts.stablecoin: no contract at"), "{}", stderr(&run));
    std::fs::remove_dir_all(dir).ok();
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn liquidates_with_a_key_from_the_environment_and_stops_on_ctrl_c() -> Result<()> {
    let mut config = DeployConfig::default();
    config.vault.max_nav_move = Wad::from_raw(parse_ether("0.5")?);
    let (chain, d, dir, file) = deployed(&config, "live").await?;
    let w = d.world(chain.provider().clone());

    // One position: 100 collateral, 68 debt; liquidatable below NAV 0.85.
    let borrower = chain.accounts()[5];
    let c = parse_ether("100")?;
    send("approve", w.stablecoin.approve(*w.vault.address(), c).from(borrower)).await?;
    send("subscribe", w.vault.subscribe(c, borrower).from(borrower)).await?;
    send("approve", w.vault.approve(*w.market.address(), c).from(borrower)).await?;
    send("collateral", w.market.supplyCollateral(c, borrower).from(borrower)).await?;
    send("borrow", w.market.borrow(parse_ether("68")?, borrower).from(borrower)).await?;

    let liquidator = chain.accounts()[2];
    let child = bot_with_key(&chain, 2, &file, "hold")?.spawn()?;

    // Once the bot has approved the market, it is indexing: move the price.
    let allowance = || async {
        w.stablecoin.allowance(liquidator, *w.market.address()).call().await.unwrap_or_default()
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while allowance().await.is_zero() {
        ensure!(tokio::time::Instant::now() < deadline, "the bot never approved the market");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let at = chain.latest_timestamp().await?;
    send("reportNav", w.vault.reportNav(parse_ether("0.8")?, at).from(chain.sender())).await?;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while w.vault.balanceOf(liquidator).call().await? == U256::ZERO {
        ensure!(tokio::time::Instant::now() < deadline, "no liquidation");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (_, shares, _) = w.market.position(borrower).call().await?.into();
    ensure!(shares > U256::ZERO, "half the debt remains (close factor 0.5)");
    ensure!(chain.provider().get_transaction_count(liquidator).await? == 2, "approve + liquidate");

    let (out, _) = interrupt(child).await?;
    ensure!(
        out.contains("1 liquidations (0 slow, 0 slow settled)") && out.contains("1 mined"),
        "{out}"
    );
    std::fs::remove_dir_all(dir).ok();
    Ok(())
}

/// `--strategy sell-or-redeem` prices a redemption with the vault's own notice and epoch.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sell_or_redeem_reads_the_vault_redemption_terms() -> Result<()> {
    let mut config = DeployConfig::default();
    config.vault.notice_period = breakwater_chain::units::Seconds::days(7);
    let (chain, d, dir, file) = deployed(&config, "redeem").await?;
    let mut cmd = bot_with_key(&chain, 2, &file, "sell-or-redeem")?;
    let child = cmd
        .args(["--cost-of-capital", "8%", "--risk-premium", "0"])
        .env("RUST_LOG", "breakwater=info")
        .spawn()?;
    // Running once it has approved the market.
    let usd = d.world(chain.provider().clone()).stablecoin;
    let liquidator = chain.accounts()[2];
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while usd.allowance(liquidator, d.contracts.market).call().await?.is_zero() {
        ensure!(tokio::time::Instant::now() < deadline, "the bot never approved the market");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (out, err) = interrupt(child).await?;
    // Seven days' notice plus the one-day epoch.
    ensure!(err.contains("wait_s=691200 epoch_s=86400"), "stderr: {err}");
    ensure!(out.contains("0 redemptions (0 claims)"), "{out}");
    std::fs::remove_dir_all(dir).ok();
    Ok(())
}

/// A basket manifest points the bot at the senior-tranche market.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watches_the_senior_tranche_market_of_a_basket_manifest() -> Result<()> {
    use breakwater_chain::{
        BasketConfig,
        bindings::{LendingMarket, RwaVault, Stablecoin, TrancheToken},
        deploy_basket,
    };
    let chain = Chain::anvil(AnvilOptions::default()).await?;
    let d = deploy_basket(&chain, &BasketConfig::default(), Policy::NaiveNav).await?;
    let dir = temp_dir("basket")?;
    let file = dir.join("basket.json");
    d.write(&file)?;
    let (p, me, t) = (chain.provider().clone(), chain.sender(), d.tranche);
    let senior = TrancheToken::new(t.senior, p.clone());
    let market = LendingMarket::new(t.market, p.clone());

    // 100 senior tokens, 69 borrowed: liquidatable once the senior is worth less than 0.8625.
    let borrower = chain.accounts()[5];
    let c = parse_ether("100")?;
    send("transfer", senior.transfer(borrower, c).from(me)).await?;
    send("approve", senior.approve(t.market, c).from(borrower)).await?;
    send("collateral", market.supplyCollateral(c, borrower).from(borrower)).await?;
    send("borrow", market.borrow(parse_ether("69")?, borrower).from(borrower)).await?;

    // A tranche token has no redemption queue: a bot that would redeem is refused up front.
    let refused = breakwater()
        .args(["bot", "--rpc", chain.url(), "--strategy", "sell-or-redeem", "--deployment"])
        .arg(&file)
        .output()?;
    ensure!(!refused.status.success());
    ensure!(stderr(&refused).contains("not redeemable"), "{}", stderr(&refused));

    // Its own key: the deployer's nonces belong to this test.
    let liquidator = chain.accounts()[2];
    let child =
        bot_with_key(&chain, 2, &file, "hold")?.env("RUST_LOG", "breakwater=info").spawn()?;
    let usd = Stablecoin::new(d.stablecoin, p.clone());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while usd.allowance(liquidator, t.market).call().await?.is_zero() {
        ensure!(tokio::time::Instant::now() < deadline, "the bot never approved the market");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Read before the NAVs move: the bot may liquidate within a block of the last report.
    let held = senior.balanceOf(liquidator).call().await?;
    // Property −60% and credit −80%: the basket is 1.6 per unit against 2.1 of senior principal.
    for (index, nav) in [(2, "0.4"), (1, "0.2")] {
        let vault = RwaVault::new(d.constituents[index].contracts.vault, p.clone());
        let at = chain.latest_timestamp().await?;
        send("reportNav", vault.reportNav(parse_ether(nav)?, at).from(me)).await?;
        send("confirmNav", vault.confirmNav().from(me)).await?;
    }
    // Generous: a loaded CI machine runs the debug bot slowly; on a miss, the bot's own logs say
    // what it saw.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(90);
    while senior.balanceOf(liquidator).call().await? == held {
        if tokio::time::Instant::now() >= deadline {
            let (out, err) = interrupt(child).await?;
            anyhow::bail!("no liquidation of the senior position\nstderr: {err}\nstdout: {out}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let (out, err) = interrupt(child).await?;
    ensure!(err.contains("senior-tranche market"), "stderr: {err}\nstdout: {out}");
    ensure!(out.contains("liquidations (0 slow,") && !out.contains(" 0 liquidations"), "{out}");
    std::fs::remove_dir_all(dir).ok();
    Ok(())
}
