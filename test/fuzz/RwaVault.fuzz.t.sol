// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Fixture} from "../utils/Fixture.sol";
import {IRwaVault} from "../../contracts/interfaces/IRwaVault.sol";
import {WAD, WadMath} from "../../contracts/libraries/WadMath.sol";

contract RwaVaultFuzzTest is Fixture {
    using WadMath for uint256;

    address internal alice = makeAddr("alice");

    function testFuzz_subscribe_sharesAtNavRoundedDown(uint256 assets, uint256 nav) public {
        nav = bound(nav, 0.01e18, 100e18);
        assets = bound(assets, 1e6, 1e27);
        vm.prank(admin);
        vault.setMaxNavMove(0.5e18);
        // Walk the NAV there in allowed steps via confirmation.
        vm.warp(block.timestamp + 1);
        vm.prank(reporter);
        vault.reportNav(nav, uint64(block.timestamp));
        if (vault.pendingNav() != 0) {
            vm.prank(confirmer);
            vault.confirmNav();
        }
        uint256 expected = assets * WAD / nav;
        vm.assume(expected > 0);
        assertEq(mintShares(makeAddr("s"), assets), expected);
        assertLe(expected * nav / WAD, assets, "shares never worth more than paid");
    }

    function testFuzz_reportNav_largeMovesNeedConfirmation(uint256 nav) public {
        nav = bound(nav, 1, vault.MAX_NAV());
        vm.warp(block.timestamp + 1);
        vm.prank(reporter);
        vault.reportNav(nav, uint64(block.timestamp));
        (uint256 current,,) = vault.navInfo();
        uint256 move = nav > 1e18 ? nav - 1e18 : 1e18 - nav;
        if ((move * WAD + 1e18 - 1) / 1e18 > MAX_MOVE) {
            assertEq(current, 1e18);
            assertEq(vault.pendingNav(), nav);
        } else {
            assertEq(current, nav);
        }
    }

    /// @dev However a reporter chains reports, the NAV it applies alone stays within maxNavMoveWad
    ///      of the reference (the last confirmed NAV).
    function testFuzz_reportNav_chainedReportsStayWithinReferenceBand(uint256[8] memory moves) public {
        uint256 ref = vault.referenceNav();
        for (uint256 i; i < moves.length; ++i) {
            (uint256 nav,,) = vault.navInfo();
            // Each report is a move the single-report bound allows, up or down.
            uint256 pct = bound(moves[i], 0.9e18, 1.1e18);
            vm.warp(block.timestamp + 1);
            vm.prank(reporter);
            vault.reportNav(nav * pct / WAD, uint64(block.timestamp));
            (nav,,) = vault.navInfo();
            uint256 drift = nav > ref ? nav - ref : ref - nav;
            assertLe(drift * WAD, MAX_MOVE * ref, "applied NAV within the band of the reference");
        }
        assertEq(vault.referenceNav(), ref, "only a confirmer moves the reference");
    }

    /// @dev Rounds of requests, each settled but for a remainder of a few wei (or not at all): every
    ///      request stays readable and claimable, claims pay what was settled at most, and the
    ///      requests of one round share each settle pro rata.
    function testFuzz_settle_dustRemaindersKeepEveryRequestClaimable(
        uint256[6] memory sizes,
        uint256[6] memory dusts
    ) public {
        vm.prank(admin);
        vault.setGate(1e18);
        mintShares(alice, 1e30);
        uint256[] memory ids = new uint256[](2 * sizes.length);
        uint256 settled;
        for (uint256 i; i < sizes.length; ++i) {
            uint256 a = bound(sizes[i], 1, 1e24);
            uint256 b = bound(uint256(keccak256(abi.encode(sizes[i]))), 1, 1e24);
            vm.startPrank(alice);
            ids[2 * i] = vault.requestRedeem(a, alice, alice);
            ids[2 * i + 1] = vault.requestRedeem(b, alice, alice);
            vm.stopPrank();
            vm.warp(vault.maturity(vault.currentEpoch()));
            vault.settle(); // joins (the buffer is empty)
            uint256 pool = vault.poolShares();
            uint256 dust = bound(dusts[i], 0, 4); // 4: settle half the pool
            uint256 target = dust == 4 ? pool / 2 : pool - dust.min(pool - 1);
            refillVault(target); // NAV 1
            (uint256 shares, uint256 assets) = vault.settle();
            assertEq(shares, target);
            settled += assets;
            _checkAll(ids, 2 * i + 2, settled);
        }
        // Every claim pays its part; together never more than was settled.
        uint256 paid;
        for (uint256 i; i < ids.length; ++i) {
            vm.prank(alice);
            paid += vault.claim(ids[i], alice);
        }
        assertLe(paid, settled);
        assertEq(vault.totalOwed(), settled - paid);
    }

    function _checkAll(uint256[] memory ids, uint256 n, uint256 settled) internal view {
        uint256 claimable;
        uint256 pending;
        for (uint256 j; j < n; ++j) {
            (uint256 p, uint256 c) = vault.redeemStatus(ids[j]);
            (claimable, pending) = (claimable + c, pending + p);
        }
        assertLe(claimable, vault.totalOwed(), "claimable <= owed");
        assertLe(vault.totalOwed(), settled, "owed <= settled");
        assertLe(pending, vault.totalPendingShares(), "pending <= locked");
        // The two requests of the latest round joined together: same fraction settled.
        (uint256 pa, uint256 ca) = vault.redeemStatus(ids[n - 2]);
        (uint256 pb, uint256 cb) = vault.redeemStatus(ids[n - 1]);
        uint256 a = pa + ca;
        uint256 b = pb + cb;
        assertApproxEqAbs(ca * b, cb * a, a + b, "pro rata");
    }

    function testFuzz_redemption_proRataWithinGateAndBuffer(
        uint256 a,
        uint256 b,
        uint256 buffer,
        uint256 gate,
        uint256 nav
    ) public {
        a = bound(a, 1e18, 1e24);
        b = bound(b, 1e18, 1e24);
        buffer = bound(buffer, 0, 2e24);
        gate = bound(gate, 0.001e18, 1e18);
        nav = bound(nav, 0.91e18, 1.09e18);
        (uint256 ida, uint256 idb) = _twoRequests(a, b, gate);
        vm.warp(block.timestamp + EPOCH + NOTICE);
        vm.prank(reporter);
        vault.reportNav(nav, uint64(block.timestamp));
        if (buffer > 0) refillVault(buffer);
        uint256 supply = vault.totalSupply();
        (uint256 shares, uint256 assets) = vault.settle();
        assertLe(shares, supply * gate / WAD, "gate");
        assertLe(assets, buffer, "buffer");
        assertEq(assets, shares * nav / WAD);
        _checkProRata(ida, idb, a, b, shares, assets);
    }

    function _twoRequests(uint256 a, uint256 b, uint256 gate) internal returns (uint256 ida, uint256 idb) {
        mintShares(alice, a);
        mintShares(bob, b);
        vm.prank(admin);
        vault.setGate(gate);
        vm.prank(alice);
        ida = vault.requestRedeem(a, alice, alice);
        vm.prank(bob);
        idb = vault.requestRedeem(b, bob, bob);
    }

    function _checkProRata(uint256 ida, uint256 idb, uint256 a, uint256 b, uint256 shares, uint256 assets)
        internal
    {
        (uint256 pa, uint256 ca) = vault.redeemStatus(ida);
        (uint256 pb, uint256 cb) = vault.redeemStatus(idb);
        assertLe(ca + cb, assets, "claims never exceed what was settled");
        assertApproxEqAbs(pa + pb, a + b - shares, 2);
        // Pro rata: each got the same fraction, up to one wei of flooring per claim.
        if (shares > 0 && shares < a + b) assertApproxEqAbs(ca * b, cb * a, a + b);
        vm.prank(alice);
        assertEq(vault.claim(ida, alice), ca);
    }
}
