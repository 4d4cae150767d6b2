//! Where the live bot learns that its redemptions have cash to claim: the vault's own records.
//! It finds the requests it controls in the vault's request list (the whole list at its first
//! block, so a restarted bot claims what it queued before; after that only the new entries),
//! and at every block reads the status of those still open. The lab's bots learn the same from
//! the settlement logs their engine already decodes.

use std::collections::{BTreeMap, BTreeSet};

use alloy::primitives::U256;
use tracing::debug;

use super::reader::MarketReader;
use crate::Result;

/// The bot's open redemption requests (see the module docs).
#[derive(Debug, Clone, Default)]
pub struct Claims {
    /// Requests below this id have been looked at.
    scanned: u64,
    /// The bot's requests with shares pending or cash unclaimed.
    open: BTreeSet<u64>,
    /// Claims sent, by request: the block they were sent at.
    sent: BTreeMap<u64, u64>,
}

impl Claims {
    /// The requests with cash to claim at `block`, each once: a claim sent is not sent again
    /// unless the cash is still there `retry_after` blocks later (the claim was lost).
    pub async fn due(
        &mut self,
        reader: &MarketReader,
        block: u64,
        retry_after: u64,
    ) -> Result<Vec<u64>> {
        let (count, mine) = reader.own_requests(self.scanned, Some(block)).await?;
        self.scanned = count;
        self.open.extend(mine);
        let ids: Vec<u64> = self.open.iter().copied().collect();
        let mut due = Vec::new();
        for (id, pending, claimable) in reader.redemptions_status(&ids, Some(block)).await? {
            if pending.is_zero() && claimable.is_zero() {
                debug!(id, "redemption request closed");
                self.open.remove(&id);
                self.sent.remove(&id);
            } else if claimable > U256::ZERO
                && self.sent.get(&id).is_none_or(|&at| block > at + retry_after)
            {
                self.sent.insert(id, block);
                due.push(id);
            }
        }
        Ok(due)
    }

    /// Forgets everything (the chain was reset): the next look scans the whole list again.
    pub fn clear(&mut self) {
        *self = Self::default();
    }
}
