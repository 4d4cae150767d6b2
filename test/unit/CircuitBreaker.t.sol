// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import {SafeguardedFixture} from "../utils/SafeguardedFixture.sol";
import {MockOracle} from "../utils/Mocks.sol";
import {CircuitBreaker} from "../../contracts/CircuitBreaker.sol";
import {BreakerLevel} from "../../contracts/interfaces/ICircuitBreaker.sol";
import {
    BreakerParams,
    ICircuitBreakerAdmin,
    Trigger
} from "../../contracts/interfaces/ICircuitBreakerAdmin.sol";
import {NavStatus} from "../../contracts/interfaces/IRwaVault.sol";

/// @notice Every trigger, level, transition, expiry, grace, cooldown, throttle and manual path of
///         the breaker, driven by a mock liquidation price over the real vault and pool.
contract CircuitBreakerTest is SafeguardedFixture {
    MockOracle internal price;
    CircuitBreaker internal b;
    address internal mkt = makeAddr("market");

    function setUp() public override {
        super.setUp();
        price = new MockOracle(1e18);
        b = deployBreaker(price);
        vm.prank(admin);
        b.setMarket(mkt);
        b.poke(); // record the 1.0 peak
    }

    // ---------------------------------------------------------------- setup and parameters

    function test_setMarket_onlyOnceAndOnlyAdmin() public {
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(ICircuitBreakerAdmin.BreakerMarketAlreadySet.selector, mkt));
        b.setMarket(address(1));
        CircuitBreaker fresh = deployBreaker(price);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, address(this), bytes32(0)
            )
        );
        fresh.setMarket(address(1));
        vm.prank(admin);
        vm.expectRevert(ICircuitBreakerAdmin.BreakerZeroAddress.selector);
        fresh.setMarket(address(0));
        vm.expectEmit(address(fresh));
        emit ICircuitBreakerAdmin.MarketSet(address(1));
        vm.prank(admin);
        fresh.setMarket(address(1));
    }

    function test_setParams_boundsThresholdOrder() public {
        BreakerParams memory p = breakerParams();
        p.level2Decline = p.level1Decline;
        vm.prank(admin);
        vm.expectRevert(
            abi.encodeWithSelector(
                ICircuitBreakerAdmin.BreakerParameterOutOfBounds.selector,
                bytes32("level2Decline"),
                p.level1Decline,
                p.level1Decline + 1,
                0.7e18
            )
        );
        b.setParams(p);
        p = breakerParams();
        p.cooldown = 10 minutes; // below the grace period
        vm.prank(admin);
        vm.expectRevert(
            abi.encodeWithSelector(
                ICircuitBreakerAdmin.BreakerParameterOutOfBounds.selector,
                bytes32("cooldown"),
                10 minutes,
                1 hours,
                30 days
            )
        );
        b.setParams(p);
        p = breakerParams();
        p.maxHalt = 2 hours;
        vm.expectEmit(address(b));
        emit ICircuitBreakerAdmin.ParamsSet(p);
        vm.prank(admin);
        b.setParams(p);
        assertEq(b.params().maxHalt, 2 hours);
    }

    function test_constructor_revertsOnZeroAddress() public {
        vm.expectRevert(ICircuitBreakerAdmin.BreakerZeroAddress.selector);
        new CircuitBreaker(price, vault, pool, address(0), breakerParams());
    }

    // ---------------------------------------------------------------- triggers and levels

    function test_normal_allowsEverything() public {
        assertTrue(b.borrowAllowed());
        (uint256 fast, bool slow) = b.liquidationAllowance();
        assertEq(fast, type(uint256).max);
        assertFalse(slow);
        assertEq(uint8(b.level()), uint8(BreakerLevel.Normal));
    }

    function test_level1_declineClosesBorrows() public {
        price.setPrice(0.93e18);
        vm.expectEmit(address(b));
        emit ICircuitBreakerAdmin.Tripped(Trigger.PriceDecline, BreakerLevel.BorrowsClosed, 0.07e18);
        vm.expectEmit(address(b));
        emit ICircuitBreakerAdmin.LevelChanged(BreakerLevel.Normal, BreakerLevel.BorrowsClosed);
        assertFalse(b.borrowAllowed());
        (uint256 fast, bool slow) = b.liquidationAllowance();
        assertEq(fast, type(uint256).max, "level 1 leaves liquidation alone");
        assertFalse(slow);
    }

    function test_level1_justBelowThresholdDoesNotTrip() public {
        price.setPrice(0.9301e18);
        assertTrue(b.borrowAllowed());
    }

    function test_level2_throttlesWithDepthSizedBudget() public {
        price.setPrice(0.87e18);
        (uint256 fast, bool slow) = b.liquidationAllowance();
        // 1,000,000 base in the pool; 2% price impact → R·(1/√0.98 − 1) ≈ 10,153.3
        assertApproxEqRel(fast, 10_153.3e18, 0.0001e18);
        assertEq(fast, b.throttleCapacity());
        assertTrue(slow);
        assertFalse(b.borrowAllowed());
        assertEq(uint8(b.level()), uint8(BreakerLevel.Throttled));
    }

    function test_level3_declineHalts() public {
        price.setPrice(0.8e18);
        vm.expectEmit(address(b));
        emit ICircuitBreakerAdmin.Tripped(Trigger.PriceDecline, BreakerLevel.Halted, 0.2e18);
        (uint256 fast, bool slow) = b.liquidationAllowance();
        assertEq(fast, 0);
        assertTrue(slow);
    }

    function test_level3_navUnderReviewHalts() public {
        vm.prank(guardian);
        vault.setNavStatus(NavStatus.UnderReview, "custodian breach");
        vm.expectEmit(address(b));
        emit ICircuitBreakerAdmin.Tripped(Trigger.NavUnderReview, BreakerLevel.Halted, 0);
        (uint256 fast,) = b.liquidationAllowance();
        assertEq(fast, 0);
    }

    function test_level3_divergenceHaltsOnlyOnFullPoke() public {
        sellShares(200_000e18); // spot −31%: the pool now trades far below NAV
        vm.warp(block.timestamp + 30 minutes);
        (uint256 fast,) = b.liquidationAllowance(); // the market's cheap path skips the TWAP check
        assertEq(fast, type(uint256).max);
        vm.expectEmit(address(b));
        emit ICircuitBreakerAdmin.Tripped(Trigger.Divergence, BreakerLevel.Halted, 0);
        vm.prank(makeAddr("anyone"));
        assertEq(uint8(b.poke()), uint8(BreakerLevel.Halted));
    }

    function test_stepsDownAsWindowRollsPastPeak() public {
        price.setPrice(0.87e18);
        b.poke();
        vm.warp(block.timestamp + 1 hours + 15 minutes); // the 1.0 peak has left the window
        vm.expectEmit(address(b));
        emit ICircuitBreakerAdmin.LevelChanged(BreakerLevel.Throttled, BreakerLevel.Normal);
        assertTrue(b.borrowAllowed());
    }

    function test_stepsUpThroughEveryLevel() public {
        uint256[4] memory prices = [uint256(1e18), 0.92e18, 0.86e18, 0.79e18];
        for (uint256 i; i < 4; ++i) {
            price.setPrice(prices[i]);
            assertEq(uint8(b.poke()), i);
        }
    }

    // ---------------------------------------------------------------- halts, grace and cooldown

    function test_halt_expiresToThrottleThenGraceBlocksAll() public {
        price.setPrice(0.8e18);
        b.poke();
        uint256 haltedAt = block.timestamp;
        vm.warp(haltedAt + 6 hours - 1);
        assertEq(uint8(b.level()), uint8(BreakerLevel.Halted));
        vm.warp(haltedAt + 6 hours);
        vm.expectEmit(address(b));
        emit ICircuitBreakerAdmin.HaltExpired(haltedAt, haltedAt + 7 hours);
        (uint256 fast, bool slow) = b.liquidationAllowance();
        assertEq(fast, 0, "grace: no fast liquidation");
        assertFalse(slow, "grace: no slow path either");
        assertTrue(b.inGrace());
        vm.warp(haltedAt + 7 hours);
        (fast, slow) = b.liquidationAllowance();
        assertFalse(b.inGrace());
        // The decline is hours old: outside the 1 h window the breaker is back to Normal.
        assertEq(fast, type(uint256).max);
        assertFalse(slow);
    }

    function test_halt_freshDeclineAfterGraceThrottles() public {
        price.setPrice(0.8e18);
        b.poke();
        uint256 haltedAt = block.timestamp;
        vm.warp(haltedAt + 7 hours);
        price.setPrice(0.85e18); // a new peak in the window …
        b.poke();
        price.setPrice(0.72e18); // … then a 15% fall: level 2
        (uint256 fast, bool slow) = b.liquidationAllowance();
        assertEq(fast, b.throttleCapacity());
        assertTrue(slow);
    }

    function test_halt_expiryIsExactWithoutPokes() public {
        price.setPrice(0.8e18);
        b.poke();
        uint256 haltedAt = block.timestamp;
        vm.warp(haltedAt + 30 hours); // nobody poked during the halt, grace or cooldown
        assertFalse(b.inGrace(), "grace ran from the halt's end, not from the late poke");
    }

    function test_cooldown_lastingConditionCannotHaltAgain() public {
        vm.prank(guardian);
        vault.setNavStatus(NavStatus.UnderReview, "title challenge");
        b.poke();
        uint256 haltedAt = block.timestamp;
        vm.warp(haltedAt + 6 hours + 1 hours + 1); // halt over, grace over, still under review
        assertEq(uint8(b.poke()), uint8(BreakerLevel.Throttled), "liveness: throttle, not halt");
        (uint256 fast,) = b.liquidationAllowance();
        assertGt(fast, 0);
        vm.warp(haltedAt + 6 hours + 24 hours); // cooldown over
        assertEq(uint8(b.poke()), uint8(BreakerLevel.Halted));
    }

    // ---------------------------------------------------------------- throttle

    function test_throttle_consumeAndRefill() public {
        price.setPrice(0.87e18);
        (uint256 cap,) = b.liquidationAllowance();
        vm.prank(mkt);
        b.onFastLiquidation(cap / 2);
        assertEq(b.throttleAvailable(), cap - cap / 2);
        vm.warp(block.timestamp + 15 minutes);
        assertEq(b.throttleAvailable(), cap - cap / 2 + cap / 4);
        vm.warp(block.timestamp + 1 hours);
        assertEq(b.throttleAvailable(), cap, "refill caps at capacity");
    }

    function test_throttle_reenteringLevel2DoesNotRefill() public {
        price.setPrice(0.87e18);
        (uint256 cap,) = b.liquidationAllowance();
        vm.prank(mkt);
        b.onFastLiquidation(cap);
        price.setPrice(1e18); // back to Normal …
        b.poke();
        price.setPrice(0.87e18); // … and straight back into the throttle
        (uint256 again,) = b.liquidationAllowance();
        assertEq(again, 0, "an oscillating price must not hand out a fresh bucket");
    }

    function test_throttle_revertsWhenExceeded() public {
        price.setPrice(0.87e18);
        (uint256 cap,) = b.liquidationAllowance();
        vm.prank(mkt);
        vm.expectRevert(
            abi.encodeWithSelector(ICircuitBreakerAdmin.BreakerThrottleExceeded.selector, cap + 1, cap)
        );
        b.onFastLiquidation(cap + 1);
    }

    function test_onFastLiquidation_onlyMarket() public {
        vm.expectRevert(abi.encodeWithSelector(ICircuitBreakerAdmin.BreakerNotMarket.selector, address(this)));
        b.onFastLiquidation(1);
    }

    function test_onFastLiquidation_freeBelowLevel2() public {
        vm.prank(mkt);
        b.onFastLiquidation(1e30);
        assertEq(b.throttleAvailable(), 0, "no budget is kept outside the throttle");
    }

    // ---------------------------------------------------------------- manual

    function test_trip_guardianToEachLevelAndReset() public {
        for (uint8 l = 1; l <= 3; ++l) {
            vm.expectEmit(address(b));
            emit ICircuitBreakerAdmin.Tripped(Trigger.Manual, BreakerLevel(l), 0);
            vm.prank(guardian);
            b.trip(BreakerLevel(l));
            assertEq(uint8(b.level()), l);
        }
        vm.prank(admin);
        b.reset();
        assertEq(uint8(b.level()), uint8(BreakerLevel.Normal));
        assertTrue(b.inGrace(), "clearing a halt by hand still gives borrowers their grace");
    }

    function test_trip_manualHaltIsBounded() public {
        vm.prank(guardian);
        b.trip(BreakerLevel.Halted);
        vm.warp(block.timestamp + 6 hours);
        assertEq(uint8(b.level()), uint8(BreakerLevel.Throttled));
    }

    function test_trip_manualFloorPersistsUntilReset() public {
        vm.prank(guardian);
        b.trip(BreakerLevel.BorrowsClosed);
        vm.warp(block.timestamp + 3 hours);
        assertFalse(b.borrowAllowed());
        vm.prank(admin);
        b.reset();
        assertTrue(b.borrowAllowed());
    }

    function test_trip_onlyGuardianAndResetOnlyAdmin() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, address(this), b.GUARDIAN_ROLE()
            )
        );
        b.trip(BreakerLevel.Halted);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, address(this), bytes32(0)
            )
        );
        b.reset();
    }

    // ---------------------------------------------------------------- previews and pokes

    function test_previews_matchPokes() public {
        uint256[5] memory prices = [uint256(0.95e18), 0.9e18, 0.85e18, 0.7e18, 0.72e18];
        for (uint256 i; i < prices.length; ++i) {
            price.setPrice(prices[i]);
            vm.warp(block.timestamp + 20 minutes);
            bool pb = b.previewBorrowAllowed();
            (uint256 pf, bool ps) = b.previewLiquidationAllowance();
            assertEq(b.borrowAllowed(), pb);
            (uint256 f, bool s) = b.liquidationAllowance();
            assertEq(f, pf);
            assertEq(s, ps);
        }
    }

    function test_poke_byAnyone() public {
        price.setPrice(0.8e18);
        vm.prank(makeAddr("stranger"));
        assertEq(uint8(b.poke()), uint8(BreakerLevel.Halted));
    }

    function test_decline_view() public {
        price.setPrice(0.9e18);
        (uint256 peak, uint256 fraction) = b.decline();
        assertEq(peak, 1e18);
        assertEq(fraction, 0.1e18);
    }
}
