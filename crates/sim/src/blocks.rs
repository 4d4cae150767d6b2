//! The block builder: sends the lab's transactions (impersonated, explicit nonces, fixed gas),
//! mines each block at its timestamp, attributes every receipt to its sender (activity counts,
//! the bots' outcomes), and folds the block's logs into balances, slow liquidations and the
//! tally.

use std::collections::{BTreeMap, BTreeSet};

use alloy::{
    primitives::{Address, B256},
    rpc::types::{Log, TransactionRequest},
    sol_types::SolEvent,
};
use breakwater_agents::liquidation::{RevertReason, TxKind, TxOutcome};
use breakwater_chain::bindings::{
    CircuitBreaker, ConstantProductPool, RedeemToRepayMarket, RwaVault, Stablecoin,
};
use breakwater_world::{from_wad, tx::revert_name};
use tracing::debug;

use crate::{
    Activity, Error, OnProgress, Progress, Result,
    backend::Backend,
    observer::Observer,
    tally::Tally,
    wallets::{Ledger, Token},
};

/// Who sent a transaction, for outcomes and attribution.
#[derive(Debug, Clone)]
pub(crate) enum Sender {
    /// A crowd agent's action: "role:action".
    Crowd(String),
    /// Bot `i`'s transaction.
    Bot(usize, TxKind),
}

/// A mined block: its logs, and the outcomes of the bots' transactions in it, in sending order.
pub(crate) struct Mined {
    pub(crate) block: u64,
    pub(crate) logs: Vec<Log>,
    pub(crate) outcomes: Vec<(usize, TxOutcome)>,
}

/// Sends, mines and counts.
pub(crate) struct BlockBuilder {
    /// The chain it builds on.
    pub(crate) chain: Backend,
    /// Blocks mined.
    pub(crate) blocks: u64,
    /// Transactions by "role:action".
    pub(crate) activity: BTreeMap<String, Activity>,
    /// The chain's latest block number, and its timestamp.
    pub(crate) head: u64,
    pub(crate) head_timestamp: u64,
    /// Blocks the run will mine in all, and who to tell as they are.
    pub(crate) total: u64,
    pub(crate) progress: Option<OnProgress>,
}

impl BlockBuilder {
    /// A builder on `chain`, whose head is block `head` at `timestamp`.
    pub(crate) fn new(chain: Backend, head: u64, timestamp: u64) -> Self {
        Self {
            chain,
            blocks: 0,
            activity: BTreeMap::new(),
            head,
            head_timestamp: timestamp,
            total: 0,
            progress: None,
        }
    }

    /// Transactions sent.
    pub(crate) fn sent(&self) -> u64 {
        self.chain.sent()
    }

    /// Tells the progress callback where the run is.
    pub(crate) fn report_progress(&self) {
        if let Some(p) = &self.progress {
            p.call(Progress { job: 0, block: self.blocks, blocks: self.total.max(self.blocks) });
        }
    }

    /// Sends one transaction from `from` (impersonated) with the next nonce.
    pub(crate) async fn send(&mut self, from: Address, tx: TransactionRequest) -> Result<B256> {
        self.chain.send(from, tx).await
    }

    /// Mines the pending transactions in a block at `timestamp`; counts every one of `sent` and
    /// returns the block's logs and the bots' outcomes.
    pub(crate) async fn mine(
        &mut self,
        timestamp: u64,
        sent: Vec<(B256, Sender)>,
    ) -> Result<Mined> {
        let mined = self.chain.mine(timestamp).await?;
        self.blocks += 1;
        self.report_progress();
        self.head += 1;
        self.head_timestamp = timestamp;
        let logs = mined.logs;
        let mut status = BTreeMap::new();
        let mut reverts = BTreeMap::new();
        for t in mined.included {
            status.insert(t.hash, t.ok);
            reverts.insert(t.hash, t.revert);
        }
        let block = self.head;
        if sent.iter().any(|(h, _)| !status.contains_key(h)) {
            return Err(Error::Setup(format!("a transaction was left out of block {block}")));
        }
        let mut outcomes = Vec::new();
        for (hash, who) in sent {
            let ok = status[&hash];
            let label = match &who {
                Sender::Crowd(label) => label.clone(),
                Sender::Bot(_, kind) => format!("bot:{}", kind.name()),
            };
            let revert = if ok { None } else { reverts.remove(&hash) };
            let activity = self.activity.entry(label).or_default();
            activity.ok += u64::from(ok);
            activity.reverted += u64::from(!ok);
            if let Some(revert) = &revert {
                let name = revert_name(revert.as_ref());
                debug!(block, tx = %hash, who = ?who, error = %name, "transaction reverted");
                *activity.reverts.entry(name).or_default() += 1;
            }
            let Sender::Bot(i, kind) = who else { continue };
            let outcome = match revert {
                None => TxOutcome::Mined { kind, block },
                Some(revert) => {
                    TxOutcome::Reverted { kind, reason: RevertReason::of(revert.as_ref()) }
                }
            };
            outcomes.push((i, outcome));
        }
        Ok(Mined { block, logs, outcomes })
    }
}

/// What a block's logs are folded into.
pub(crate) struct Fold<'a> {
    /// The market and its open slow liquidations (and the NAV seized collateral is valued at).
    pub(crate) observer: &'a mut Observer,
    pub(crate) ledger: &'a mut Ledger,
    pub(crate) tally: &'a mut Tally,
    /// The bots' accounts (their sales of collateral are fire sales).
    pub(crate) bots: &'a BTreeSet<Address>,
    /// The chain timestamp the tally's times count from.
    pub(crate) start_ts: u64,
}

impl Fold<'_> {
    /// Balances from Transfer logs, redemption requests, slow liquidations; liquidations, bad
    /// debt, sales and trips into the tally.
    pub(crate) fn fold(self, logs: &[Log], block: u64, timestamp: u64) {
        let Self { observer, ledger, tally, bots, start_ts } = self;
        let w = &observer.world;
        let (usd, vault, pool, market) =
            (*w.stablecoin.address(), *w.vault.address(), *w.pool.address(), *w.market.address());
        let breaker = *w.breaker.address();
        let t = timestamp.saturating_sub(start_ts);
        let (nav, fundamental) = (observer.nav, observer.fundamental);
        for log in logs {
            let topic = log.topic0().copied().unwrap_or_default();
            let at = log.address();
            if topic == Stablecoin::Transfer::SIGNATURE_HASH && [usd, vault, pool].contains(&at) {
                let Ok(e) = Stablecoin::Transfer::decode_log(&log.inner) else { continue };
                let token = if at == usd {
                    Token::Stable
                } else if at == vault {
                    Token::Shares
                } else {
                    Token::Lp
                };
                ledger.transfer(token, e.from, e.to, e.value);
            } else if at == vault {
                if let Ok(e) = RwaVault::RedeemRequested::decode_log(&log.inner) {
                    ledger.requested(e.requestId.to::<u64>(), e.controller);
                } else if RwaVault::RedemptionsSettled::decode_log(&log.inner).is_ok() {
                    ledger.settled();
                } else if let Ok(e) = RwaVault::RedeemClaimed::decode_log(&log.inner) {
                    ledger.claimed(e.requestId.to::<u64>());
                }
            } else if at == market {
                fold_market(log, t, block, nav, &mut observer.slow, tally);
            } else if at == pool {
                let Ok(e) = ConstantProductPool::Swap::decode_log(&log.inner) else { continue };
                let (amount_in, amount_out) = (from_wad(e.amountIn), from_wad(e.amountOut));
                if e.tokenIn == vault && bots.contains(&e.sender) {
                    tally.fire_sale(amount_in, amount_out, fundamental);
                } else if e.tokenIn == usd {
                    tally.bought(amount_out, amount_in, fundamental);
                }
            } else if at == breaker && topic == CircuitBreaker::Tripped::SIGNATURE_HASH {
                tally.trip();
            }
        }
    }
}

/// One of the market's logs: liquidations (fast and slow), keeper fees, bad debt, and the
/// borrowers' own flows (for the gap between bad debt and the real shortfall).
fn fold_market(
    log: &Log,
    t: u64,
    block: u64,
    nav: f64,
    slow: &mut BTreeSet<u64>,
    tally: &mut Tally,
) {
    use RedeemToRepayMarket as M;
    let inner = &log.inner;
    if let Ok(e) = M::Liquidate::decode_log(inner) {
        let (repaid, seized) = (from_wad(e.repaidAssets), from_wad(e.seized));
        tally.liquidation(t, block, e.borrower, repaid, seized, nav);
        tally.gap.liquidated(e.borrower, repaid, seized);
    } else if let Ok(e) = M::SlowLiquidationStarted::decode_log(inner) {
        let id = e.id.to::<u64>();
        slow.insert(id);
        tally.slow_liquidation(t, block, e.borrower);
        tally.gap.slow_started(id, e.borrower, from_wad(e.collateral));
    } else if let Ok(e) = M::SlowLiquidationProgressed::decode_log(inner) {
        tally.keeper_fee(from_wad(e.fee));
        tally.gap.slow_progressed(e.id.to::<u64>(), from_wad(e.received), from_wad(e.repaid));
    } else if let Ok(e) = M::SlowLiquidationClosed::decode_log(inner) {
        slow.remove(&e.id.to::<u64>());
    } else if let Ok(e) = M::SlowLiquidationCured::decode_log(inner) {
        let id = e.id.to::<u64>();
        slow.remove(&id);
        tally.gap.slow_cured(id, from_wad(e.collateralReturned), from_wad(e.cashReturned));
    } else if let Ok(e) = M::BadDebtRealized::decode_log(inner) {
        tally.bad_debt(from_wad(e.badDebt), from_wad(e.socialized));
        tally.gap.written_off(e.borrower, from_wad(e.badDebt));
    } else if let Ok(e) = M::Borrow::decode_log(inner) {
        tally.gap.borrower(e.borrower, from_wad(e.assets), 0.0);
    } else if let Ok(e) = M::Repay::decode_log(inner) {
        tally.gap.borrower(e.onBehalf, -from_wad(e.assets), 0.0);
    } else if let Ok(e) = M::SupplyCollateral::decode_log(inner) {
        tally.gap.borrower(e.onBehalf, 0.0, from_wad(e.assets));
    } else if let Ok(e) = M::WithdrawCollateral::decode_log(inner) {
        tally.gap.borrower(e.borrower, 0.0, -from_wad(e.assets));
    }
}
