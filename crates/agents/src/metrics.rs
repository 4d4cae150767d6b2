//! Live counters and timings of a running bot, shared between its components and whoever
//! watches it (the CLI's periodic log line, the bench, tests).

use std::{
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

use crate::liquidation::AgentStats;

/// One block's scan: local health of every indexed position, then the batched confirmation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scan {
    /// The block.
    pub block: u64,
    /// Positions in the index.
    pub indexed: usize,
    /// Positions sent to the on-chain confirmation.
    pub shortlisted: usize,
    /// Transactions decided.
    pub actions: usize,
    /// From the block's arrival to the decisions: the snapshot reads, the local scan and the
    /// confirmation read.
    pub elapsed: Duration,
}

/// What a bot has done so far.
#[derive(Debug, Clone, Default)]
pub struct BotMetrics {
    /// The agent's decisions and their outcomes.
    pub agent: AgentStats,
    /// The last block processed.
    pub last_block: u64,
    /// Scans of the most recent blocks (at most [`BotMetrics::MAX_SCANS`]).
    pub scans: Vec<Scan>,
    /// Transactions sent.
    pub sent: u64,
    /// Times the collector got the node back after losing it.
    pub reconnects: u64,
    /// Times the chain was found reset or reorganized (index rebuilt).
    pub resets: u64,
    /// Times the executor resynced its nonce from the node.
    pub nonce_resyncs: u64,
}

impl BotMetrics {
    /// Scans kept.
    pub const MAX_SCANS: usize = 10_000;
}

/// [`BotMetrics`] behind a lock, cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct SharedMetrics(Arc<Mutex<BotMetrics>>);

impl SharedMetrics {
    /// Fresh counters.
    pub fn new() -> Self {
        Self::default()
    }

    /// Changes the counters.
    pub fn update(&self, f: impl FnOnce(&mut BotMetrics)) {
        f(&mut self.0.lock().unwrap_or_else(PoisonError::into_inner));
    }

    /// Reads the counters without copying them.
    pub fn read<R>(&self, f: impl FnOnce(&BotMetrics) -> R) -> R {
        f(&self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// A copy of the counters now.
    pub fn get(&self) -> BotMetrics {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Records a scan, keeping the most recent ones.
    pub fn record_scan(&self, scan: Scan) {
        self.update(|m| {
            if m.scans.len() >= BotMetrics::MAX_SCANS {
                m.scans.remove(0);
            }
            m.last_block = scan.block;
            m.scans.push(scan);
        });
    }
}
