//! `breakwater bench bot`: the liquidation bot at scale on an embedded Anvil. `breakwater bench
//! sim`: the scenario engine's transactions per second beside raw Anvil transfers (see
//! [`bench_sim`]).
//!
//! Deploys the naive-nav world, opens N positions with real transactions (each borrower is its
//! own key: the deployer funds it with gas and posts its collateral, then the borrower borrows;
//! all pipelined with explicit nonces, automine off, mined in full blocks), starts the bot and lets it index them,
//! then mines blocks by hand: quiet blocks to time the per-block scan, then the block that
//! reports a lower NAV, making a chosen fraction of the positions liquidatable, then blocks
//! until every one of them is liquidated. Prints the scan time (median and worst) and how many
//! blocks after eligibility each position was liquidated.

use std::{
    path::PathBuf,
    time::{Duration, Instant},
};

use alloy::{
    network::{EthereumWallet, TransactionBuilder},
    primitives::{Address, B256, TxHash, U256, keccak256},
    providers::{DynProvider, Provider, ProviderBuilder, ext::AnvilApi},
    rpc::types::{Filter, TransactionRequest},
    signers::local::PrivateKeySigner,
    sol_types::SolEvent,
};
use anyhow::{Context, Result, bail, ensure};
use breakwater_agents::{
    CancellationToken, LiquidationBot, Scan, SharedMetrics,
    liquidation::{CollateralPolicy, LiquidationConfig},
    math::WAD,
};
use breakwater_chain::{
    AnvilOptions, Chain, DeployConfig, Deployment, Policy, bindings::LendingMarket, deploy, dev,
    tx::send, units::Wad,
};
use breakwater_sim::{
    BackendKind, RunOptions, Scenario,
    bench::{Rate, raw_transfer_rate},
};
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tracing::info;

use crate::{
    out::outln,
    progress::{Reporter, Ui},
};

/// Arguments of `breakwater bench`.
#[derive(Debug, Args)]
pub(crate) struct BenchArgs {
    #[command(subcommand)]
    target: BenchTarget,
}

#[derive(Debug, Subcommand)]
enum BenchTarget {
    /// The liquidation bot: per-block scan time and blocks from eligibility to liquidation.
    Bot(BotBenchArgs),
    /// The scenario engine: its transactions per second beside raw Anvil transfers.
    Sim(SimBenchArgs),
}

/// Arguments of `breakwater bench sim`.
#[derive(Debug, Args)]
struct SimBenchArgs {
    /// The scenario [default: the shipped credit-default ripple].
    #[arg(long, value_name = "FILE")]
    scenario: Option<PathBuf>,
    /// The policy.
    #[arg(long, default_value_t = Policy::Safeguarded, value_parser = crate::policy_parser())]
    policy: Policy,
    /// RNG seed.
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

/// Arguments of `breakwater bench bot`.
#[derive(Debug, Args)]
struct BotBenchArgs {
    /// Positions to open (one borrower key each).
    #[arg(long, default_value_t = 10_000)]
    positions: usize,

    /// Fraction of the positions the NAV drop makes liquidatable.
    #[arg(long, default_value_t = 0.02)]
    liquidatable: f64,

    /// Quiet blocks over which the scan time is measured.
    #[arg(long, default_value_t = 50)]
    blocks: u64,

    /// The node's block gas limit (Ethereum mainnet's was 30M for years).
    #[arg(long, default_value_t = 30_000_000)]
    gas_limit: u64,
}

impl BenchArgs {
    /// `bench sim` runs a scenario, whose deployment logs would bury its figures.
    pub(crate) fn runs_scenarios(&self) -> bool {
        matches!(self.target, BenchTarget::Sim(_))
    }
}

pub(crate) async fn run(args: BenchArgs, ui: Ui) -> Result<()> {
    match args.target {
        BenchTarget::Bot(args) => bench_bot(args, ui).await,
        BenchTarget::Sim(args) => bench_sim(args, ui).await,
    }
}

/// The same scenario run on each backend (same seed, so the same transactions), then raw
/// transfers at the run's average block size on a lab Anvil: each backend's seconds per path and
/// rate, the in-process speed-up, and the Anvil engine's overhead over raw transfers.
async fn bench_sim(args: SimBenchArgs, ui: Ui) -> Result<()> {
    let path = args.scenario.unwrap_or_else(|| crate::scenarios::shipped("credit-default.toml"));
    let scenario = Scenario::load(&path)?;
    let what = format!("bench sim: {} under {}, seed {}", scenario.name(), args.policy, args.seed);
    outln!("{what}")?;
    let mut rates = Vec::new();
    for backend in BackendKind::ALL {
        let progress = Reporter::start(ui.mode(), format!("{what} on {backend}"), 1);
        let options =
            RunOptions { progress: progress.callback(), backend, ..RunOptions::default() };
        let started = Instant::now();
        let outcome = breakwater_sim::run(&scenario, args.policy, args.seed, &options).await;
        let path_seconds = started.elapsed().as_secs_f64();
        progress.finish();
        let outcome = outcome?;
        let rate = Rate { transactions: outcome.transactions, seconds: outcome.seconds };
        outln!(
            "  {backend:>5}: {} transactions in {} blocks: {:.2} s stepping ({:.0} tx/s, {:.0} blocks/s), {:.2} s per path with deployment",
            rate.transactions,
            outcome.blocks,
            rate.seconds,
            rate.per_second(),
            outcome.blocks as f64 / rate.seconds.max(f64::EPSILON),
            path_seconds
        )?;
        rates.push((rate, outcome.blocks, path_seconds));
    }
    let [(evm, _, evm_path), (anvil, blocks_run, anvil_path)] = rates[..] else {
        bail!("both backends ran");
    };
    outln!(
        "  evm / anvil: {:.1}x stepping, {:.1}x per path with deployment",
        anvil.seconds / evm.seconds.max(f64::EPSILON),
        anvil_path / evm_path.max(f64::EPSILON)
    )?;
    let per_block = (anvil.transactions / blocks_run.max(1)).max(1) as usize;
    let blocks = blocks_run.min(200);
    let raw = raw_transfer_rate(per_block, blocks, &RunOptions::default()).await?;
    outln!(
        "  raw Anvil transfers: {} in {blocks} blocks of {per_block}, {:.2} s: {:.0} tx/s (anvil engine / raw: {:.2})",
        raw.transactions,
        raw.seconds,
        raw.per_second(),
        anvil.per_second() / raw.per_second().max(f64::EPSILON)
    )?;
    Ok(())
}

/// Collateral per position, and the debt range (at NAV 1, max LTV 0.7).
const COLLATERAL: u64 = 100;
const DEBT_MIN: f64 = 50.0;
const DEBT_MAX: f64 = 69.9;
/// Gas price offered by the bench's own transactions (wei): far above Anvil's base fee.
const MAX_FEE: u128 = 50_000_000_000;
const TIP: u128 = 1_000_000_000;

fn wad(x: f64) -> U256 {
    U256::from((x * 1e9).round() as u128) * U256::from(1_000_000_000u64)
}

/// Borrower `i`'s debt: spread evenly over [DEBT_MIN, DEBT_MAX].
fn debt_of(i: usize, n: usize) -> f64 {
    let frac = if n > 1 { i as f64 / (n - 1) as f64 } else { 1.0 };
    ((DEBT_MIN + (DEBT_MAX - DEBT_MIN) * frac) * 1e6).round() / 1e6
}

async fn bench_bot(args: BotBenchArgs, ui: Ui) -> Result<()> {
    ensure!(args.positions > 0, "--positions must be at least 1");
    ensure!(
        args.liquidatable > 0.0 && args.liquidatable < 1.0,
        "--liquidatable must be in (0, 1), got {}",
        args.liquidatable
    );
    let gas_limit = args.gas_limit.to_string();
    let chain = Chain::anvil(AnvilOptions {
        args: vec!["--gas-limit".into(), gas_limit],
        ..AnvilOptions::default()
    })
    .await?;
    let started = Instant::now();
    let (deployment, borrowers) = open_positions(&chain, args.positions, ui).await?;
    let n = args.positions;
    let world = deployment.world(chain.provider().clone());
    let me = chain.sender();
    let open_time = started.elapsed();
    info!(positions = n, secs = open_time.as_secs_f64(), "positions opened");

    // ------------------------------------------------------------ the bot indexes them
    let liquidator = chain.accounts()[1];
    let config = LiquidationConfig {
        collateral: CollateralPolicy::Hold,
        ..LiquidationConfig::new(liquidator)
    };
    let bot = LiquidationBot::new(
        chain.provider().clone(),
        deployment.market_addresses(),
        deployment.block,
        config,
    )
    .poll_interval(Duration::from_millis(2));
    let metrics = bot.metrics();
    let cancel = CancellationToken::new();
    let handle = tokio::spawn(bot.run(cancel.clone()));
    let head = chain.block_number().await?;
    let index_started = Instant::now();
    wait_for(&metrics, 120, |m| {
        m.last_block >= head && m.scans.last().is_some_and(|s| s.indexed == n)
    })
    .await
    .context("the bot did not index every position")?;
    let index_time = index_started.elapsed();

    // ------------------------------------------------------------ quiet blocks: scan time
    dev::set_automine(chain.provider(), false).await?;
    let mut quiet = Vec::new();
    for _ in 0..args.blocks {
        let block = mine(&chain, &metrics).await?;
        quiet.push(scan_of(&metrics, block)?);
    }

    // ------------------------------------------------------------ the NAV drop
    // Liquidatable once debt > 100 × nav × 0.8: pick the NAV for the wanted fraction.
    let threshold = DEBT_MAX - (DEBT_MAX - DEBT_MIN) * args.liquidatable;
    let nav = threshold / (COLLATERAL as f64 * 0.8);
    let expected: Vec<Address> =
        (0..n).filter(|&i| debt_of(i, n) > threshold + 1e-6).map(|i| borrowers[i]).collect();
    let at = chain.latest_timestamp().await?;
    let before = metrics.read(|m| (m.agent, m.sent));
    // Explicit nonce: the provider's nonce cache has not seen the pipelined transactions.
    let nonce = chain.provider().get_transaction_count(me).await?;
    let report = world.vault.reportNav(wad(nav), at).from(me).gas(200_000).nonce(nonce);
    let pending = report.send().await?;
    let eligible = mine(&chain, &metrics).await?;
    let reaction_started = Instant::now();
    ensure!(pending.get_receipt().await?.status(), "reportNav reverted");
    // Wait until every planned transaction is out (sent, or refused in simulation).
    wait_for(&metrics, 120, |m| {
        let (a, b) = (&m.agent, &before.0);
        let planned = a.liquidations - b.liquidations;
        let settled = (m.sent - before.1) + (a.lost_races + a.reverts + a.failures)
            - (b.lost_races + b.reverts + b.failures);
        m.last_block >= eligible && planned > 0 && settled >= planned
    })
    .await
    .context("the bot did not act on the NAV drop")?;
    let reaction = reaction_started.elapsed();
    let eligible_scan = scan_of(&metrics, eligible)?;

    let liquidated = liquidations_after(&chain, &deployment, &metrics, eligible, &expected).await?;
    cancel.cancel();
    handle.await.context("bot task")??;

    let figures = BotFigures {
        n,
        open_time,
        index_time,
        quiet,
        eligible,
        eligible_scan,
        nav,
        expected,
        liquidated,
        reaction,
        gas_limit: args.gas_limit,
    };
    figures.print()
}

/// What `bench bot` measured.
struct BotFigures {
    n: usize,
    open_time: Duration,
    index_time: Duration,
    quiet: Vec<Scan>,
    eligible: u64,
    eligible_scan: Scan,
    nav: f64,
    expected: Vec<Address>,
    liquidated: std::collections::BTreeMap<Address, u64>,
    reaction: Duration,
    gas_limit: u64,
}

impl BotFigures {
    /// Prints the figures; fails if a liquidatable position was missed.
    fn print(&self) -> Result<()> {
        let Self {
            n,
            open_time,
            index_time,
            quiet,
            eligible,
            eligible_scan,
            nav,
            expected,
            liquidated,
            reaction,
            gas_limit,
        } = self;
        let (n, nav, eligible) = (*n, *nav, *eligible);
        let mut times: Vec<Duration> = quiet.iter().map(|s| s.elapsed).collect();
        times.sort();
        let median = times.get(times.len() / 2).copied().unwrap_or_default();
        let worst = times.last().copied().unwrap_or_default();
        let missing = expected.iter().filter(|b| !liquidated.contains_key(*b)).count();
        let unexpected = liquidated.keys().filter(|b| !expected.contains(b)).count();
        let mut histogram = std::collections::BTreeMap::new();
        for d in liquidated.values() {
            *histogram.entry(*d).or_insert(0usize) += 1;
        }
        outln!(
            "breakwater bench bot ({} build)",
            if cfg!(debug_assertions) { "debug" } else { "release" }
        )?;
        outln!(
            "  positions opened          {n} in {:.1} s (real transactions, pipelined)",
            open_time.as_secs_f64()
        )?;
        outln!("  indexed from logs in      {:.2} s", index_time.as_secs_f64())?;
        outln!(
            "  scan per quiet block      median {:.2} ms, worst {:.2} ms over {} blocks ({} positions)",
            ms(median),
            ms(worst),
            times.len(),
            quiet.first().map_or(0, |s| s.indexed)
        )?;
        outln!(
            "  eligibility block {eligible}     NAV 1.00 → {nav:.4}: {} liquidatable ({:.1}%), scan {:.2} ms \
         ({} confirmed in one call), all {} transactions sent {:.0} ms after the block",
            expected.len(),
            100.0 * expected.len() as f64 / n as f64,
            ms(eligible_scan.elapsed),
            eligible_scan.shortlisted,
            eligible_scan.actions,
            ms(*reaction)
        )?;
        let dist: Vec<String> = histogram.iter().map(|(d, c)| format!("+{d}: {c}")).collect();
        outln!("  blocks from eligibility   {} (block gas limit {})", dist.join(", "), gas_limit)?;
        outln!("  missed / unexpected       {missing} / {unexpected}")?;
        if missing > 0 {
            bail!("{missing} liquidatable positions were not liquidated within 50 blocks");
        }
        Ok(())
    }
}

/// Mines blocks after `eligible` (at most 50) until every `expected` borrower is liquidated;
/// returns how many blocks after eligibility each liquidated borrower took.
async fn liquidations_after(
    chain: &Chain,
    deployment: &Deployment,
    metrics: &SharedMetrics,
    eligible: u64,
    expected: &[Address],
) -> Result<std::collections::BTreeMap<Address, u64>> {
    let mut liquidated = std::collections::BTreeMap::new();
    for _ in 1..=50u64 {
        let block = mine(chain, metrics).await?;
        for (borrower, at) in
            liquidations(chain.provider(), deployment.contracts.market, block).await?
        {
            liquidated.entry(borrower).or_insert(at - eligible);
        }
        if expected.iter().all(|b| liquidated.contains_key(b)) {
            break;
        }
    }
    Ok(liquidated)
}

/// Deploys naive-nav on `chain` with supply for `n` positions and opens them with real
/// transactions: the deployer buys all the collateral and posts it for each borrower (one key
/// each), then every borrower borrows, all pipelined with explicit nonces.
async fn open_positions(chain: &Chain, n: usize, ui: Ui) -> Result<(Deployment, Vec<Address>)> {
    let mut config = DeployConfig::default();
    config.vault.max_nav_move = Wad::from_raw(wad(0.5));
    let needed_supply = (n as u64).saturating_mul(COLLATERAL) * 2;
    config.market.seed_supply = Wad::units(needed_supply.max(1_000_000));
    let deployment = deploy(chain, &config, Policy::NaiveNav).await?;
    let world = deployment.world(chain.provider().clone());
    info!(positions = n, "world deployed: opening positions");

    // ------------------------------------------------------------ borrowers
    let keys: Vec<PrivateKeySigner> = (0..n)
        .map(|i| {
            let seed = keccak256(format!("breakwater-bench-borrower-{i}"));
            PrivateKeySigner::from_bytes(&seed).context("a bench key")
        })
        .collect::<Result<_>>()?;
    let borrowers: Vec<Address> = keys.iter().map(PrivateKeySigner::address).collect();
    let mut wallet = EthereumWallet::new(keys[0].clone());
    for key in &keys[1..] {
        wallet.register_signer(key.clone());
    }
    let url = chain.url().parse().context("the node's URL")?;
    let borrower_provider = ProviderBuilder::new().wallet(wallet).connect_http(url).erased();

    // The deployer buys all the collateral at once.
    let me = chain.sender();
    let shares = U256::from(COLLATERAL) * WAD;
    let all = shares * U256::from(n);
    send("mint", world.stablecoin.mint(me, all).from(me)).await?;
    send("approve vault", world.stablecoin.approve(*world.vault.address(), all).from(me)).await?;
    send("subscribe", world.vault.subscribe(all, me).from(me)).await?;
    send("approve market", world.vault.approve(*world.market.address(), all).from(me)).await?;

    let chain_id = chain.chain_id();
    let mut nonce = chain.provider().get_transaction_count(me).await?;
    let mut funding = Vec::with_capacity(2 * n);
    for b in &borrowers {
        let fund =
            TransactionRequest::default().to(*b).value(U256::from(10u64).pow(U256::from(17)));
        let post = world.market.supplyCollateral(shares, *b).into_transaction_request();
        for (tx, gas) in [(fund, 21_000), (post, 150_000)] {
            funding.push(fill(tx.from(me), nonce, gas, chain_id));
            nonce += 1;
        }
    }
    dev::set_automine(chain.provider(), false).await?;
    pipeline(chain.provider(), funding, "fund and post collateral", ui).await?;
    let borrows: Vec<TransactionRequest> = borrowers
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let tx = world.market.borrow(wad(debt_of(i, n)), *b).into_transaction_request();
            fill(tx.from(*b), 0, 400_000, chain_id)
        })
        .collect();
    pipeline(&borrower_provider, borrows, "borrow", ui).await?;
    // The bot's one-time approval must be mined while it starts.
    dev::set_automine(chain.provider(), true).await?;
    let opened = count_logs(
        chain.provider(),
        deployment.contracts.market,
        LendingMarket::Borrow::SIGNATURE_HASH,
        deployment.block,
    )
    .await?;
    ensure!(opened == n, "{opened} of {n} borrows succeeded");

    Ok((deployment, borrowers))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Sets the nonce, gas and fees, so that no filler asks the node anything.
fn fill(tx: TransactionRequest, nonce: u64, gas: u64, chain_id: u64) -> TransactionRequest {
    tx.with_nonce(nonce)
        .with_gas_limit(gas)
        .with_max_fee_per_gas(MAX_FEE)
        .with_max_priority_fee_per_gas(TIP)
        .with_chain_id(chain_id)
}

/// Sends `txs` in order, in chunks, mining each chunk before the next. Sent all at once (or out
/// of order) Anvil's pool silently dropped a few of one sender's transactions.
async fn pipeline(
    provider: &DynProvider,
    txs: Vec<TransactionRequest>,
    what: &str,
    ui: Ui,
) -> Result<Vec<TxHash>> {
    const CHUNK: usize = 100;
    let mut hashes = Vec::with_capacity(txs.len());
    let target = if ui.quiet { ProgressDrawTarget::hidden() } else { ProgressDrawTarget::stderr() };
    let bar = ProgressBar::with_draw_target(Some(txs.len() as u64), target)
        .with_message(what.to_string());
    bar.set_style(
        ProgressStyle::with_template("{msg:>28} [{bar:40}] {pos}/{len} {per_sec}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut failed = 0;
    for chunk in txs.chunks(CHUNK) {
        let mut sent = Vec::with_capacity(chunk.len());
        for tx in chunk {
            let pending = provider
                .send_transaction(tx.clone())
                .await
                .context("sending a bench transaction")?;
            sent.push(*pending.tx_hash());
        }
        // Mine full blocks by hand: one block per transaction (automine) makes Anvil recompute
        // the state root for each, which took more than 5 minutes for 20,000 transactions.
        for hash in sent {
            let mut tries = 0;
            let receipt = loop {
                if let Some(r) = provider.get_transaction_receipt(hash).await? {
                    break r;
                }
                tries += 1;
                ensure!(tries < 100, "{what}: transaction {hash} not mined after 100 blocks");
                provider.anvil_mine(Some(1), None).await?;
            };
            failed += usize::from(!receipt.status());
            hashes.push(hash);
            bar.inc(1);
        }
    }
    bar.finish();
    ensure!(failed == 0, "{what}: {failed} of {} transactions reverted", hashes.len());
    Ok(hashes)
}

async fn count_logs(
    provider: &DynProvider,
    address: Address,
    topic: B256,
    from: u64,
) -> Result<usize> {
    let filter = Filter::new().address(address).event_signature(topic).from_block(from);
    Ok(provider.get_logs(&filter).await?.len())
}

/// Borrowers liquidated in `block`.
async fn liquidations(
    provider: &DynProvider,
    market: Address,
    block: u64,
) -> Result<Vec<(Address, u64)>> {
    let filter = Filter::new()
        .address(market)
        .event_signature(LendingMarket::Liquidate::SIGNATURE_HASH)
        .from_block(block)
        .to_block(block);
    let mut out = Vec::new();
    for log in provider.get_logs(&filter).await? {
        let e = LendingMarket::Liquidate::decode_log(&log.inner)?;
        out.push((e.borrower, block));
    }
    Ok(out)
}

/// Mines a block and waits until the bot has scanned it; returns its number.
async fn mine(chain: &Chain, metrics: &SharedMetrics) -> Result<u64> {
    chain.provider().anvil_mine(Some(1), None).await?;
    let block = chain.block_number().await?;
    wait_for(metrics, 60, |m| m.last_block >= block)
        .await
        .with_context(|| format!("the bot did not scan block {block}"))?;
    Ok(block)
}

fn scan_of(metrics: &SharedMetrics, block: u64) -> Result<Scan> {
    metrics
        .read(|m| m.scans.iter().rev().find(|s| s.block == block).copied())
        .with_context(|| format!("no scan recorded for block {block}"))
}

async fn wait_for(
    metrics: &SharedMetrics,
    secs: u64,
    done: impl Fn(&breakwater_agents::BotMetrics) -> bool,
) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if metrics.read(&done) {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("timed out after {secs} s");
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}
