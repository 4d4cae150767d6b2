//! Development helpers, the manifest on disk, the allowlist and revert decoding, on a real node.

use alloy::{primitives::utils::parse_ether, providers::Provider};
use anyhow::{Context, Result, ensure};
use breakwater_chain::{
    AnvilOptions, Chain, DeployConfig, Deployment, Error, Policy, bindings, check_code, deploy,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mine_at_automine_and_snapshots() -> Result<()> {
    let chain = Chain::anvil(AnvilOptions::default()).await?;
    let p = chain.provider();
    let t0 = chain.latest_timestamp().await?;

    chain.mine_at(t0 + 1000).await?;
    ensure!(chain.latest_timestamp().await? == t0 + 1000);
    let at = chain.advance(3600).await?;
    ensure!(at == t0 + 4600 && chain.latest_timestamp().await? == at);

    let snap = chain.snapshot().await?;
    let block = chain.block_number().await?;
    chain.set_automine(false).await?;
    let (from, to) = (chain.accounts()[0], chain.accounts()[1]);
    let tx =
        alloy::rpc::types::TransactionRequest::default().from(from).to(to).value(parse_ether("1")?);
    let hash = *p.send_transaction(tx).await?.tx_hash();
    ensure!(p.get_transaction_receipt(hash).await?.is_none(), "mined with automine off");
    chain.mine_at(at + 12).await?;
    let receipt = p.get_transaction_receipt(hash).await?.context("mined")?;
    ensure!(receipt.block_number == Some(block + 1));
    chain.set_automine(true).await?;

    chain.revert(snap).await?;
    ensure!(chain.block_number().await? == block && chain.latest_timestamp().await? == at);
    // A snapshot is used up by reverting to it.
    ensure!(chain.revert(snap).await.is_err());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn manifest_round_trips_on_disk_and_matches_the_chain() -> Result<()> {
    let chain = Chain::anvil(AnvilOptions::default()).await?;
    let d = deploy(&chain, &DeployConfig::default(), Policy::NaiveNav).await?;
    let dir = std::env::temp_dir().join(format!("breakwater-manifest-{}", std::process::id()));
    let path = dir.join("nested/local.json");
    d.write(&path)?;
    let back = Deployment::load(&path)?;
    std::fs::remove_dir_all(&dir).ok();
    ensure!(back == d, "{back:?} != {d:?}");
    ensure!(back.rpc_url.as_deref() == Some(chain.url()));
    check_code(&chain, &back).await?;

    // The same manifest against another node: caught before anything is sent.
    let other = Chain::anvil(AnvilOptions::default()).await?;
    let m = check_code(&other, &back).await.err().map(|e| e.to_string()).unwrap_or_default();
    ensure!(m.starts_with("contracts.stablecoin: no contract at"), "{m}");
    let wrong = Deployment { chain_id: 1, ..back };
    ensure!(matches!(check_code(&chain, &wrong).await, Err(Error::WrongChain { .. })));
    Ok(())
}

#[tokio::test]
async fn missing_manifest_names_the_file() {
    let m = Deployment::load("/nonexistent/deployments/local.json")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(m.starts_with("/nonexistent/deployments/local.json: "), "{m}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_config_fails_before_any_transaction() -> Result<()> {
    let chain = Chain::anvil(AnvilOptions::default()).await?;
    let config = DeployConfig::from_toml(
        "[market]\nmax_ltv = 0.95\nliquidation_ltv = 0.9\n",
        "config.toml",
    )?;
    let m = deploy(&chain, &config, Policy::Safeguarded)
        .await
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    ensure!(
        m == "config.toml: market.max_ltv = 0.95 must be below market.liquidation_ltv = 0.9",
        "{m}"
    );
    ensure!(chain.block_number().await? == 0, "nothing was sent");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn allowlist_is_wired_and_reverts_are_decoded() -> Result<()> {
    let chain = Chain::anvil(AnvilOptions::default()).await?;
    let mut config = DeployConfig::from_toml("[vault]\nallowlist = true\n", "allow.toml")?;
    config.local.fund_accounts = 3;
    let d = deploy(&chain, &config, Policy::Safeguarded).await?;
    let w = d.world(chain.provider().clone());
    ensure!(w.vault.allowlistEnabled().call().await?);
    for who in [d.contracts.pool, d.contracts.market, chain.accounts()[2]] {
        ensure!(w.vault.allowlisted(who).call().await?, "{who} allowlisted");
    }
    let outsider = chain.accounts()[5];
    ensure!(!w.vault.allowlisted(outsider).call().await?);

    // A transfer to an outsider reverts with the vault's custom error, decoded with arguments.
    let err = w
        .vault
        .transfer(outsider, parse_ether("1")?)
        .from(chain.sender())
        .send()
        .await
        .err()
        .context("transfer to an outsider must revert")?;
    let revert = bindings::revert_of(&err).context("revert data")?;
    let decoded = revert.as_contract().context("a custom error")?;
    ensure!(
        matches!(
            decoded,
            bindings::ContractRevert::RwaVault(bindings::RwaVault::RwaVaultErrors::VaultNotAllowlisted(e))
                if e.account == outsider
        ),
        "{decoded:?}"
    );
    let message = bindings::revert_message(&err);
    ensure!(message == format!("reverted: VaultNotAllowlisted(account: {outsider})"), "{message}");

    // Borrowing beyond max LTV: the market's error names the borrower and both amounts.
    let borrower = chain.accounts()[1];
    let shares = parse_ether("1000")?;
    let usd = &w.stablecoin;
    usd.approve(d.contracts.vault, shares).from(borrower).send().await?.watch().await?;
    w.vault.subscribe(shares, borrower).from(borrower).send().await?.watch().await?;
    w.vault.approve(d.contracts.market, shares).from(borrower).send().await?.watch().await?;
    w.market.supplyCollateral(shares, borrower).from(borrower).send().await?.watch().await?;
    let err = w
        .market
        .borrow(parse_ether("900")?, borrower)
        .from(borrower)
        .send()
        .await
        .err()
        .context("borrowing 90% must revert")?;
    let message = bindings::revert_message(&err);
    ensure!(
        message.starts_with(&format!("reverted: MarketInsufficientCollateral(borrower: {borrower}, debt: 900000000000000000000, maxDebt: ")),
        "{message}"
    );
    Ok(())
}
