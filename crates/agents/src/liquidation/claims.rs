//! Where the live bot learns that the vault owes it cash, from the vault's own records: its
//! redemptions of held collateral (when it may redeem), and the redemptions behind the slow
//! liquidations it started, whose settlement pays it the keeper fee and repays the debt.
//!
//! It finds the requests it controls in the vault's request list (the whole list at its first
//! block, so a restarted bot claims what it queued before; after that only the new entries),
//! learns each open slow liquidation's request from the market once, and at every block reads
//! the status of the requests still open. The lab's bots learn their claims from the settlement
//! logs their engine already decodes, and its keepers settle the slow liquidations.

use std::collections::{BTreeMap, BTreeSet};

use alloy::primitives::U256;
use tracing::debug;

use super::reader::MarketReader;
use crate::Result;

/// The bot's open requests with the vault (see the module docs).
#[derive(Debug, Clone, Default)]
pub struct Claims {
    /// Look for the bot's own redemption requests.
    own_requests: bool,
    /// Requests below this id have been looked at.
    scanned: u64,
    /// The bot's own requests with shares pending or cash unclaimed.
    open: BTreeSet<u64>,
    /// The bot's open slow liquidations: id → the market's redemption request.
    slow: BTreeMap<U256, u64>,
    /// Requests whose cash was asked for: the block it was asked at.
    sent: BTreeMap<u64, u64>,
}

/// What the vault has settled for the bot at a block.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Due {
    /// Its own redemption requests with cash to claim.
    pub redemptions: Vec<u64>,
    /// Its slow liquidations whose redemption has cash to settle.
    pub slow_liquidations: Vec<U256>,
}

impl Claims {
    /// Claims of the bot's own redemptions if `own_requests`, and settlements of its slow
    /// liquidations.
    pub fn new(own_requests: bool) -> Self {
        Self { own_requests, ..Self::default() }
    }

    /// What to collect at `block`, given the bot's open slow liquidations `slow`: each request
    /// once; one asked for is asked again only if its cash is still there `retry_after` blocks
    /// later (the transaction was lost).
    pub async fn due(
        &mut self,
        reader: &MarketReader,
        block: u64,
        retry_after: u64,
        slow: &BTreeSet<U256>,
    ) -> Result<Due> {
        let at = Some(block);
        if self.own_requests {
            let (count, mine) = reader.own_requests(self.scanned, at).await?;
            self.scanned = count;
            self.open.extend(mine);
        }
        self.slow.retain(|id, _| slow.contains(id));
        for id in slow {
            if !self.slow.contains_key(id) {
                self.slow.insert(*id, reader.slow_liquidation_request(*id, at).await?);
            }
        }
        let ids: Vec<u64> = self.open.iter().chain(self.slow.values()).copied().collect();
        let mut cash = BTreeSet::new();
        for (id, pending, claimable) in reader.redemptions_status(&ids, at).await? {
            if pending.is_zero() && claimable.is_zero() && self.open.remove(&id) {
                debug!(id, "redemption request closed");
            }
            if claimable.is_zero() {
                self.sent.remove(&id);
            } else if self.sent.get(&id).is_none_or(|&asked| block > asked + retry_after) {
                self.sent.insert(id, block);
                cash.insert(id);
            }
        }
        Ok(Due {
            redemptions: self.open.iter().filter(|id| cash.contains(id)).copied().collect(),
            slow_liquidations: self
                .slow
                .iter()
                .filter(|(_, request)| cash.contains(request))
                .map(|(id, _)| *id)
                .collect(),
        })
    }

    /// Forgets everything (the chain was reset): the next look scans the whole list again.
    pub fn clear(&mut self) {
        *self = Self::new(self.own_requests);
    }
}
