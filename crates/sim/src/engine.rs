//! The engine: deploys the world for a policy on a fresh embedded Anvil, then steps blocks by
//! hand on the run's backend ([`crate::backend`]: in process, or on the node), each block mined
//! at its timestamp. Each block: apply the scenario's
//! due events ([`crate::timeline`]), read the world once ([`crate::observer`]), let the
//! liquidation bots ([`crate::bots`]) and then the crowd ([`crate::actions`]) decide, in a fixed
//! order, send their transactions, mine, and fold the block's logs ([`crate::blocks`]) into
//! the tally ([`crate::tally`]).

use std::{collections::BTreeMap, sync::Arc, time::Instant};

use alloy::{
    primitives::{Address, B256, U256},
    providers::DynProvider,
    rpc::types::TransactionRequest,
    sol_types::SolCall,
};
use breakwater_agents::{
    collector::NewBlock,
    crowd::{Action, Keeper, Signal, View},
};
use breakwater_chain::{
    AnvilOptions, BreakerKind, Chain, OracleKind, Policy, RolesConfig, World,
    bindings::{ILendingMarket, Stablecoin},
    deploy, deploy_basket,
};
use breakwater_report::{Provenance, Run};
use breakwater_world::{from_wad, read::call, to_wad};

use crate::{
    Error, Result,
    actions::{CrowdTxs, Roles},
    backend::{Backend, BackendKind},
    basket::Basket,
    blocks::{BlockBuilder, Fold, Sender},
    bots::Bots,
    crowd::{self, Crowd},
    node::{lab_node, lab_provider},
    observer::Observer,
    provenance,
    scenario::Scenario,
    tally::Tally,
    timeline::{Clock, KEEPER_INTERVAL, Skip, Truth, keeper_blocks, scenario_blocks},
    wallets::Ledger,
};

/// Ether each lab account gets for gas.
const GAS_MONEY: u128 = 100 * breakwater_world::units::WAD;

/// What a run can be told besides the scenario, policy and seed.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// The Anvil to start (binary, extra arguments).
    pub anvil: AnvilOptions,
    /// Called as the run advances: once deployed (block 0), then after every block it mines.
    pub progress: Option<OnProgress>,
    /// Keep the node and its world after the run ([`Outcome::kept`]) instead of stopping it
    /// (the Anvil backend only: an in-process world ends with the run).
    pub keep_alive: bool,
    /// Where the run executes once the world is deployed.
    pub backend: BackendKind,
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

/// How many of one kind of transaction landed and how many reverted, and why.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Activity {
    /// Mined and succeeded.
    pub ok: u64,
    /// Mined and reverted.
    pub reverted: u64,
    /// The reverted ones by the contract's custom error (`MarketPositionHealthy`, …).
    pub reverts: BTreeMap<String, u64>,
}

/// Runs `scenario` under `policy` with `seed`: deployed on a fresh embedded Anvil, stepped on
/// [`RunOptions::backend`].
pub async fn run(
    scenario: &Scenario,
    policy: Policy,
    seed: u64,
    options: &RunOptions,
) -> Result<Outcome> {
    if options.keep_alive && options.backend != BackendKind::Anvil {
        return Err(Error::Setup(
            "--keep-alive keeps an Anvil node: run it with --backend anvil".into(),
        ));
    }
    // A scenario with distributions runs the draw of this seed.
    let scenario = &scenario.realize(seed)?;
    let chain = lab_node(options).await?;
    let (deployed, lab) = Deployed::on(&chain, scenario, policy).await?;
    let manifest = deployed.manifest.clone();
    // From here on every read and write goes through the backend.
    let backend = Backend::start(options.backend, lab).await?;
    // In process, the node has served its purpose: stop it (and with it any read that would
    // bypass the backend and see a stale world).
    let chain = (options.backend == BackendKind::Anvil).then_some(chain);
    let mut outcome =
        run_deployed(deployed, backend, scenario, policy, seed, options.progress.clone()).await?;
    outcome.kept =
        chain.filter(|_| options.keep_alive).map(|chain| Kept { chain: Arc::new(chain), manifest });
    Ok(outcome)
}

/// Runs the concrete (realized) scenario `s` on a deployed world whose state `backend` holds:
/// the approvals block, the crowd's setup, then the scenario's own blocks.
pub(crate) async fn run_deployed(
    deployed: Deployed,
    backend: Backend,
    s: &Scenario,
    policy: Policy,
    seed: u64,
    progress: Option<OnProgress>,
) -> Result<Outcome> {
    let mut sim = Sim::start(deployed, backend, s, policy, seed).await?;
    sim.blocks.total = 1 + sim.crowd.setup_blocks + scenario_blocks(s, !sim.pokes.is_empty());
    sim.blocks.progress = progress;
    sim.blocks.report_progress();
    let started = Instant::now();
    sim.setup().await?;
    sim.steps().await?;
    let seconds = started.elapsed().as_secs_f64();
    let (transactions, blocks, activity) =
        (sim.blocks.sent(), sim.blocks.blocks, std::mem::take(&mut sim.blocks.activity));
    let run = sim.finish().await?;
    Ok(Outcome { run, transactions, blocks, seconds, activity, kept: None })
}

/// A world deployed for a scenario's world (or basket) and a policy, before any run: what each
/// run on it starts from.
#[derive(Clone)]
pub(crate) struct Deployed {
    world: World<DynProvider>,
    basket: Option<Basket>,
    /// The collateral's starting value.
    nav: f64,
    /// The deployment manifest (JSON), for a kept node.
    manifest: String,
    roles: Roles,
}

impl Deployed {
    /// Deploys `s`'s world for `policy` on `chain` with the lab's roles; also returns the
    /// provider that reaches it.
    pub(crate) async fn on(
        chain: &Chain,
        s: &Scenario,
        policy: Policy,
    ) -> Result<(Self, DynProvider)> {
        let roles = Roles {
            deployer: chain.sender(),
            reporter: crowd::account("reporter", 0),
            custodian: crowd::account("custodian", 0),
            keeper: crowd::account("keeper", 0),
        };
        let lab = lab_provider(chain)?;
        let (world, basket, nav, manifest) = deploy_world(chain, s, policy, &roles, &lab).await?;
        Ok((Self { world, basket, nav, manifest, roles }, lab))
    }
}

/// One run: the scenario's clock, the world as observed, the agents, what they hold, the block
/// builder and the tally.
struct Sim<'a> {
    s: &'a Scenario,
    policy: Policy,
    seed: u64,
    clock: Clock,
    observer: Observer,
    roles: Roles,
    crowd: Crowd,
    bots: Bots,
    ledger: Ledger,
    blocks: BlockBuilder,
    tally: Tally,
    /// What the keepers poke (nothing under the naive policies).
    pokes: Vec<Action>,
    /// The last view the agents acted on (keeper-only blocks reuse it).
    last_view: Option<Arc<View>>,
    /// The market's parameters as deployed (the report's provenance).
    parameters: std::collections::BTreeMap<String, f64>,
}

impl<'a> Sim<'a> {
    async fn start(
        d: Deployed,
        backend: Backend,
        s: &'a Scenario,
        policy: Policy,
        seed: u64,
    ) -> Result<Sim<'a>> {
        let Deployed { world, basket, nav, roles, .. } = d;
        let reads = backend.reads();
        // A basket's senior world is fast-only: its addresses say so.
        let addresses = world.market_addresses();
        let (poke_oracle, poke_breaker) = (
            policy.oracle() == OracleKind::Conservative,
            matches!(policy.breaker(), BreakerKind::Circuit),
        );
        let keeper = Keeper::new(poke_oracle, poke_breaker);
        let pokes = [(poke_oracle, Action::PokeOracle), (poke_breaker, Action::PokeBreaker)]
            .into_iter()
            .filter_map(|(on, action)| on.then_some(action))
            .collect();
        let crowd = crowd::build(s, seed, keeper, roles.custodian);
        let bots = Bots::new(&s.bots, &reads, &addresses, (s.redemption(), s.epoch()));
        let mut tracked = bots.accounts();
        tracked.extend(crowd.accounts.iter().copied());
        let mut accounts = crowd.borrowers.clone();
        accounts.extend(crowd.attacker.map(|(a, _)| a));
        let market = *world.market.address();
        let parameters = provenance::parameters(reads.as_ref(), &world).await?;
        let observer = Observer::new(world, Arc::clone(&reads), basket, accounts, nav).await?;
        let incentive_factor = observer.incentive_factor;
        let (head, start_ts) = backend.head().await?;
        let totals = call(reads.as_ref(), market, &ILendingMarket::totalsCall {}, None)
            .await
            .map_err(|e| Error::read("market.totals()", e))?;
        Ok(Sim {
            s,
            policy,
            seed,
            clock: Clock::new(start_ts, s.block_time.0, nav),
            observer,
            roles,
            crowd,
            bots,
            ledger: Ledger::new(tracked),
            blocks: BlockBuilder::new(backend, head, start_ts),
            tally: Tally::new(from_wad(totals.totalSupplyAssets), incentive_factor),
            pokes,
            last_view: None,
            parameters,
        })
    }

    /// Gas money and approvals for every lab account, in one block; then automine off.
    async fn setup(&mut self) -> Result<()> {
        let w = self.observer.world.clone();
        let (vault, pool, market) = (*w.vault.address(), *w.pool.address(), *w.market.address());
        let mut everyone: Vec<Address> = self.ledger.tracked.iter().copied().collect();
        everyone.extend([self.roles.reporter, self.roles.keeper, self.roles.deployer]);
        for a in &everyone {
            self.blocks.chain.set_balance(*a, U256::from(GAS_MONEY)).await?;
        }
        self.blocks.chain.manual_mining().await?;
        let max = U256::MAX;
        let basket = self.observer.basket.as_ref().map(|b| b.approvals(*w.stablecoin.address()));
        for a in self.ledger.tracked.clone() {
            for spender in [vault, pool, market] {
                self.blocks
                    .send(a, w.stablecoin.approve(spender, max).into_transaction_request())
                    .await?;
            }
            for spender in [pool, market] {
                self.blocks
                    .send(a, w.vault.approve(spender, max).into_transaction_request())
                    .await?;
            }
            for (token, spender) in basket.clone().unwrap_or_default() {
                let approve = Stablecoin::approveCall { spender, value: max };
                let tx = TransactionRequest::default().to(token).input(approve.abi_encode().into());
                self.blocks.send(a, tx).await?;
            }
        }
        for (me, capital) in self.bots.bots.iter().map(|b| (b.me, b.capital)).collect::<Vec<_>>() {
            let mint = w.stablecoin.mint(me, to_wad(capital)).into_transaction_request();
            self.blocks.send(self.roles.deployer, mint).await?;
        }
        let t = self.clock.start_ts + self.s.block_time.0;
        self.mine(t, Vec::new()).await?;
        self.bots.read_params().await?;
        // The crowd's own setup (subscribe, post, borrow, add liquidity), scenario clock stopped.
        for _ in 0..self.crowd.setup_blocks {
            self.step(&[]).await?;
        }
        let view = self.view(Vec::new()).await?;
        // Time starts now.
        self.clock.start(view.timestamp);
        Ok(())
    }

    /// The scenario's blocks, and the coarse blocks of its skips.
    async fn steps(&mut self) -> Result<()> {
        let blocks = self.s.duration.0 / self.s.block_time.0;
        for _ in 0..blocks {
            let (signals, skip) = self.due_events();
            self.step(&signals).await?;
            self.clock.tick();
            if let Some(Skip { duration, step }) = skip {
                for _ in 0..duration / step {
                    if !self.pokes.is_empty() {
                        for k in 1..=keeper_blocks(step) {
                            self.keeper_block(k * KEEPER_INTERVAL).await?;
                        }
                    }
                    self.clock.skip(step);
                    // Events inside the skip (`into_skip`, late reports); a skip cannot start
                    // inside another (validated).
                    let (signals, _) = self.due_events();
                    self.step(&signals).await?;
                }
                self.clock.skip(duration % step);
            }
        }
        Ok(())
    }

    /// The scenario's events due before the next block, applied to the world's truth.
    fn due_events(&mut self) -> (Vec<Signal>, Option<Skip>) {
        let truth = Truth {
            fundamental: &mut self.observer.fundamental,
            basket: self.observer.basket.as_mut(),
        };
        self.clock.due_events(self.s, &mut self.tally, truth)
    }

    /// A block of the keepers' pokes alone, `offset` seconds into the current skip step (unless
    /// the scenario stalls keepers then).
    async fn keeper_block(&mut self, offset: u64) -> Result<()> {
        if self.clock.stalled(offset) {
            return Ok(());
        }
        let Some(view) = self.last_view.clone() else { return Ok(()) };
        let mut sent = Vec::new();
        for action in self.pokes.clone() {
            let label = format!("keeper:{}", action.kind());
            for (from, tx) in self.crowd_txs().txs(action, &view) {
                sent.push((self.blocks.send(from, tx).await?, Sender::Crowd(label.clone())));
            }
        }
        self.mine(self.clock.timestamp(offset), sent).await
    }

    /// The crowd's transaction builder over the current holdings.
    fn crowd_txs(&self) -> CrowdTxs<'_> {
        CrowdTxs {
            world: &self.observer.world,
            basket: self.observer.basket.as_ref(),
            roles: &self.roles,
            ledger: &self.ledger,
        }
    }

    /// Reads the world before the next block, and samples the metrics while the clock runs.
    async fn view(&mut self, signals: Vec<Signal>) -> Result<View> {
        let o = self.observer.view(signals, &self.ledger, &self.clock, self.blocks.head).await?;
        if self.clock.running {
            let t = o.view.timestamp - self.clock.start_ts;
            self.tally.sample(t, &o.view, &o.locked, o.reserves, o.junior);
        }
        Ok(o.view)
    }

    /// One block: read, decide, send, mine, tally.
    async fn step(&mut self, signals: &[Signal]) -> Result<()> {
        let view = Arc::new(self.view(signals.to_vec()).await?);
        self.last_view = Some(Arc::clone(&view));
        // Liquidation bots first (they race each other; the order rotates with the seed).
        let head = NewBlock {
            number: self.blocks.head,
            hash: B256::ZERO,
            timestamp: self.blocks.head_timestamp,
            base_fee: 0,
        };
        let (outbox, sold) = self
            .bots
            .decide(self.seed, &view, &head, &self.observer.world, &mut self.ledger)
            .await?;
        // Then the crowd, in its fixed order, each seeing the pool as the trades decided before
        // it leave it (arbitrageurs and informed traders act last: they trade against the flow).
        let mut seen = Arc::clone(&view);
        if sold > 0.0 {
            let mut after = (*seen).clone();
            after.apply(&Action::Sell { from: Address::ZERO, shares: sold, min_out: 0.0 });
            seen = Arc::new(after);
        }
        let mut decided = Vec::new();
        for agent in &mut self.crowd.agents {
            let actions = agent.on_event(Arc::clone(&seen));
            if actions.iter().any(Action::trades_on_pool) {
                let mut after = (*seen).clone();
                actions.iter().for_each(|a| after.apply(a));
                seen = Arc::new(after);
            }
            decided.extend(actions);
        }
        let mut order: Vec<(Address, TransactionRequest, Sender)> = Vec::new();
        for action in decided {
            // A claim is sent once per settlement (the next settlement flags it again).
            if let Action::Claim { id, .. } = &action {
                self.ledger.claimed(*id);
            }
            let subject = if let Action::Fund { to, .. } = &action { Some(*to) } else { None };
            let kind = action.kind();
            for (from, tx) in self.crowd_txs().txs(action, &view) {
                let label =
                    format!("{}:{kind}", self.roles.of(subject.unwrap_or(from), &self.crowd));
                order.push((from, tx, Sender::Crowd(label)));
            }
        }
        // Oracle reports, custodian and keeper transactions land before the bots' (they are
        // first in the crowd's order and the bots act on the previous block's state anyway).
        let (infra, traders): (Vec<_>, Vec<_>) =
            order.into_iter().partition(|(from, _, _)| self.roles.is_infra(from));
        let mut sent = Vec::new();
        for (from, tx, who) in infra.into_iter().chain(outbox).chain(traders) {
            sent.push((self.blocks.send(from, tx).await?, who));
        }
        self.mine(view.timestamp, sent).await
    }

    /// Mines the block at `timestamp`; the bots learn their outcomes, the logs are folded in.
    async fn mine(&mut self, timestamp: u64, sent: Vec<(B256, Sender)>) -> Result<()> {
        let mined = self.blocks.mine(timestamp, sent).await?;
        for (i, outcome) in mined.outcomes {
            self.bots.outcome(i, outcome);
        }
        let fold = Fold {
            observer: &mut self.observer,
            ledger: &mut self.ledger,
            tally: &mut self.tally,
            bots: &self.bots.accounts(),
            start_ts: self.clock.start_ts,
        };
        fold.fold(&mined.logs, mined.block, timestamp);
        self.bots.saw(mined.logs);
        Ok(())
    }

    /// Final marks and the report entry.
    async fn finish(mut self) -> Result<Run> {
        // One last read samples the state after the final block.
        let view = self.view(Vec::new()).await?;
        // A bot's queued redemptions are still its own: shares at the vault, cash unclaimed.
        let mut liquidators = Vec::new();
        for b in &self.bots.bots {
            let queued = self.observer.queued(&self.ledger.requests_of(&b.me)).await?;
            liquidators.push((self.ledger.wallet(&b.me), queued, b.capital));
        }
        let attacker = self
            .crowd
            .attacker
            .map(|(a, capital)| (self.ledger.wallet(&a), view.position(&a), capital));
        let (metrics, series) = self.tally.finish(&view, &liquidators, attacker);
        Ok(Run {
            scenario: self.s.name(),
            title: self.s.title.clone(),
            policy: self.policy.name().to_string(),
            seed: self.seed,
            scale: self.s.scale,
            description: self.s.description.trim().to_string(),
            provenance: Provenance {
                scenario_sha256: self.s.source_sha256.clone(),
                program: provenance::program(),
                parameters: std::mem::take(&mut self.parameters),
            },
            metrics,
            series,
        })
    }
}

/// Deploys the scenario's world (a lone vault's, or a basket's) with the lab's roles: the world
/// under study, the basket, the collateral's starting value, and the manifest.
async fn deploy_world(
    chain: &Chain,
    s: &Scenario,
    policy: Policy,
    r: &Roles,
    lab: &alloy::providers::DynProvider,
) -> Result<(World<alloy::providers::DynProvider>, Option<Basket>, f64, String)> {
    let roles = |c: &mut RolesConfig| {
        c.nav_reporter = Some(r.reporter);
        c.nav_confirmer = Some(r.custodian);
        c.custodian = Some(r.custodian);
    };
    Ok(match &s.basket {
        Some(b) => {
            let mut config = b.clone();
            roles(&mut config.roles);
            config.local.fund_accounts = 0;
            let d = deploy_basket(chain, &config, policy).await?;
            let basket = Basket::new(&d, b, policy, lab);
            // The seed's junior covers the senior: it starts at par.
            (d.senior_world(chain.provider().clone()), Some(basket), 1.0, d.to_json())
        }
        None => {
            let mut config = s.world.clone();
            roles(&mut config.roles);
            config.local.fund_accounts = 0;
            let d = deploy(chain, &config, policy).await?;
            let nav = from_wad(s.world.vault.initial_nav.raw());
            (d.world(chain.provider().clone()), None, nav, d.to_json())
        }
    })
}
