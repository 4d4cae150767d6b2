//! The engine: collectors → strategies → executors, wired by channels, as in artemis.
//!
//! Collectors turn the outside world into events, strategies turn events into actions, executors
//! carry actions out. Unlike artemis's broadcast channels, every strategy and executor has its own
//! bounded queue fed by a dispatcher that waits for room: a slow consumer slows the pipeline down
//! instead of silently losing events (a lost log would corrupt the bot's borrower index).
//! Executors may feed results back as events through [`Engine::event_sender`].

use std::{future::Future, pin::Pin};

use tokio::{sync::mpsc, task::JoinSet};
use tokio_util::sync::CancellationToken;
use tracing::{debug, error, info};

use crate::{Error, Result};

/// A boxed, sendable future: what the component traits return, so they can be boxed as `dyn`.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Where events go: collectors and executors send into it.
pub type EventSender<E> = mpsc::Sender<E>;

/// Queue length of each channel (events, actions, and each consumer's own queue).
const CAPACITY: usize = 1024;

/// A source of events (new blocks, logs, ...).
pub trait Collector<E>: Send {
    /// A name for logs and errors.
    fn name(&self) -> &str;
    /// Sends events until `cancel` fires. Transient failures are handled inside (retry, back
    /// off); an error ends the whole engine.
    fn run(
        self: Box<Self>,
        events: EventSender<E>,
        cancel: CancellationToken,
    ) -> BoxFuture<'static, Result<()>>;
}

/// Turns events into actions. The decisions themselves should be deterministic given the events
/// (no clock, no unseeded randomness); see [`Agent`].
pub trait Strategy<E, A>: Send {
    /// A name for logs and errors.
    fn name(&self) -> &str;
    /// Loads the initial state before any event arrives; an error ends the engine.
    fn sync_state(&mut self) -> BoxFuture<'_, Result<()>>;
    /// Handles one event and returns the actions to execute, in order.
    fn process_event(&mut self, event: E) -> BoxFuture<'_, Vec<A>>;
}

/// Carries actions out (sends transactions, ...). Executors ignore actions that are not theirs.
pub trait Executor<A>: Send {
    /// A name for logs.
    fn name(&self) -> &str;
    /// Executes one action; an error is logged and the executor goes on with the next one.
    fn execute(&mut self, action: A) -> BoxFuture<'_, Result<()>>;

    /// Executes the actions that arrived together (one block's, typically), in order; by
    /// default one after another (the first error is returned, the rest still run). An executor that can pipeline them overrides it.
    fn execute_all(&mut self, actions: Vec<A>) -> BoxFuture<'_, Result<()>>
    where
        A: Send + 'static,
    {
        Box::pin(async move {
            let mut outcome = Ok(());
            for action in actions {
                if let Err(e) = self.execute(action).await
                    && outcome.is_ok()
                {
                    outcome = Err(e);
                }
            }
            outcome
        })
    }
}

/// A pure, deterministic decision maker: the core of a strategy, free of I/O so that a live
/// strategy and a scenario engine drive the same code. Each agent has its own `Event` and
/// `Action` types (and a `Config` it is built from).
pub trait Agent {
    /// What the agent observes.
    type Event;
    /// What the agent asks for.
    type Action;
    /// Observes one event; returns the actions it decides on, in order.
    fn on_event(&mut self, event: Self::Event) -> Vec<Self::Action>;
}

/// Wires collectors, strategies and executors together; [`Engine::run`] runs them until
/// cancelled.
pub struct Engine<E, A> {
    collectors: Vec<Box<dyn Collector<E>>>,
    strategies: Vec<Box<dyn Strategy<E, A>>>,
    executors: Vec<Box<dyn Executor<A>>>,
    events: (mpsc::Sender<E>, mpsc::Receiver<E>),
}

impl<E, A> Default for Engine<E, A> {
    fn default() -> Self {
        Self {
            collectors: Vec::new(),
            strategies: Vec::new(),
            executors: Vec::new(),
            events: mpsc::channel(CAPACITY),
        }
    }
}

impl<E: Clone + Send + 'static, A: Clone + Send + 'static> Engine<E, A> {
    /// An engine with no components.
    pub fn new() -> Self {
        Self::default()
    }

    /// A sender into the event pipeline, for executors that report results as events.
    pub fn event_sender(&self) -> EventSender<E> {
        self.events.0.clone()
    }

    /// Adds a collector.
    pub fn add_collector(&mut self, collector: Box<dyn Collector<E>>) {
        self.collectors.push(collector);
    }

    /// Adds a strategy.
    pub fn add_strategy(&mut self, strategy: Box<dyn Strategy<E, A>>) {
        self.strategies.push(strategy);
    }

    /// Adds an executor.
    pub fn add_executor(&mut self, executor: Box<dyn Executor<A>>) {
        self.executors.push(executor);
    }

    /// Syncs every strategy, then runs every component until `cancel` fires (`Ok`) or a
    /// collector fails (that error). Cancels `cancel`'s children on the way out.
    pub async fn run(self, cancel: CancellationToken) -> Result<()> {
        let Self { collectors, mut strategies, executors, events: (event_tx, event_rx) } = self;
        for s in &mut strategies {
            s.sync_state().await?;
            info!(strategy = s.name(), "strategy synced");
        }
        let cancel = cancel.child_token();
        let mut tasks = JoinSet::new();
        let (action_tx, action_rx) = mpsc::channel::<A>(CAPACITY);

        let mut executor_txs = Vec::new();
        for mut executor in executors {
            let (tx, mut rx) = mpsc::channel::<A>(CAPACITY);
            executor_txs.push(tx);
            let cancel = cancel.clone();
            tasks.spawn(async move {
                while let Some(action) = recv(&mut rx, &cancel).await {
                    // A block's actions arrive together: hand over all that are waiting, so the
                    // executor can pipeline them.
                    let mut batch = vec![action];
                    while let Ok(more) = rx.try_recv() {
                        batch.push(more);
                    }
                    if let Err(e) = executor.execute_all(batch).await {
                        error!(executor = executor.name(), error = %e, "action failed");
                    }
                }
                Ok(())
            });
        }
        tasks.spawn(fan_out(action_rx, executor_txs, cancel.clone()));

        let mut strategy_txs = Vec::new();
        for mut strategy in strategies {
            let (tx, mut rx) = mpsc::channel::<E>(CAPACITY);
            strategy_txs.push(tx);
            let (actions, cancel) = (action_tx.clone(), cancel.clone());
            tasks.spawn(async move {
                while let Some(event) = recv(&mut rx, &cancel).await {
                    for action in strategy.process_event(event).await {
                        if actions.send(action).await.is_err() {
                            return Ok(());
                        }
                    }
                }
                Ok(())
            });
        }
        tasks.spawn(fan_out(event_rx, strategy_txs, cancel.clone()));

        for collector in collectors {
            let name = collector.name().to_string();
            let run = collector.run(event_tx.clone(), cancel.clone());
            tasks.spawn(async move {
                run.await.map_err(|e| Error::Component { component: name, message: e.to_string() })
            });
        }
        drop((event_tx, action_tx));

        let mut outcome = Ok(());
        while let Some(joined) = tasks.join_next().await {
            let result = joined.unwrap_or_else(|e| {
                Err(Error::Component { component: "engine task".into(), message: e.to_string() })
            });
            if let Err(e) = result {
                error!(error = %e, "engine stopping");
                cancel.cancel();
                if outcome.is_ok() {
                    outcome = Err(e);
                }
            }
        }
        debug!("engine stopped");
        outcome
    }
}

/// The next message, or `None` once cancelled or closed.
async fn recv<T>(rx: &mut mpsc::Receiver<T>, cancel: &CancellationToken) -> Option<T> {
    tokio::select! {
        biased;
        () = cancel.cancelled() => None,
        item = rx.recv() => item,
    }
}

/// Copies every message from `rx` to each of `txs`, waiting for room (no message is dropped).
async fn fan_out<T: Clone>(
    mut rx: mpsc::Receiver<T>,
    txs: Vec<mpsc::Sender<T>>,
    cancel: CancellationToken,
) -> Result<()> {
    while let Some(item) = recv(&mut rx, &cancel).await {
        for tx in &txs {
            if tx.send(item.clone()).await.is_err() {
                return Ok(());
            }
        }
    }
    Ok(())
}
