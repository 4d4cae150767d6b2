//! The chain's fixed environment (what Anvil was started with) and the revm configuration and
//! block environment built from it, so every block and every read sees the same rules.

use alloy::primitives::{Address, B256, U256};
use revm::{
    context::{BlockEnv, CfgEnv},
    primitives::hardfork::SpecId,
};

use crate::{Error, Result};

/// What stays the same from block to block: the rules and the block fields no contract of ours
/// reads but the EVM needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainEnv {
    /// The chain id (`block.chainid`; Anvil's default 31337).
    pub chain_id: u64,
    /// The hardfork (gas schedule and opcodes), Anvil's by default.
    pub spec: SpecId,
    /// The block gas limit; a transaction that no longer fits waits for the next block.
    pub gas_limit: u64,
    /// The base fee of every block. It stays fixed (the lab runs Anvil at 0, where EIP-1559
    /// keeps it 0).
    pub base_fee: u64,
    /// The block's beneficiary (receives the priority fees).
    pub coinbase: Address,
    /// `block.prevrandao` of every block.
    pub prevrandao: B256,
    /// Seconds after the head at which an unpinned read runs
    /// ([`EvmChain::call_latest`](crate::EvmChain::call_latest)): Anvil answers `eth_call` at
    /// "latest" in the next block's environment, at the head's timestamp plus the interval set
    /// by `anvil_setBlockTimestampInterval` (the lab sets 1).
    pub call_interval: u64,
}

impl Default for ChainEnv {
    /// The lab's Anvil: chain 31337, Osaka, gas limit 1e9, base fee 0, coinbase zero, reads at
    /// "latest" one second after the head.
    fn default() -> Self {
        Self {
            chain_id: 31_337,
            spec: SpecId::OSAKA,
            gas_limit: 1_000_000_000,
            base_fee: 0,
            coinbase: Address::ZERO,
            prevrandao: B256::ZERO,
            call_interval: 1,
        }
    }
}

impl ChainEnv {
    /// The revm configuration for transactions: Anvil's checks (nonce, balance, base fee),
    /// except that any address may send (impersonation: EIP-3607 off) and, as on Anvil without
    /// `--enable-tx-gas-limit`, no EIP-7825 cap on a transaction's gas.
    pub(crate) fn cfg(&self) -> CfgEnv {
        let mut cfg = CfgEnv::new_with_spec(self.spec);
        cfg.chain_id = self.chain_id;
        cfg.disable_eip3607 = true;
        cfg.tx_gas_limit_cap = Some(u64::MAX);
        cfg
    }

    /// The configuration for reads (`eth_call`): no nonce check.
    pub(crate) fn call_cfg(&self) -> CfgEnv {
        let mut cfg = self.cfg();
        cfg.disable_nonce_check = true;
        cfg
    }

    /// The environment of block `number` at `timestamp`.
    pub(crate) fn block(&self, number: u64, timestamp: u64) -> BlockEnv {
        BlockEnv {
            number: U256::from(number),
            beneficiary: self.coinbase,
            timestamp: U256::from(timestamp),
            gas_limit: self.gas_limit,
            basefee: self.base_fee,
            prevrandao: Some(self.prevrandao),
            ..BlockEnv::default()
        }
    }
}

/// The hardfork named `name` (Anvil's `hard_fork`, e.g. `"prague"`, `"Osaka"`, `"Bpo1"`).
pub(crate) fn spec_named(name: &str) -> Result<SpecId> {
    // The blob-parameter-only forks after Osaka ("Bpo1", ...) change blob limits alone: Osaka's
    // EVM (Anvil 1.7's default is "Bpo1").
    let bpo = name.len() > 3 && name[..3].eq_ignore_ascii_case("bpo");
    let name = if bpo { <&'static str>::from(SpecId::OSAKA) } else { name };
    (0..=u8::MAX)
        .filter_map(SpecId::try_from_u8)
        .find(|spec| <&'static str>::from(*spec).eq_ignore_ascii_case(name))
        .ok_or_else(|| Error::Hardfork(name.to_string()))
}
