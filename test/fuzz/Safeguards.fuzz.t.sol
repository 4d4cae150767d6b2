// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SafeguardedFixture} from "../utils/SafeguardedFixture.sol";
import {MockOracle} from "../utils/Mocks.sol";
import {CircuitBreaker} from "../../contracts/CircuitBreaker.sol";
import {BreakerLevel} from "../../contracts/interfaces/ICircuitBreaker.sol";
import {NavStatus} from "../../contracts/interfaces/IRwaVault.sol";
import {ICircuitBreakerAdmin} from "../../contracts/interfaces/ICircuitBreakerAdmin.sol";
import {Vm} from "forge-std/Vm.sol";
import {ILendingMarket} from "../../contracts/interfaces/ILendingMarket.sol";
import {IRedeemToRepayMarket} from "../../contracts/interfaces/IRedeemToRepayMarket.sol";
import {WAD} from "../../contracts/libraries/WadMath.sol";

/// @notice The oracle's price bounds and the breaker's throttle and halt bounds under random
///         sequences of pool trades, NAV reports and time steps, with the real pool and vault.
contract SafeguardsFuzzTest is SafeguardedFixture {
    uint256 internal constant STEPS = 12;

    /// @dev borrowPrice never exceeds NAV nor the short TWAP, whatever the market did.
    function testFuzz_borrowPrice_neverAboveNavOrShortTwap(
        uint256[STEPS] memory trades,
        uint256[STEPS] memory gaps
    ) public {
        for (uint256 i; i < STEPS; ++i) {
            _trade(trades[i]);
            vm.warp(block.timestamp + bound(gaps[i], 1, 2 hours));
            uint256 b = cOracle.borrowPrice();
            (uint256 nav,,) = vault.navInfo();
            assertLe(b, nav);
            (uint256 twap,) = pool.consult(30 minutes);
            assertLe(b, twap);
        }
    }

    /// @dev With a poke at every step, liquidationPrice never falls faster than 2% an hour,
    ///      except at a fresh NAV report, which may only bring it to the new haircut NAV.
    function testFuzz_liquidationPrice_rateLimitedWhenPoked(
        uint256[STEPS] memory trades,
        uint256[STEPS] memory gaps,
        uint256[STEPS] memory navMoves
    ) public {
        uint256 last = cOracle.poke();
        for (uint256 i; i < STEPS; ++i) {
            _trade(trades[i]);
            uint256 gap = bound(gaps[i], 1, 3 hours);
            vm.warp(block.timestamp + gap);
            bool fresh = navMoves[i] % 5 == 0;
            if (fresh) reportNav(bound(navMoves[i], 0.5e18, 1.2e18));
            uint256 p = cOracle.poke();
            uint256 floor = last - (last * 0.02e18 / WAD) * gap / 1 hours - 1;
            if (fresh) {
                (uint256 h,) = cOracle.haircutNav();
                if (p < floor) assertEq(p, h, "only a fresh NAV may cut faster, and only to hNAV");
            } else {
                assertGe(p, last > floor ? floor : 0, "fell faster than 2% an hour");
            }
            assertLe(p, last + (last * 0.01e18 / WAD) * gap / 1 hours + 1, "rose faster than 1% an hour");
            last = p;
        }
    }

    /// @dev Without pokes the view is bounded by the last poke the same way.
    function testFuzz_liquidationPrice_unpokedBoundedByLastPoke(uint256[STEPS] memory trades, uint256 gap)
        public
    {
        uint256 last = cOracle.poke();
        uint256 start = block.timestamp;
        for (uint256 i; i < STEPS; ++i) {
            _trade(trades[i]);
            vm.warp(block.timestamp + 20 minutes);
        }
        vm.warp(block.timestamp + bound(gap, 0, 3 days));
        uint256 elapsed = block.timestamp - start;
        uint256 maxDrop = (last * 0.02e18 / WAD) * elapsed / 1 hours;
        uint256 p = cOracle.liquidationPrice();
        if (maxDrop < last) assertGe(p + 1, last - maxDrop);
        assertLe(p, last + (last * 0.01e18 / WAD) * elapsed / 1 hours + 1);
    }

    /// @dev Across any sequence of seizures and time, fast liquidation never takes more than the
    ///      bucket allows: capacity at the start plus the continuous refill.
    function testFuzz_throttle_neverExceeded(uint256[STEPS] memory asks, uint256[STEPS] memory gaps) public {
        MockOracle price = new MockOracle(1e18);
        CircuitBreaker b = deployBreaker(price);
        vm.prank(admin);
        b.setMarket(address(this));
        b.poke();
        price.setPrice(0.85e18); // level 2
        (uint256 cap,) = b.liquidationAllowance();
        uint256 seized;
        uint256 start = block.timestamp;
        for (uint256 i; i < STEPS; ++i) {
            vm.warp(block.timestamp + bound(gaps[i], 0, 20 minutes));
            // Re-record the peak each step so the breaker stays in one continuous throttled span.
            price.setPrice(1e18);
            b.poke();
            price.setPrice(0.85e18);
            (uint256 allowance,) = b.liquidationAllowance();
            uint256 ask = bound(asks[i], 0, cap);
            if (ask > allowance) {
                vm.expectRevert();
                b.onFastLiquidation(ask);
            } else {
                b.onFastLiquidation(ask);
                seized += ask;
            }
            assertLe(seized, cap + cap * (block.timestamp - start) / 1 hours + 1);
        }
    }

    /// @dev Levels are monotone in the decline.
    function testFuzz_levels_monotoneInDecline(uint256 a, uint256 bDecline) public {
        a = bound(a, 0, 0.5e18);
        bDecline = bound(bDecline, a, 0.5e18);
        assertLe(_levelAt(a), _levelAt(bDecline));
    }

    /// @dev However long NAV stays under review, no single halt lasts longer than maxHalt.
    function testFuzz_halt_boundedWhileConditionPersists(uint256[STEPS] memory gaps) public {
        vm.prank(guardian);
        vault.setNavStatus(NavStatus.UnderReview, "title challenge");
        cBreaker.poke();
        uint256 haltStart = block.timestamp;
        bool halted = true;
        for (uint256 i; i < STEPS; ++i) {
            vm.warp(block.timestamp + bound(gaps[i], 1, 8 hours));
            bool now_ = cBreaker.poke() == BreakerLevel.Halted;
            if (now_ && !halted) haltStart = block.timestamp;
            if (now_) {
                assertLe(
                    block.timestamp - haltStart, 6 hours + 8 hours, "halt overstayed by more than one step"
                );
            }
            halted = now_;
            (uint256 seizable, bool confirmedOnly) = cBreaker.liquidationAllowance();
            if (now_) {
                assertTrue(confirmedOnly, "a halt admits only confirmed losses");
                assertEq(seizable, cBreaker.throttleAvailable(), "within the bucket");
            }
        }
    }

    /// @dev Regression (issue 12): once a poke has seen the pool trade far below NAV, no sequence
    ///      of market calls, pokes and time steps lowers the level below the throttle while the
    ///      divergence lasts, and the only trips are new halts (after a cooldown), never a re-trip.
    function testFuzz_divergence_marketCallsNeverUndoIt(
        uint256 sold,
        uint256[STEPS] memory calls,
        uint256[STEPS] memory gaps
    ) public {
        MockOracle price = new MockOracle(1e18);
        CircuitBreaker b = deployBreaker(price);
        b.poke();
        sellShares(bound(sold, 150_000e18, 400_000e18)); // ≥ 24% below NAV, the bound is 15%
        vm.warp(block.timestamp + 30 minutes);
        assertEq(uint8(b.poke()), uint8(BreakerLevel.Halted));
        vm.recordLogs();
        for (uint256 i; i < STEPS; ++i) {
            vm.warp(block.timestamp + bound(gaps[i], 1, 8 hours));
            BreakerLevel viewed = b.level();
            uint256 c = calls[i] % 3;
            if (c == 0) b.poke();
            else if (c == 1) b.liquidationAllowance();
            else assertFalse(b.borrowAllowed(), "borrowing reopened");
            if (c != 0) assertEq(uint8(b.level()), uint8(viewed), "the view disagreed with the call");
            assertGe(uint8(b.level()), uint8(BreakerLevel.Throttled), "stepped down while it lasts");
        }
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].topics[0] != ICircuitBreakerAdmin.Tripped.selector) continue;
            (BreakerLevel to,) = abi.decode(logs[i].data, (BreakerLevel, uint256));
            assertEq(uint8(to), uint8(BreakerLevel.Halted), "re-tripped the throttle");
        }
    }

    /// @dev Over random trades, NAV reports, reviews, guardian trips, pokes and time, what a market
    ///      call returns is what the views said, confirmedOnly holds exactly during a halt and its
    ///      grace, and the bucket bounds seizures in every restricted state.
    function testFuzz_allowance_followsLevelAndGrace(
        uint256[STEPS] memory actions,
        uint256[STEPS] memory gaps
    ) public {
        vm.prank(admin);
        vault.setMaxNavMove(0.5e18);
        cBreaker.poke();
        for (uint256 i; i < STEPS; ++i) {
            vm.warp(block.timestamp + bound(gaps[i], 1, 4 hours));
            _act(actions[i]);
            BreakerLevel viewed = cBreaker.level();
            (uint256 ps, bool pc) = cBreaker.previewLiquidationAllowance();
            bool pb = cBreaker.previewBorrowAllowed();
            (uint256 seizable, bool confirmedOnly) = cBreaker.liquidationAllowance();
            BreakerLevel l = cBreaker.level();
            assertEq(uint8(l), uint8(viewed), "level() disagreed with the market call");
            assertEq(ps, seizable, "preview seizable");
            assertEq(pc, confirmedOnly, "preview confirmedOnly");
            assertEq(cBreaker.borrowAllowed(), pb, "preview borrow");
            bool grace = cBreaker.inGrace();
            assertEq(confirmedOnly, l == BreakerLevel.Halted || grace, "confirmedOnly iff halt or grace");
            bool restricted = l >= BreakerLevel.Throttled || grace;
            assertEq(seizable, restricted ? cBreaker.throttleAvailable() : type(uint256).max, "seizable");
        }
    }

    function _act(uint256 seed) internal {
        uint256 kind = seed % 6;
        if (kind == 0) {
            _trade(seed >> 8);
        } else if (kind == 1) {
            reportNav(bound(seed >> 8, 0.7e18, 1.1e18));
        } else if (kind == 2) {
            vm.prank(guardian);
            vault.setNavStatus((seed >> 8) % 2 == 0 ? NavStatus.UnderReview : NavStatus.Normal, "fuzz");
        } else if (kind == 3) {
            BreakerLevel to = BreakerLevel((seed >> 8) % 4);
            vm.prank(guardian);
            (bool ok, bytes memory err) = address(cBreaker).call(abi.encodeCall(cBreaker.trip, (to)));
            // The one refusal: a manual halt within the cooldown after a halt.
            if (!ok) {
                assertEq(uint8(to), uint8(BreakerLevel.Halted));
                assertEq(bytes4(err), ICircuitBreakerAdmin.BreakerHaltInCooldown.selector);
            }
        } else if (kind == 4) {
            cOracle.poke();
            cBreaker.poke();
        } else {
            vm.prank(admin);
            if ((seed >> 8) % 8 == 0) cBreaker.reset();
        }
    }

    function _levelAt(uint256 decline) internal returns (uint8) {
        uint256 snap = vm.snapshotState();
        MockOracle price = new MockOracle(1e18);
        CircuitBreaker b = deployBreaker(price);
        b.poke();
        price.setPrice(1e18 - decline);
        uint8 l = uint8(b.poke());
        vm.revertToState(snap);
        return l;
    }

    function _trade(uint256 seed) internal {
        uint256 amount = bound(seed, 1e18, 100_000e18);
        vm.prank(trader);
        pool.swap(seed % 2 == 0 ? address(vault) : address(usd), amount, 0, trader, block.timestamp);
    }
}

/// @notice The market under a halt, with the real oracle, breaker, pool and vault: whatever the
///         sell-off and the NAV markdown, fast liquidation is closed and the slow path opens
///         exactly for positions unhealthy at max(liquidationPrice, NAV anchor).
contract SafeguardedMarketFuzzTest is SafeguardedFixture {
    function testFuzz_halt_slowPathTakesExactlyTheConfirmedLosses(
        uint256 ltvPct,
        uint256 sold,
        uint256 hoursFollowed,
        uint256 navPct
    ) public {
        supplyLiquidityOn(safeMarket, lender, 1_000_000e18);
        mintUsd(liquidator, 1_000_000e18);
        vm.prank(liquidator);
        usd.approve(address(safeMarket), type(uint256).max);
        openPositionOn(safeMarket, borrower, 1000e18, 700e18 * bound(ltvPct, 50, 100) / 100);
        vm.warp(block.timestamp + 1 hours);
        cOracle.poke();
        cBreaker.poke();
        sellShares(bound(sold, 1e18, 300_000e18));
        for (uint256 h = bound(hoursFollowed, 0, 12); h > 0; --h) {
            vm.warp(block.timestamp + 1 hours);
            cOracle.poke();
        }
        reportNav(1e18 * bound(navPct, 60, 100) / 100);
        vm.prank(guardian);
        cBreaker.trip(BreakerLevel.Halted);
        (, bool confirmedOnly) = cBreaker.previewLiquidationAllowance();
        assertTrue(confirmedOnly);

        vm.prank(liquidator);
        vm.expectRevert(IRedeemToRepayMarket.MarketFastLiquidationHalted.selector);
        safeMarket.liquidate(borrower, 1e18, 0);

        uint256 price = cOracle.liquidationPrice();
        uint256 anchor = cOracle.anchorPrice();
        if (anchor > price) price = anchor;
        uint256 hf = uint256(1000e18) * price / WAD * 0.8e18 / WAD * WAD / safeMarket.debtOf(borrower);
        if (hf >= WAD) {
            vm.expectRevert(
                abi.encodeWithSelector(ILendingMarket.MarketPositionHealthy.selector, borrower, hf)
            );
            safeMarket.slowLiquidate(borrower);
        } else {
            safeMarket.slowLiquidate(borrower);
            (bool active,) = safeMarket.slowLiquidationOf(borrower);
            assertTrue(active);
            assertLt(
                uint256(1000e18) * anchor / WAD * 0.8e18 / WAD,
                safeMarket.debtOf(borrower),
                "a confirmed loss"
            );
        }
    }
}
