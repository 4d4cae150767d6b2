//! The liquidation bot against real nodes: each test starts its own Anvil through
//! breakwater-chain, deploys a naive policy, opens positions, moves the price and watches the
//! bot (or two) at work, with 1-second interval blocks like a fast chain.
//!
//! The tests share two cores with everything else, so they take a lock and run one at a time:
//! "within one block" must not fail because another test's node hogged the machine.

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    time::Duration,
};

use alloy::{
    primitives::{Address, U256},
    providers::{DynProvider, Provider, ext::AnvilApi},
    rpc::types::{Filter, TransactionRequest},
    sol_types::SolEvent,
};
use anyhow::{Context, Result, bail, ensure};
use breakwater_agents::{
    BotMetrics, CancellationToken, LiquidationBot, Result as BotResult, SharedMetrics,
    liquidation::{CollateralPolicy, LiquidationConfig, MarketAddresses},
};
use breakwater_chain::{
    AnvilOptions, Chain, DeployConfig, Deployment, Policy, World,
    bindings::{LendingMarket, RedeemToRepayMarket},
    deploy,
    tx::send,
    units::Wad,
};
use tokio::{sync::Mutex, task::JoinHandle};

/// Gas limit of the tests' own transactions. Estimates are taken on the latest block's state,
/// where interest and TWAP observations were already written for its timestamp; mined in the
/// next block, the same call pays for those writes too and an exact estimate runs out of gas.
const GAS: u64 = 1_000_000;

/// One live test at a time (see the module docs).
static SERIAL: Mutex<()> = Mutex::const_new(());

/// Takes the serial lock and sends the bot's logs to the test output (`RUST_LOG` filters them,
/// e.g. `RUST_LOG=breakwater_agents=debug`).
async fn serial() -> tokio::sync::MutexGuard<'static, ()> {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_test_writer().try_init();
    SERIAL.lock().await
}

fn wad(x: f64) -> U256 {
    U256::from((x * 1e9).round() as u128) * U256::from(1_000_000_000u64)
}

struct Fixture {
    chain: Chain,
    deployment: Deployment,
    world: World<DynProvider>,
}

impl Fixture {
    async fn new(policy: Policy, options: AnvilOptions) -> Result<Self> {
        let chain = Chain::anvil(options).await?;
        let mut config = DeployConfig::default();
        // Big NAV moves apply at once (no confirmer step) and the pool is thinner.
        config.vault.max_nav_move = Wad::from_raw(wad(0.5));
        let deployment = deploy(&chain, &config, policy).await?;
        let world = deployment.world(chain.provider().clone());
        Ok(Self { chain, deployment, world })
    }

    fn addresses(&self) -> MarketAddresses {
        self.deployment.market_addresses()
    }

    fn account(&self, i: usize) -> Address {
        self.chain.accounts()[i]
    }

    /// Subscribes `collateral` shares at NAV 1 for `borrower`, posts them and borrows `debt`.
    async fn open(&self, borrower: Address, collateral: f64, debt: f64) -> Result<()> {
        let w = &self.world;
        let (c, d) = (wad(collateral), wad(debt));
        send("approve vault", w.stablecoin.approve(*w.vault.address(), c).from(borrower).gas(GAS))
            .await?;
        send("subscribe", w.vault.subscribe(c, borrower).from(borrower).gas(GAS)).await?;
        send("approve market", w.vault.approve(*w.market.address(), c).from(borrower).gas(GAS))
            .await?;
        send("supplyCollateral", w.market.supplyCollateral(c, borrower).from(borrower).gas(GAS))
            .await?;
        send("borrow", w.market.borrow(d, borrower).from(borrower).gas(GAS)).await?;
        Ok(())
    }

    /// Reports a new NAV (the naive-nav oracle's price); returns the block it landed in.
    async fn report_nav(&self, nav: f64) -> Result<u64> {
        let at = self.chain.latest_timestamp().await?;
        let me = self.chain.sender();
        let receipt =
            send("reportNav", self.world.vault.reportNav(wad(nav), at).from(me).gas(GAS)).await?;
        receipt.block_number.context("receipt without block")
    }

    /// A whale (the deployer) subscribes `shares` at NAV 1 and dumps them into the pool;
    /// returns the block of the dump.
    async fn dump(&self, shares: f64) -> Result<u64> {
        let (w, whale, amount) = (&self.world, self.chain.sender(), wad(shares));
        send("mint", w.stablecoin.mint(whale, amount).from(whale).gas(GAS)).await?;
        let vault = *w.vault.address();
        send("approve vault", w.stablecoin.approve(vault, amount).from(whale).gas(GAS)).await?;
        send("subscribe", w.vault.subscribe(amount, whale).from(whale).gas(GAS)).await?;
        send("approve pool", w.vault.approve(*w.pool.address(), amount).from(whale).gas(GAS))
            .await?;
        let deadline = U256::from(self.chain.latest_timestamp().await? + 600);
        let dump = w.pool.swap(vault, amount, U256::ZERO, whale, deadline).from(whale).gas(GAS);
        send("dump", dump).await?.block_number.context("receipt without block")
    }

    /// Automine off, a block every second.
    async fn interval_blocks(&self) -> Result<()> {
        let p = self.chain.provider();
        p.anvil_set_auto_mine(false).await?;
        p.anvil_set_interval_mining(1).await?;
        Ok(())
    }

    /// `Liquidate` events since `from`: borrower → [(block, liquidator)].
    async fn liquidations(&self, from: u64) -> Result<BTreeMap<Address, Vec<(u64, Address)>>> {
        let filter = Filter::new()
            .address(*self.world.market.address())
            .event_signature(LendingMarket::Liquidate::SIGNATURE_HASH)
            .from_block(from);
        let mut out: BTreeMap<Address, Vec<(u64, Address)>> = BTreeMap::new();
        for log in self.chain.provider().get_logs(&filter).await? {
            let e = LendingMarket::Liquidate::decode_log(&log.inner)?;
            out.entry(e.borrower)
                .or_default()
                .push((log.block_number.unwrap_or_default(), e.liquidator));
        }
        Ok(out)
    }

    fn bot(&self, liquidator: Address, collateral: CollateralPolicy) -> LiquidationBot {
        let config = LiquidationConfig { collateral, ..LiquidationConfig::new(liquidator) };
        LiquidationBot::new(
            self.chain.provider().clone(),
            self.addresses(),
            self.deployment.block,
            config,
        )
        .poll_interval(Duration::from_millis(20))
    }
}

/// A bot running in the background.
struct Running {
    metrics: SharedMetrics,
    cancel: CancellationToken,
    handle: JoinHandle<BotResult<()>>,
}

impl Running {
    fn start(bot: LiquidationBot) -> Self {
        let (metrics, cancel) = (bot.metrics(), CancellationToken::new());
        let handle = tokio::spawn(bot.run(cancel.clone()));
        Self { metrics, cancel, handle }
    }

    fn get(&self) -> BotMetrics {
        self.metrics.get()
    }

    /// Waits until the bot has processed `block` (or fails after `secs`).
    async fn caught_up(&self, block: u64, secs: u64) -> Result<()> {
        wait(secs, || async { Ok(self.get().last_block >= block) }).await.with_context(|| {
            format!("bot stuck at block {} (wanted {block})", self.get().last_block)
        })
    }

    /// Cancels the bot and checks it stops cleanly and quickly.
    async fn stop(self) -> Result<BotMetrics> {
        ensure!(!self.handle.is_finished(), "the bot stopped on its own: {:?}", self.handle.await);
        self.cancel.cancel();
        let result = tokio::time::timeout(Duration::from_secs(5), self.handle)
            .await
            .context("the bot did not stop within 5 s of cancellation")??;
        result?;
        Ok(self.metrics.get())
    }
}

/// Polls `check` every 20 ms until it holds, for at most `secs`.
async fn wait<F, Fut>(secs: u64, mut check: F) -> Result<()>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<bool>>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    while tokio::time::Instant::now() < deadline {
        if check().await? {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    bail!("condition not met within {secs} s")
}

/// Asserts that exactly `expected` were liquidated since `from`, each once and in block `at`.
async fn assert_liquidated_in(
    f: &Fixture,
    from: u64,
    expected: &[Address],
    at: u64,
) -> Result<BTreeMap<Address, Vec<(u64, Address)>>> {
    wait(10, || async { Ok(f.liquidations(from).await?.len() >= expected.len()) })
        .await
        .with_context(|| format!("expected {} liquidations", expected.len()))?;
    let got = f.liquidations(from).await?;
    let who: Vec<Address> = got.keys().copied().collect();
    let mut want = expected.to_vec();
    want.sort();
    ensure!(who == want, "liquidated {who:?}, expected {want:?}");
    for (borrower, events) in &got {
        ensure!(events.len() == 1, "{borrower} liquidated {} times: {events:?}", events.len());
        ensure!(
            events[0].0 == at,
            "{borrower} liquidated in block {}, eligible in {}",
            events[0].0,
            at - 1
        );
    }
    Ok(got)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn liquidates_every_liquidatable_position_in_the_next_block_and_sells() -> Result<()> {
    let _serial = serial().await;
    let f = Fixture::new(Policy::NaiveNav, AnvilOptions::default()).await?;
    // Collateral 100 at NAV 1; at NAV 0.8 a debt above 64 is liquidatable (LLTV 0.8).
    let debts = [50.0, 55.0, 60.0, 62.0, 65.0, 66.0, 68.0];
    for (i, debt) in debts.iter().enumerate() {
        f.open(f.account(3 + i), 100.0, *debt).await?;
    }
    let liquidator = f.account(1);
    let bot = Running::start(f.bot(liquidator, CollateralPolicy::Sell { max_slippage: wad(0.05) }));
    let start = f.chain.block_number().await?;
    bot.caught_up(start, 30).await?;
    f.interval_blocks().await?;

    let eligible = f.report_nav(0.8).await?;
    let expected: Vec<Address> = (4..7).map(|i| f.account(3 + i)).collect();
    let got = assert_liquidated_in(&f, start, &expected, eligible + 1).await?;
    ensure!(got.values().all(|e| e[0].1 == liquidator));

    // The seized collateral is sold on the AMM, within the slippage bound.
    let vault = f.world.vault.clone();
    wait(10, || async { Ok(vault.balanceOf(liquidator).call().await?.is_zero()) })
        .await
        .context("seized collateral not sold")?;
    let m = bot.stop().await?;
    ensure!(m.agent.liquidations == 3 && m.agent.sales >= 1, "{:?}", m.agent);
    ensure!(m.agent.reverts == 0 && m.agent.failures == 0, "{:?}", m.agent);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follows_a_pool_crash_on_a_spot_oracle() -> Result<()> {
    let _serial = serial().await;
    let f = Fixture::new(Policy::NaiveSpot, AnvilOptions::default()).await?;
    let debts = [50.0, 60.0, 66.0, 69.0];
    for (i, debt) in debts.iter().enumerate() {
        f.open(f.account(3 + i), 100.0, *debt).await?;
    }
    let bot = Running::start(f.bot(f.account(1), CollateralPolicy::Hold));
    let start = f.chain.block_number().await?;
    bot.caught_up(start, 30).await?;
    f.interval_blocks().await?;

    // A whale dumps 130k shares into the 1M/1M pool: spot falls to about 0.78.
    let eligible = f.dump(130_000.0).await?;
    let w = &f.world;
    let spot = w.pool.spotPrice().call().await?;
    ensure!(spot < wad(0.8) && spot > wad(0.75), "spot {spot}");

    // Liquidatable below spot × 0.8 × 100 ≈ 62: the positions with debt 66 and 69.
    let expected = [f.account(5), f.account(6)];
    assert_liquidated_in(&f, start, &expected, eligible + 1).await?;
    // Held, not sold.
    ensure!(!w.vault.balanceOf(f.account(1)).call().await?.is_zero());
    bot.stop().await?;
    Ok(())
}

/// A bot that may redeem: the pool pays half of NAV, so it liquidates to redeem rather than to
/// sell and queues the seized shares with the vault; restarted a month later, it finds its
/// request in the vault and claims the cash once the vault settles.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redeems_seized_collateral_the_pool_underpays_and_claims_the_cash() -> Result<()> {
    use breakwater_agents::redemption::RedemptionTerms;
    let _serial = serial().await;
    let f = Fixture::new(Policy::NaiveNav, AnvilOptions::default()).await?;
    let borrower = f.account(3);
    f.open(borrower, 100.0, 68.0).await?;
    let (w, me) = (&f.world, f.chain.sender());

    // A whale dumps 420k shares into the 1M/1M pool: spot falls to about 0.49.
    f.dump(420_000.0).await?;
    ensure!(w.pool.spotPrice().call().await? < wad(0.5));

    // 31 days' wait at 5% a year: a queued share is worth 0.996 of NAV, twice what the pool pays.
    let terms = RedemptionTerms {
        cost_of_capital: 0.05,
        risk_premium: 0.0,
        redemption: 31 * 86_400,
        epoch: 86_400,
    };
    let liquidator = f.account(1);
    let policy = CollateralPolicy::SellOrRedeem { max_slippage: wad(0.05), terms };
    let bot = Running::start(f.bot(liquidator, policy));
    let start = f.chain.block_number().await?;
    bot.caught_up(start, 30).await?;

    // NAV 0.8: liquidatable; the seized shares are queued, not sold.
    let eligible = f.report_nav(0.8).await?;
    assert_liquidated_in(&f, start, &[borrower], eligible + 1).await?;
    let vault = w.vault.clone();
    wait(10, || async { Ok(vault.requestCount().call().await? == U256::from(1)) })
        .await
        .context("no redemption request")?;
    let request = vault.redeemRequest(U256::ZERO).call().await?;
    ensure!(request.controller == liquidator && request.shares > wad(40.0), "{request:?}");
    ensure!(vault.balanceOf(liquidator).call().await?.is_zero(), "nothing kept or sold");
    let m = bot.stop().await?;
    ensure!(m.agent.liquidations == 1 && m.agent.sales == 0, "{:?}", m.agent);
    ensure!(m.agent.redemptions == 1 && m.agent.claims == 0, "{:?}", m.agent);
    ensure!(m.agent.reverts == 0 && m.agent.failures == 0, "{:?}", m.agent);

    // A month on, the custodian refills the buffer and the vault settles: the restarted bot
    // claims.
    f.chain.provider().anvil_increase_time(32 * 86_400).await?;
    let cash = wad(100.0);
    send("mint", w.stablecoin.mint(me, cash).from(me).gas(GAS)).await?;
    send("approve", w.stablecoin.approve(*vault.address(), cash).from(me).gas(GAS)).await?;
    send("refill", vault.refillBuffer(cash).from(me).gas(GAS)).await?;
    let bot = Running::start(f.bot(liquidator, policy));
    bot.caught_up(f.chain.block_number().await?, 30).await?;
    send("settle", vault.settle().from(me).gas(GAS)).await?;
    let (_, claimable) = vault.redeemStatus(U256::ZERO).call().await?.into();
    ensure!(claimable > wad(30.0), "settled {claimable}");
    // Claimed: nothing pending nor claimable is left, and the cash went to the liquidator.
    let filter = Filter::new()
        .address(*vault.address())
        .event_signature(breakwater_chain::bindings::RwaVault::RedeemClaimed::SIGNATURE_HASH);
    let provider = f.chain.provider().clone();
    wait(10, || async { Ok(provider.get_logs(&filter).await?.len() == 1) })
        .await
        .context("the settled redemption was not claimed")?;
    let log = &provider.get_logs(&filter).await?[0];
    let claimed = breakwater_chain::bindings::RwaVault::RedeemClaimed::decode_log(&log.inner)?;
    ensure!(claimed.receiver == liquidator && claimed.assets == claimable, "{claimed:?}");
    let (pending, left) = vault.redeemStatus(U256::ZERO).call().await?.into();
    ensure!(pending.is_zero() && left.is_zero());
    let m = bot.stop().await?;
    ensure!(m.agent.claims == 1 && m.agent.reverts == 0 && m.agent.failures == 0, "{:?}", m.agent);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_bots_race_one_wins_each_the_other_skips_and_carries_on() -> Result<()> {
    let _serial = serial().await;
    let f = Fixture::new(Policy::NaiveNav, AnvilOptions::default()).await?;
    let w = &f.world;
    // Round one: just below health 1 at NAV 0.8, so that one liquidation (half the debt) heals
    // each of them and the slower bot finds nothing left to take.
    let first: Vec<Address> = (3..7).map(|i| f.account(i)).collect();
    for (b, debt) in first.iter().zip([65.0, 66.0, 67.0, 68.0]) {
        f.open(*b, 100.0, debt).await?;
        send(
            "approve market",
            w.stablecoin.approve(*w.market.address(), U256::MAX).from(*b).gas(GAS),
        )
        .await?;
    }
    // Round two's borrowers start safe and borrow more between the rounds.
    let second: Vec<Address> = (7..10).map(|i| f.account(i)).collect();
    for b in &second {
        f.open(*b, 100.0, 40.0).await?;
    }
    let (a, b) = (f.account(1), f.account(2));
    let bot_a = Running::start(f.bot(a, CollateralPolicy::Hold));
    let bot_b = Running::start(f.bot(b, CollateralPolicy::Hold));
    let start = f.chain.block_number().await?;
    bot_a.caught_up(start, 30).await?;
    bot_b.caught_up(start, 30).await?;
    f.interval_blocks().await?;

    let total = |f: fn(&BotMetrics) -> u64| f(&bot_a.get()) + f(&bot_b.get());
    let lost = |m: &BotMetrics| m.agent.lost_races;
    let mined = |m: &BotMetrics| m.agent.mined;
    let eligible = f.report_nav(0.8).await?;
    let got = assert_liquidated_in(&f, start, &first, eligible + 1).await?;
    // Every position had a winner and a loser that skipped it: reverted on chain or refused in
    // simulation, decoded as MarketPositionHealthy either way.
    wait(10, || async { Ok(total(lost) == 4 && total(mined) == 4) })
        .await
        .with_context(|| format!("a {:?}, b {:?}", bot_a.get().agent, bot_b.get().agent))?;
    ensure!(got.values().all(|e| e[0].1 == a || e[0].1 == b));

    // Between the rounds: the first borrowers repay in full, the second ones borrow up to
    // 53..55 (liquidatable below NAV 0.6625..0.6875).
    let mut pending = Vec::new();
    for who in &first {
        let (_, shares, _) = w.market.position(*who).call().await?.into();
        pending.push(w.market.repay(U256::ZERO, shares, *who).from(*who).gas(GAS).send().await?);
    }
    for (who, more) in second.iter().zip([13.0, 14.0, 15.0]) {
        pending.push(w.market.borrow(wad(more), *who).from(*who).gas(GAS).send().await?);
    }
    for tx in pending {
        ensure!(tx.get_receipt().await?.status(), "repay or borrow failed");
    }

    // Round two: both bots are still running.
    let second_from = f.chain.block_number().await?;
    let eligible = f.report_nav(0.65).await?;
    assert_liquidated_in(&f, second_from, &second, eligible + 1).await?;
    wait(10, || async { Ok(total(lost) == 7 && total(mined) == 7) })
        .await
        .with_context(|| format!("a {:?}, b {:?}", bot_a.get().agent, bot_b.get().agent))?;
    let (ma, mb) = (bot_a.stop().await?, bot_b.stop().await?);
    ensure!(ma.agent.reverts + mb.agent.reverts + ma.agent.failures + mb.agent.failures == 0);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resyncs_its_nonce_after_someone_else_uses_the_key() -> Result<()> {
    let _serial = serial().await;
    let f = Fixture::new(Policy::NaiveNav, AnvilOptions::default()).await?;
    f.open(f.account(3), 100.0, 68.0).await?;
    f.open(f.account(4), 100.0, 67.0).await?;
    let liquidator = f.account(1);
    let bot = Running::start(f.bot(liquidator, CollateralPolicy::Hold));
    let start = f.chain.block_number().await?;
    bot.caught_up(start, 30).await?;

    // Another process sends from the bot's key: the bot's local nonce is now stale.
    let tx = TransactionRequest::default().from(liquidator).to(f.account(9)).value(U256::from(1));
    f.chain.provider().send_transaction(tx).await?.get_receipt().await?;
    f.interval_blocks().await?;

    let eligible = f.report_nav(0.8).await?;
    assert_liquidated_in(&f, start, &[f.account(3), f.account(4)], eligible + 1).await?;
    let m = bot.stop().await?;
    ensure!(m.nonce_resyncs >= 1, "{m:?}");
    Ok(())
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn state_options(port: u16, state: &Path, load: bool) -> AnvilOptions {
    let mut args = vec!["--dump-state".into(), state.display().to_string()];
    args.extend(["--state-interval".into(), "1".into()]);
    if load {
        args.extend(["--load-state".into(), state.display().to_string()]);
    }
    AnvilOptions { port: Some(port), args, ..AnvilOptions::default() }
}

struct TempFile(PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// The node crashes (SIGKILL) and restarts on the same port from the state it persisted every
/// second (`--dump-state` with `--state-interval 1`, then `--load-state`): a real node restarting
/// from its database. The bot backs off while the port is dead, reconnects, backfills the gap
/// and liquidates on the restarted node within one block.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconnects_after_the_node_restarts_and_carries_on() -> Result<()> {
    let _serial = serial().await;
    let port = free_port()?;
    let state = TempFile(std::env::temp_dir().join(format!("breakwater-bot-state-{port}.json")));
    let f = Fixture::new(Policy::NaiveNav, state_options(port, &state.0, false)).await?;
    let borrowers = [f.account(3), f.account(4), f.account(5)];
    f.open(borrowers[0], 100.0, 68.0).await?;
    f.open(borrowers[1], 100.0, 66.0).await?;
    let bot = Running::start(f.bot(f.account(1), CollateralPolicy::Hold));
    let start = f.chain.block_number().await?;
    bot.caught_up(start, 30).await?;

    // Let a state dump capture everything, then kill the node.
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    let Fixture { chain, deployment, .. } = f;
    drop(chain);
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let chain = Chain::anvil(state_options(port, &state.0, true)).await?;
    ensure!(chain.block_number().await? >= start, "the restarted node lost its blocks");
    // Anvil persists blocks and state but not its clock offset (the deployment's warm-up moved
    // time a day ahead): without this the next block would be older than the last one.
    let last = chain.latest_timestamp().await?;
    chain.provider().anvil_set_time(last + 1).await?;
    let world = deployment.world(chain.provider().clone());
    let f = Fixture { chain, deployment, world };

    // A position opened on the restarted node is indexed from the backfilled gap.
    f.open(borrowers[2], 100.0, 67.0).await?;
    let now = f.chain.block_number().await?;
    bot.caught_up(now, 30).await?;
    ensure!(bot.get().reconnects >= 1, "{:?}", bot.get());
    f.interval_blocks().await?;
    let eligible = f.report_nav(0.8).await?;
    assert_liquidated_in(&f, start, &borrowers, eligible + 1).await?;
    let m = bot.stop().await?;
    ensure!(m.resets == 0, "the chain was not reset: no rebuild needed ({m:?})");
    Ok(())
}

/// With the breaker halted (level 3: only confirmed losses, and on this market only through the
/// slow path), the bot moves the positions a NAV markdown made unhealthy to the redeem-to-repay
/// path instead, in the next block.
/// Halted, the bot moves what it may not liquidate fast to the slow path, and settles it once the
/// vault pays.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uses_the_slow_path_when_fast_liquidation_is_halted_and_settles_it() -> Result<()> {
    let _serial = serial().await;
    let f = Fixture::new(Policy::BreakerOnly, AnvilOptions::default()).await?;
    // Big enough that the 1% keeper fee pays for the gas.
    let borrowers = [f.account(3), f.account(4)];
    f.open(borrowers[0], 1_000.0, 680.0).await?;
    f.open(borrowers[1], 1_000.0, 650.0).await?;
    f.open(f.account(5), 1_000.0, 500.0).await?;
    let liquidator = f.account(1);
    let bot = Running::start(f.bot(liquidator, CollateralPolicy::Hold));
    let start = f.chain.block_number().await?;
    bot.caught_up(start, 30).await?;

    let me = f.chain.sender();
    let breaker = f.world.circuit_breaker().context("breaker-only deploys the circuit breaker")?;
    send("trip", breaker.trip(3).from(me).gas(GAS)).await?;
    let allowance = f.world.breaker.previewLiquidationAllowance().call().await?;
    ensure!(allowance.confirmedOnly, "halted: only confirmed losses may be liquidated");
    f.interval_blocks().await?;

    let eligible = f.report_nav(0.8).await?;
    let filter = Filter::new()
        .address(*f.world.market.address())
        .event_signature(RedeemToRepayMarket::SlowLiquidationStarted::SIGNATURE_HASH)
        .from_block(start);
    let provider = f.chain.provider().clone();
    wait(10, || async { Ok(provider.get_logs(&filter).await?.len() >= 2) }).await?;
    let mut started = Vec::new();
    for log in provider.get_logs(&filter).await? {
        let e = RedeemToRepayMarket::SlowLiquidationStarted::decode_log(&log.inner)?;
        ensure!(e.keeper == liquidator && log.block_number == Some(eligible + 1), "{e:?} {log:?}");
        started.push(e.borrower);
    }
    started.sort();
    let mut want = borrowers.to_vec();
    want.sort();
    ensure!(started == want, "{started:?}");
    ensure!(f.liquidations(start).await?.is_empty(), "no fast liquidation while halted");

    // A month on the vault pays the redemptions: the bot settles its slow liquidations, which
    // repays the debts and pays it the keeper fee.
    let (w, usd) = (&f.world, f.world.stablecoin.clone());
    f.chain.provider().anvil_increase_time(32 * 86_400).await?;
    let cash = wad(2_000.0);
    send("mint", w.stablecoin.mint(me, cash).from(me).gas(GAS)).await?;
    send("approve", w.stablecoin.approve(*w.vault.address(), cash).from(me).gas(GAS)).await?;
    send("refill", w.vault.refillBuffer(cash).from(me).gas(GAS)).await?;
    let before = usd.balanceOf(liquidator).call().await?;
    send("settle", w.vault.settle().from(me).gas(GAS)).await?;
    let closed = Filter::new()
        .address(*f.world.market.address())
        .event_signature(RedeemToRepayMarket::SlowLiquidationClosed::SIGNATURE_HASH)
        .from_block(start);
    wait(10, || async { Ok(provider.get_logs(&closed).await?.len() == 2) })
        .await
        .context("the bot did not settle its slow liquidations")?;
    for b in borrowers {
        let (_, debt, _) = w.market.position(b).call().await?.into();
        ensure!(debt.is_zero(), "{b} still owes {debt} borrow shares");
    }
    ensure!(usd.balanceOf(liquidator).call().await? > before, "no keeper fee");
    let m = bot.stop().await?;
    ensure!(m.agent.slow_liquidations == 2 && m.agent.liquidations == 0, "{:?}", m.agent);
    ensure!(m.agent.slow_settlements == 2 && m.agent.reverts == 0, "{:?}", m.agent);
    Ok(())
}

/// RWA²: the same bot on the market that lends against a tranche vault's senior token. Losses in
/// two of three constituents eat the junior and then the senior; the NAV-priced senior oracle
/// follows the waterfall, and the bot liquidates the positions that fell below the liquidation
/// LTV in the next block and sells the seized senior tokens on the senior pool.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn liquidates_senior_tranche_positions_when_losses_pass_the_junior() -> Result<()> {
    use breakwater_chain::{
        BasketConfig,
        bindings::{ConstantProductPool, RwaVault, Stablecoin, TrancheToken},
        deploy_basket,
    };
    let _serial = serial().await;
    let chain = Chain::anvil(AnvilOptions::default()).await?;
    let d = deploy_basket(&chain, &BasketConfig::default(), Policy::NaiveNav).await?;
    let (p, me, t) = (chain.provider().clone(), chain.sender(), d.tranche);
    let senior = TrancheToken::new(t.senior, p.clone());
    let market = LendingMarket::new(t.market, p.clone());
    let accounts = chain.accounts().to_vec();

    // 100 senior tokens each, borrowed against at par (max LTV 0.7).
    let debts = [50.0, 55.0, 62.0, 66.0, 69.0];
    for (i, debt) in debts.iter().enumerate() {
        let b = accounts[3 + i];
        send("transfer senior", senior.transfer(b, wad(100.0)).from(me).gas(GAS)).await?;
        send("approve market", senior.approve(t.market, wad(100.0)).from(b).gas(GAS)).await?;
        send("post", market.supplyCollateral(wad(100.0), b).from(b).gas(GAS)).await?;
        send("borrow", market.borrow(wad(*debt), b).from(b).gas(GAS)).await?;
    }
    let addresses = d.senior_market_addresses();
    let liquidator = accounts[1];
    let config = LiquidationConfig {
        collateral: CollateralPolicy::Sell { max_slippage: wad(0.3) },
        ..LiquidationConfig::new(liquidator)
    };
    let bot = LiquidationBot::new(p.clone(), addresses, d.block, config)
        .poll_interval(Duration::from_millis(20));
    let bot = Running::start(bot);
    let start = chain.block_number().await?;
    bot.caught_up(start, 30).await?;
    p.anvil_set_auto_mine(false).await?;
    p.anvil_set_interval_mining(1).await?;

    // Marks a constituent down; a move beyond the reporter's bound waits for the confirmer.
    let mark = |index: usize, nav: f64| {
        let vault = RwaVault::new(d.constituents[index].contracts.vault, p.clone());
        let chain = &chain;
        async move {
            let at = chain.latest_timestamp().await?;
            send("reportNav", vault.reportNav(wad(nav), at).from(me).gas(GAS)).await?;
            let receipt = send("confirmNav", vault.confirmNav().from(me).gas(GAS)).await?;
            receipt.block_number.context("receipt without block")
        }
    };
    // Property −60%: the junior absorbs it, the senior stays at par, nobody is liquidatable.
    mark(2, 0.4).await?;
    // Credit −80% on top: the basket (1.6 per unit) is below the senior principal (2.1), the
    // senior is worth 0.762, and debts above 0.762 × 0.8 × 100 ≈ 61 are liquidatable.
    let eligible = mark(1, 0.2).await?;
    let price = breakwater_chain::bindings::ICollateralOracle::new(t.oracle, p.clone())
        .liquidationPrice()
        .call()
        .await?;
    ensure!(price > wad(0.76) && price < wad(0.763), "senior price {price}");

    let filter = Filter::new()
        .address(t.market)
        .event_signature(LendingMarket::Liquidate::SIGNATURE_HASH)
        .from_block(start);
    let liquidated = || async {
        let mut out = BTreeMap::new();
        for log in p.get_logs(&filter).await? {
            let e = LendingMarket::Liquidate::decode_log(&log.inner)?;
            // The first liquidation of each (a deep loss may leave one unhealthy after it).
            out.entry(e.borrower).or_insert(log.block_number.unwrap_or_default());
        }
        anyhow::Ok(out)
    };
    wait(10, || async { Ok(liquidated().await?.len() >= 3) }).await.context("3 liquidations")?;
    let got = liquidated().await?;
    let want: BTreeMap<Address, u64> = (2..5).map(|i| (accounts[3 + i], eligible + 1)).collect();
    ensure!(got == want, "liquidated {got:?}, expected {want:?} (eligible in block {eligible})");

    // Sold on the senior pool: its stablecoin paid the liquidator.
    wait(10, || async { Ok(senior.balanceOf(liquidator).call().await?.is_zero()) })
        .await
        .context("seized senior tokens not sold")?;
    let pool = ConstantProductPool::new(t.pool, p.clone());
    ensure!(pool.spotPrice().call().await? < wad(1.0), "the sales moved the senior pool");
    let usd = Stablecoin::new(d.stablecoin, p.clone());
    ensure!(usd.balanceOf(liquidator).call().await? > wad(1_000_000.0), "sold at a profit");
    let m = bot.stop().await?;
    ensure!(m.agent.liquidations >= 3 && m.agent.reverts == 0, "{:?}", m.agent);
    ensure!(m.agent.failures == 0, "{:?}", m.agent);
    Ok(())
}
