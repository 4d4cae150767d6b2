// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SafeguardedFixture} from "../utils/SafeguardedFixture.sol";
import {BreakerLevel} from "../../contracts/interfaces/ICircuitBreaker.sol";
import {ILendingMarket} from "../../contracts/interfaces/ILendingMarket.sol";
import {ICircuitBreakerAdmin} from "../../contracts/interfaces/ICircuitBreakerAdmin.sol";
import {NavStatus} from "../../contracts/interfaces/IRwaVault.sol";

/// @notice The market with the real conservative oracle and circuit breaker in the loop.
contract SafeguardedMarketTest is SafeguardedFixture {
    function setUp() public override {
        super.setUp();
        supplyLiquidityOn(safeMarket, lender, 1_000_000e18);
        openPositionOn(safeMarket, borrower, 1000e18, 690e18);
        mintUsd(liquidator, 1_000_000e18);
        vm.prank(liquidator);
        usd.approve(address(safeMarket), type(uint256).max);
    }

    // ---------------------------------------------------------------- liveness at every level

    function test_liveness_repayAddCollateralAndIdleWithdrawAtEveryLevel() public {
        for (uint8 l = 0; l <= 3; ++l) {
            if (l > 0) {
                vm.prank(guardian);
                cBreaker.trip(BreakerLevel(l));
            }
            _assertLiveness();
        }
        vm.warp(block.timestamp + 6 hours); // the halt expires: grace period
        assertTrue(cBreaker.inGrace());
        _assertLiveness();
    }

    function _assertLiveness() internal {
        mintUsd(borrower, 1e18);
        vm.prank(borrower);
        safeMarket.repay(1e18, 0, borrower);
        mintShares(borrower, 1e18);
        vm.prank(borrower);
        safeMarket.supplyCollateral(1e18, borrower);
        vm.prank(lender);
        safeMarket.withdraw(1e18, 0, lender);
    }

    function test_borrow_closedAtLevel1() public {
        openPositionOn(safeMarket, keeper, 100e18, 0);
        vm.prank(guardian);
        cBreaker.trip(BreakerLevel.BorrowsClosed);
        vm.prank(keeper);
        vm.expectRevert(ILendingMarket.MarketBorrowsClosed.selector);
        safeMarket.borrow(1e18, keeper);
    }

    // ---------------------------------------------------------------- fast liquidation gating

    function test_liquidate_blockedWhileHaltedAndInGrace() public {
        vm.warp(block.timestamp + 1 hours);
        _keeperPokes();
        reportNav(0.75e18); // a 25% markdown: liquidatable, and a level-3 decline
        _keeperPokes(); // records the halt: a trip seen only inside a reverted call is not kept
        vm.prank(liquidator);
        vm.expectRevert(
            abi.encodeWithSelector(
                ILendingMarket.MarketLiquidationThrottled.selector, 300e18 * 1063829787234042553 / 0.75e18, 0
            )
        );
        safeMarket.liquidate(borrower, 300e18, 0);
        vm.warp(block.timestamp + 6 hours); // halt over, grace on
        vm.prank(liquidator);
        vm.expectPartialRevert(ILendingMarket.MarketLiquidationThrottled.selector);
        safeMarket.liquidate(borrower, 300e18, 0);
        vm.warp(block.timestamp + 1 hours); // grace over
        vm.prank(liquidator);
        (uint256 repaid,) = safeMarket.liquidate(borrower, 300e18, 0);
        assertEq(repaid, 300e18);
    }

    function test_liquidate_throttledToDepthBudget() public {
        openPositionOn(safeMarket, keeper, 100_000e18, 69_000e18);
        vm.warp(block.timestamp + 1 hours);
        _keeperPokes();
        reportNav(0.85e18); // −15%: level 2
        (uint256 budget, bool slow) = cBreaker.previewLiquidationAllowance();
        assertTrue(slow);
        assertGt(budget, 0);
        // The keeper's position alone would seize far more than the budget in one go.
        uint256 maxRepay = safeMarket.debtOf(keeper) / 2;
        vm.prank(liquidator);
        vm.expectPartialRevert(ILendingMarket.MarketLiquidationThrottled.selector);
        safeMarket.liquidate(keeper, maxRepay, 0);
        vm.prank(liquidator);
        (, uint256 seized) = safeMarket.liquidate(keeper, budget * 85 / 100 * 94 / 100, 0);
        assertLe(seized, budget);
        assertEq(cBreaker.throttleAvailable(), budget - seized);
    }

    function test_slowPath_opensWithTheBreakerAndSettlesAtNav() public {
        vm.warp(block.timestamp + 1 hours);
        _keeperPokes();
        reportNav(0.75e18); // halt
        vm.prank(keeper);
        uint256 id = safeMarket.slowLiquidate(borrower);
        assertEq(safeMarket.debtOf(borrower), 0);
        vm.prank(admin);
        vault.setGate(1e18);
        vm.warp(block.timestamp + EPOCH + NOTICE);
        reportNav(0.8e18); // the NAV of settlement day
        refillVault(1_000_000e18);
        vault.settle();
        safeMarket.settleSlowLiquidation(id);
        assertTrue(safeMarket.slowLiquidation(id).closed);
        assertGt(usd.balanceOf(keeper), 0, "keeper fee");
    }

    function test_slowPath_closedWhenDisabledOrNormal() public {
        vm.warp(block.timestamp + 1 hours);
        _keeperPokes();
        reportNav(0.95e18); // liquidatable? 1000 × 0.95 × 0.8 = 760 > 690: no; and level 0
        vm.expectRevert(ILendingMarket.MarketSlowPathClosed.selector);
        safeMarket.slowLiquidate(borrower);
    }

    // ---------------------------------------------------------------- gas: safeguarded vs naive

    function test_gas_market_liquidate_partial_safeguarded() public {
        vm.warp(block.timestamp + 1 hours);
        _keeperPokes();
        reportNav(0.82e18); // −18%: throttled, not halted; the oracle and breaker have state
        cOracle.poke();
        cBreaker.poke();
        vm.warp(block.timestamp + 1 hours); // the throttle budget has refilled; a new block
        _cool();
        vm.prank(liquidator);
        safeMarket.liquidate(borrower, 100e18, 0);
        vm.snapshotGasLastCall("safeguarded", "liquidate_partial_safeguarded");
    }

    function test_gas_market_liquidate_partial_safeguardedNormal() public {
        openPositionOn(safeMarket, keeper, 1000e18, 690e18);
        vm.warp(block.timestamp + 1 hours);
        _keeperPokes();
        reportNav(0.86e18); // −14%, but over the breaker window? a fresh markdown: level 2
        vm.warp(block.timestamp + 2 hours); // window rolled: back to Normal, no throttle
        cBreaker.poke();
        _cool();
        vm.prank(liquidator);
        safeMarket.liquidate(borrower, 100e18, 0);
        vm.snapshotGasLastCall("safeguarded", "liquidate_partial_safeguarded_normal");
    }

    /// @dev What the lab's keeper does every block: the breaker only knows peaks it has seen.
    function _keeperPokes() internal {
        cOracle.poke();
        cBreaker.poke();
    }

    function _cool() internal {
        vm.cool(address(usd));
        vm.cool(address(vault));
        vm.cool(address(pool));
        vm.cool(address(safeMarket));
        vm.cool(address(cOracle));
        vm.cool(address(cBreaker));
        vm.cool(address(rates));
    }
}
