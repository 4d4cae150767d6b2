// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Fixture} from "../utils/Fixture.sol";
import {ConservativeOracle} from "../../contracts/ConservativeOracle.sol";
import {Defaults} from "../../script/Defaults.sol";
import {RedeemToRepayMarket} from "../../contracts/RedeemToRepayMarket.sol";
import {NavOracle} from "../../contracts/oracles/NavOracle.sol";
import {PermissiveBreaker} from "../../contracts/breakers/PermissiveBreaker.sol";
import {CircuitBreaker} from "../../contracts/CircuitBreaker.sol";
import {BreakerLevel} from "../../contracts/interfaces/ICircuitBreaker.sol";
import {MarketParams} from "../../contracts/interfaces/ILendingMarket.sol";

/// @notice Gas of each hot path, one call per test on a warmed, realistic state, written to
///         snapshots/*.json by `forge test` and kept in the repo so every change shows its cost.
///         The market here is the naive one (NAV oracle, permissive breaker), a RedeemToRepayMarket
///         as Deploy.s.sol builds it for the naive policies.
contract GasTest is Fixture {
    RedeemToRepayMarket internal naive;

    function setUp() public override {
        super.setUp();
        naive = new RedeemToRepayMarket(
            usd, vault, new NavOracle(vault), new PermissiveBreaker(), rates, admin, defaultParams()
        );
        seedPool(1_000_000e18, 1_000_000e18);
        fundTrader(trader, 10_000e18);
        openGasShape(naive);
    }

    function test_gas_vault_subscribe() public {
        mintUsd(trader, 1000e18);
        vm.startPrank(trader);
        usd.approve(address(vault), 1000e18);
        _cool();
        vault.subscribe(1000e18, trader);
        vm.snapshotGasLastCall("vault", "subscribe");
        vm.stopPrank();
    }

    function test_gas_vault_requestSettleClaim() public {
        _cool();
        vm.prank(trader);
        uint256 id = vault.requestRedeem(100e18, trader, trader);
        vm.snapshotGasLastCall("vault", "requestRedeem");
        vm.warp(block.timestamp + EPOCH + NOTICE);
        refillVault(1000e18);
        _cool();
        vault.settle();
        vm.snapshotGasLastCall("vault", "settle");
        _cool();
        vm.prank(trader);
        vault.claim(id, trader);
        vm.snapshotGasLastCall("vault", "claim");
    }

    /// @dev Sixty daily epochs pass with no settle: joining costs per queued cohort, not per epoch.
    function test_gas_vault_settleAfterSixtyIdleEpochs() public {
        vm.prank(trader);
        vault.requestRedeem(100e18, trader, trader);
        vm.warp(block.timestamp + 60 * EPOCH);
        refillVault(1000e18);
        _cool();
        vault.settle();
        vm.snapshotGasLastCall("vault", "settle_afterSixtyIdleEpochs");
    }

    function test_gas_vault_reportNav() public {
        _cool();
        vm.prank(reporter);
        vault.reportNav(1.01e18, uint64(block.timestamp));
        vm.snapshotGasLastCall("vault", "reportNav");
    }

    /// @dev A block's first swap in a busy pool: a trade one 12 s block ago, no ring slot due.
    function test_gas_pool_swap() public {
        _tradeThenWarp(12);
        _cool();
        vm.prank(trader);
        pool.swap(address(vault), 100e18, 0, trader, block.timestamp);
        vm.snapshotGasLastCall("pool", "swap");
    }

    /// @dev A block's first swap a period after the newest ring slot: it also writes a slot
    ///      (at most one block a minute pays this).
    function test_gas_pool_swap_writesSlot() public {
        _tradeThenWarp(60);
        _cool();
        vm.prank(trader);
        pool.swap(address(vault), 100e18, 0, trader, block.timestamp);
        vm.snapshotGasLastCall("pool", "swap_writesSlot");
    }

    function test_gas_pool_consult() public {
        vm.prank(trader);
        pool.swap(address(vault), 100e18, 0, trader, block.timestamp);
        vm.warp(block.timestamp + 1 hours);
        _cool();
        pool.consult(30 minutes);
        vm.snapshotGasLastCall("pool", "consult");
    }

    /// @dev The oracle's longest read (24 h) over a full ring of 1,536 slots: a binary search.
    function test_gas_pool_consult_fullRing() public {
        _fillRing();
        _cool();
        pool.consult(24 hours);
        vm.snapshotGasLastCall("pool", "consult_fullRing");
    }

    /// @dev A keeper's poke (Normal state: one 6 h read) and a liquidation's price read, over a
    ///      full ring.
    function test_gas_oracle_pokeAndLiquidationPrice() public {
        _fillRing();
        ConservativeOracle o = new ConservativeOracle(vault, pool, admin, Defaults.oracleParams());
        vm.warp(block.timestamp + 12);
        _cool();
        vm.cool(address(o));
        o.poke();
        vm.snapshotGasLastCall("oracle", "poke_fullRing");
        vm.warp(block.timestamp + 12);
        _cool();
        vm.cool(address(o));
        o.liquidationPrice();
        vm.snapshotGasLastCall("oracle", "liquidationPrice");
    }

    function test_gas_market_supply() public {
        mintUsd(lender, 1000e18);
        vm.startPrank(lender);
        usd.approve(address(naive), 1000e18);
        _cool();
        naive.supply(1000e18, lender);
        vm.snapshotGasLastCall("market", "supply");
        vm.stopPrank();
    }

    function test_gas_market_withdraw() public {
        _cool();
        vm.prank(lender);
        naive.withdraw(1000e18, 0, lender);
        vm.snapshotGasLastCall("market", "withdraw");
    }

    function test_gas_market_supplyCollateral() public {
        mintShares(borrower, 100e18);
        vm.startPrank(borrower);
        vault.approve(address(naive), 100e18);
        _cool();
        naive.supplyCollateral(100e18, borrower);
        vm.snapshotGasLastCall("market", "supplyCollateral");
        vm.stopPrank();
    }

    function test_gas_market_borrow() public {
        openPositionOn(naive, trader, 1000e18, 0);
        _cool();
        vm.prank(trader);
        naive.borrow(500e18, trader);
        vm.snapshotGasLastCall("market", "borrow");
    }

    function test_gas_market_repay() public {
        mintUsd(borrower, 100e18);
        vm.startPrank(borrower);
        usd.approve(address(naive), 100e18);
        _cool();
        naive.repay(100e18, 0, borrower);
        vm.snapshotGasLastCall("market", "repay");
        vm.stopPrank();
    }

    function test_gas_market_liquidate_partial_naive() public {
        _markDown(0.8e18);
        _cool();
        vm.prank(liquidator);
        naive.liquidate(borrower, 300e18, 0);
        vm.snapshotGasLastCall("market", "liquidate_partial_naive");
    }

    function test_gas_market_liquidate_badDebt_naive() public {
        MarketParams memory p = defaultParams();
        p.closeFactor = 1e18;
        vm.prank(admin);
        naive.setParams(p); // accrues: let interest build again so liquidate accrues as elsewhere
        vm.warp(block.timestamp + 1 hours);
        _markDown(0.5e18);
        _cool();
        vm.prank(liquidator);
        naive.liquidate(borrower, 10_000e18, 0);
        vm.snapshotGasLastCall("market", "liquidate_badDebt_naive");
    }

    // ---------------------------------------------------------------- breaker

    /// @dev The market's call in a block after the keeper's poke, nothing restricted.
    function test_gas_breaker_liquidationAllowance_normal() public {
        (ConservativeOracle o, CircuitBreaker b) = _safeguards();
        vm.warp(block.timestamp + 12);
        _coolSafeguards(o, b);
        b.liquidationAllowance();
        vm.snapshotGasLastCall("breaker", "liquidationAllowance_normal");
        assertEq(uint8(b.level()), uint8(BreakerLevel.Normal));
    }

    /// @dev The same within a throttled span (a 15% markdown).
    function test_gas_breaker_liquidationAllowance_throttled() public {
        (ConservativeOracle o, CircuitBreaker b) = _safeguards();
        _markDown(0.85e18);
        o.poke();
        b.poke();
        vm.warp(block.timestamp + 12);
        _coolSafeguards(o, b);
        b.liquidationAllowance();
        vm.snapshotGasLastCall("breaker", "liquidationAllowance_throttled");
        assertEq(uint8(b.level()), uint8(BreakerLevel.Throttled));
    }

    /// @dev A keeper's full check (divergence and depth from the pool's TWAP) in a calm block.
    function test_gas_breaker_poke() public {
        (ConservativeOracle o, CircuitBreaker b) = _safeguards();
        vm.warp(block.timestamp + 12);
        _coolSafeguards(o, b);
        b.poke();
        vm.snapshotGasLastCall("breaker", "poke");
    }

    /// @dev A conservative oracle and a breaker over the fixture's vault and pool, poked once.
    function _safeguards() internal returns (ConservativeOracle o, CircuitBreaker b) {
        o = new ConservativeOracle(vault, pool, admin, Defaults.oracleParams());
        b = new CircuitBreaker(o, vault, pool, admin, Defaults.breakerParams());
        o.poke();
        b.poke();
    }

    function _coolSafeguards(ConservativeOracle o, CircuitBreaker b) internal {
        vm.cool(address(vault));
        vm.cool(address(pool));
        vm.cool(address(o));
        vm.cool(address(b));
    }

    /// @dev Marks every contract's storage cold, as at the start of a real transaction.
    function _cool() internal {
        coolShared();
        vm.cool(address(naive));
        vm.cool(address(naive.oracle()));
        vm.cool(address(naive.breaker()));
    }

    /// @dev A swap now (the pool has traded before), then `dt` seconds.
    function _tradeThenWarp(uint256 dt) internal {
        vm.prank(trader);
        pool.swap(address(usd), 1e18, 0, trader, block.timestamp);
        vm.warp(block.timestamp + dt);
    }

    /// @dev A dust trade a minute for 1,540 minutes: every ring slot written, the ring wrapped.
    function _fillRing() internal {
        vm.pauseGasMetering();
        vm.startPrank(trader);
        for (uint256 i; i < 1540; ++i) {
            vm.warp(block.timestamp + 60);
            pool.swap(i % 2 == 0 ? address(usd) : address(vault), 1e15, 0, trader, block.timestamp);
        }
        vm.stopPrank();
        vm.resumeGasMetering();
    }

    function _markDown(uint256 nav) internal {
        vm.startPrank(admin);
        vault.setMaxNavMove(0.5e18);
        vm.stopPrank();
        vm.prank(reporter);
        vault.reportNav(nav, uint64(block.timestamp));
    }
}
