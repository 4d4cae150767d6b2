// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

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
import {IConstantProductPool} from "../../contracts/interfaces/IConstantProductPool.sol";
import {Vm} from "forge-std/Vm.sol";

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
        expectUnauthorized(address(this), bytes32(0));
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
        _setParamsReverts(p, bytes32("level2Decline"), p.level1Decline, p.level1Decline + 1, 0.7e18);
        p = breakerParams();
        p.cooldown = 10 minutes; // below the grace period
        _setParamsReverts(p, bytes32("cooldown"), 10 minutes, 1 hours, 30 days);
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
        (uint256 seizable, bool confirmedOnly) = b.liquidationAllowance();
        assertEq(seizable, type(uint256).max);
        assertFalse(confirmedOnly);
        assertEq(uint8(b.level()), uint8(BreakerLevel.Normal));
    }

    function test_level1_declineClosesBorrows() public {
        price.setPrice(0.93e18);
        vm.expectEmit(address(b));
        emit ICircuitBreakerAdmin.Tripped(Trigger.PriceDecline, BreakerLevel.BorrowsClosed, 0.07e18);
        vm.expectEmit(address(b));
        emit ICircuitBreakerAdmin.LevelChanged(BreakerLevel.Normal, BreakerLevel.BorrowsClosed);
        assertFalse(b.borrowAllowed());
        (uint256 seizable, bool confirmedOnly) = b.liquidationAllowance();
        assertEq(seizable, type(uint256).max, "level 1 leaves liquidation alone");
        assertFalse(confirmedOnly);
    }

    function test_level1_justBelowThresholdDoesNotTrip() public {
        price.setPrice(0.9301e18);
        assertTrue(b.borrowAllowed());
    }

    function test_level2_throttlesWithDepthSizedBudget() public {
        price.setPrice(0.87e18);
        (uint256 seizable, bool confirmedOnly) = b.liquidationAllowance();
        // 1,000,000 base in the pool; 2% price impact → R·(1/√0.98 − 1) ≈ 10,153.3
        assertApproxEqRel(seizable, 10_153.3e18, 0.0001e18);
        assertEq(seizable, b.throttleCapacity());
        assertFalse(confirmedOnly, "a throttle limits the volume, not which losses count");
        assertFalse(b.borrowAllowed());
        assertEq(uint8(b.level()), uint8(BreakerLevel.Throttled));
    }

    function test_level3_declineHalts() public {
        price.setPrice(0.8e18);
        vm.expectEmit(address(b));
        emit ICircuitBreakerAdmin.Tripped(Trigger.PriceDecline, BreakerLevel.Halted, 0.2e18);
        (uint256 seizable, bool confirmedOnly) = b.liquidationAllowance();
        assertEq(seizable, b.throttleCapacity(), "a halt bounds confirmed-loss seizures by the bucket");
        assertGt(seizable, 0);
        assertTrue(confirmedOnly, "a halt admits only losses confirmed at the NAV anchor");
    }

    function test_level3_navUnderReviewHalts() public {
        vm.prank(guardian);
        vault.setNavStatus(NavStatus.UnderReview, "custodian breach");
        vm.expectEmit(address(b));
        emit ICircuitBreakerAdmin.Tripped(Trigger.NavUnderReview, BreakerLevel.Halted, 0);
        (uint256 seizable, bool confirmedOnly) = b.liquidationAllowance();
        assertEq(seizable, b.throttleCapacity());
        assertTrue(confirmedOnly);
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

    function test_halt_expiresThenGraceAdmitsOnlyConfirmedWithinBucket() public {
        price.setPrice(0.8e18);
        b.poke();
        uint256 haltedAt = block.timestamp;
        vm.warp(haltedAt + 6 hours - 1);
        assertEq(uint8(b.level()), uint8(BreakerLevel.Halted));
        vm.warp(haltedAt + 6 hours);
        vm.expectEmit(address(b));
        emit ICircuitBreakerAdmin.HaltExpired(haltedAt, haltedAt + 7 hours);
        (uint256 seizable, bool confirmedOnly) = b.liquidationAllowance();
        assertEq(seizable, b.throttleAvailable(), "grace: within the bucket");
        assertEq(seizable, b.throttleCapacity(), "the bucket refilled during the halt");
        assertTrue(confirmedOnly, "grace: borrowers may top up; only confirmed losses are liquidated");
        assertTrue(b.inGrace());
        vm.warp(haltedAt + 7 hours);
        (seizable, confirmedOnly) = b.liquidationAllowance();
        assertFalse(b.inGrace());
        // The decline is hours old: outside the 1 h window the breaker is back to Normal.
        assertEq(seizable, type(uint256).max);
        assertFalse(confirmedOnly);
    }

    function test_halt_freshDeclineAfterGraceThrottles() public {
        price.setPrice(0.8e18);
        b.poke();
        uint256 haltedAt = block.timestamp;
        vm.warp(haltedAt + 7 hours);
        price.setPrice(0.85e18); // a new peak in the window …
        b.poke();
        price.setPrice(0.72e18); // … then a 15% fall: level 2
        (uint256 seizable, bool confirmedOnly) = b.liquidationAllowance();
        assertEq(seizable, b.throttleCapacity());
        assertFalse(confirmedOnly, "grace is over: a throttle, not a halt");
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
        expectUnauthorized(address(this), b.GUARDIAN_ROLE());
        b.trip(BreakerLevel.Halted);
        expectUnauthorized(address(this), bytes32(0));
        b.reset();
    }

    // ---------------------------------------------------------------- issue 12: a level no caller can undo

    /// @dev The lab's case: a halt by divergence expires while the pool still trades far below NAV.
    function test_divergence_haltExpiryHoldsThrottleWhileItLasts() public {
        uint256 haltedAt = _haltByDivergence();
        vm.warp(haltedAt + 6 hours); // the pool still trades ~30% below NAV
        (uint256 seizable,) = b.liquidationAllowance();
        assertEq(uint8(b.level()), uint8(BreakerLevel.Throttled), "a market call undid the divergence");
        assertEq(seizable, b.throttleAvailable());
        assertFalse(b.borrowAllowed());
    }

    /// @dev Within the cooldown a lasting divergence throttles; the market's calls between the
    ///      keeper's pokes must not step it back to Normal (nor reopen borrowing).
    function test_divergence_marketCallsCannotUndoAPokeInCooldown() public {
        uint256 haltedAt = _haltByDivergence();
        vm.warp(haltedAt + 7 hours + 1); // halt and grace over, cooldown until +30 h
        for (uint256 i; i < 6; ++i) {
            assertEq(uint8(b.poke()), uint8(BreakerLevel.Throttled));
            vm.warp(block.timestamp + 20 minutes);
            assertEq(uint8(b.level()), uint8(BreakerLevel.Throttled), "view");
            assertFalse(b.previewBorrowAllowed(), "preview");
            assertFalse(b.borrowAllowed(), "borrowing reopened while the divergence lasts");
            (uint256 seizable,) = b.liquidationAllowance();
            assertEq(
                seizable, b.throttleAvailable(), "fast liquidation unthrottled while the divergence lasts"
            );
            vm.warp(block.timestamp + 20 minutes);
        }
    }

    /// @dev Alternating pokes and market calls must not re-trip the same lasting condition.
    function test_divergence_alternatingCallsDoNotReTrip() public {
        uint256 haltedAt = _haltByDivergence();
        vm.warp(haltedAt + 7 hours + 1);
        vm.recordLogs();
        for (uint256 i; i < 6; ++i) {
            b.poke();
            vm.warp(block.timestamp + 10 minutes);
            b.liquidationAllowance();
            b.borrowAllowed();
            vm.warp(block.timestamp + 10 minutes);
        }
        assertEq(_count(vm.getRecordedLogs(), ICircuitBreakerAdmin.Tripped.selector), 0, "re-tripped");
    }

    /// @dev Once the divergence ends, a full check steps down; the market's calls follow.
    function test_divergence_pokeStepsDownOnceItEnds() public {
        uint256 haltedAt = _haltByDivergence();
        vm.warp(haltedAt + 7 hours + 1);
        b.poke();
        vm.prank(trader);
        pool.swap(address(usd), 250_000e18, 0, trader, block.timestamp); // arbitrage back to ~NAV
        vm.warp(block.timestamp + 30 minutes);
        assertEq(uint8(b.level()), uint8(BreakerLevel.Throttled), "a market call cannot see the calm");
        vm.expectEmit(address(b));
        emit ICircuitBreakerAdmin.HoldSet(BreakerLevel.Normal);
        assertEq(uint8(b.poke()), uint8(BreakerLevel.Normal));
        assertTrue(b.borrowAllowed());
    }

    /// @dev Levels a market call can see the cause of still step down without a keeper.
    function test_marketCall_stepsDownADeclineItCanSee() public {
        price.setPrice(0.87e18);
        b.poke();
        vm.warp(block.timestamp + 1 hours + 15 minutes);
        (uint256 seizable,) = b.liquidationAllowance();
        assertEq(seizable, type(uint256).max);
    }

    // ---------------------------------------------------------------- issue 12: unanswerable reads

    function test_poke_failedPoolReadHoldsLevelAndEmits() public {
        price.setPrice(0.87e18);
        assertEq(uint8(b.poke()), uint8(BreakerLevel.Throttled));
        price.setPrice(1e18); // the decline is gone: a calm read would step down
        vm.mockCallRevert(
            address(pool), abi.encodeWithSelector(IConstantProductPool.consult.selector), "short"
        );
        vm.expectEmit(address(b));
        emit ICircuitBreakerAdmin.PoolReadFailed(30 minutes, "short");
        assertEq(uint8(b.poke()), uint8(BreakerLevel.Throttled), "an unanswerable read stepped down");
        b.liquidationAllowance();
        assertEq(uint8(b.level()), uint8(BreakerLevel.Throttled), "nor may a market call after it");
        vm.clearMockedCalls();
        assertEq(uint8(b.poke()), uint8(BreakerLevel.Normal), "a calm read steps down");
    }

    function test_poke_failedPoolReadDuringHaltHoldsThrottleAfterExpiry() public {
        uint256 haltedAt = _haltByDivergence();
        vm.warp(haltedAt + 6 hours);
        vm.mockCallRevert(address(pool), abi.encodeWithSelector(IConstantProductPool.consult.selector), "");
        assertEq(uint8(b.poke()), uint8(BreakerLevel.Throttled), "bounded halt, held throttle");
        vm.warp(block.timestamp + 2 hours);
        assertEq(uint8(b.poke()), uint8(BreakerLevel.Throttled));
    }

    function test_throttle_depthReadFailureKeepsEstimateAndEmits() public {
        price.setPrice(0.87e18);
        b.poke();
        uint256 cap = b.throttleCapacity();
        price.setPrice(1e18);
        vm.warp(block.timestamp + 1 hours + 15 minutes);
        b.poke(); // Normal again
        vm.mockCallRevert(address(pool), abi.encodeWithSelector(IConstantProductPool.consult.selector), "");
        price.setPrice(0.87e18);
        vm.expectEmit(address(b));
        emit ICircuitBreakerAdmin.PoolReadFailed(30 minutes, "");
        (uint256 seizable,) = b.liquidationAllowance(); // enters the throttle: no fresh depth
        assertEq(b.throttleCapacity(), cap, "the last estimate stands");
        assertEq(seizable, cap);
    }

    // ---------------------------------------------------------------- issue 12: guardian halts are bounded

    function test_trip_manualHaltExpiresThenGraceThenCooldown() public {
        vm.prank(guardian);
        b.trip(BreakerLevel.Halted);
        uint256 haltedAt = block.timestamp;
        vm.warp(haltedAt + 6 hours - 1);
        _assertAllowance(BreakerLevel.Halted, true);
        vm.warp(haltedAt + 6 hours);
        vm.expectEmit(address(b));
        emit ICircuitBreakerAdmin.HaltExpired(haltedAt, haltedAt + 7 hours);
        b.poke();
        assertEq(uint8(b.level()), uint8(BreakerLevel.Throttled), "the guardian's floor is spent");
        _assertAllowance(BreakerLevel.Throttled, true); // grace
        vm.warp(haltedAt + 7 hours);
        assertFalse(b.inGrace());
        _assertAllowance(BreakerLevel.Throttled, false); // the floor stays at level 2 until reset
        _tripHaltRevertsInCooldownUntil(haltedAt + 30 hours);
        vm.warp(haltedAt + 30 hours);
        vm.prank(guardian);
        b.trip(BreakerLevel.Halted);
        assertEq(uint8(b.level()), uint8(BreakerLevel.Halted), "after the cooldown a new halt");
    }

    /// @dev The regression: halting again right after a manual halt expired chained into an
    ///      indefinite halt.
    function test_trip_haltRightAfterExpiryReverts() public {
        vm.prank(guardian);
        b.trip(BreakerLevel.Halted);
        uint256 haltedAt = block.timestamp;
        vm.warp(haltedAt + 6 hours);
        _tripHaltRevertsInCooldownUntil(haltedAt + 30 hours);
    }

    function test_trip_haltInCooldownOfAnAutomaticHaltReverts() public {
        price.setPrice(0.8e18);
        b.poke();
        uint256 haltedAt = block.timestamp;
        vm.warp(haltedAt + 8 hours);
        _tripHaltRevertsInCooldownUntil(haltedAt + 30 hours);
        vm.prank(guardian);
        b.trip(BreakerLevel.Throttled); // lower levels stay at hand
        assertEq(uint8(b.level()), uint8(BreakerLevel.Throttled));
    }

    function test_trip_haltClearedByResetStartsCooldown() public {
        vm.prank(guardian);
        b.trip(BreakerLevel.Halted);
        vm.prank(admin);
        b.reset();
        _tripHaltRevertsInCooldownUntil(block.timestamp + 24 hours);
    }

    function test_trip_emitsTheManualFloor() public {
        vm.expectEmit(address(b));
        emit ICircuitBreakerAdmin.ManualFloorSet(BreakerLevel.BorrowsClosed);
        vm.prank(guardian);
        b.trip(BreakerLevel.BorrowsClosed);
        vm.expectEmit(address(b));
        emit ICircuitBreakerAdmin.ManualFloorSet(BreakerLevel.Normal);
        vm.prank(admin);
        b.reset();
    }

    // ---------------------------------------------------------------- issue 12: casts

    function test_peaks_holdA1e26Price() public {
        price.setPrice(1e26); // the vault's MAX_NAV
        b.poke();
        (uint256 peak, uint256 fraction) = b.decline();
        assertApproxEqRel(peak, 1e26, 1e-12 * 1e18);
        assertEq(fraction, 0);
        price.setPrice(0.87e26);
        assertEq(uint8(b.poke()), uint8(BreakerLevel.Throttled), "a 13% decline from 1e26 went unseen");
    }

    function test_peaks_saturateAboveRange() public {
        price.setPrice(1e30);
        b.poke(); // no revert: a breaker that reverted would block liquidation
        (uint256 peak,) = b.decline();
        assertLe(peak, 1e30);
        assertGe(peak, 1e26);
    }

    function test_throttleCapacity_saturatesAtUint96() public {
        vm.mockCall(
            address(pool),
            abi.encodeWithSelector(IConstantProductPool.consult.selector),
            abi.encode(uint256(1e18), uint256(1e40))
        );
        price.setPrice(0.87e18);
        (uint256 seizable,) = b.liquidationAllowance();
        assertEq(b.throttleCapacity(), type(uint96).max, "wrapped");
        assertEq(seizable, type(uint96).max);
    }

    // ---------------------------------------------------------------- issue 12: what a halt admits

    /// @dev confirmedOnly exactly during halt and grace; the bucket bounds every restricted state.
    function test_allowance_automaticHaltGraceAndAfter() public {
        _assertAllowance(BreakerLevel.Normal, false);
        price.setPrice(0.92e18);
        _assertAllowance(BreakerLevel.BorrowsClosed, false);
        price.setPrice(0.86e18);
        _assertAllowance(BreakerLevel.Throttled, false);
        price.setPrice(0.79e18);
        b.poke();
        uint256 haltedAt = block.timestamp;
        _assertAllowance(BreakerLevel.Halted, true);
        vm.warp(haltedAt + 6 hours - 1);
        _assertAllowance(BreakerLevel.Halted, true);
        vm.warp(haltedAt + 6 hours); // expiry; the decline left the window: Normal, but in grace
        (uint256 seizable, bool confirmedOnly) = b.liquidationAllowance();
        assertTrue(b.inGrace());
        assertTrue(confirmedOnly);
        assertEq(seizable, b.throttleAvailable(), "grace is restricted: the bucket bounds it");
        vm.warp(haltedAt + 7 hours - 1);
        (, confirmedOnly) = b.liquidationAllowance();
        assertTrue(confirmedOnly);
        vm.warp(haltedAt + 7 hours);
        _assertAllowance(BreakerLevel.Normal, false);
    }

    function test_allowance_graceAfterResetIsBounded() public {
        price.setPrice(0.79e18);
        b.poke();
        vm.prank(admin);
        b.reset();
        (uint256 seizable, bool confirmedOnly) = b.liquidationAllowance();
        assertTrue(confirmedOnly);
        assertEq(seizable, b.throttleAvailable());
        vm.prank(mkt);
        b.onFastLiquidation(seizable); // consumed in grace like in any restricted state
        assertEq(b.throttleAvailable(), 0);
    }

    /// @dev Asserts the level and what liquidation may do at it, with the previews agreeing.
    function _assertAllowance(BreakerLevel expected, bool confirmed) internal {
        (uint256 ps, bool pc) = b.previewLiquidationAllowance();
        (uint256 seizable, bool confirmedOnly) = b.liquidationAllowance();
        assertEq(uint8(b.level()), uint8(expected), "level");
        assertEq(confirmedOnly, confirmed, "confirmedOnly");
        bool restricted = expected >= BreakerLevel.Throttled || b.inGrace();
        assertEq(seizable, restricted ? b.throttleAvailable() : type(uint256).max, "seizable");
        if (restricted) assertGt(seizable, 0);
        assertEq(ps, seizable, "preview seizable");
        assertEq(pc, confirmedOnly, "preview confirmedOnly");
    }

    /// @dev Sells the pool 31% below NAV and lets the TWAP see it; a poke halts on divergence.
    function _haltByDivergence() internal returns (uint256 haltedAt) {
        sellShares(200_000e18);
        vm.warp(block.timestamp + 30 minutes);
        assertEq(uint8(b.poke()), uint8(BreakerLevel.Halted));
        return block.timestamp;
    }

    function _count(Vm.Log[] memory logs, bytes32 topic) internal view returns (uint256 n) {
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter == address(b) && logs[i].topics[0] == topic) ++n;
        }
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

    /// @dev The guardian's halt is refused: the cooldown lasts until `until`.
    function _tripHaltRevertsInCooldownUntil(uint256 until) internal {
        vm.prank(guardian);
        vm.expectRevert(abi.encodeWithSelector(ICircuitBreakerAdmin.BreakerHaltInCooldown.selector, until));
        b.trip(BreakerLevel.Halted);
    }

    /// @dev The admin's `setParams(p)` reverts: `name` = `value` is outside [`min`, `max`].
    function _setParamsReverts(BreakerParams memory p, bytes32 name, uint256 value, uint256 min, uint256 max)
        internal
    {
        vm.prank(admin);
        expectOutOfBounds(ICircuitBreakerAdmin.BreakerParameterOutOfBounds.selector, name, value, min, max);
        b.setParams(p);
    }
}
