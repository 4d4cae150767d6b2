// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {SafeguardedFixture} from "../utils/SafeguardedFixture.sol";
import {ConservativeOracle} from "../../contracts/ConservativeOracle.sol";
import {ConstantProductPool} from "../../contracts/ConstantProductPool.sol";
import {IConstantProductPool} from "../../contracts/interfaces/IConstantProductPool.sol";
import {
    IConservativeOracle,
    OracleParams,
    OracleState
} from "../../contracts/interfaces/IConservativeOracle.sol";
import {IRwaVault, NavStatus} from "../../contracts/interfaces/IRwaVault.sol";

/// @dev A vault whose NAV does not fit the oracle's storage, to test the narrowing casts.
contract HugeNavVault {
    function navInfo() external view returns (uint256, uint64, NavStatus) {
        return (1e27, uint64(block.timestamp), NavStatus.Normal);
    }
}

/// @notice The conservative oracle over the real vault and pool.
contract ConservativeOracleTest is SafeguardedFixture {
    bool internal _flip;

    // ---------------------------------------------------------------- construction and params

    function test_constructor_startsAtNav() public view {
        assertEq(cOracle.liquidationPrice(), 1e18);
        assertEq(cOracle.borrowPrice(), 1e18);
        assertEq(uint8(cOracle.state()), uint8(OracleState.Normal));
    }

    function test_constructor_revertsOnZeroAddress() public {
        vm.expectRevert(IConservativeOracle.OracleZeroAddress.selector);
        new ConservativeOracle(vault, pool, address(0), oracleParams());
    }

    function test_setParams_boundsAndEmits() public {
        OracleParams memory p = oracleParams();
        p.maxDropPerHour = 0.6e18;
        _setParamsReverts(p, bytes32("maxDropPerHour"), 0.6e18, 0.001e18, 0.5e18);
        p = oracleParams();
        p.minConfirmation = 2 days; // above the base confirmation
        _setParamsReverts(p, bytes32("minConfirmation"), 2 days, 5 minutes, 24 hours);
        p = oracleParams();
        p.heartbeat = 40 days;
        vm.expectEmit(address(cOracle));
        emit IConservativeOracle.ParamsSet(p);
        vm.prank(admin);
        cOracle.setParams(p);
        assertEq(cOracle.params().heartbeat, 40 days);
        expectUnauthorized(address(this), bytes32(0));
        cOracle.setParams(p);
    }

    function test_setParams_rejectsWindowsBeyondObservationSpan() public {
        uint256 span = pool.observationSpan(); // 1,535 min
        OracleParams memory p = oracleParams();
        p.longTwapWindow = 26 hours;
        p.baseConfirmation = 26 hours;
        vm.prank(admin);
        vm.expectRevert(
            abi.encodeWithSelector(
                IConservativeOracle.OracleWindowBeyondObservations.selector,
                bytes32("longTwapWindow"),
                26 hours,
                span
            )
        );
        cOracle.setParams(p);
        p.longTwapWindow = 6 hours;
        vm.prank(admin);
        vm.expectRevert(
            abi.encodeWithSelector(
                IConservativeOracle.OracleWindowBeyondObservations.selector,
                bytes32("baseConfirmation"),
                26 hours,
                span
            )
        );
        cOracle.setParams(p);
        p.baseConfirmation = uint32(span);
        vm.prank(admin);
        cOracle.setParams(p);
        assertEq(cOracle.params().baseConfirmation, span, "up to the span exactly");
    }

    function test_constructor_rejectsPoolWithShortRing() public {
        // 448 one-minute slots (the old deploy's ring size) answer 447 min: not the 24 h confirmation.
        ConstantProductPool short_ = new ConstantProductPool(address(vault), address(usd), "s", "s", 60, 448);
        vm.expectRevert(
            abi.encodeWithSelector(
                IConservativeOracle.OracleWindowBeyondObservations.selector,
                bytes32("baseConfirmation"),
                24 hours,
                447 minutes
            )
        );
        new ConservativeOracle(vault, short_, admin, oracleParams());
    }

    // ---------------------------------------------------------------- borrowPrice

    function test_borrowPrice_isMinOfNavAndShortTwap() public {
        sellShares(50_000e18); // spot ≈ 0.907
        vm.warp(block.timestamp + 30 minutes);
        (uint256 twap,) = pool.consult(30 minutes);
        assertEq(cOracle.borrowPrice(), twap);
        assertLt(twap, 1e18);
    }

    function test_borrowPrice_blocksOracleArbitrage() public {
        // The token trades 20% below a NAV that is still official: borrowing sees the market.
        sellShares(120_000e18);
        vm.warp(block.timestamp + 30 minutes);
        assertLt(cOracle.borrowPrice(), 0.8e18);
        (uint256 nav,,) = vault.navInfo();
        assertEq(nav, 1e18);
    }

    function test_borrowPrice_zeroUnderReview() public {
        vm.prank(guardian);
        vault.setNavStatus(NavStatus.UnderReview, "breach");
        assertEq(cOracle.borrowPrice(), 0);
    }

    function test_borrowPrice_zeroPastMaxNavAge() public {
        (, uint64 asOf,) = vault.navInfo();
        vm.warp(asOf + 45 days);
        assertGt(cOracle.borrowPrice(), 0, "at the limit");
        vm.warp(block.timestamp + 1);
        assertEq(cOracle.borrowPrice(), 0);
    }

    function test_borrowPrice_zeroWhenPoolCannotAnswer() public {
        ConservativeOracle o = new ConservativeOracle(vault, _emptyPool(), admin, oracleParams());
        assertEq(o.borrowPrice(), 0);
    }

    function test_haircut_growsWithAgePastHeartbeat() public {
        (uint256 h, uint256 cut) = cOracle.haircutNav();
        assertEq(cut, 0);
        assertEq(h, 1e18);
        (, uint64 asOf,) = vault.navInfo();
        vm.warp(asOf + 35 days);
        (, cut) = cOracle.haircutNav();
        assertEq(cut, 0, "up to the heartbeat");
        vm.warp(block.timestamp + 4 days);
        (h, cut) = cOracle.haircutNav();
        assertEq(cut, 0.02e18, "0.5% a day past the heartbeat");
        assertEq(h, 0.98e18);
        vm.warp(block.timestamp + 365 days);
        (, cut) = cOracle.haircutNav();
        assertEq(cut, 0.25e18, "capped");
    }

    // ---------------------------------------------------------------- liquidationPrice

    function test_liquidationPrice_anchoredDuringUnconfirmedRumour() public {
        sellShares(300_000e18); // spot ≈ 0.59: a rumour wave
        vm.warp(block.timestamp + 30 minutes);
        // The 6 h TWAP is ~3.4% below NAV: that divergence must last ~21 h, and has lasted 30 min.
        vm.expectEmit(address(cOracle));
        emit IConservativeOracle.StateChanged(OracleState.Normal, OracleState.Diverging);
        cOracle.poke();
        vm.warp(block.timestamp + 1 hours);
        assertEq(cOracle.liquidationPrice(), 1e18, "a fresh crash in a thin pool is not followed");
    }

    function test_liquidationPrice_followsMarketAfterConfirmation() public {
        sellShares(300_000e18); // a 41% divergence: confirmation = max(1 h, 24 h × 3% / d) ≈ 1.75 h
        vm.warp(block.timestamp + 7 hours); // the long TWAP now sits at the new level
        uint256 p = cOracle.poke();
        assertEq(p, 1e18, "poke records where it was; the target is new");
        vm.warp(block.timestamp + 1 hours);
        uint256 after1h = cOracle.liquidationPrice();
        assertEq(after1h, 0.98e18, "falls at most 2% an hour");
        for (uint256 h; h < 30; ++h) {
            cOracle.poke(); // keepers keep the confirmed divergence in force
            vm.warp(block.timestamp + 1 hours);
        }
        (uint256 longTwap,) = pool.consult(6 hours);
        assertEq(cOracle.liquidationPrice(), longTwap, "reaches the market target");
    }

    function test_liquidationPrice_confirmationShrinksWithDivergence() public {
        // A 5% divergence needs 24 h × 3% / 5% = 14.4 h; a 40% one about 1.8 h.
        sellShares(26_000e18); // ≈ −5%
        vm.warp(block.timestamp + 7 hours);
        cOracle.poke();
        vm.warp(block.timestamp + 1 hours);
        assertEq(cOracle.liquidationPrice(), 1e18, "small divergence: still waiting");
        vm.warp(block.timestamp + 10 hours);
        cOracle.poke();
        vm.warp(block.timestamp + 1 hours);
        assertLt(cOracle.liquidationPrice(), 1e18, "after ~15 h even the small one counts");
    }

    function test_liquidationPrice_freshNavDecreasesAtOnce() public {
        vm.warp(block.timestamp + 1 hours);
        reportNav(0.7e18);
        assertEq(cOracle.liquidationPrice(), 0.7e18, "no rate limit on an authoritative markdown");
    }

    function test_liquidationPrice_increasesAreBounded() public {
        vm.warp(block.timestamp + 1 hours);
        reportNav(0.7e18);
        cOracle.poke();
        vm.warp(block.timestamp + 1 hours);
        reportNav(0.9e18);
        assertEq(cOracle.liquidationPrice(), 0.707e18, "rises at most 1% an hour");
    }

    function test_liquidationPrice_underReviewFollowsMarketWithoutConfirmation() public {
        sellShares(150_000e18);
        vm.warp(block.timestamp + 6 hours);
        vm.prank(guardian);
        vault.setNavStatus(NavStatus.UnderReview, "title challenge");
        vm.expectEmit(address(cOracle));
        emit IConservativeOracle.StateChanged(OracleState.Normal, OracleState.UnderReview);
        cOracle.poke();
        vm.warp(block.timestamp + 1 hours);
        assertEq(cOracle.liquidationPrice(), 0.98e18, "rate-limited descent starts at once");
        cOracle.poke();
        vm.warp(block.timestamp + 1 hours);
        assertEq(cOracle.liquidationPrice(), 0.9604e18, "and goes on while keepers poke");
    }

    function test_liquidationPrice_staleNavFollowsMarket() public {
        vm.warp(block.timestamp + 36 days);
        assertEq(uint8(cOracle.state()), uint8(OracleState.Stale));
        (uint256 h,) = cOracle.haircutNav();
        assertEq(cOracle.liquidationPrice(), h, "the haircut applies without a poke");
    }

    function test_poke_emitsAndAnyoneMayCall() public {
        vm.expectEmit(address(cOracle));
        emit IConservativeOracle.Poked(1e18, 0, OracleState.Normal);
        vm.prank(makeAddr("keeper2"));
        cOracle.poke();
    }

    // ---------------------------------------------------------------- issue 12 regressions

    /// @dev Finding 1: with a dust trade in every 12 s block the 6 h window fell out of the
    ///      pool's ring, the failed read looked like "no divergence", and a market 40% down for
    ///      7 h left the state Normal and liquidationPrice at NAV.
    function test_liquidationPrice_followsConfirmedCrashUnderTradeEveryBlock() public {
        sellShares(300_000e18); // spot ≈ 0.59
        for (uint256 h; h < 7; ++h) {
            _flip = dustTrades(trader, 1 hours, 12, _flip);
            cOracle.poke(); // keepers
        }
        assertEq(uint8(cOracle.state()), uint8(OracleState.Diverging), "the crash is seen");
        assertLt(cOracle.liquidationPrice(), 1e18, "and, confirmed, followed");
    }

    /// @dev Finding 2: a pool too young for the long window is no evidence of calm.
    function test_state_marketUnavailableWhilePoolTooYoung() public {
        ConstantProductPool young = _youngPool();
        ConservativeOracle o = new ConservativeOracle(vault, young, admin, oracleParams());
        assertEq(uint8(o.state()), uint8(OracleState.MarketUnavailable), "no window readable");
        assertEq(o.borrowPrice(), 0, "borrowing closed");
        assertEq(o.liquidationPrice(), 1e18, "anchored on NAV");
        vm.warp(block.timestamp + 1 hours);
        assertEq(uint8(o.state()), uint8(OracleState.MarketUnavailable), "the 6 h window is not");
        assertEq(o.borrowPrice(), 1e18, "the short window is readable: borrowing reopens");
        vm.expectEmit(address(o));
        emit IConservativeOracle.StateChanged(OracleState.Normal, OracleState.MarketUnavailable);
        o.poke();
        vm.warp(block.timestamp + 6 hours);
        assertEq(uint8(o.state()), uint8(OracleState.Normal), "old enough: the market counts");
    }

    /// @dev Finding 2: a divergence whose confirmation window the pool cannot yet answer is
    ///      reported as such, and liquidationPrice stays on the NAV anchor.
    function test_state_marketUnavailableWhileConfirmationUnreadable() public {
        ConstantProductPool young = _youngPool();
        ConservativeOracle o = new ConservativeOracle(vault, young, admin, oracleParams());
        _sellOn(young, 26_000e18); // ≈ −5%: confirmation ≈ 14.4 h, the pool is 7 h old
        vm.warp(block.timestamp + 7 hours);
        assertEq(uint8(o.state()), uint8(OracleState.MarketUnavailable));
        o.poke();
        vm.warp(block.timestamp + 1 hours);
        assertEq(o.liquidationPrice(), 1e18, "an unconfirmable divergence is not followed");
    }

    /// @dev Finding 2: without a market, liquidationPrice is the NAV anchor, haircut included.
    function test_liquidationPrice_followsAnchorWhileMarketUnavailable() public {
        ConstantProductPool empty = _emptyPool();
        ConservativeOracle o = new ConservativeOracle(vault, empty, admin, oracleParams());
        vm.warp(block.timestamp + 40 days); // NAV 41 days old, 6 past the heartbeat: 3% haircut
        assertEq(uint8(o.state()), uint8(OracleState.MarketUnavailable), "before Stale");
        (uint256 h,) = o.haircutNav();
        assertEq(h, 0.97e18);
        assertEq(o.liquidationPrice(), h);
        o.poke();
        vm.warp(block.timestamp + 1 days);
        (h,) = o.haircutNav();
        assertEq(o.liquidationPrice(), h, "the haircut keeps applying");
    }

    /// @dev Finding 3: the reviewer's case. The market falls, a keeper pokes (the divergence is
    ///      confirmed), the market recovers, and nobody pokes for 24 h. The stored target must not
    ///      keep pulling liquidationPrice down: it must end no lower than keepers would have left
    ///      it, and a position healthy with keepers must never be liquidatable.
    function test_liquidationPrice_staleTargetErrsTowardNavWithoutPokes() public {
        supplyLiquidityOn(safeMarket, lender, 1_000_000e18);
        openPositionOn(safeMarket, borrower, 1000e18, 650e18); // unhealthy below ≈ 0.81
        sellShares(300_000e18);
        vm.warp(block.timestamp + 7 hours);
        cOracle.poke();
        assertEq(uint8(cOracle.state()), uint8(OracleState.Diverging));
        _restoreSpot();

        uint256 snap = vm.snapshotState();
        uint256[25] memory withKeepers;
        for (uint256 h = 1; h <= 24; ++h) {
            for (uint256 k; k < 12; ++k) {
                vm.warp(block.timestamp + 5 minutes);
                cOracle.poke();
            }
            withKeepers[h] = cOracle.liquidationPrice();
            assertGe(safeMarket.healthFactor(borrower), 1e18, "healthy with keepers");
        }
        vm.revertToState(snap);
        for (uint256 h = 1; h <= 24; ++h) {
            vm.warp(block.timestamp + 1 hours);
            uint256 lazy = cOracle.liquidationPrice();
            // Within the first hour both follow the same target (keepers compound the bound).
            if (h > 1) assertGe(lazy, withKeepers[h], "no lower than keepers would leave it");
            assertGe(safeMarket.healthFactor(borrower), 1e18, "not liquidatable without keepers");
        }
        assertEq(cOracle.liquidationPrice(), 1e18, "back on NAV, as keepers left it");
        assertEq(withKeepers[24], 1e18);
    }

    /// @dev Finding 4: a price that does not fit the stored 88 bits reverts, never truncates.
    function test_constructor_revertsWhenNavOverflowsStorage() public {
        HugeNavVault v = new HugeNavVault();
        vm.expectRevert(abi.encodeWithSelector(SafeCast.SafeCastOverflowedUintDowncast.selector, 88, 1e27));
        new ConservativeOracle(IRwaVault(address(v)), pool, admin, oracleParams());
    }

    function test_poke_reportsWhyTheMarketCannotBeRead() public {
        ConstantProductPool young = _youngPool();
        ConservativeOracle o = new ConservativeOracle(vault, young, admin, oracleParams());
        vm.warp(block.timestamp + 1 hours);
        vm.expectEmit(address(o));
        emit IConservativeOracle.MarketReadFailed(
            6 hours,
            abi.encodeWithSelector(
                IConstantProductPool.PoolObservationTooOld.selector,
                uint32(block.timestamp - 1 hours),
                uint32(block.timestamp - 6 hours)
            )
        );
        vm.expectEmit(address(o));
        emit IConservativeOracle.Poked(1e18, 0, OracleState.MarketUnavailable);
        o.poke();
    }

    function test_state_marketUnavailableBeforeUnderReview() public {
        ConservativeOracle o = new ConservativeOracle(vault, _emptyPool(), admin, oracleParams());
        vm.prank(guardian);
        vault.setNavStatus(NavStatus.UnderReview, "breach");
        assertEq(uint8(o.state()), uint8(OracleState.MarketUnavailable), "no market: no target at all");
        assertEq(uint8(cOracle.state()), uint8(OracleState.UnderReview), "with a market: under review");
    }

    /// @dev The formula: the target pulls for minConfirmation (1 h) after the poke, then the price
    ///      returns toward hNAV at the rise bound: 1 → 0.98 in the first hour, × 1.01 in the next.
    function test_liquidationPrice_targetLapsesAfterMinConfirmation() public {
        sellShares(300_000e18);
        vm.warp(block.timestamp + 7 hours);
        cOracle.poke();
        vm.warp(block.timestamp + 1 hours);
        assertEq(cOracle.liquidationPrice(), 0.98e18, "toward the target until the lapse");
        vm.warp(block.timestamp + 1 hours);
        assertEq(cOracle.liquidationPrice(), 0.9898e18, "then back toward NAV");
        cOracle.poke(); // a keeper renews the (still true) divergence
        vm.warp(block.timestamp + 1 hours);
        assertEq(cOracle.liquidationPrice(), 0.970004e18, "and the descent resumes");
    }

    // ---------------------------------------------------------------- helpers

    /// @dev Buys shares back until spot is about 1 again.
    function _restoreSpot() internal {
        (uint256 rb, uint256 rq,) = pool.getReserves();
        uint256 amountIn = (Math.sqrt(rb * rq) - rq) * 10_000 / 9970;
        vm.prank(trader);
        pool.swap(address(usd), amountIn, 0, trader, block.timestamp);
        assertApproxEqRel(pool.spotPrice(), 1e18, 0.001e18);
    }

    function _emptyPool() internal returns (ConstantProductPool) {
        return new ConstantProductPool(
            address(vault), address(usd), "y", "y", OBSERVATION_PERIOD, OBSERVATION_CARDINALITY
        );
    }

    /// @dev A pool seeded at price 1 in this very block.
    function _youngPool() internal returns (ConstantProductPool p) {
        p = _emptyPool();
        mintShares(trader, 1_000_000e18);
        vm.startPrank(trader);
        vault.approve(address(p), type(uint256).max);
        usd.approve(address(p), type(uint256).max);
        p.addLiquidity(1_000_000e18, 1_000_000e18, 0, trader, block.timestamp);
        vm.stopPrank();
    }

    function _sellOn(ConstantProductPool p, uint256 amount) internal {
        vm.prank(trader);
        p.swap(address(vault), amount, 0, trader, block.timestamp);
    }

    /// @dev The admin's `setParams(p)` reverts: `name` = `value` is outside [`min`, `max`].
    function _setParamsReverts(OracleParams memory p, bytes32 name, uint256 value, uint256 min, uint256 max)
        internal
    {
        vm.prank(admin);
        expectOutOfBounds(IConservativeOracle.OracleParameterOutOfBounds.selector, name, value, min, max);
        cOracle.setParams(p);
    }
}
