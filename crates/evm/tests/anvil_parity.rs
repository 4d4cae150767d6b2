//! The in-process chain against Anvil: one world deployed on an Anvil started as the lab starts
//! it, dumped and loaded into an [`EvmChain`], then the same transactions on both, block by block
//! at the same timestamps. After every block the statuses, gas, revert data and logs must be
//! identical, and so must the lab's views (read through the same `Reads` seam on both); at the
//! end, every account and storage slot.

mod common;

use std::collections::BTreeMap;

use alloy::{
    eips::{BlockId, eip2935::HISTORY_STORAGE_ADDRESS},
    primitives::{Address, B256, Bytes, U256, utils::parse_ether},
    providers::{DynProvider, Provider, ext::AnvilApi},
    rpc::types::{Log, TransactionRequest},
    sol_types::{SolCall, SolEvent},
};
use anyhow::{Context, Result, bail, ensure};
use breakwater_bindings::{
    ICollateralOracle, IConstantProductPool, ILendingMarket, IRwaVault, LendingMarket, Revert,
    Stablecoin,
};
use breakwater_evm::{EvmChain, Tx};
use breakwater_world::Reads;
use common::{lab_tx, lab_world};

const BLOCK_TIME: u64 = 12;

fn wad(x: &str) -> U256 {
    parse_ether(x).unwrap_or_default()
}

/// One chain of each kind, in lockstep.
struct Both {
    anvil: DynProvider,
    evm: EvmChain,
    nonces: BTreeMap<Address, u64>,
    sent: Vec<B256>,
}

/// A log's address, topics, data, block number and log index.
type LogFields = (Address, Vec<B256>, Bytes, Option<u64>, Option<u64>);

/// A receipt reduced to what both backends must agree on.
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    success: bool,
    gas_used: u64,
    logs: Vec<LogFields>,
}

impl Outcome {
    fn new(success: bool, gas_used: u64, logs: &[Log]) -> Self {
        let fields = |l: &Log| {
            let d = &l.inner.data;
            (l.address(), d.topics().to_vec(), d.data.clone(), l.block_number, l.log_index)
        };
        Self { success, gas_used, logs: logs.iter().map(fields).collect() }
    }
}

impl Both {
    /// Queues `call` on `to` from `from` on both chains, with the same explicit nonce.
    async fn send<C: SolCall>(&mut self, from: Address, to: Address, call: C) -> Result<()> {
        let nonce = match self.nonces.get(&from) {
            Some(n) => *n,
            None => self.anvil.get_transaction_count(from).pending().await?,
        };
        self.nonces.insert(from, nonce + 1);
        let data: Bytes = call.abi_encode().into();
        let request = lab_tx(from, to, data.clone(), nonce);
        let hash = *self.anvil.send_transaction(request).await?.tx_hash();
        self.evm.send(Tx::call(from, to, data).with_nonce(nonce))?;
        self.sent.push(hash);
        Ok(())
    }

    /// Sets `who`'s ETH balance on both.
    async fn set_balance(&mut self, who: Address, wei: U256) -> Result<()> {
        self.anvil.anvil_set_balance(who, wei).await?;
        self.evm.set_balance(who, wei);
        Ok(())
    }

    /// Mines a block at the next timestamp on both and compares what every transaction did.
    /// Returns the outcomes, with the decoded revert of each failure.
    async fn mine(&mut self) -> Result<Vec<(Outcome, Option<Revert>)>> {
        let timestamp = self.evm.head().timestamp + BLOCK_TIME;
        self.anvil.anvil_set_next_block_timestamp(timestamp).await?;
        self.anvil.evm_mine(None).await?;
        let block = self.evm.mine(timestamp)?;
        ensure!(block.dropped.is_empty(), "in-process dropped {:?}", block.dropped);
        let receipts =
            self.anvil.get_block_receipts(BlockId::latest()).await?.context("no receipts")?;
        let sent = std::mem::take(&mut self.sent);
        let mined: Vec<B256> = receipts.iter().map(|r| r.transaction_hash).collect();
        ensure!(mined == sent, "Anvil mined {mined:?}, sent {sent:?}");
        ensure!(
            receipts.len() == block.receipts.len(),
            "{} receipts in-process",
            block.receipts.len()
        );
        let head = self.anvil.get_block_number().await?;
        ensure!(head == block.number, "Anvil head {head}, in-process {}", block.number);
        let mut out = Vec::new();
        for (i, (a, e)) in receipts.iter().zip(&block.receipts).enumerate() {
            let anvil = Outcome::new(a.status(), a.gas_used, a.inner.logs());
            let evm = Outcome::new(e.success, e.gas_used, &e.logs);
            ensure!(
                anvil == evm,
                "block {} tx {i}: Anvil {anvil:?}\nin-process {evm:?}",
                block.number
            );
            if !e.success {
                // Anvil's revert data, replayed at the parent block, must match the receipt's.
                let replay = self.replay_revert(a.transaction_hash, block.number - 1).await?;
                ensure!(
                    replay == e.output,
                    "tx {i}: Anvil reverts with {replay}, in-process {}",
                    e.output
                );
            }
            out.push((evm, e.revert()));
        }
        Ok(out)
    }

    /// The revert data of a mined transaction, replayed by Anvil at `block`.
    async fn replay_revert(&self, hash: B256, block: u64) -> Result<Bytes> {
        let tx = self.anvil.get_transaction_by_hash(hash).await?.context("tx")?;
        let request = TransactionRequest::default()
            .from(tx.inner.signer())
            .to(alloy::consensus::Transaction::to(&tx).context("to")?)
            .input(alloy::consensus::Transaction::input(&tx).clone().into());
        match self.anvil.call(request).block(BlockId::number(block)).await {
            Ok(_) => bail!("the replay of {hash} succeeded"),
            Err(e) => e
                .as_error_resp()
                .and_then(|r| r.as_revert_data())
                .context(format!("no revert data: {e}")),
        }
    }

    /// The same views on both, through the `Reads` seam, unpinned ("latest": the next block's
    /// environment) and pinned to the head; their raw answers must be identical.
    async fn views(&self, reads: &[(Address, Bytes)]) -> Result<()> {
        let head = self.evm.head().number;
        for block in [None, Some(head)] {
            for (to, data) in reads {
                let (anvil, evm) = (
                    self.anvil.call_raw(*to, data.clone(), block).await.map_err(|e| e.to_string()),
                    self.evm.call_raw(*to, data.clone(), block).await.map_err(|e| e.to_string()),
                );
                ensure!(anvil.is_ok(), "view {data} on {to} failed on Anvil: {anvil:?}");
                ensure!(
                    anvil == evm,
                    "head {head}, read at {block:?}: view {data} on {to}: Anvil {anvil:?}, \
                     in-process {evm:?}"
                );
            }
        }
        Ok(())
    }
}

#[tokio::test]
async fn same_blocks_same_results_as_anvil() -> Result<()> {
    let (chain, d, anvil) = lab_world().await?;
    let c = d.contracts;
    let evm = EvmChain::from_anvil(&anvil).await?;
    let head = anvil.get_block_number().await?;
    ensure!(evm.head().number == head, "head {head}, loaded {:?}", evm.head());
    ensure!(evm.env().chain_id == 31_337 && evm.env().gas_limit == 1_000_000_000);
    anvil.anvil_set_auto_mine(false).await?;
    let mut both = Both { anvil, evm, nonces: BTreeMap::new(), sent: Vec::new() };

    let deployer = d.deployer.context("deployer")?;
    let roles = d.roles.context("roles")?;
    let [borrower, liquidator, trader, stranger] =
        [0x11, 0x22, 0x33, 0x44].map(Address::repeat_byte);
    let views = {
        let mut health =
            ILendingMarket::positionsHealthCall { borrowers: vec![borrower, stranger] };
        health.borrowers.push(liquidator);
        vec![
            (c.market, ILendingMarket::totalsCall {}.abi_encode().into()),
            (c.oracle, ICollateralOracle::liquidationPriceCall {}.abi_encode().into()),
            (c.oracle, ICollateralOracle::borrowPriceCall {}.abi_encode().into()),
            (c.pool, IConstantProductPool::getReservesCall {}.abi_encode().into()),
            (c.market, health.abi_encode().into()),
            (c.stablecoin, Stablecoin::balanceOfCall { account: liquidator }.abi_encode().into()),
        ]
    };
    both.views(&views).await?;

    // Block 1: gas money, stablecoin, approvals.
    for who in [borrower, liquidator, trader] {
        both.set_balance(who, wad("10")).await?;
        both.send(deployer, c.stablecoin, Stablecoin::mintCall { to: who, amount: wad("100000") })
            .await?;
        for spender in [c.vault, c.pool, c.market] {
            both.send(who, c.stablecoin, Stablecoin::approveCall { spender, value: U256::MAX })
                .await?;
            both.send(who, c.vault, Stablecoin::approveCall { spender, value: U256::MAX }).await?;
        }
    }
    let out = both.mine().await?;
    ensure!(out.iter().all(|(o, _)| o.success), "setup: {out:?}");
    both.views(&views).await?;

    // Block 2: subscribe to the vault, swap on the pool, and a borrow without collateral (reverts).
    both.send(
        borrower,
        c.vault,
        IRwaVault::subscribeCall { assets: wad("20000"), receiver: borrower },
    )
    .await?;
    let deadline = U256::from(both.evm.head().timestamp + 3600);
    let swap = IConstantProductPool::swapCall {
        tokenIn: c.stablecoin,
        amountIn: wad("5000"),
        minAmountOut: U256::ZERO,
        to: trader,
        deadline,
    };
    both.send(trader, c.pool, swap).await?;
    both.set_balance(stranger, wad("1")).await?;
    both.send(
        stranger,
        c.market,
        ILendingMarket::borrowCall { assets: wad("1"), receiver: stranger },
    )
    .await?;
    let out = both.mine().await?;
    ensure!(out[0].0.success && out[1].0.success, "subscribe and swap");
    ensure!(!out[2].0.success, "a borrow without collateral reverts");
    both.views(&views).await?;

    // Block 3: collateral in, a borrow near the maximum LTV.
    let shares = read(&both.evm, c.vault, Stablecoin::balanceOfCall { account: borrower }).await?;
    let price = read(&both.evm, c.oracle, ICollateralOracle::borrowPriceCall {}).await?;
    let max_ltv = U256::from(69u64) * U256::from(10u64).pow(U256::from(16u64));
    let debt = shares * price / wad("1") * max_ltv / wad("1");
    ensure!(debt > U256::ZERO, "borrow price {price}, shares {shares}");
    both.send(
        borrower,
        c.market,
        ILendingMarket::supplyCollateralCall { assets: shares, onBehalf: borrower },
    )
    .await?;
    both.send(borrower, c.market, ILendingMarket::borrowCall { assets: debt, receiver: borrower })
        .await?;
    let out = both.mine().await?;
    ensure!(out.iter().all(|(o, _)| o.success), "collateral and borrow");
    both.views(&views).await?;

    // Block 4: the NAV falls 15% (a large move: proposed, then confirmed).
    let as_of = both.evm.head().timestamp + BLOCK_TIME;
    both.send(
        roles.nav_reporter,
        c.vault,
        IRwaVault::reportNavCall { navPerShare: wad("0.85"), asOf: as_of },
    )
    .await?;
    both.send(roles.nav_confirmer, c.vault, IRwaVault::confirmNavCall {}).await?;
    let out = both.mine().await?;
    ensure!(out.iter().all(|(o, _)| o.success), "NAV report and confirmation: {out:?}");
    both.views(&views).await?;

    // Blocks 5 and 6: a liquidation, then one of a borrower without debt (reverts).
    let repay = debt / U256::from(4u64);
    both.send(
        liquidator,
        c.market,
        ILendingMarket::liquidateCall { borrower, repayAssets: repay, minSeized: U256::ZERO },
    )
    .await?;
    let out = both.mine().await?;
    let liquidate = LendingMarket::Liquidate::SIGNATURE_HASH;
    let liquidated = out[0].0.logs.iter().any(|l| l.0 == c.market && l.1[0] == liquidate);
    ensure!(out[0].0.success && liquidated, "a liquidation: {out:?}");
    both.views(&views).await?;
    both.send(
        liquidator,
        c.market,
        ILendingMarket::liquidateCall {
            borrower: stranger,
            repayAssets: repay,
            minSeized: U256::ZERO,
        },
    )
    .await?;
    let out = both.mine().await?;
    ensure!(
        matches!(&out[0].1, Some(r) if format!("{r:?}").contains("MarketNoDebt")),
        "decoded revert: {out:?}"
    );
    both.views(&views).await?;

    // Every account and storage slot.
    let after = breakwater_evm::AnvilDump::fetch(&both.anvil).await?;
    let ours = both.evm.accounts();
    let mut differ = Vec::new();
    let addresses: std::collections::BTreeSet<_> =
        after.accounts.keys().chain(ours.keys()).collect();
    for address in addresses {
        // Anvil's pre-block system call (EIP-2935) keeps the parent block hashes there; this
        // chain has no block hashes, and no contract of ours reads them.
        if *address == HISTORY_STORAGE_ADDRESS {
            continue;
        }
        let (a, e) = (after.accounts.get(address), ours.get(address));
        let (Some(a), Some(e)) = (a, e) else {
            differ.push(format!(
                "{address}: only {}",
                if a.is_some() { "on Anvil" } else { "in-process" }
            ));
            continue;
        };
        if (a.nonce, a.balance, &a.code) != (e.nonce, e.balance, &e.code) {
            differ.push(format!(
                "{address}: nonce {} / {}, balance {} / {}, code equal {}",
                a.nonce,
                e.nonce,
                a.balance,
                e.balance,
                a.code == e.code
            ));
        }
        let slots: std::collections::BTreeSet<_> =
            a.storage.keys().chain(e.storage.keys()).collect();
        for slot in slots {
            let (x, y) = (a.storage.get(slot), e.storage.get(slot));
            // Anvil lists slots written back to zero; a missing slot is zero.
            if x.filter(|v| !v.is_zero()) != y.filter(|v| !v.is_zero()) {
                differ.push(format!("{address} slot {slot:#x}: Anvil {x:?}, in-process {y:?}"));
            }
        }
    }
    ensure!(differ.is_empty(), "{} differences:\n{}", differ.len(), differ.join("\n"));
    drop(chain);
    Ok(())
}

/// A typed view through the `Reads` seam.
async fn read<C: SolCall>(reads: &dyn Reads, to: Address, call: C) -> Result<C::Return> {
    Ok(breakwater_world::read::call(reads, to, &call, None).await?)
}
