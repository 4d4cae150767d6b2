//! A micro-benchmark, run by hand (`cargo test --release -p breakwater-evm --test bench --
//! --ignored --nocapture`): the same blocks of swaps and view calls on the lab's Anvil over
//! JSON-RPC (sequential, as the lab sends and reads) and on the in-process chain.

mod common;

use std::time::Instant;

use alloy::{
    primitives::{Address, Bytes, U256, utils::parse_ether},
    providers::{Provider, ext::AnvilApi},
    rpc::types::TransactionRequest,
    sol_types::SolCall,
};
use anyhow::{Context, Result, ensure};
use breakwater_bindings::{ICollateralOracle, IConstantProductPool, ILendingMarket, Stablecoin};
use breakwater_evm::{EvmChain, Tx};
use breakwater_world::Reads;
use common::{lab_tx, lab_world};

const BLOCKS: u64 = 100;
const TXS_PER_BLOCK: usize = 20;
const CALLS_PER_BLOCK: usize = 100;

/// The benchmark's transactions: approvals, then swaps back and forth from `traders`.
fn workload(
    c: &breakwater_chain::Addresses,
    traders: &[Address],
    block: u64,
) -> Vec<(Address, Address, Bytes)> {
    let wad = |x: &str| parse_ether(x).unwrap_or_default();
    (0..TXS_PER_BLOCK)
        .map(|i| {
            let from = traders[i % traders.len()];
            let data = if block == 0 {
                let (token, spender) =
                    [(c.stablecoin, c.pool), (c.vault, c.pool)][i / traders.len() % 2];
                (token, Stablecoin::approveCall { spender, value: U256::MAX }.abi_encode())
            } else {
                let token_in =
                    if (block as usize + i).is_multiple_of(2) { c.stablecoin } else { c.vault };
                let swap = IConstantProductPool::swapCall {
                    tokenIn: token_in,
                    amountIn: wad("10"),
                    minAmountOut: U256::ZERO,
                    to: from,
                    deadline: U256::MAX,
                };
                (c.pool, swap.abi_encode())
            };
            (from, data.0, data.1.into())
        })
        .collect()
}

fn views(c: &breakwater_chain::Addresses, traders: &[Address]) -> Vec<(Address, Bytes)> {
    let health = ILendingMarket::positionsHealthCall { borrowers: traders.to_vec() };
    let calls: [(Address, Bytes); 4] = [
        (c.market, ILendingMarket::totalsCall {}.abi_encode().into()),
        (c.oracle, ICollateralOracle::liquidationPriceCall {}.abi_encode().into()),
        (c.pool, IConstantProductPool::getReservesCall {}.abi_encode().into()),
        (c.market, health.abi_encode().into()),
    ];
    (0..CALLS_PER_BLOCK).map(|i| calls[i % calls.len()].clone()).collect()
}

#[tokio::test]
#[ignore = "a benchmark: run by hand in release mode"]
async fn anvil_against_in_process() -> Result<()> {
    let (_chain, d, anvil) = lab_world().await?;
    let c = d.contracts;
    let deployer = d.deployer.context("deployer")?;

    // The traders hold stablecoin (minted) and shares (the deployer's seed), funded on Anvil
    // before the dump so both chains start from the same state.
    let traders: Vec<Address> = (1..=10u8).map(Address::repeat_byte).collect();
    for t in &traders {
        anvil.anvil_set_balance(*t, parse_ether("100")?).await?;
        let mint = Stablecoin::mintCall { to: *t, amount: parse_ether("1000000")? };
        let tx = TransactionRequest::default()
            .from(deployer)
            .to(c.stablecoin)
            .input(mint.abi_encode().into());
        anvil.send_transaction(tx).await?.get_receipt().await?;
        let give = Stablecoin::transferCall { to: *t, value: parse_ether("1000")? };
        let tx = TransactionRequest::default()
            .from(deployer)
            .to(c.vault)
            .input(give.abi_encode().into());
        anvil.send_transaction(tx).await?.get_receipt().await?;
    }

    let started = Instant::now();
    let world = EvmChain::from_anvil(&anvil).await?;
    let load = started.elapsed();
    let started = Instant::now();
    let clones = 100;
    for _ in 0..clones {
        std::hint::black_box(world.clone());
    }
    let clone = started.elapsed() / clones;

    // In-process.
    let mut evm = world.clone();
    let reads = views(&c, &traders);
    let started = Instant::now();
    let mut ok = 0usize;
    for block in 0..BLOCKS {
        for (from, to, data) in workload(&c, &traders, block) {
            evm.send(Tx::call(from, to, data))?;
        }
        let timestamp = evm.head().timestamp + 12;
        ok += evm.mine(timestamp)?.receipts.iter().filter(|r| r.success).count();
        for (to, data) in &reads {
            evm.call_raw(*to, data.clone(), None).await?;
        }
    }
    let in_process = started.elapsed();

    // Anvil, as the lab drives it: explicit nonces, one request at a time.
    anvil.anvil_set_auto_mine(false).await?;
    let mut nonces = std::collections::BTreeMap::new();
    let started = Instant::now();
    let mut anvil_ok = 0usize;
    for block in 0..BLOCKS {
        for (from, to, data) in workload(&c, &traders, block) {
            let nonce = match nonces.get(&from) {
                Some(n) => *n,
                None => anvil.get_transaction_count(from).pending().await?,
            };
            nonces.insert(from, nonce + 1);
            let _pending = anvil.send_transaction(lab_tx(from, to, data, nonce)).await?;
        }
        let head = anvil.get_block_number().await?;
        let timestamp =
            anvil.get_block_by_number(head.into()).await?.context("head")?.header.timestamp + 12;
        anvil.anvil_set_next_block_timestamp(timestamp).await?;
        anvil.evm_mine(None).await?;
        let receipts =
            anvil.get_block_receipts(alloy::eips::BlockId::latest()).await?.unwrap_or_default();
        anvil_ok += receipts.iter().filter(|r| r.status()).count();
        for (to, data) in &reads {
            anvil.call_raw(*to, data.clone(), None).await?;
        }
    }
    let over_rpc = started.elapsed();
    ensure!(ok == anvil_ok, "{ok} succeeded in-process, {anvil_ok} on Anvil");

    let txs = BLOCKS as usize * TXS_PER_BLOCK;
    let calls = BLOCKS as usize * CALLS_PER_BLOCK;
    println!("{txs} transactions ({ok} succeeded) and {calls} calls in {BLOCKS} blocks");
    println!("  Anvil over JSON-RPC: {:.3} s", over_rpc.as_secs_f64());
    println!("  in-process:          {:.3} s", in_process.as_secs_f64());
    println!("  ratio:               {:.1}x", over_rpc.as_secs_f64() / in_process.as_secs_f64());
    println!(
        "  load from Anvil: {:.1} ms, clone of the world: {:.1} µs",
        load.as_secs_f64() * 1e3,
        clone.as_secs_f64() * 1e6
    );
    Ok(())
}
