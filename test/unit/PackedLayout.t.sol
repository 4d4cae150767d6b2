// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {SafeguardedFixture} from "../utils/SafeguardedFixture.sol";
import {LendingMarket} from "../../contracts/LendingMarket.sol";
import {CircuitBreaker} from "../../contracts/CircuitBreaker.sol";
import {BreakerLevel} from "../../contracts/interfaces/ICircuitBreaker.sol";
import {BreakerParams, ICircuitBreakerAdmin} from "../../contracts/interfaces/ICircuitBreakerAdmin.sol";
import {ILendingMarket, MarketParams} from "../../contracts/interfaces/ILendingMarket.sol";
import {IRedeemToRepayMarket} from "../../contracts/interfaces/IRedeemToRepayMarket.sol";
import {OracleParams} from "../../contracts/interfaces/IConservativeOracle.sol";

/// @notice The bounds that make the packed storage safe (issue 18), at their edges: each narrower
///         field is bounded where it is set, and a value that would not fit reverts, never wraps.
contract PackedLayoutTest is SafeguardedFixture {
    // ---------------------------------------------------------------- market

    function test_setParams_collateralCapBoundedTo120Bits() public {
        MarketParams memory p = defaultParams();
        p.collateralCap = uint256(type(uint120).max) + 1;
        vm.prank(admin);
        expectOutOfBounds(
            ILendingMarket.MarketParameterOutOfBounds.selector,
            bytes32("collateralCap"),
            p.collateralCap,
            1,
            type(uint120).max
        );
        safeMarket.setParams(p);
        p.collateralCap = type(uint120).max;
        vm.prank(admin);
        safeMarket.setParams(p);
        assertEq(safeMarket.params().collateralCap, type(uint120).max);
    }

    /// @dev Every field comes back as set, from its packed slot or from code (lltv).
    function test_params_roundTripThroughPackedSlots() public {
        MarketParams memory p = MarketParams({
            maxLtv: 0.78e18,
            lltv: 0.8e18,
            closeFactor: 1e18,
            reserveFactor: 0.5e18,
            keeperFee: 0.05e18,
            dustDebt: 1e24,
            supplyCap: type(uint128).max,
            borrowCap: type(uint128).max - 1,
            collateralCap: type(uint120).max
        });
        vm.prank(admin);
        safeMarket.setParams(p);
        assertEq(abi.encode(safeMarket.params()), abi.encode(p));
    }

    /// @dev A total beyond 128 bits reverts: supply is capped, but shares are not.
    function test_supply_sharesBeyond128BitsRevert() public {
        MarketParams memory p = defaultParams();
        p.supplyCap = type(uint128).max;
        vm.prank(admin);
        safeMarket.setParams(p);
        uint256 assets = uint256(type(uint128).max) / 1e6 + 1; // × 1e6 virtual shares per asset
        mintUsd(lender, assets);
        vm.startPrank(lender);
        usd.approve(address(safeMarket), assets);
        vm.expectRevert(
            abi.encodeWithSelector(SafeCast.SafeCastOverflowedUintDowncast.selector, 128, assets * 1e6)
        );
        safeMarket.supply(assets, lender);
        vm.stopPrank();
    }

    /// @dev The slow path's lock lives in the position's slot: set at the start, cleared at close,
    ///      and it is what blocks borrowing, withdrawing and fast liquidation meanwhile.
    function test_slowPath_lockFlagSetAndCleared() public {
        supplyLiquidityOn(safeMarket, lender, 1_000_000e18);
        openPositionOn(safeMarket, borrower, 1000e18, 690e18);
        vm.warp(block.timestamp + 1 hours);
        cOracle.poke();
        cBreaker.poke();
        reportNav(0.75e18); // halt
        vm.prank(keeper);
        uint256 id = safeMarket.slowLiquidate(borrower);
        mintShares(borrower, 10e18);
        vm.startPrank(borrower);
        safeMarket.supplyCollateral(10e18, borrower); // a top-up keeps the lock
        vm.expectRevert(
            abi.encodeWithSelector(IRedeemToRepayMarket.MarketInSlowLiquidation.selector, borrower, id)
        );
        safeMarket.withdrawCollateral(1e18, borrower);
        vm.stopPrank();
        (bool active,) = safeMarket.slowLiquidationOf(borrower);
        assertTrue(active);
        mintUsd(borrower, 1000e18);
        vm.prank(borrower);
        safeMarket.repay(1000e18, 0, borrower);
        safeMarket.cureSlowLiquidation(id);
        (active,) = safeMarket.slowLiquidationOf(borrower);
        assertFalse(active);
        vm.prank(borrower);
        safeMarket.withdrawCollateral(1e18, borrower); // unlocked
        (,, uint256 collateral) = safeMarket.position(borrower);
        assertEq(collateral, 1009e18, "the cured shares came back with the top-up");
    }

    // ---------------------------------------------------------------- breaker

    /// @dev A longer window renumbers the quarter epochs below the stored one: the breaker must
    ///      keep answering (a revert here would block every borrow and liquidation).
    function test_breaker_longerWindowKeepsUpdating() public {
        vm.warp(block.timestamp + 1 hours);
        cBreaker.poke();
        BreakerParams memory p = breakerParams();
        p.window = 4 hours;
        vm.prank(admin);
        cBreaker.setParams(p);
        assertEq(uint8(cBreaker.poke()), uint8(BreakerLevel.Normal));
        (uint256 seizable,) = cBreaker.liquidationAllowance();
        assertEq(seizable, type(uint256).max);
    }

    /// @dev The market's priced call is the market's alone: a price from anyone else could fake a
    ///      peak or a decline.
    function test_breaker_pricedAllowanceOnlyForTheMarket() public {
        vm.expectRevert(abi.encodeWithSelector(ICircuitBreakerAdmin.BreakerNotMarket.selector, address(this)));
        cBreaker.liquidationAllowanceAt(10e18, 0);
    }

    /// @dev Four peaks and their epoch share a word: a new epoch clears only the quarters that
    ///      fell out of the window, and the peak of the others still counts.
    function test_breaker_peaksRollPerQuarter() public {
        cBreaker.poke(); // 1.0 in this quarter
        vm.warp(block.timestamp + 30 minutes); // two quarters on: still in the window
        reportNav(0.88e18); // −12%: level 1 against the 1.0 peak
        assertEq(uint8(cBreaker.poke()), uint8(BreakerLevel.BorrowsClosed));
        (uint256 peak,) = cBreaker.decline();
        assertEq(peak, 1e18);
        vm.warp(block.timestamp + 1 hours); // the 1.0 quarter fell out
        (peak,) = cBreaker.decline();
        assertEq(peak, 0.88e18);
    }

    // ---------------------------------------------------------------- oracle

    /// @dev The hot word's copy of the heartbeat follows setParams: a shorter heartbeat makes an
    ///      old NAV stale (haircut) at once.
    function test_oracle_heartbeatCopyFollowsSetParams() public {
        vm.warp(block.timestamp + 10 days);
        assertEq(cOracle.liquidationPrice(), 1e18, "within the 35-day heartbeat");
        OracleParams memory p = oracleParams();
        p.heartbeat = 9 days;
        vm.prank(admin);
        cOracle.setParams(p);
        (uint256 hNav, uint256 haircut) = cOracle.haircutNav();
        assertGt(haircut, 0);
        assertEq(cOracle.anchorPrice(), hNav);
        assertLt(cOracle.liquidationPrice(), 1e18, "the haircut applies at once");
    }
}
