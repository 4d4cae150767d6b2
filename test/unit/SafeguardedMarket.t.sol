// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SafeguardedFixture} from "../utils/SafeguardedFixture.sol";
import {LendingMarket} from "../../contracts/LendingMarket.sol";
import {CircuitBreaker} from "../../contracts/CircuitBreaker.sol";
import {BreakerLevel} from "../../contracts/interfaces/ICircuitBreaker.sol";
import {ILendingMarket} from "../../contracts/interfaces/ILendingMarket.sol";
import {IRedeemToRepayMarket} from "../../contracts/interfaces/IRedeemToRepayMarket.sol";

/// @notice The market with the real conservative oracle and circuit breaker in the loop.
contract SafeguardedMarketTest is SafeguardedFixture {
    address internal carol = makeAddr("carol");

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

    // ---------------------------------------------------------------- halts: confirmed losses only

    /// @dev A NAV markdown halts the breaker; in the halt and its grace period fast liquidation is
    ///      closed, and the confirmed loss goes through the slow path; after grace, fast again.
    function test_liquidate_haltAndGraceSendNavMarkdownToSlowPath() public {
        openPositionOn(safeMarket, bob, 1000e18, 690e18);
        openPositionOn(safeMarket, carol, 1000e18, 690e18);
        vm.warp(block.timestamp + 1 hours);
        _keeperPokes();
        reportNav(0.75e18); // a 25% markdown: unhealthy at the anchor, and a level-3 decline
        _keeperPokes();
        assertEq(uint8(cBreaker.level()), uint8(BreakerLevel.Halted));
        vm.prank(liquidator);
        vm.expectRevert(IRedeemToRepayMarket.MarketFastLiquidationHalted.selector);
        safeMarket.liquidate(borrower, 300e18, 0);
        vm.prank(keeper);
        safeMarket.slowLiquidate(borrower); // during the halt
        vm.warp(block.timestamp + 6 hours); // halt over, grace on
        assertTrue(cBreaker.inGrace());
        vm.prank(liquidator);
        vm.expectRevert(IRedeemToRepayMarket.MarketFastLiquidationHalted.selector);
        safeMarket.liquidate(bob, 300e18, 0);
        vm.prank(keeper);
        safeMarket.slowLiquidate(bob); // during grace
        vm.warp(block.timestamp + 1 hours); // grace over: throttled fast liquidation
        (uint256 budget, bool confirmedOnly) = cBreaker.previewLiquidationAllowance();
        assertFalse(confirmedOnly);
        vm.prank(liquidator);
        (, uint256 seized) = safeMarket.liquidate(carol, 100e18, 0);
        assertLe(seized, budget);
    }

    /// @dev A sell-off the oracle has followed makes a position unhealthy at the market-following
    ///      price only: in a halt and its grace it is liquidated by no path; once NAV confirms the
    ///      loss, the slow path takes it.
    function test_halt_marketMoveAloneLiquidatesNothingUntilNavConfirms() public {
        _sellOffFollowedByOracle();
        assertLt(cOracle.liquidationPrice(), 0.8625e18, "unhealthy at the market-following price");
        vm.prank(guardian);
        cBreaker.trip(BreakerLevel.Halted);
        for (uint256 phase; phase < 2; ++phase) {
            if (phase == 1) {
                vm.warp(block.timestamp + 6 hours); // the halt expires: grace
                _keeperPokes();
                assertTrue(cBreaker.inGrace());
            }
            vm.prank(liquidator);
            vm.expectRevert(IRedeemToRepayMarket.MarketFastLiquidationHalted.selector);
            safeMarket.liquidate(borrower, 100e18, 0);
            uint256 hfAtAnchor = uint256(1000e18) * cOracle.anchorPrice() / 1e18 * 0.8e18 / 1e18 * 1e18
                / safeMarket.debtOf(borrower);
            vm.expectRevert(
                abi.encodeWithSelector(ILendingMarket.MarketPositionHealthy.selector, borrower, hfAtAnchor)
            );
            safeMarket.slowLiquidate(borrower);
        }
        reportNav(0.85e18); // NAV confirms the loss
        vm.prank(keeper);
        safeMarket.slowLiquidate(borrower);
    }

    /// @dev The `no-slow-path` policy: the base market under the same modules liquidates a confirmed
    ///      loss in a halt and its grace fast, within the throttle, at the NAV anchor; a market move
    ///      alone liquidates nothing.
    function test_noSlowPath_haltLiquidatesNavMarkdownWithinThrottleOnly() public {
        (CircuitBreaker b, LendingMarket base) = deployFastOnlyMarket();
        openPositionOn(base, bob, 100_000e18, 69_000e18);
        vm.prank(liquidator);
        usd.approve(address(base), type(uint256).max);
        _sellOffFollowedByOracle();
        b.poke();
        vm.prank(guardian);
        b.trip(BreakerLevel.Halted);
        for (uint256 phase; phase < 2; ++phase) {
            if (phase == 1) {
                vm.warp(block.timestamp + 6 hours);
                b.poke();
                assertTrue(b.inGrace());
            }
            vm.prank(liquidator);
            vm.expectPartialRevert(ILendingMarket.MarketPositionHealthy.selector);
            base.liquidate(bob, 100e18, 0);
        }
        reportNav(0.85e18);
        (uint256 budget, bool confirmedOnly) = b.previewLiquidationAllowance();
        assertTrue(confirmedOnly, "still in grace");
        assertGt(budget, 0);
        vm.prank(liquidator);
        vm.expectPartialRevert(ILendingMarket.MarketLiquidationThrottled.selector);
        base.liquidate(bob, 30_000e18, 0); // seizes ~37.5k shares: beyond the pool's budget
        uint256 repay = budget * 85 / 100 * 90 / 100; // seizes about 0.96 of the budget at 0.85
        vm.prank(liquidator);
        (uint256 repaid, uint256 seized) = base.liquidate(bob, repay, 0);
        assertEq(repaid, repay);
        assertLe(seized, budget);
        assertApproxEqAbs(seized, repay * base.liquidationIncentiveFactor() / 0.85e18, 1, "at the anchor");
    }

    function test_liquidate_throttledToDepthBudget() public {
        openPositionOn(safeMarket, keeper, 100_000e18, 69_000e18);
        vm.warp(block.timestamp + 1 hours);
        _keeperPokes();
        reportNav(0.85e18); // −15%: level 2
        (uint256 budget, bool confirmedOnly) = cBreaker.previewLiquidationAllowance();
        assertFalse(confirmedOnly);
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
        uint256 debt = safeMarket.debtOf(borrower);
        assertGt(debt, 0, "the debt stays on the position");
        vm.prank(admin);
        vault.setGate(1e18);
        vm.warp(block.timestamp + EPOCH + NOTICE);
        reportNav(0.8e18); // the NAV of settlement day
        refillVault(1_000_000e18);
        vault.settle();
        safeMarket.settleSlowLiquidation(id);
        assertTrue(safeMarket.slowLiquidation(id).closed);
        assertGt(usd.balanceOf(keeper), 0, "keeper fee");
        assertEq(safeMarket.debtOf(borrower), 0, "800 of proceeds cleared about 700 of debt");
        assertEq(safeMarket.totalBadDebt(), 0);
    }

    function test_slowPath_closedWhileBreakerUnrestricted() public {
        vm.warp(block.timestamp + 1 hours);
        _keeperPokes();
        reportNav(0.95e18); // liquidatable? 1000 × 0.95 × 0.8 = 760 > 690: no; and level 0
        vm.expectRevert(IRedeemToRepayMarket.MarketSlowPathClosed.selector);
        safeMarket.slowLiquidate(borrower);
    }

    // ---------------------------------------------------------------- gas: the slow path
    // (fast liquidation's safeguarded rows are in test/gas/SafeguardedGas.t.sol, in the naive rows' shapes)

    function test_gas_market_slowPath() public {
        openPositionOn(safeMarket, bob, 1000e18, 650e18);
        vm.warp(block.timestamp + 1 hours);
        _keeperPokes();
        reportNav(0.75e18); // halt; both positions unhealthy at the anchor
        _keeperPokes();
        vm.warp(block.timestamp + 1);
        _cool();
        vm.prank(keeper);
        uint256 id = safeMarket.slowLiquidate(borrower);
        vm.snapshotGasLastCall("safeguarded", "slowLiquidate");
        vm.prank(keeper);
        uint256 cured = safeMarket.slowLiquidate(bob);
        // bob repays before settlement and cures: the pending shares come back.
        mintUsd(bob, 1000e18);
        vm.prank(bob);
        safeMarket.repay(1000e18, 0, bob);
        _cool();
        safeMarket.cureSlowLiquidation(cured);
        vm.snapshotGasLastCall("safeguarded", "cureSlowLiquidation");
        // A round that repays part of the debt, shares still pending (a thin buffer).
        vm.warp(block.timestamp + EPOCH + NOTICE);
        refillVault(300e18);
        vault.settle();
        _cool();
        safeMarket.settleSlowLiquidation(id);
        vm.snapshotGasLastCall("safeguarded", "settleSlowLiquidation_partial");
        // The round that clears the debt, pays the surplus and closes.
        refillVault(1_000_000e18);
        vm.warp(block.timestamp + EPOCH);
        vault.settle();
        _cool();
        safeMarket.settleSlowLiquidation(id);
        vm.snapshotGasLastCall("safeguarded", "settleSlowLiquidation_close");
        assertTrue(safeMarket.slowLiquidation(id).closed);
        assertGt(usd.balanceOf(borrower), 690e18, "a surplus at NAV 0.75");
    }

    /// @dev Sells about 80k shares into the 1M/1M pool (spot ≈ 0.858, a 14% divergence: below the
    ///      breaker's 15% bound) and pokes hourly while the oracle confirms the divergence and
    ///      follows the long TWAP down at 2% an hour. NAV stays 1: the anchor does not move.
    function _sellOffFollowedByOracle() internal {
        vm.warp(block.timestamp + 1 hours);
        _keeperPokes();
        sellShares(80_000e18);
        for (uint256 h; h < 16; ++h) {
            vm.warp(block.timestamp + 1 hours);
            _keeperPokes();
        }
        assertEq(cOracle.anchorPrice(), 1e18);
        assertEq(uint8(cBreaker.level()), uint8(BreakerLevel.Normal), "a slow move trips nothing");
    }
}
