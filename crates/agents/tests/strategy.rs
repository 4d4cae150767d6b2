//! Pure tests of the liquidation agent: no node, no clock. The borrower index from events, the
//! local shortlist, ordering by profit, the close factor, inventory and allowance caps, the slow
//! path, outcomes (lost races, reverts, timeouts), sales, and determinism.

use alloy::primitives::{Address, U256};
use breakwater_agents::{
    Agent,
    liquidation::{
        BorrowerIndex, CollateralPolicy, LiquidationAction, LiquidationAgent, LiquidationConfig,
        LiquidationEvent, LogEntry, MarketLog, MarketSnapshot, PositionHealth, RedemptionQuote,
        RevertReason, RiskParams, TxKind, TxOutcome,
    },
    math::{self, WAD},
    redemption::RedemptionTerms,
};

fn wad(x: f64) -> U256 {
    U256::from((x * 1e9).round() as u128) * U256::from(1_000_000_000u64)
}

fn addr(n: u8) -> Address {
    Address::with_last_byte(n)
}

fn params() -> RiskParams {
    RiskParams {
        lltv: wad(0.8),
        close_factor: wad(0.5),
        dust_debt: wad(1.0),
        keeper_fee: wad(0.01),
    }
}

/// A block with price 1, totals where one share is worth 1e-6 asset, unlimited fast
/// liquidation, a deep pool at price 1 and 1M of stablecoin; no base fee.
fn snapshot(block: u64) -> MarketSnapshot {
    MarketSnapshot {
        block,
        timestamp: 1_000 + block * 12,
        base_fee: 0,
        liquidation_price: wad(1.0),
        total_borrow_assets: wad(1_000_000.0),
        total_borrow_shares: wad(1_000_000.0) * U256::from(1_000_000u64),
        fast_allowance: U256::MAX,
        slow_path_open: false,
        pool_base: wad(1_000_000.0),
        pool_quote: wad(1_000_000.0),
        loan_balance: wad(1_000_000.0),
        collateral_balance: U256::ZERO,
        redemption: None,
    }
}

/// What `positionsHealth` would say for `collateral` and `debt` at price 1.
fn health(borrower: Address, collateral: f64, debt: f64) -> PositionHealth {
    let p = params();
    let (collateral, debt) = (wad(collateral), wad(debt));
    let hf = math::health_factor(collateral, debt, wad(1.0), p.lltv);
    let max_repay = math::max_repay(debt, p.close_factor, p.dust_debt);
    let (_, seizable) =
        math::liquidation_amounts(max_repay, max_repay, collateral, wad(1.0), p.lif());
    PositionHealth {
        borrower,
        collateral,
        debt,
        health_factor: hf,
        liquidatable: hf < WAD,
        max_repay,
        seizable: if hf < WAD { seizable } else { U256::ZERO },
    }
}

fn log(block: u64, log_index: u64, log: MarketLog) -> LogEntry {
    LogEntry { block, log_index, log }
}

/// Logs opening a position of `collateral` and `debt` (shares at 1e6 per asset unit).
fn open(block: u64, borrower: Address, collateral: f64, debt: f64) -> Vec<LogEntry> {
    vec![
        log(block, 0, MarketLog::SupplyCollateral { borrower, assets: wad(collateral) }),
        log(block, 1, MarketLog::Borrow { borrower, shares: wad(debt) * U256::from(1_000_000u64) }),
    ]
}

fn hold_config() -> LiquidationConfig {
    LiquidationConfig { collateral: CollateralPolicy::Hold, ..LiquidationConfig::new(addr(0xb0)) }
}

fn agent(config: LiquidationConfig) -> LiquidationAgent {
    let mut agent = LiquidationAgent::new(config);
    agent.on_event(LiquidationEvent::Params(params()));
    agent
}

fn orders(actions: &[LiquidationAction]) -> Vec<(Address, U256, U256)> {
    actions
        .iter()
        .filter_map(|a| match a {
            LiquidationAction::Liquidate(o) => Some((o.borrower, o.repay, o.expected_seized)),
            _ => None,
        })
        .collect()
}

fn slow(actions: &[LiquidationAction]) -> Vec<Address> {
    actions
        .iter()
        .filter_map(|a| match a {
            LiquidationAction::SlowLiquidate { borrower, .. } => Some(*borrower),
            _ => None,
        })
        .collect()
}

#[test]
fn index_follows_the_market_logs() {
    let (a, b) = (addr(1), addr(2));
    let mut index = BorrowerIndex::new();
    for entry in open(10, a, 100.0, 50.0).iter().chain(&open(11, b, 10.0, 5.0)) {
        assert!(index.apply(entry));
    }
    let shares = |x: f64| wad(x) * U256::from(1_000_000u64);
    assert_eq!(index.len(), 2);
    assert_eq!(
        index.get(&a).map(|p| (p.collateral, p.borrow_shares)),
        Some((wad(100.0), shares(50.0)))
    );

    // Repay and withdraw, then a partial liquidation.
    index.apply(&log(12, 0, MarketLog::Repay { borrower: a, shares: shares(10.0) }));
    index.apply(&log(12, 1, MarketLog::WithdrawCollateral { borrower: a, assets: wad(20.0) }));
    index.apply(&log(
        13,
        4,
        MarketLog::Liquidate {
            liquidator: addr(9),
            borrower: a,
            repaid_assets: wad(20.0),
            repaid_shares: shares(20.0),
            seized: wad(21.0),
        },
    ));
    assert_eq!(
        index.get(&a).map(|p| (p.collateral, p.borrow_shares)),
        Some((wad(59.0), shares(20.0)))
    );

    // An overlapping backfill (same or older logs) changes nothing.
    for entry in open(10, a, 100.0, 50.0) {
        assert!(!index.apply(&entry));
    }
    assert!(!index.apply(&log(13, 4, MarketLog::Repay { borrower: a, shares: shares(20.0) })));
    assert_eq!(index.last_applied(), Some((13, 4)));

    // A liquidation that takes all the collateral leaves bad debt the market writes off.
    index.apply(&log(
        14,
        0,
        MarketLog::Liquidate {
            liquidator: addr(9),
            borrower: b,
            repaid_assets: wad(2.0),
            repaid_shares: shares(2.0),
            seized: wad(10.0),
        },
    ));
    assert!(index.get(&b).is_none(), "an emptied position leaves the index");

    // The slow path takes the debt and the collateral covering it.
    index.apply(&log(
        15,
        0,
        MarketLog::SlowLiquidationStarted {
            id: U256::from(3),
            borrower: a,
            keeper: addr(9),
            collateral: wad(21.3),
        },
    ));
    let p = index.get(&a).copied().unwrap_or_default();
    assert_eq!((p.collateral, p.borrow_shares), (wad(59.0) - wad(21.3), U256::ZERO));
    assert_eq!(index.open_slow_liquidations().get(&U256::from(3)), Some(&(a, addr(9))));
    index.apply(&log(16, 0, MarketLog::SlowLiquidationClosed { id: U256::from(3) }));
    assert!(index.open_slow_liquidations().is_empty());
}

#[test]
fn shortlist_takes_positions_near_or_below_one_most_at_risk_first() {
    // Health factors at price 1 and LLTV 0.8: 0.8 (1), 0.96 (2), 0.9995 (3), 1.6 (4).
    let logs = || {
        let mut logs = open(1, addr(1), 100.0, 100.0);
        logs.extend(open(2, addr(2), 120.0, 100.0));
        logs.extend(open(3, addr(3), 124.96, 100.0));
        logs.extend(open(4, addr(4), 200.0, 100.0));
        logs
    };
    let mut capped = agent(LiquidationConfig { max_confirm: 2, ..hold_config() });
    capped.on_event(LiquidationEvent::Logs(logs()));
    assert_eq!(capped.shortlist(&snapshot(5)), vec![addr(1), addr(2)], "capped at max_confirm");

    let mut bot = agent(hold_config());
    bot.on_event(LiquidationEvent::Logs(logs()));
    // The margin (0.1%) catches the position at 0.9997 but not the one at 1.6.
    assert_eq!(bot.shortlist(&snapshot(5)), vec![addr(1), addr(2), addr(3)]);
    // A higher price heals them all; a lower one puts the fourth at risk too.
    let high = MarketSnapshot { liquidation_price: wad(2.0), ..snapshot(6) };
    assert!(bot.shortlist(&high).is_empty());
    let low = MarketSnapshot { liquidation_price: wad(0.6), ..snapshot(6) };
    assert_eq!(bot.shortlist(&low), vec![addr(1), addr(2), addr(3), addr(4)]);
    // Without parameters the agent cannot judge health and shortlists nothing.
    let mut blind = LiquidationAgent::new(hold_config());
    blind.on_event(LiquidationEvent::Logs(logs()));
    assert!(blind.shortlist(&snapshot(5)).is_empty());
}

#[test]
fn liquidates_most_profitable_first_within_the_close_factor() {
    let mut bot = agent(hold_config());
    let positions = vec![
        health(addr(1), 100.0, 90.0),
        health(addr(2), 1_000.0, 900.0),
        health(addr(3), 500.0, 450.0),
    ];
    bot.on_event(LiquidationEvent::Snapshot(snapshot(7)));
    let actions = bot.on_event(LiquidationEvent::Health { block: 7, positions: positions.clone() });
    let got = orders(&actions);
    assert_eq!(got.iter().map(|o| o.0).collect::<Vec<_>>(), vec![addr(2), addr(3), addr(1)]);
    // Each repays exactly the close factor's half of the debt and seizes repay × LIF / price.
    for (o, h) in got.iter().zip([&positions[1], &positions[2], &positions[0]]) {
        assert_eq!(o.1, h.max_repay);
        assert_eq!(o.1, math::mul_wad_up(h.debt, wad(0.5)));
        assert_eq!(o.2, math::div_wad_down(math::mul_wad_down(o.1, params().lif()), wad(1.0)));
        assert_eq!(o.2, h.seizable, "agrees with what positionsHealth reports");
    }
    // Healthy or pending positions are not touched again.
    bot.on_event(LiquidationEvent::Snapshot(snapshot(8)));
    let again = bot.on_event(LiquidationEvent::Health { block: 8, positions });
    assert!(orders(&again).is_empty(), "all three are in flight");
}

#[test]
fn gas_and_min_profit_filter_small_positions() {
    // 300k gas at 10 gwei and 3,000 per coin = 9 loan units per liquidation.
    let config = LiquidationConfig { min_profit: wad(1.0), ..hold_config() };
    let mut bot = agent(config);
    let s = MarketSnapshot { base_fee: 9_000_000_000, ..snapshot(3) };
    bot.on_event(LiquidationEvent::Snapshot(s));
    // Incentive on 45 repaid ≈ 2.87: below gas. On 450 ≈ 28.7: above gas + min profit.
    let actions = bot.on_event(LiquidationEvent::Health {
        block: 3,
        positions: vec![health(addr(1), 100.0, 90.0), health(addr(2), 1_000.0, 900.0)],
    });
    assert_eq!(orders(&actions).iter().map(|o| o.0).collect::<Vec<_>>(), vec![addr(2)]);
    let LiquidationAction::Liquidate(o) = &actions[0] else { panic!("{actions:?}") };
    let gas = wad(9.0);
    let value = math::mul_wad_down(o.expected_seized, wad(1.0));
    assert_eq!(o.expected_profit, value - o.repay - gas);
    assert_eq!(o.fees.max_fee_per_gas, 2 * 9_000_000_000 + 1_000_000_000);
}

#[test]
fn inventory_caps_repayments_in_profit_order() {
    let config = LiquidationConfig { inventory: Some(wad(500.0)), ..hold_config() };
    let mut bot = agent(config);
    bot.on_event(LiquidationEvent::Snapshot(snapshot(3)));
    let actions = bot.on_event(LiquidationEvent::Health {
        block: 3,
        positions: vec![health(addr(1), 1_000.0, 900.0), health(addr(2), 200.0, 180.0)],
    });
    let got = orders(&actions);
    // 450 to the bigger one, the remaining 50 to the other.
    assert_eq!(
        got.iter().map(|o| (o.0, o.1)).collect::<Vec<_>>(),
        vec![(addr(1), wad(450.0)), (addr(2), wad(50.0))]
    );
}

#[test]
fn fast_allowance_caps_seizure_then_the_slow_path_takes_the_rest() {
    // The breaker lets fast liquidation seize 100 more collateral, and the slow path is open.
    let s = MarketSnapshot { fast_allowance: wad(100.0), slow_path_open: true, ..snapshot(9) };
    let mut bot = agent(hold_config());
    bot.on_event(LiquidationEvent::Snapshot(s.clone()));
    let positions = vec![health(addr(1), 1_000.0, 900.0), health(addr(2), 500.0, 450.0)];
    let actions = bot.on_event(LiquidationEvent::Health { block: 9, positions: positions.clone() });
    let got = orders(&actions);
    assert_eq!(got.len(), 1);
    let (who, repay, seized) = got[0];
    assert_eq!(who, addr(1));
    assert!(seized <= wad(100.0) && seized > wad(99.9), "seize {seized} within the allowance");
    assert_eq!(repay, math::repay_for_seizure(wad(100.0), wad(1.0), params().lif()));
    assert_eq!(slow(&actions), vec![addr(2)], "the budget is spent: slow path");

    // Slow path closed: only the capped fast liquidation.
    let mut bot = agent(hold_config());
    bot.on_event(LiquidationEvent::Snapshot(MarketSnapshot { slow_path_open: false, ..s.clone() }));
    let actions = bot.on_event(LiquidationEvent::Health { block: 9, positions: positions.clone() });
    assert_eq!((orders(&actions).len(), slow(&actions).len()), (1, 0));

    // Halted (no fast allowance), slow path open: everything goes the slow way.
    let mut bot = agent(hold_config());
    bot.on_event(LiquidationEvent::Snapshot(MarketSnapshot {
        fast_allowance: U256::ZERO,
        ..s.clone()
    }));
    let actions = bot.on_event(LiquidationEvent::Health { block: 9, positions: positions.clone() });
    assert!(orders(&actions).is_empty());
    assert_eq!(slow(&actions), vec![addr(1), addr(2)], "largest debt first");

    // Halted and the bot's slow path disabled: nothing.
    let mut bot = agent(LiquidationConfig { slow_path: false, ..hold_config() });
    bot.on_event(LiquidationEvent::Snapshot(MarketSnapshot { fast_allowance: U256::ZERO, ..s }));
    assert!(bot.on_event(LiquidationEvent::Health { block: 9, positions }).is_empty());
}

#[test]
fn outcomes_clear_pending_and_bad_reverts_cool_down() {
    let config = LiquidationConfig { cooldown: 3, pending_timeout: 2, ..hold_config() };
    let mut bot = agent(config);
    let mut logs = open(1, addr(1), 100.0, 90.0);
    logs.extend(open(1, addr(2), 100.0, 90.0).into_iter().map(|mut l| {
        l.log_index += 2;
        l
    }));
    bot.on_event(LiquidationEvent::Logs(logs));
    let positions = vec![health(addr(1), 100.0, 90.0), health(addr(2), 100.0, 90.0)];
    bot.on_event(LiquidationEvent::Snapshot(snapshot(2)));
    assert_eq!(
        orders(&bot.on_event(LiquidationEvent::Health { block: 2, positions: positions.clone() }))
            .len(),
        2
    );
    assert_eq!(bot.pending().count(), 2);

    // 1 lost the race (not an error), 2 reverted for another reason: cooldown.
    bot.on_event(LiquidationEvent::Outcome(TxOutcome::Reverted {
        kind: TxKind::Liquidate(addr(1)),
        reason: RevertReason::NotLiquidatable,
    }));
    bot.on_event(LiquidationEvent::Outcome(TxOutcome::Reverted {
        kind: TxKind::Liquidate(addr(2)),
        reason: RevertReason::Other("MarketInsufficientBalance(..)".into()),
    }));
    let stats = bot.stats();
    assert_eq!((stats.lost_races, stats.reverts, bot.pending().count()), (1, 1, 0));
    assert_eq!(bot.shortlist(&snapshot(3)), vec![addr(1)], "2 cools down");
    assert_eq!(bot.shortlist(&snapshot(5)), vec![addr(1), addr(2)], "cooldown over");

    // A transaction with no outcome stops blocking its borrower after the timeout.
    bot.on_event(LiquidationEvent::Snapshot(snapshot(5)));
    bot.on_event(LiquidationEvent::Health { block: 5, positions: positions[..1].to_vec() });
    bot.on_event(LiquidationEvent::Snapshot(snapshot(7)));
    assert_eq!(bot.pending().count(), 1);
    let actions = bot.on_event(LiquidationEvent::Snapshot(snapshot(8)));
    assert_eq!(bot.pending().count(), 0);
    assert!(
        matches!(&actions[0], LiquidationAction::ConfirmHealth { borrowers, .. } if borrowers.contains(&addr(1)))
    );
}

#[test]
fn stale_confirmations_are_ignored() {
    let mut bot = agent(hold_config());
    bot.on_event(LiquidationEvent::Snapshot(snapshot(4)));
    bot.on_event(LiquidationEvent::Snapshot(snapshot(5)));
    let positions = vec![health(addr(1), 100.0, 90.0)];
    assert!(
        bot.on_event(LiquidationEvent::Health { block: 4, positions: positions.clone() })
            .is_empty()
    );
    assert_eq!(orders(&bot.on_event(LiquidationEvent::Health { block: 5, positions })).len(), 1);
}

#[test]
fn sells_held_collateral_within_the_slippage_bound() {
    let slippage = wad(0.02);
    let config = LiquidationConfig {
        collateral: CollateralPolicy::Sell { max_slippage: slippage },
        ..LiquidationConfig::new(addr(0xb0))
    };
    let mut bot = agent(config);
    // A thin pool: 1,000 base at price 1. The bot holds 500 seized collateral.
    let s = MarketSnapshot {
        pool_base: wad(1_000.0),
        pool_quote: wad(1_000.0),
        collateral_balance: wad(500.0),
        ..snapshot(6)
    };
    let actions = bot.on_event(LiquidationEvent::Snapshot(s.clone()));
    let [LiquidationAction::Sell(order)] = actions.as_slice() else { panic!("{actions:?}") };
    assert!(order.amount < wad(500.0), "only what the pool takes within 2%");
    assert_eq!(order.amount, math::max_sell_within_slippage(wad(1_000.0), slippage));
    let out = math::amm_amount_out(order.amount, wad(1_000.0), wad(1_000.0));
    assert!(
        out >= order.min_out
            && order.min_out >= math::mul_wad_down(order.amount, wad(0.98)) - U256::from(1)
    );
    // One sale at a time: the next block waits for its outcome.
    assert!(
        bot.on_event(LiquidationEvent::Snapshot(MarketSnapshot { block: 7, ..s.clone() }))
            .is_empty()
    );
    bot.on_event(LiquidationEvent::Outcome(TxOutcome::Mined { kind: TxKind::Sell, block: 7 }));
    assert_eq!(bot.on_event(LiquidationEvent::Snapshot(MarketSnapshot { block: 8, ..s })).len(), 1);

    // Holding never sells.
    let mut bot = agent(hold_config());
    let s = MarketSnapshot { collateral_balance: wad(500.0), ..snapshot(6) };
    assert!(bot.on_event(LiquidationEvent::Snapshot(s)).is_empty());
}

/// A bot that sells or redeems, demanding 10%/year over a 31-day wait plus 2%: a share queued
/// at NAV 1 with an empty queue is worth about 0.9715 to it.
fn sell_or_redeem() -> LiquidationConfig {
    let terms = RedemptionTerms {
        cost_of_capital: 0.1,
        risk_premium: 0.02,
        redemption: 31 * 86_400,
        epoch: 86_400,
    };
    LiquidationConfig {
        collateral: CollateralPolicy::SellOrRedeem { max_slippage: wad(0.05), terms },
        ..LiquidationConfig::new(addr(0xb0))
    }
}

fn quote(nav: f64) -> Option<Box<RedemptionQuote>> {
    let q =
        RedemptionQuote { nav: wad(nav), pending: U256::ZERO, supply: wad(1e6), gate: wad(0.1) };
    Some(Box::new(q))
}

#[test]
fn redeems_a_lot_the_pool_pays_less_for_and_sells_one_it_pays_more_for() {
    // The pool at 0.80 for a share whose NAV is 1: the redemption is worth more.
    let mut bot = agent(sell_or_redeem());
    let cheap = MarketSnapshot {
        pool_base: wad(10_000.0),
        pool_quote: wad(8_000.0),
        collateral_balance: wad(100.0),
        redemption: quote(1.0),
        ..snapshot(6)
    };
    let actions = bot.on_event(LiquidationEvent::Snapshot(cheap.clone()));
    let [LiquidationAction::Redeem { shares, .. }] = actions.as_slice() else {
        panic!("{actions:?}")
    };
    assert_eq!(*shares, wad(100.0));
    assert_eq!(bot.stats().redemptions, 1);
    // One request at a time, then claims of what settled.
    assert!(
        bot.on_event(LiquidationEvent::Snapshot(MarketSnapshot { block: 7, ..cheap })).is_empty()
    );
    bot.on_event(LiquidationEvent::Outcome(TxOutcome::Mined { kind: TxKind::Redeem, block: 7 }));
    let claims = bot.on_event(LiquidationEvent::Claimable(vec![3, 5]));
    assert!(
        matches!(
            claims.as_slice(),
            [LiquidationAction::Claim { id: 3, .. }, LiquidationAction::Claim { id: 5, .. }]
        ),
        "{claims:?}"
    );
    assert_eq!(bot.stats().claims, 2);
    // And settlements of its slow liquidations the vault has paid.
    let settle = bot.on_event(LiquidationEvent::Settleable(vec![U256::from(4)]));
    assert!(
        matches!(settle.as_slice(), [LiquidationAction::SettleSlow { id, .. }] if *id == U256::from(4)),
        "{settle:?}"
    );
    assert_eq!(bot.stats().slow_settlements, 1);

    // The pool at 0.99: selling now beats waiting a month.
    let mut bot = agent(sell_or_redeem());
    let rich = MarketSnapshot {
        pool_base: wad(10_000.0),
        pool_quote: wad(9_900.0),
        collateral_balance: wad(100.0),
        redemption: quote(1.0),
        ..snapshot(6)
    };
    let actions = bot.on_event(LiquidationEvent::Snapshot(rich.clone()));
    assert!(matches!(actions.as_slice(), [LiquidationAction::Sell(_)]), "{actions:?}");

    // A long queue ahead makes waiting dearer: the pool paying about 0.967, it redeems with an
    // empty queue (worth 0.9715) and sells when the queue adds thirty epochs (worth 0.9633).
    let at = |pending: f64| MarketSnapshot {
        pool_base: wad(10_000.0),
        pool_quote: wad(9_700.0),
        collateral_balance: wad(10.0),
        redemption: quote(1.0).map(|q| Box::new(RedemptionQuote { pending: wad(pending), ..*q })),
        ..snapshot(6)
    };
    let mut bot = agent(sell_or_redeem());
    let empty = bot.on_event(LiquidationEvent::Snapshot(at(0.0)));
    assert!(matches!(empty.as_slice(), [LiquidationAction::Redeem { .. }]), "{empty:?}");
    let mut bot = agent(sell_or_redeem());
    let queued = bot.on_event(LiquidationEvent::Snapshot(at(3_000_000.0)));
    assert!(matches!(queued.as_slice(), [LiquidationAction::Sell(_)]), "{queued:?}");

    // Without a vault to redeem from (a tranche token), it sells like a seller.
    let mut bot = agent(sell_or_redeem());
    let actions =
        bot.on_event(LiquidationEvent::Snapshot(MarketSnapshot { redemption: None, ..rich }));
    assert!(matches!(actions.as_slice(), [LiquidationAction::Sell(_)]), "{actions:?}");
}

#[test]
fn one_who_may_redeem_liquidates_what_the_pool_could_not_absorb() {
    // A thin pool at 0.8 with NAV 1: a seller finds no profitable liquidation beyond what the
    // pool takes; a bot that may redeem values the seizure at its redemption.
    let thin = MarketSnapshot {
        pool_base: wad(50.0),
        pool_quote: wad(40.0),
        liquidation_price: wad(1.0),
        redemption: quote(1.0),
        ..snapshot(3)
    };
    let positions = vec![health(addr(1), 1_000.0, 900.0)];
    let seller = LiquidationConfig {
        collateral: CollateralPolicy::Sell { max_slippage: wad(0.05) },
        ..LiquidationConfig::new(addr(0xb0))
    };
    let mut bot = agent(seller);
    bot.on_event(LiquidationEvent::Snapshot(thin.clone()));
    let sold =
        orders(&bot.on_event(LiquidationEvent::Health { block: 3, positions: positions.clone() }));
    let mut bot = agent(sell_or_redeem());
    bot.on_event(LiquidationEvent::Snapshot(thin));
    let redeemed = orders(&bot.on_event(LiquidationEvent::Health { block: 3, positions }));
    let seized = |o: &[(Address, U256, U256)]| o.iter().map(|x| x.2).sum::<U256>();
    assert!(seized(&redeemed) > seized(&sold), "{redeemed:?} vs {sold:?}");
}

#[test]
fn selling_values_seizures_at_the_pool_and_accounts_for_depth() {
    // In a thin pool the second liquidation's collateral sells for less: the agent values each
    // seizure after the previous ones' sales, and skips what no longer pays.
    let config = LiquidationConfig {
        collateral: CollateralPolicy::Sell { max_slippage: wad(0.05) },
        ..LiquidationConfig::new(addr(0xb0))
    };
    let mut bot = agent(config);
    let s = MarketSnapshot { pool_base: wad(2_000.0), pool_quote: wad(2_000.0), ..snapshot(3) };
    bot.on_event(LiquidationEvent::Snapshot(s));
    let actions = bot.on_event(LiquidationEvent::Health {
        block: 3,
        positions: vec![
            health(addr(1), 100.0, 90.0),
            health(addr(2), 100.0, 90.0),
            health(addr(3), 100.0, 90.0),
        ],
    });
    let got = orders(&actions);
    assert!(!got.is_empty() && got.len() < 3, "{got:?}");
    let LiquidationAction::Liquidate(first) = &actions[0] else { panic!() };
    let out = math::amm_amount_out(first.expected_seized, wad(2_000.0), wad(2_000.0));
    // Gas: 300k at the 1 gwei tip and 3,000 per coin = 0.9.
    assert_eq!(first.expected_profit, out - first.repay - wad(0.9));
}

#[test]
fn the_same_events_give_the_same_actions() {
    let run = || {
        let mut bot = agent(hold_config());
        let mut out = Vec::new();
        for i in 1..=20u8 {
            bot.on_event(LiquidationEvent::Logs(open(
                u64::from(i),
                addr(i),
                100.0,
                70.0 + f64::from(i),
            )));
        }
        for block in 30..33 {
            for action in bot.on_event(LiquidationEvent::Snapshot(snapshot(block))) {
                if let LiquidationAction::ConfirmHealth { block, borrowers } = &action {
                    let positions = borrowers
                        .iter()
                        .map(|b| health(*b, 100.0, 70.0 + f64::from(b.0[19])))
                        .collect();
                    out.extend(bot.on_event(LiquidationEvent::Health { block: *block, positions }));
                }
                out.push(action);
            }
        }
        out
    };
    let first = run();
    // Positions 11..=20 are below 1 (debt above 80); 10 sits exactly at 1 and is shortlisted.
    assert_eq!(orders(&first).len(), 10);
    assert_eq!(first, run());
}
