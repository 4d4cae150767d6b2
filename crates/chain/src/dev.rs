//! Development-chain helpers (Anvil): explicit mining with timestamps, automine, snapshots.
//!
//! The free functions work on any provider (the bot's own, for instance); the [`Chain`] methods
//! first check that the node is Anvil and fail with [`Error::NotDevNode`] otherwise.

use alloy::{
    primitives::U256,
    providers::{Provider, ext::AnvilApi},
};

use crate::{Chain, Error, Result};

/// A chain snapshot id, from [`snapshot`]; reverting consumes it (take another to revert again).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Snapshot(pub U256);

/// Mines one block whose timestamp is exactly `timestamp` (it must be later than the latest
/// block's). Pending transactions are included, so with automine off this is how the lab steps.
pub async fn mine_at<P: Provider>(provider: &P, timestamp: u64) -> Result<()> {
    provider
        .anvil_set_next_block_timestamp(timestamp)
        .await
        .map_err(|e| Error::rpc(format!("anvil_setNextBlockTimestamp({timestamp})"), e))?;
    mine(provider).await
}

/// Mines one block now (`evm_mine`).
pub async fn mine<P: Provider>(provider: &P) -> Result<()> {
    provider.evm_mine(None).await.map_err(|e| Error::rpc("evm_mine", e))?;
    Ok(())
}

/// Moves time forward by `seconds` and mines a block there.
pub async fn advance<P: Provider>(provider: &P, seconds: u64) -> Result<u64> {
    let now = latest_timestamp(provider).await?;
    let target = now.saturating_add(seconds.max(1));
    mine_at(provider, target).await?;
    Ok(target)
}

/// Turns automine on (a block per transaction) or off (blocks only when mined explicitly).
pub async fn set_automine<P: Provider>(provider: &P, on: bool) -> Result<()> {
    provider
        .anvil_set_auto_mine(on)
        .await
        .map_err(|e| Error::rpc(format!("anvil_setAutomine({on})"), e))
}

/// Takes a snapshot of the whole chain state (`evm_snapshot`).
pub async fn snapshot<P: Provider>(provider: &P) -> Result<Snapshot> {
    provider.anvil_snapshot().await.map(Snapshot).map_err(|e| Error::rpc("evm_snapshot", e))
}

/// Reverts to a snapshot (`evm_revert`); fails if the id is unknown or already used.
pub async fn revert<P: Provider>(provider: &P, snapshot: Snapshot) -> Result<()> {
    let ok = provider
        .anvil_revert(snapshot.0)
        .await
        .map_err(|e| Error::rpc(format!("evm_revert({})", snapshot.0), e))?;
    if ok {
        Ok(())
    } else {
        Err(Error::Contract {
            step: format!("evm_revert({})", snapshot.0),
            message: "the node does not know this snapshot (already reverted?)".into(),
        })
    }
}

/// The latest block's timestamp.
pub async fn latest_timestamp<P: Provider>(provider: &P) -> Result<u64> {
    let block = provider
        .get_block_by_number(alloy::eips::BlockNumberOrTag::Latest)
        .await
        .map_err(|e| Error::rpc("eth_getBlockByNumber(latest)", e))?
        .ok_or_else(|| Error::Contract {
            step: "eth_getBlockByNumber(latest)".into(),
            message: "the node returned no latest block".into(),
        })?;
    Ok(block.header.timestamp)
}

impl Chain {
    /// [`mine_at`], on Anvil only.
    pub async fn mine_at(&self, timestamp: u64) -> Result<()> {
        self.require_dev("anvil_setNextBlockTimestamp")?;
        mine_at(self.provider(), timestamp).await
    }

    /// [`mine`], on Anvil only.
    pub async fn mine(&self) -> Result<()> {
        self.require_dev("evm_mine")?;
        mine(self.provider()).await
    }

    /// [`advance`], on Anvil only; returns the new block's timestamp.
    pub async fn advance(&self, seconds: u64) -> Result<u64> {
        self.require_dev("anvil_setNextBlockTimestamp")?;
        advance(self.provider(), seconds).await
    }

    /// [`set_automine`], on Anvil only.
    pub async fn set_automine(&self, on: bool) -> Result<()> {
        self.require_dev("anvil_setAutomine")?;
        set_automine(self.provider(), on).await
    }

    /// [`snapshot`], on Anvil only.
    pub async fn snapshot(&self) -> Result<Snapshot> {
        self.require_dev("evm_snapshot")?;
        snapshot(self.provider()).await
    }

    /// [`revert`], on Anvil only.
    pub async fn revert(&self, snapshot: Snapshot) -> Result<()> {
        self.require_dev("evm_revert")?;
        revert(self.provider(), snapshot).await
    }

    /// The latest block's timestamp.
    pub async fn latest_timestamp(&self) -> Result<u64> {
        latest_timestamp(self.provider()).await
    }

    /// The latest block number.
    pub async fn block_number(&self) -> Result<u64> {
        self.provider().get_block_number().await.map_err(|e| Error::rpc("eth_blockNumber", e))
    }
}
