//! The competing liquidation bots: the bot's own pure agent and market reader, fed the block's
//! market logs and a snapshot, in an order that rotates with the seed.

use std::{collections::BTreeSet, sync::Arc};

use alloy::{
    primitives::{Address, U256},
    providers::DynProvider,
    rpc::types::{Log, TransactionRequest},
};
use breakwater_agents::{
    Agent,
    collector::{NewBlock, decode},
    crowd::View,
    liquidation::{
        CollateralPolicy, LiquidationAction, LiquidationAgent, LiquidationConfig, LiquidationEvent,
        MarketAddresses, MarketReader, TxKind, TxOutcome,
    },
};
use breakwater_chain::{World, bindings::RedeemToRepayMarket};

use breakwater_agents::redemption::RedemptionTerms;
use breakwater_world::{Reads, from_wad, to_wad};
use tracing::debug;

use crate::{
    Result,
    blocks::Sender,
    crowd,
    scenario::{BotSpec, BotStrategy},
    wallets::Ledger,
};

/// One liquidation bot: the pure agent, its reader, and the capital it started with.
pub(crate) struct Bot {
    pub(crate) me: Address,
    agent: LiquidationAgent,
    reader: MarketReader,
    pub(crate) capital: f64,
}

/// The bots, and the logs they have not seen yet.
pub(crate) struct Bots {
    pub(crate) bots: Vec<Bot>,
    /// Every block's logs since the bots last looked (keeper-only blocks included).
    unseen: Vec<Log>,
}

impl Bots {
    /// The scenario's bots on the market at `addresses`; a redemption takes `redemption`
    /// seconds with an empty queue and the vault settles every `epoch`.
    pub(crate) fn new(
        spec: &BotSpec,
        reads: &Arc<dyn Reads>,
        addresses: &MarketAddresses,
        (redemption, epoch): (u64, u64),
    ) -> Self {
        let max_slippage = to_wad(spec.max_slippage);
        let collateral = match spec.strategy {
            BotStrategy::Sell => CollateralPolicy::Sell { max_slippage },
            BotStrategy::Hold => CollateralPolicy::Hold,
            BotStrategy::SellOrRedeem => {
                let terms = RedemptionTerms {
                    cost_of_capital: spec.cost_of_capital,
                    risk_premium: spec.risk_premium,
                    redemption,
                    epoch,
                };
                CollateralPolicy::SellOrRedeem { max_slippage, terms }
            }
        };
        let bots = (0..spec.count)
            .map(|i| {
                let me = crowd::account("bot", i);
                let config = LiquidationConfig { collateral, ..LiquidationConfig::new(me) };
                let mut reader = MarketReader::new(Arc::clone(reads), addresses, me);
                if let CollateralPolicy::SellOrRedeem { .. } = collateral {
                    reader = reader.with_redemptions();
                }
                Bot { me, agent: LiquidationAgent::new(config), reader, capital: spec.capital }
            })
            .collect();
        Self { bots, unseen: Vec::new() }
    }

    /// The bots' accounts.
    pub(crate) fn accounts(&self) -> BTreeSet<Address> {
        self.bots.iter().map(|b| b.me).collect()
    }

    /// Reads the market's parameters once and tells every bot.
    pub(crate) async fn read_params(&mut self) -> Result<()> {
        let params = self.bots.first().map(|b| b.reader.clone());
        if let Some(reader) = params {
            let p = reader.params().await?;
            for bot in &mut self.bots {
                bot.agent.on_event(LiquidationEvent::Params(p));
            }
        }
        Ok(())
    }

    /// A block's logs, for the bots' next look.
    pub(crate) fn saw(&mut self, logs: Vec<Log>) {
        self.unseen.extend(logs);
    }

    /// How bot `i`'s transaction fared.
    pub(crate) fn outcome(&mut self, i: usize, outcome: TxOutcome) {
        self.bots[i].agent.on_event(LiquidationEvent::Outcome(outcome));
    }

    /// Every bot's transactions for the block after `view`: the bots race each other, and the
    /// order they act in rotates with `seed`. Each reads its snapshot of `head` through the live
    /// bot's own reader (exact on-chain values, its own balances) and, like the live bot, sits
    /// a block out when that read fails (a spot oracle over an emptied pool reverts).
    /// Their settled redemptions (from `view.claimable`) are claimed by the agent, once:
    /// `ledger` marks them claimed. Also returns the shares they sell on the pool (the crowd
    /// acting after them sees the pool so).
    pub(crate) async fn decide(
        &mut self,
        seed: u64,
        view: &View,
        head: &NewBlock,
        world: &World<DynProvider>,
        ledger: &mut Ledger,
    ) -> Result<(Vec<(Address, TransactionRequest, Sender)>, f64)> {
        let n = self.bots.len();
        let first = if n > 0 { (seed as usize).wrapping_add(view.block as usize) % n } else { 0 };
        let market = *world.market.address();
        let logs: Vec<_> = std::mem::take(&mut self.unseen)
            .iter()
            .filter(|l| l.address() == market)
            .filter_map(decode)
            .collect();
        let (mut outbox, mut sold) = (Vec::new(), 0.0);
        for k in 0..n {
            let i = (first + k) % n;
            let bot = &mut self.bots[i];
            if !logs.is_empty() {
                bot.agent.on_event(LiquidationEvent::Logs(logs.clone()));
            }
            let snapshot = match bot.reader.snapshot(head).await {
                Ok(snapshot) => snapshot,
                Err(e) => {
                    debug!(block = head.number, bot = i, error = %e, "snapshot read failed: the bot sits this block out");
                    continue;
                }
            };
            let claimable = view.claimable.get(&bot.me).cloned().unwrap_or_default();
            for id in &claimable {
                ledger.claimed(*id);
            }
            let mut actions = if claimable.is_empty() {
                Vec::new()
            } else {
                bot.agent.on_event(LiquidationEvent::Claimable(claimable))
            };
            for action in bot.agent.on_event(LiquidationEvent::Snapshot(snapshot)) {
                match action {
                    LiquidationAction::ConfirmHealth { block, borrowers } => {
                        let positions = bot.reader.positions_health(block, borrowers).await?;
                        actions.extend(
                            bot.agent.on_event(LiquidationEvent::Health { block, positions }),
                        );
                    }
                    other => actions.push(other),
                }
            }
            for action in actions {
                if let LiquidationAction::Sell(o) = &action {
                    sold += from_wad(o.amount);
                }
                outbox.push(bot_tx(world, i, bot.me, action, view.timestamp));
            }
        }
        Ok((outbox, sold))
    }
}

/// Bot `i`'s action as a transaction from `me`.
fn bot_tx(
    w: &World<DynProvider>,
    i: usize,
    me: Address,
    action: LiquidationAction,
    now: u64,
) -> (Address, TransactionRequest, Sender) {
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
        LiquidationAction::Redeem { shares, .. } => (
            me,
            w.vault.requestRedeem(shares, me, me).into_transaction_request(),
            Sender::Bot(i, TxKind::Redeem),
        ),
        LiquidationAction::Claim { id, .. } => (
            me,
            w.vault.claim(U256::from(id), me).into_transaction_request(),
            Sender::Bot(i, TxKind::Claim),
        ),
        LiquidationAction::SettleSlow { id, .. } => (
            me,
            RedeemToRepayMarket::new(*w.market.address(), w.market.provider().clone())
                .settleSlowLiquidation(id)
                .into_transaction_request(),
            Sender::Bot(i, TxKind::SettleSlow),
        ),
        LiquidationAction::ConfirmHealth { .. } => unreachable!("answered before"),
    }
}
