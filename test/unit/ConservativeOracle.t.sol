// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import {SafeguardedFixture} from "../utils/SafeguardedFixture.sol";
import {ConservativeOracle} from "../../contracts/ConservativeOracle.sol";
import {ConstantProductPool} from "../../contracts/ConstantProductPool.sol";
import {
    IConservativeOracle,
    OracleParams,
    OracleState
} from "../../contracts/interfaces/IConservativeOracle.sol";
import {NavStatus} from "../../contracts/interfaces/IRwaVault.sol";

/// @notice The conservative oracle over the real vault and pool.
contract ConservativeOracleTest is SafeguardedFixture {
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
        vm.prank(admin);
        vm.expectRevert(
            abi.encodeWithSelector(
                IConservativeOracle.OracleParameterOutOfBounds.selector,
                bytes32("maxDropPerHour"),
                0.6e18,
                0.001e18,
                0.5e18
            )
        );
        cOracle.setParams(p);
        p = oracleParams();
        p.minConfirmation = 2 days; // above the base confirmation
        vm.prank(admin);
        vm.expectRevert(
            abi.encodeWithSelector(
                IConservativeOracle.OracleParameterOutOfBounds.selector,
                bytes32("minConfirmation"),
                2 days,
                5 minutes,
                24 hours
            )
        );
        cOracle.setParams(p);
        p = oracleParams();
        p.heartbeat = 40 days;
        vm.expectEmit(address(cOracle));
        emit IConservativeOracle.ParamsSet(p);
        vm.prank(admin);
        cOracle.setParams(p);
        assertEq(cOracle.params().heartbeat, 40 days);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, address(this), bytes32(0)
            )
        );
        cOracle.setParams(p);
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
        ConstantProductPool empty = new ConstantProductPool(address(vault), address(usd), "e", "e", 2);
        ConservativeOracle o = new ConservativeOracle(vault, empty, admin, oracleParams());
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
        vm.warp(block.timestamp + 30 hours);
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
        vm.warp(block.timestamp + 2 hours);
        assertEq(cOracle.liquidationPrice(), 0.96e18, "rate-limited descent starts at once");
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
}
