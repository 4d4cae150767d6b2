//! The engine: deploys the world for a policy on a fresh embedded Anvil, then steps blocks by
//! hand (automine off, each block mined with its timestamp). Each block: apply the scenario's
//! due events, read the world once, let the liquidation bots and then the crowd decide, in a
//! fixed order, send their transactions, mine, and fold the block's logs into the tally.

use std::{
    collections::{BTreeMap, BTreeSet},
    sync::Arc,
    time::Instant,
};

use alloy::{
    network::TransactionBuilder,
    primitives::{Address, B256, U256},
    providers::{DynProvider, Provider, ProviderBuilder, ext::AnvilApi},
    rpc::types::{Log, TransactionRequest},
    sol_types::SolEvent,
};
use breakwater_agents::{
    Agent,
    collector::decode,
    lab::{Action, Keeper, Position, Signal, SlowLiquidation, View, Wallet},
    liquidation::{
        CollateralPolicy, LiquidationAction, LiquidationAgent, LiquidationConfig, LiquidationEvent,
        MarketAddresses, MarketReader, MarketSnapshot, Restrictions, RevertReason, TxKind,
        TxOutcome,
    },
};
use breakwater_chain::{
    AnvilOptions, BreakerKind, Chain, MarketKind, OracleKind, Policy, RolesConfig, World,
    bindings::{
        CircuitBreaker, ConstantProductPool, LendingMarket, RedeemToRepayMarket, RwaVault,
        Stablecoin,
    },
    deploy, deploy_basket, dev,
};
use breakwater_report::Run;
use tracing::debug;

use crate::{
    Error, Result,
    basket::Basket,
    crowd::{self, Crowd},
    metrics::{Sample, Tally},
    scenario::{BotStrategy, EventKind, Scenario},
};

/// Gas limit of every lab transaction (the block limit is raised to fit hundreds).
pub(crate) const TX_GAS: u64 = 3_000_000;
/// Ether each lab account gets for gas.
const GAS_MONEY: u128 = 100 * WAD_U128;
const WAD_U128: u128 = 1_000_000_000_000_000_000;

/// Converts loan units or shares to the contracts' 1e18 fixed point (negative and NaN to 0).
pub(crate) fn wad(x: f64) -> U256 {
    if x.is_finite() && x > 0.0 { U256::from((x * 1e18) as u128) } else { U256::ZERO }
}

/// Converts 1e18 fixed point to `f64` (exactly for values below 2^53 wei, then rounded).
pub(crate) fn float(x: U256) -> f64 {
    let (hi, lo) = x.div_rem(U256::from(WAD_U128));
    u128::try_from(hi).map_or(f64::MAX, |h| h as f64)
        + u128::try_from(lo).map_or(0.0, |l| l as f64) / 1e18
}

/// What a run can be told besides the scenario, policy and seed.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// The Anvil to start (binary, extra arguments).
    pub anvil: AnvilOptions,
    /// Called as the run advances: once deployed (block 0), then after every block it mines.
    pub progress: Option<OnProgress>,
    /// Keep the node and its world after the run ([`Outcome::kept`]) instead of stopping it.
    pub keep_alive: bool,
}

/// Where a run is, for progress displays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// The job's index in [`crate::run_all`]'s list (0 for a lone [`run`]).
    pub job: usize,
    /// Blocks mined so far (setup included); 0 once the world is deployed.
    pub block: u64,
    /// Blocks the run mines in all.
    pub blocks: u64,
}

/// A progress callback, cheap to clone; called from the task running the engine, so it must be
/// quick.
#[derive(Clone)]
pub struct OnProgress(Arc<dyn Fn(Progress) + Send + Sync>);

impl OnProgress {
    /// Wraps a callback.
    pub fn new(f: impl Fn(Progress) + Send + Sync + 'static) -> Self {
        Self(Arc::new(f))
    }

    /// Calls it.
    pub fn call(&self, progress: Progress) {
        (self.0)(progress);
    }
}

impl std::fmt::Debug for OnProgress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OnProgress(..)")
    }
}

/// A run's node, kept running with [`RunOptions::keep_alive`]: it stops when the last clone
/// is dropped.
#[derive(Debug, Clone)]
pub struct Kept {
    /// The embedded Anvil (automine still off, as the engine left it).
    pub chain: Arc<Chain>,
    /// The world's deployment manifest (JSON, as `breakwater deploy` writes it; a basket
    /// scenario's is a basket manifest).
    pub manifest: String,
}

/// A run's result, with the throughput figures `bench sim` prints.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The report entry.
    pub run: Run,
    /// Transactions the run sent (setup included).
    pub transactions: u64,
    /// Blocks mined by the engine.
    pub blocks: u64,
    /// Wall-clock seconds of the stepping loop (deployment excluded).
    pub seconds: f64,
    /// Scenario transactions by "role:action" (e.g. "arbitrageur:buy", "bot:liquidate").
    pub activity: BTreeMap<String, Activity>,
    /// The node and its world, with [`RunOptions::keep_alive`].
    pub kept: Option<Kept>,
}

/// How many of one kind of transaction landed and how many reverted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Activity {
    /// Mined and succeeded.
    pub ok: u64,
    /// Mined and reverted.
    pub reverted: u64,
}

/// One liquidation bot: the pure agent, its reader, and what it sent last block.
struct Bot {
    me: Address,
    agent: LiquidationAgent,
    reader: MarketReader,
    capital: f64,
}

/// Who sent a transaction, for outcomes and attribution.
#[derive(Debug, Clone)]
enum Sender {
    /// A crowd agent's action: "role:action".
    Crowd(String),
    Bot(usize, TxKind),
}

/// What the collateral's issuer says: the vault's NAV, status and redemption queue, or with a
/// basket, the senior claim per token at the reported NAVs (and what it is really worth).
pub(crate) struct Official {
    pub(crate) nav: f64,
    pub(crate) nav_as_of: u64,
    pub(crate) nav_pending: bool,
    pub(crate) under_review: bool,
    /// Shares waiting in the redemption queue, and the cash buffer that pays them.
    pub(crate) pending_redemptions: f64,
    pub(crate) buffer: f64,
    /// The fundamental value per unit of collateral, when it follows from the chain's state
    /// (a basket's units and principal); a lone vault's is the engine's own.
    pub(crate) fundamental: Option<f64>,
    /// With a basket: the junior tranche's claim at the fundamental values.
    pub(crate) junior: Option<f64>,
}

impl Official {
    async fn read(w: &World<DynProvider>) -> Result<Self> {
        let vault = w.vault_interface();
        let (c_nav, c_pending, c_queue, c_buffer) = (
            vault.navInfo(),
            w.vault.pendingNav(),
            vault.totalPendingShares(),
            vault.availableBuffer(),
        );
        let (nav, pending, queue, buffer) =
            tokio::join!(c_nav.call(), c_pending.call(), c_queue.call(), c_buffer.call());
        let nav = nav.map_err(|e| Error::call("vault.navInfo()", &e))?;
        Ok(Self {
            nav: float(nav.navPerShare),
            nav_as_of: nav.asOf,
            nav_pending: pending.map(|p| !p.is_zero()).unwrap_or(false),
            under_review: nav.status == 1,
            pending_redemptions: queue.map(float).unwrap_or(0.0),
            buffer: buffer.map(float).unwrap_or(0.0),
            fundamental: None,
            junior: None,
        })
    }
}

/// A fresh embedded Anvil as the lab uses it: any account can send (impersonation), blocks
/// hold hundreds of transactions, and gas costs nothing beyond the priority fee.
pub(crate) async fn lab_node(options: &RunOptions) -> Result<Chain> {
    let mut anvil = options.anvil.clone();
    // Fixed clock: a genesis timestamp, then one second per deployment block. With wall-clock
    // timestamps a loaded machine deploys over more seconds, which moves the pool's first TWAPs
    // and the breaker's absolute windows: same seed, different numbers.
    anvil.args.extend(
        [
            "--auto-impersonate",
            "--gas-limit",
            "1000000000",
            "--block-base-fee-per-gas",
            "0",
            "--timestamp",
            "1767225600",
        ]
        .map(String::from),
    );
    let chain = Chain::anvil(anvil).await?;
    chain
        .provider()
        .anvil_set_block_timestamp_interval(1)
        .await
        .map_err(|e| Error::rpc("anvil_setBlockTimestampInterval", e))?;
    Ok(chain)
}

/// The lab's transaction provider: no fillers (the engine sets nonces and gas itself, so a
/// send is one `eth_sendTransaction` and nothing else).
pub(crate) fn lab_provider(chain: &Chain) -> Result<DynProvider> {
    let url =
        chain.url().parse().map_err(|_| Error::Setup(format!("bad node URL {}", chain.url())))?;
    Ok(ProviderBuilder::new().disable_recommended_fillers().connect_http(url).erased())
}

/// Runs `scenario` under `policy` with `seed` on a fresh embedded Anvil.
pub async fn run(
    scenario: &Scenario,
    policy: Policy,
    seed: u64,
    options: &RunOptions,
) -> Result<Outcome> {
    let chain = lab_node(options).await?;
    let mut sim = Sim::deploy(&chain, scenario, policy, seed).await?;
    // The approvals block, the crowd's setup, then the scenario's own blocks.
    sim.total = 1 + sim.crowd.setup_blocks + scenario_blocks(scenario, !sim.pokes.is_empty());
    sim.progress = options.progress.clone();
    sim.report_progress();
    let started = Instant::now();
    sim.setup().await?;
    sim.steps().await?;
    let seconds = started.elapsed().as_secs_f64();
    let (transactions, blocks, activity) =
        (sim.sent, sim.blocks, std::mem::take(&mut sim.activity));
    let manifest = std::mem::take(&mut sim.manifest);
    let run = sim.finish().await?;
    let kept = options.keep_alive.then(|| Kept { chain: Arc::new(chain), manifest });
    Ok(Outcome { run, transactions, blocks, seconds, activity, kept })
}

/// Keepers poke every block in reality. The crowd acts once per coarse skip step (hours), but a
/// keeper gap that long would be a keeper outage the scenario did not ask for: the conservative
/// oracle lets one poke's evidence stand only for its `minConfirmation` (1 h by default), and the
/// breaker measures declines only from the peaks it is shown. So within a coarse step the keepers
/// alone poke this often, in blocks of their own.
const KEEPER_INTERVAL: u64 = 30 * 60;

/// The keeper-only blocks inside one coarse step of `step` seconds.
fn keeper_blocks(step: u64) -> u64 {
    step.div_ceil(KEEPER_INTERVAL).saturating_sub(1)
}

/// The blocks [`Sim::steps`] mines: one per `block_time` of the duration, plus the coarse
/// blocks of the skips it reaches (and the keepers' own blocks within them, if they poke).
fn scenario_blocks(s: &Scenario, keepers: bool) -> u64 {
    let blocks = s.duration.0 / s.block_time.0.max(1);
    let Some(last) = blocks.checked_sub(1).map(|b| b * s.block_time.0) else { return 0 };
    let skips: u64 = s
        .events
        .iter()
        .filter(|e| e.at.0 <= last)
        .filter_map(|e| match &e.kind {
            EventKind::Skip { duration, step } => {
                let (n, step) = (duration.0 / step.0.max(1), step.0.max(1));
                Some(n * (1 + if keepers { keeper_blocks(step) } else { 0 }))
            }
            _ => None,
        })
        .sum();
    blocks + skips
}

struct Sim<'a> {
    s: &'a Scenario,
    policy: Policy,
    seed: u64,
    world: World<DynProvider>,
    /// With a basket scenario: the constituents behind the senior market (`world`).
    basket: Option<Basket>,
    lab: DynProvider,
    deployer: Address,
    reporter: Address,
    custodian: Address,
    keeper: Address,
    crowd: Crowd,
    bots: Vec<Bot>,
    nonces: BTreeMap<Address, u64>,
    /// Token balances of every tracked account: (stablecoin, shares, LP tokens).
    /// Exact balances (stablecoin, shares, LP tokens) from Transfer logs.
    wallets: BTreeMap<Address, [U256; 3]>,
    tracked: BTreeSet<Address>,
    /// What the keepers poke (nothing under the naive policies).
    pokes: Vec<Action>,
    /// The last view the agents acted on (keeper-only blocks reuse it).
    last_view: Option<Arc<View>>,
    /// Whether the market has the slow path, and its open slow liquidations.
    slow_path: bool,
    slow: BTreeSet<u64>,
    max_ltv: f64,
    lltv: f64,
    start_ts: u64,
    /// Seconds of scenario time elapsed (skips excluded) and skipped.
    elapsed: u64,
    skipped: u64,
    fundamental: f64,
    stalled_until: u64,
    next_event: usize,
    tally: Tally,
    last_logs: Vec<Log>,
    /// The NAV read before the current block.
    nav: f64,
    /// Whether the scenario clock runs (metrics are sampled).
    running: bool,
    sent: u64,
    activity: BTreeMap<String, Activity>,
    /// The crowd's redemption requests: id → (controller, settled assets may await a claim).
    requests: BTreeMap<u64, (Address, bool)>,
    blocks: u64,
    /// Blocks the run will mine in all, and who to tell as they are.
    total: u64,
    progress: Option<OnProgress>,
    /// The deployment manifest (JSON), for a kept node.
    manifest: String,
    /// The chain's latest block number.
    head: u64,
    /// That block's timestamp.
    head_timestamp: u64,
}

impl<'a> Sim<'a> {
    async fn deploy(chain: &Chain, s: &'a Scenario, policy: Policy, seed: u64) -> Result<Sim<'a>> {
        let reporter = crowd::account("reporter", 0);
        let custodian = crowd::account("custodian", 0);
        let keeper_addr = crowd::account("keeper", 0);
        let lab = lab_provider(chain)?;
        let roles = |r: &mut RolesConfig| {
            r.nav_reporter = Some(reporter);
            r.nav_confirmer = Some(custodian);
            r.custodian = Some(custodian);
        };
        let (world, basket, nav, manifest) = match &s.basket {
            Some(b) => {
                let mut config = b.clone();
                roles(&mut config.roles);
                config.local.fund_accounts = 0;
                let d = deploy_basket(chain, &config, policy).await?;
                let basket = Basket::new(&d, b, policy, &lab);
                // The seed's junior covers the senior: it starts at par.
                (d.senior_world(chain.provider().clone()), Some(basket), 1.0, d.to_json())
            }
            None => {
                let mut config = s.world.clone();
                roles(&mut config.roles);
                config.local.fund_accounts = 0;
                let d = deploy(chain, &config, policy).await?;
                let nav = float(s.world.vault.initial_nav.raw());
                (d.world(chain.provider().clone()), None, nav, d.to_json())
            }
        };
        let addresses = MarketAddresses {
            market: *world.market.address(),
            oracle: *world.oracle.address(),
            breaker: *world.breaker.address(),
            pool: *world.pool.address(),
            stablecoin: *world.stablecoin.address(),
            vault: *world.vault.address(),
            slow_path: basket.is_none() && policy.market() == MarketKind::RedeemToRepay,
        };
        let params =
            world.market.params().call().await.map_err(|e| Error::call("market.params()", &e))?;
        let (poke_oracle, poke_breaker) = (
            policy.oracle() == OracleKind::Conservative,
            matches!(policy.breaker(), BreakerKind::Circuit),
        );
        let keeper = Keeper::new(poke_oracle, poke_breaker);
        let pokes = [(poke_oracle, Action::PokeOracle), (poke_breaker, Action::PokeBreaker)]
            .into_iter()
            .filter_map(|(on, action)| on.then_some(action))
            .collect();
        let crowd = crowd::build(s, seed, keeper, custodian, s.redemption());
        let bots = (0..s.bots.count)
            .map(|i| {
                let me = crowd::account("bot", i);
                let mut config = LiquidationConfig::new(me);
                config.collateral = match s.bots.strategy {
                    BotStrategy::Sell => {
                        CollateralPolicy::Sell { max_slippage: wad(s.bots.max_slippage) }
                    }
                    BotStrategy::Hold => CollateralPolicy::Hold,
                };
                let reader = MarketReader::new(chain.provider().clone(), &addresses, me);
                Bot { me, agent: LiquidationAgent::new(config), reader, capital: s.bots.capital }
            })
            .collect::<Vec<_>>();
        let mut tracked: BTreeSet<Address> = crowd.accounts.iter().copied().collect();
        tracked.extend(bots.iter().map(|b| b.me));
        let start_ts = chain.latest_timestamp().await?;
        let deployer = chain.sender();
        let mut tally = Tally::default();
        let totals = world
            .market_interface()
            .totals()
            .call()
            .await
            .map_err(|e| Error::call("market.totals()", &e))?;
        tally.lender_supply = float(totals.totalSupplyAssets);
        Ok(Sim {
            s,
            policy,
            seed,
            world,
            basket,
            lab,
            deployer,
            reporter,
            custodian,
            keeper: keeper_addr,
            crowd,
            bots,
            nonces: BTreeMap::new(),
            wallets: BTreeMap::new(),
            tracked,
            pokes,
            last_view: None,
            slow_path: addresses.slow_path,
            slow: BTreeSet::new(),
            max_ltv: float(params.maxLtv),
            lltv: float(params.lltv),
            start_ts,
            elapsed: 0,
            skipped: 0,
            fundamental: nav,
            stalled_until: 0,
            next_event: 0,
            tally,
            last_logs: Vec::new(),
            nav,
            running: false,
            sent: 0,
            activity: BTreeMap::new(),
            requests: BTreeMap::new(),
            blocks: 0,
            total: 0,
            progress: None,
            manifest,
            head: chain.block_number().await?,
            head_timestamp: start_ts,
        })
    }

    /// Gas money and approvals for every lab account, in one block; then automine off.
    async fn setup(&mut self) -> Result<()> {
        let w = self.world.clone();
        let (vault, pool, market) = (*w.vault.address(), *w.pool.address(), *w.market.address());
        let mut everyone: Vec<Address> = self.tracked.iter().copied().collect();
        everyone.extend([self.reporter, self.keeper, self.deployer]);
        for a in &everyone {
            self.lab
                .anvil_set_balance(*a, U256::from(GAS_MONEY))
                .await
                .map_err(|e| Error::rpc("anvil_setBalance", e))?;
        }
        dev::set_automine(&self.lab, false).await?;
        let max = U256::MAX;
        for a in self.tracked.clone() {
            for spender in [vault, pool, market] {
                self.send(a, w.stablecoin.approve(spender, max).into_transaction_request()).await?;
            }
            for spender in [pool, market] {
                self.send(a, w.vault.approve(spender, max).into_transaction_request()).await?;
            }
            let basket = self.basket.as_ref().map(|b| b.approvals(*w.stablecoin.address()));
            for (token, spender) in basket.unwrap_or_default() {
                let token = Stablecoin::new(token, self.lab.clone());
                self.send(a, token.approve(spender, max).into_transaction_request()).await?;
            }
        }
        let bots: Vec<(Address, f64)> = self.bots.iter().map(|b| (b.me, b.capital)).collect();
        for (me, capital) in bots {
            self.send(
                self.deployer,
                w.stablecoin.mint(me, wad(capital)).into_transaction_request(),
            )
            .await?;
        }
        let t = self.start_ts + self.s.block_time.0;
        self.mine(t, &mut Vec::new()).await?;
        let params = self.bots.first().map(|b| b.reader.clone());
        if let Some(reader) = params {
            let p = reader.params().await?;
            for bot in &mut self.bots {
                bot.agent.on_event(LiquidationEvent::Params(p));
            }
        }
        // The crowd's own setup (subscribe, post, borrow, add liquidity), scenario clock stopped.
        for _ in 0..self.crowd.setup_blocks {
            self.step(&[]).await?;
        }
        let view = self.view(Vec::new()).await?;
        // Time starts now.
        self.start_ts = view.timestamp - self.s.block_time.0;
        self.elapsed = 0;
        self.running = true;
        Ok(())
    }

    /// The scenario's blocks, and the coarse blocks of its skips.
    async fn steps(&mut self) -> Result<()> {
        let blocks = self.s.duration.0 / self.s.block_time.0;
        for _ in 0..blocks {
            let (signals, skip) = self.due_events();
            self.step(&signals).await?;
            self.elapsed += self.s.block_time.0;
            if let Some((duration, step)) = skip {
                for _ in 0..duration / step {
                    if !self.pokes.is_empty() {
                        for k in 1..=keeper_blocks(step) {
                            self.keeper_block(k * KEEPER_INTERVAL).await?;
                        }
                    }
                    self.skipped += step;
                    self.step(&[]).await?;
                }
                self.skipped += duration % step;
            }
        }
        Ok(())
    }

    fn report_progress(&self) {
        if let Some(p) = &self.progress {
            p.call(Progress { job: 0, block: self.blocks, blocks: self.total.max(self.blocks) });
        }
    }

    /// A block of the keepers' pokes alone, `offset` seconds into the current skip step (unless
    /// the scenario stalls keepers then).
    async fn keeper_block(&mut self, offset: u64) -> Result<()> {
        if self.now() + offset < self.stalled_until {
            return Ok(());
        }
        let Some(view) = self.last_view.clone() else { return Ok(()) };
        let mut sent = Vec::new();
        for action in self.pokes.clone() {
            let label = format!("keeper:{}", action.kind());
            for (from, tx) in self.crowd_txs(action, &view) {
                sent.push((self.send(from, tx).await?, Sender::Crowd(label.clone())));
            }
        }
        let timestamp = self.start_ts + self.now() + offset + self.s.block_time.0;
        self.mine(timestamp, &mut sent).await
    }

    /// Scenario seconds since the start, skips included.
    fn now(&self) -> u64 {
        self.elapsed + self.skipped
    }

    /// Applies the events due now; returns what the crowd perceives and a skip (duration,
    /// step) to run after this block, if one is due.
    fn due_events(&mut self) -> (Vec<Signal>, Option<(u64, u64)>) {
        let mut signals = Vec::new();
        let mut skip = None;
        while let Some(e) = self.s.events.get(self.next_event)
            && e.at.0 <= self.elapsed
        {
            self.next_event += 1;
            let t = self.now();
            self.tally.event(t, e.kind.name(), e.kind.label());
            if self.s.shock_at() == Some(e.at.0) && self.tally.shock_at.is_none() {
                self.tally.shock_at = Some(t);
            }
            if let (Some(b), Some(c)) = (&mut self.basket, e.constituent) {
                b.target(c);
            }
            match &e.kind {
                EventKind::NavReport => signals.push(Signal::ReportNav),
                EventKind::Impairment { loss, report } => {
                    match &mut self.basket {
                        Some(b) => b.impair(e.constituent, *loss),
                        None => self.fundamental *= 1.0 - loss,
                    }
                    if *report {
                        signals.push(Signal::ReportNav);
                    }
                }
                EventKind::Rumour { intensity, duration } => {
                    signals.push(Signal::Rumour { intensity: *intensity, duration: duration.0 });
                }
                EventKind::LpWithdrawal { fraction } => {
                    signals.push(Signal::LpWithdraw { fraction: *fraction })
                }
                EventKind::CustodianBreach => signals.push(Signal::UnderReview),
                EventKind::ReviewResolved => signals.push(Signal::Resolved),
                EventKind::OracleStall { duration } => self.stalled_until = t + duration.0,
                EventKind::Skip { duration, step } => skip = Some((duration.0, step.0)),
            }
        }
        (signals, skip)
    }

    /// One block: read, decide, send, mine, tally.
    async fn step(&mut self, signals: &[Signal]) -> Result<()> {
        let view = Arc::new(self.view(signals.to_vec()).await?);
        self.last_view = Some(Arc::clone(&view));
        let mut outbox: Vec<(Address, TransactionRequest, Sender)> = Vec::new();
        // Liquidation bots first (they race each other; the order rotates with the seed).
        let n = self.bots.len();
        let first =
            if n > 0 { (self.seed as usize).wrapping_add(view.block as usize) % n } else { 0 };
        // Every block's logs since the bots last looked (keeper-only blocks included).
        let logs: Vec<_> = std::mem::take(&mut self.last_logs)
            .iter()
            .filter(|l| l.address() == *self.world.market.address())
            .filter_map(decode)
            .collect();
        let snapshot_base = self.snapshot(&view).await?;
        for k in 0..n {
            let i = (first + k) % n;
            let bot_me = self.bots[i].me;
            if !logs.is_empty() {
                self.bots[i].agent.on_event(LiquidationEvent::Logs(logs.clone()));
            }
            // Exact balances: a sale of "all it holds" must not round above them.
            let [stable, shares, _] = self.wallets.get(&bot_me).copied().unwrap_or_default();
            let snapshot = MarketSnapshot {
                loan_balance: stable,
                collateral_balance: shares,
                ..snapshot_base.clone()
            };
            let mut actions = Vec::new();
            for action in self.bots[i].agent.on_event(LiquidationEvent::Snapshot(snapshot)) {
                match action {
                    LiquidationAction::ConfirmHealth { block, borrowers } => {
                        let positions =
                            self.bots[i].reader.positions_health(block, borrowers).await?;
                        actions.extend(
                            self.bots[i]
                                .agent
                                .on_event(LiquidationEvent::Health { block, positions }),
                        );
                    }
                    other => actions.push(other),
                }
            }
            for action in actions {
                outbox.push(self.bot_tx(i, action, view.timestamp));
            }
        }
        // Then the crowd, in its fixed order.
        let mut decided = Vec::new();
        for agent in &mut self.crowd.agents {
            decided.extend(agent.on_event(Arc::clone(&view)));
        }
        let mut order: Vec<(Address, TransactionRequest, Sender)> = Vec::new();
        for action in decided {
            // A claim is sent once per settlement (the next settlement flags it again).
            if let Action::Claim { id, .. } = &action
                && let Some((_, claimable)) = self.requests.get_mut(id)
            {
                *claimable = false;
            }
            let subject = if let Action::Fund { to, .. } = &action { Some(*to) } else { None };
            let kind = action.kind();
            for (from, tx) in self.crowd_txs(action, &view) {
                let label = format!("{}:{kind}", self.role(subject.unwrap_or(from)));
                order.push((from, tx, Sender::Crowd(label)));
            }
        }
        // Oracle reports, custodian and keeper transactions land before the bots' (they are
        // first in the crowd's order and the bots act on the previous block's state anyway).
        let (infra, traders): (Vec<_>, Vec<_>) = order.into_iter().partition(|(from, _, _)| {
            [self.reporter, self.custodian, self.keeper, self.deployer].contains(from)
        });
        let mut all = infra;
        all.extend(outbox);
        all.extend(traders);
        let mut sent = Vec::new();
        for (from, tx, who) in all {
            let hash = self.send(from, tx).await?;
            sent.push((hash, who));
        }
        self.mine(view.timestamp, &mut sent).await
    }

    /// `account`'s balances in loan units and shares.
    fn wallet(&self, account: &Address) -> Wallet {
        let [stable, shares, lp] = self.wallets.get(account).copied().unwrap_or_default();
        Wallet { stable: float(stable), shares: float(shares), lp: float(lp) }
    }

    /// `x` in fixed point for an amount of `account`'s `slot` (0 stablecoin, 1 shares, 2 LP
    /// tokens): "all of it" in `f64` can round a few wei above the balance, so an amount within
    /// a billionth of the balance is the balance. (Larger amounts pass: the account may receive
    /// them earlier in the same block.)
    fn held(&self, account: Address, slot: usize, x: f64) -> Option<U256> {
        let held = self.wallets.get(&account).map_or(U256::ZERO, |w| w[slot]);
        let v = wad(x);
        let v = if v > held && v - held <= held / U256::from(1_000_000_000u64) { held } else { v };
        Some(v).filter(|v| !v.is_zero())
    }

    /// The role of a lab account, for activity counts.
    fn role(&self, account: Address) -> &'static str {
        match account {
            a if a == self.reporter => "reporter",
            a if a == self.keeper => "keeper",
            a if a == self.deployer => "deployer",
            a => self.crowd.roles.get(&a).copied().unwrap_or("unknown"),
        }
    }

    /// Sends one transaction from `from` (impersonated) with the next nonce.
    async fn send(&mut self, from: Address, tx: TransactionRequest) -> Result<B256> {
        let nonce = match self.nonces.get(&from) {
            Some(n) => *n,
            None => self
                .lab
                .get_transaction_count(from)
                .pending()
                .await
                .map_err(|e| Error::rpc("eth_getTransactionCount", e))?,
        };
        self.nonces.insert(from, nonce + 1);
        let tx = tx
            .from(from)
            .with_nonce(nonce)
            .with_gas_limit(TX_GAS)
            .with_max_fee_per_gas(2_000_000_000)
            .with_max_priority_fee_per_gas(1_000_000_000);
        let pending = self
            .lab
            .send_transaction(tx)
            .await
            .map_err(|e| Error::rpc("eth_sendTransaction", e))?;
        self.sent += 1;
        Ok(*pending.tx_hash())
    }

    /// Mines the pending transactions in a block at `timestamp` and folds in its logs.
    async fn mine(&mut self, timestamp: u64, sent: &mut Vec<(B256, Sender)>) -> Result<()> {
        dev::mine_at(&self.lab, timestamp).await?;
        self.blocks += 1;
        self.report_progress();
        self.head += 1;
        self.head_timestamp = timestamp;
        let receipts = self
            .lab
            .get_block_receipts(alloy::eips::BlockId::latest())
            .await
            .map_err(|e| Error::rpc("eth_getBlockReceipts", e))?
            .unwrap_or_default();
        let mut status = BTreeMap::new();
        let mut logs = Vec::new();
        for r in &receipts {
            status.insert(r.transaction_hash, r.status());
            logs.extend(r.inner.logs().iter().cloned());
        }
        let block = self.head;
        if sent.iter().any(|(h, _)| !status.contains_key(h)) {
            return Err(Error::Setup(format!("a transaction was left out of block {block}")));
        }
        let liquidated: BTreeSet<Address> = logs
            .iter()
            .filter_map(|l| LendingMarket::Liquidate::decode_log(&l.inner).ok())
            .map(|e| e.borrower)
            .collect();
        for (hash, who) in sent.drain(..) {
            let ok = status[&hash];
            let label = match &who {
                Sender::Crowd(label) => label.clone(),
                Sender::Bot(_, kind) => format!("bot:{}", kind.name()),
            };
            if !ok {
                debug!(block, tx = %hash, %label, "transaction reverted");
            }
            let activity = self.activity.entry(label).or_default();
            activity.ok += u64::from(ok);
            activity.reverted += u64::from(!ok);
            let Sender::Bot(i, kind) = who else { continue };
            let outcome = if status[&hash] {
                TxOutcome::Mined { kind, block }
            } else {
                let reason = match &kind {
                    TxKind::Liquidate(b) | TxKind::SlowLiquidate(b) if liquidated.contains(b) => {
                        RevertReason::NotLiquidatable
                    }
                    _ => RevertReason::Other("reverted".into()),
                };
                TxOutcome::Reverted { kind, reason }
            };
            self.bots[i].agent.on_event(LiquidationEvent::Outcome(outcome));
        }
        self.fold(&logs, block, timestamp);
        self.last_logs.extend(logs);
        Ok(())
    }

    /// Balances from Transfer logs; liquidations, bad debt, sales and trips into the tally.
    fn fold(&mut self, logs: &[Log], block: u64, timestamp: u64) {
        let w = &self.world;
        let (usd, vault, pool, market) =
            (*w.stablecoin.address(), *w.vault.address(), *w.pool.address(), *w.market.address());
        let breaker = *w.breaker.address();
        let t = timestamp.saturating_sub(self.start_ts);
        let nav = self.tally_nav();
        let bots: BTreeSet<Address> = self.bots.iter().map(|b| b.me).collect();
        for log in logs {
            let topic = log.topic0().copied().unwrap_or_default();
            let at = log.address();
            if topic == Stablecoin::Transfer::SIGNATURE_HASH && [usd, vault, pool].contains(&at) {
                let Ok(e) = Stablecoin::Transfer::decode_log(&log.inner) else { continue };
                let slot = if at == usd {
                    0
                } else if at == vault {
                    1
                } else {
                    2
                };
                for (who, incoming) in [(e.from, false), (e.to, true)] {
                    if self.tracked.contains(&who) {
                        let balance = &mut self.wallets.entry(who).or_default()[slot];
                        *balance = if incoming {
                            *balance + e.value
                        } else {
                            balance.saturating_sub(e.value)
                        };
                    }
                }
            } else if at == vault {
                if let Ok(e) = RwaVault::RedeemRequested::decode_log(&log.inner) {
                    if self.tracked.contains(&e.controller) {
                        self.requests.insert(e.requestId.to::<u64>(), (e.controller, false));
                    }
                } else if RwaVault::RedemptionsSettled::decode_log(&log.inner).is_ok() {
                    self.requests.values_mut().for_each(|(_, claimable)| *claimable = true);
                } else if let Ok(e) = RwaVault::RedeemClaimed::decode_log(&log.inner)
                    && let Some((_, claimable)) = self.requests.get_mut(&e.requestId.to::<u64>())
                {
                    *claimable = false;
                }
            } else if at == market {
                if let Ok(e) = RedeemToRepayMarket::Liquidate::decode_log(&log.inner) {
                    self.tally.liquidation(
                        t,
                        block,
                        e.borrower,
                        float(e.repaidAssets),
                        float(e.seized),
                        nav,
                    );
                } else if let Ok(e) =
                    RedeemToRepayMarket::SlowLiquidationStarted::decode_log(&log.inner)
                {
                    self.slow.insert(e.id.to::<u64>());
                    self.tally.slow_liquidation(t, block, e.borrower);
                } else if let Ok(e) =
                    RedeemToRepayMarket::SlowLiquidationProgressed::decode_log(&log.inner)
                {
                    self.tally.keeper_fee(float(e.fee));
                } else if let Ok(e) =
                    RedeemToRepayMarket::SlowLiquidationClosed::decode_log(&log.inner)
                {
                    self.slow.remove(&e.id.to::<u64>());
                } else if let Ok(e) =
                    RedeemToRepayMarket::SlowLiquidationCured::decode_log(&log.inner)
                {
                    self.slow.remove(&e.id.to::<u64>());
                } else if let Ok(e) = RedeemToRepayMarket::BadDebtRealized::decode_log(&log.inner) {
                    self.tally.bad_debt(float(e.badDebt), float(e.socialized));
                }
            } else if at == pool {
                if let Ok(e) = ConstantProductPool::Swap::decode_log(&log.inner)
                    && bots.contains(&e.sender)
                    && e.tokenIn == vault
                {
                    self.tally.fire_sale(float(e.amountIn), float(e.amountOut), nav);
                }
            } else if at == breaker && topic == CircuitBreaker::Tripped::SIGNATURE_HASH {
                self.tally.trip();
            }
        }
    }

    /// The NAV the tally values seized collateral at (the last one read).
    fn tally_nav(&self) -> f64 {
        self.nav
    }
}

impl Sim<'_> {
    /// Reads the world before the block at the current scenario time, and samples the metrics.
    async fn view(&mut self, signals: Vec<Signal>) -> Result<View> {
        let basket = self.basket.as_mut();
        let w = &self.world;
        let market = w.market_interface();
        let pool = w.pool_interface();
        let mut accounts = self.crowd.borrowers.clone();
        accounts.extend(self.crowd.attacker.map(|(a, _)| a));
        let breaker = w.circuit_breaker();
        let c_reserves = pool.getReserves();
        let (c_liq, c_borrow, c_totals) =
            (w.oracle.liquidationPrice(), w.oracle.borrowPrice(), market.totals());
        let (c_health, c_lp) = (market.positionsHealth(accounts), w.pool.totalSupply());
        let c_level = breaker.as_ref().map(|b| b.level());
        let official = async {
            match basket {
                Some(b) => b.read().await,
                None => Official::read(w).await,
            }
        };
        let (official, reserves, liq, borrow, totals, health, lp_supply, level) = tokio::join!(
            official,
            c_reserves.call(),
            c_liq.call(),
            c_borrow.call(),
            c_totals.call(),
            c_health.call(),
            c_lp.call(),
            async {
                match &c_level {
                    Some(l) => l.call().await,
                    None => Ok(0),
                }
            },
        );
        let official = official?;
        if let Some(f) = official.fundamental {
            self.fundamental = f;
        }
        let reserves = reserves.map_err(|e| Error::call("pool.getReserves()", &e))?;
        let totals = totals.map_err(|e| Error::call("market.totals()", &e))?;
        let health = health.map_err(|e| Error::call("market.positionsHealth()", &e))?;
        // A spot oracle over an emptied pool, or a halted one, may revert: read it as 0.
        let oracle_price = liq.map(float).unwrap_or(0.0);
        let borrow_price = borrow.map(float).unwrap_or(0.0);
        let timestamp = self.start_ts + self.elapsed + self.skipped + self.s.block_time.0;
        let block = self.head + 1;
        let mut view = View {
            block,
            timestamp,
            pool_base: float(reserves.reserveBase),
            pool_quote: float(reserves.reserveQuote),
            nav: official.nav,
            nav_as_of: official.nav_as_of,
            nav_pending: official.nav_pending,
            under_review: official.under_review,
            fundamental: self.fundamental,
            oracle_price,
            borrow_price,
            breaker_level: level.unwrap_or(0),
            max_ltv: self.max_ltv,
            liquidation_ltv: self.lltv,
            market_liquidity: float(
                totals.totalSupplyAssets.saturating_sub(totals.totalBorrowAssets),
            ),
            positions: health
                .iter()
                .map(|h| {
                    (h.borrower, Position { collateral: float(h.collateral), debt: float(h.debt) })
                })
                .collect(),
            wallets: self.wallets.keys().map(|a| (*a, self.wallet(a))).collect(),
            lp_supply: lp_supply.map(float).unwrap_or(0.0),
            pending_redemptions: official.pending_redemptions,
            buffer: official.buffer,
            claimable: self.requests.iter().filter(|(_, (_, c))| *c).fold(
                BTreeMap::new(),
                |mut m: BTreeMap<Address, Vec<u64>>, (id, (who, _))| {
                    m.entry(*who).or_default().push(*id);
                    m
                },
            ),
            slow_liquidations: BTreeMap::new(),
            signals,
            stalled: self.now() < self.stalled_until,
        };
        // Open slow liquidations: settleable once the vault owes the market something. The debt
        // stays on the position; what the request will pay covers part of it.
        let mut slow_worth: BTreeMap<Address, f64> = BTreeMap::new();
        let slow_market = self.world.slow_path_market();
        for id in self.slow.clone() {
            let Some(m) = &slow_market else { break };
            let sl = m
                .slowLiquidation(U256::from(id))
                .call()
                .await
                .map_err(|e| Error::call("market.slowLiquidation()", &e))?;
            let status = self
                .world
                .vault_interface()
                .redeemStatus(sl.requestId)
                .call()
                .await
                .map_err(|e| Error::call("vault.redeemStatus()", &e))?;
            let claimable = !status.claimableAssets.is_zero();
            view.slow_liquidations.insert(id, SlowLiquidation { borrower: sl.borrower, claimable });
            *slow_worth.entry(sl.borrower).or_default() +=
                float(status.pendingShares) * self.fundamental + float(status.claimableAssets);
        }
        self.nav = view.nav;
        if self.running {
            let spot = view.spot();
            let (mut uncovered, mut shadow, mut capacity) = (0.0, 0.0, 0.0);
            for (who, p) in &view.positions {
                if view.breaker_level == 0 {
                    capacity += p.collateral * view.borrow_price * self.max_ltv;
                }
                let locked = slow_worth.get(who).copied().unwrap_or_default();
                uncovered += (p.debt - p.collateral * self.fundamental - locked).max(0.0);
                let healthy = p.health(oracle_price, self.lltv) >= 1.0;
                if healthy && p.collateral * spot < p.debt {
                    shadow += p.debt;
                }
            }
            self.tally.sample(Sample {
                t: timestamp - self.start_ts,
                spot,
                nav: view.nav,
                fundamental: self.fundamental,
                oracle: oracle_price,
                breaker_level: view.breaker_level,
                pool_depth: view.pool_quote,
                uncovered,
                shadow,
                capacity,
                reserves: float(totals.totalReserves),
                junior: official.junior,
                borrow_price: view.borrow_price,
                under_review: view.under_review,
            });
        }
        Ok(view)
    }

    /// What every bot's snapshot shares (its balances are filled in per bot).
    async fn snapshot(&self, view: &View) -> Result<MarketSnapshot> {
        let w = &self.world;
        let market = w.market_interface();
        let (c_totals, c_allowance) = (market.totals(), w.breaker.previewLiquidationAllowance());
        let c_anchor = w.oracle.anchorPrice();
        let (totals, allowance, anchor) =
            tokio::join!(c_totals.call(), c_allowance.call(), c_anchor.call());
        let totals = totals.map_err(|e| Error::call("market.totals()", &e))?;
        let allowance =
            allowance.map_err(|e| Error::call("breaker.previewLiquidationAllowance()", &e))?;
        // A spot oracle over an emptied pool may revert: read it as 0, like the view does.
        let limits = Restrictions::apply(
            (allowance.seizable, allowance.confirmedOnly),
            self.slow_path,
            wad(view.oracle_price),
            anchor.unwrap_or_default(),
        );
        Ok(MarketSnapshot {
            block: view.block - 1,
            timestamp: self.head_timestamp,
            base_fee: 0,
            liquidation_price: limits.liquidation_price,
            total_borrow_assets: totals.totalBorrowAssets,
            total_borrow_shares: totals.totalBorrowShares,
            fast_allowance: limits.fast_allowance,
            slow_path_open: limits.slow_path_open,
            pool_base: wad(view.pool_base),
            pool_quote: wad(view.pool_quote),
            loan_balance: U256::ZERO,
            collateral_balance: U256::ZERO,
        })
    }

    /// A bot's action as a transaction.
    fn bot_tx(
        &self,
        i: usize,
        action: LiquidationAction,
        now: u64,
    ) -> (Address, TransactionRequest, Sender) {
        let me = self.bots[i].me;
        let w = &self.world;
        match action {
            LiquidationAction::Liquidate(o) => (
                me,
                w.market.liquidate(o.borrower, o.repay, o.min_seized).into_transaction_request(),
                Sender::Bot(i, TxKind::Liquidate(o.borrower)),
            ),
            LiquidationAction::SlowLiquidate { borrower, .. } => (
                me,
                // Only planned when the snapshot says the slow path is open, so on that market.
                RedeemToRepayMarket::new(*w.market.address(), w.market.provider().clone())
                    .slowLiquidate(borrower)
                    .into_transaction_request(),
                Sender::Bot(i, TxKind::SlowLiquidate(borrower)),
            ),
            LiquidationAction::Sell(o) => (
                me,
                w.pool
                    .swap(*w.vault.address(), o.amount, o.min_out, me, U256::from(now + 300))
                    .into_transaction_request(),
                Sender::Bot(i, TxKind::Sell),
            ),
            LiquidationAction::ConfirmHealth { .. } => unreachable!("answered before"),
        }
    }

    /// A crowd action as transactions from their senders (none for nothing to do): the basket's
    /// own for its vault-side actions, else one on the market, the pool or the vault.
    fn crowd_txs(&self, action: Action, view: &View) -> Vec<(Address, TransactionRequest)> {
        if let Some(b) = &self.basket {
            let held = match &action {
                Action::Subscribe { from, assets } => self.held(*from, 0, *assets),
                Action::RequestRedeem { from, shares } => self.held(*from, 1, *shares),
                _ => None,
            };
            let roles = (self.reporter, self.custodian, self.keeper);
            if let Some(txs) = b.txs(&action, view, held, roles) {
                return txs;
            }
        }
        self.crowd_tx(action, view).into_iter().collect()
    }

    /// A crowd action as a transaction from its sender (`None` for nothing to do).
    fn crowd_tx(&self, action: Action, view: &View) -> Option<(Address, TransactionRequest)> {
        let w = &self.world;
        let deadline = U256::from(view.timestamp + 300);
        let (usd, vault) = (*w.stablecoin.address(), *w.vault.address());
        let positive = |x: f64| (x > 0.0).then(|| wad(x));
        Some(match action {
            Action::Fund { to, amount } => {
                (self.deployer, w.stablecoin.mint(to, positive(amount)?).into_transaction_request())
            }
            Action::Subscribe { from, assets } => (
                from,
                w.vault.subscribe(self.held(from, 0, assets)?, from).into_transaction_request(),
            ),
            Action::SupplyCollateral { from, shares } => (
                from,
                w.market
                    .supplyCollateral(self.held(from, 1, shares)?, from)
                    .into_transaction_request(),
            ),
            Action::Borrow { from, assets } => {
                (from, w.market.borrow(positive(assets)?, from).into_transaction_request())
            }
            Action::Repay { from, assets } => {
                let debt = view.position(&from).debt;
                (
                    from,
                    w.market
                        .repay(self.held(from, 0, assets.min(debt))?, U256::ZERO, from)
                        .into_transaction_request(),
                )
            }
            Action::Sell { from, shares, min_out } => (
                from,
                w.pool
                    .swap(vault, self.held(from, 1, shares)?, wad(min_out), from, deadline)
                    .into_transaction_request(),
            ),
            Action::Buy { from, stable, min_out } => (
                from,
                w.pool
                    .swap(usd, self.held(from, 0, stable)?, wad(min_out), from, deadline)
                    .into_transaction_request(),
            ),
            Action::AddLiquidity { from, shares, stable } => (
                from,
                w.pool
                    .addLiquidity(
                        self.held(from, 1, shares)?,
                        self.held(from, 0, stable)?,
                        U256::ZERO,
                        from,
                        deadline,
                    )
                    .into_transaction_request(),
            ),
            Action::RemoveLiquidity { from, lp } => (
                from,
                w.pool
                    .removeLiquidity(
                        self.held(from, 2, lp)?,
                        U256::ZERO,
                        U256::ZERO,
                        from,
                        deadline,
                    )
                    .into_transaction_request(),
            ),
            Action::RequestRedeem { from, shares } => (
                from,
                w.vault
                    .requestRedeem(self.held(from, 1, shares)?, from, from)
                    .into_transaction_request(),
            ),
            Action::Claim { from, id } => {
                (from, w.vault.claim(U256::from(id), from).into_transaction_request())
            }
            Action::ReportNav { nav } => (
                self.reporter,
                w.vault.reportNav(positive(nav)?, view.timestamp).into_transaction_request(),
            ),
            Action::ConfirmNav => (self.custodian, w.vault.confirmNav().into_transaction_request()),
            Action::SetUnderReview(on) => {
                let reason =
                    if on { "custodian breach: title in doubt" } else { "review resolved" };
                (
                    self.reporter,
                    w.vault.setNavStatus(u8::from(on), reason.into()).into_transaction_request(),
                )
            }
            Action::RefillBuffer { assets } => {
                (self.custodian, w.vault.refillBuffer(positive(assets)?).into_transaction_request())
            }
            Action::SettleEpoch => (self.custodian, w.vault.settle().into_transaction_request()),
            Action::PokeOracle => {
                (self.keeper, w.conservative_oracle()?.poke().into_transaction_request())
            }
            Action::PokeBreaker => {
                (self.keeper, w.circuit_breaker()?.poke().into_transaction_request())
            }
            Action::SettleSlowLiquidation(id) => (
                self.keeper,
                w.slow_path_market()?
                    .settleSlowLiquidation(U256::from(id))
                    .into_transaction_request(),
            ),
            Action::CureSlowLiquidation(id) => (
                self.keeper,
                w.slow_path_market()?
                    .cureSlowLiquidation(U256::from(id))
                    .into_transaction_request(),
            ),
        })
    }

    /// Final marks and the report entry.
    async fn finish(mut self) -> Result<Run> {
        // One last read samples the state after the final block.
        let view = self.view(Vec::new()).await?;
        let f = self.fundamental;
        let worth = |w: &Wallet| w.stable + w.shares * f;
        let liquidator_profit: f64 =
            self.bots.iter().map(|b| worth(&self.wallet(&b.me)) - b.capital).sum();
        let attacker_profit = self.crowd.attacker.map_or(0.0, |(a, capital)| {
            let p = view.position(&a);
            // It walks away from a loan worth more than its collateral.
            worth(&self.wallet(&a)) + (p.collateral * f - p.debt).max(0.0) - capital
        });
        let (metrics, series) = self.tally.finish(liquidator_profit, attacker_profit);
        Ok(Run {
            scenario: self.s.name(),
            title: self.s.title.clone(),
            policy: self.policy.name().to_string(),
            seed: self.seed,
            scale: self.s.scale,
            metrics,
            series,
        })
    }
}
