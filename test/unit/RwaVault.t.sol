// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";

import {Fixture, IGuardianPausable} from "../utils/Fixture.sol";
import {RwaVault} from "../../contracts/RwaVault.sol";
import {IRwaVault, NavStatus, RedeemRequest} from "../../contracts/interfaces/IRwaVault.sol";

contract RwaVaultTest is Fixture {
    address internal alice = makeAddr("alice");

    // ---------------------------------------------------------------- constructor

    function test_constructor_setsState() public view {
        (uint256 nav, uint64 asOf, NavStatus status) = vault.navInfo();
        assertEq(nav, 1e18);
        assertEq(asOf, block.timestamp);
        assertEq(uint8(status), uint8(NavStatus.Normal));
        assertEq(vault.asset(), address(usd));
        assertEq(vault.custodian(), custodian);
        assertEq(vault.noticePeriod(), NOTICE);
        assertEq(vault.gateWad(), GATE);
        assertEq(vault.maxNavMoveWad(), MAX_MOVE);
        assertTrue(vault.hasRole(vault.DEFAULT_ADMIN_ROLE(), admin));
    }

    function test_constructor_revertsOnZeroNav() public {
        vm.expectRevert(abi.encodeWithSelector(IRwaVault.VaultNavOutOfBounds.selector, 0));
        new RwaVault("x", "x", address(usd), admin, custodian, 0, NOTICE, EPOCH, GATE, MAX_MOVE);
    }

    function test_constructor_revertsOnZeroAddress() public {
        vm.expectRevert(IRwaVault.VaultZeroAddress.selector);
        new RwaVault("x", "x", address(usd), admin, address(0), 1e18, NOTICE, EPOCH, GATE, MAX_MOVE);
    }

    function test_constructor_revertsOnShortEpoch() public {
        expectOutOfBounds(
            IRwaVault.VaultParameterOutOfBounds.selector, bytes32("epochLength"), 60, 1 hours, 90 days
        );
        new RwaVault("x", "x", address(usd), admin, custodian, 1e18, NOTICE, 60, GATE, MAX_MOVE);
    }

    // ---------------------------------------------------------------- subscribe

    function test_subscribe_mintsAtNavAndPaysCustodian() public {
        _report(1.25e18);
        mintUsd(alice, 1000e18);
        vm.startPrank(alice);
        usd.approve(address(vault), 1000e18);
        vm.expectEmit(address(vault));
        emit IRwaVault.Subscribed(alice, bob, 1000e18, 800e18);
        uint256 shares = vault.subscribe(1000e18, bob);
        vm.stopPrank();
        assertEq(shares, 800e18);
        assertEq(vault.balanceOf(bob), 800e18);
        assertEq(usd.balanceOf(custodian), 1000e18);
        assertEq(usd.balanceOf(address(vault)), 0);
    }

    function test_subscribe_roundsDown() public {
        _report(1.05e18); // 3 / 1.05 = 2.857…
        assertEq(vault.previewSubscribe(3), 2);
    }

    function test_subscribe_revertsOnZeroShares() public {
        vm.prank(alice);
        vm.expectRevert(IRwaVault.VaultZeroAmount.selector);
        vault.subscribe(0, alice);
    }

    function test_subscribe_revertsUnderReview() public {
        vm.prank(guardian);
        vault.setNavStatus(NavStatus.UnderReview, "custodian breach");
        vm.expectRevert(IRwaVault.VaultUnderReview.selector);
        vault.subscribe(1e18, alice);
    }

    function test_subscribe_revertsWhenPaused() public {
        vm.prank(guardian);
        vault.pause();
        vm.expectRevert(Pausable.EnforcedPause.selector);
        vault.subscribe(1e18, alice);
    }

    // ---------------------------------------------------------------- NAV

    function test_reportNav_appliesSmallMove() public {
        _reportNextDay(1.05e18, true);
        (uint256 nav, uint64 asOf,) = vault.navInfo();
        assertEq(nav, 1.05e18);
        assertEq(asOf, block.timestamp);
    }

    function test_reportNav_holdsLargeMoveForConfirmation() public {
        _reportNextDay(0.7e18, false);
        (uint256 nav,,) = vault.navInfo();
        assertEq(nav, 1e18, "not applied yet");
        assertEq(vault.pendingNav(), 0.7e18);
        vm.prank(confirmer);
        vault.confirmNav();
        (nav,,) = vault.navInfo();
        assertEq(nav, 0.7e18);
        assertEq(vault.pendingNav(), 0);
    }

    function test_reportNav_normalReportSupersedesPending() public {
        _reportNextDay(0.5e18, false);
        _reportNextDay(0.98e18, true);
        assertEq(vault.pendingNav(), 0);
        vm.prank(confirmer);
        vm.expectRevert(IRwaVault.VaultNoPendingNav.selector);
        vault.confirmNav();
    }

    function test_reportNav_revertsIfNotReporter() public {
        expectUnauthorized(alice, vault.NAV_REPORTER_ROLE());
        vm.prank(alice);
        vault.reportNav(1e18, uint64(block.timestamp));
    }

    function test_reportNav_revertsOnStaleOrFutureTimestamp() public {
        uint64 asOf = uint64(block.timestamp);
        vm.prank(reporter);
        vm.expectRevert(
            abi.encodeWithSelector(IRwaVault.VaultNavTimestampInvalid.selector, asOf, asOf, block.timestamp)
        );
        vault.reportNav(1e18, asOf);
        vm.prank(reporter);
        vm.expectRevert(
            abi.encodeWithSelector(
                IRwaVault.VaultNavTimestampInvalid.selector, asOf + 10, asOf, block.timestamp
            )
        );
        vault.reportNav(1e18, asOf + 10);
    }

    function test_reportNav_revertsOnOutOfBoundsNav() public {
        vm.warp(block.timestamp + 1);
        vm.prank(reporter);
        vm.expectRevert(abi.encodeWithSelector(IRwaVault.VaultNavOutOfBounds.selector, 0));
        vault.reportNav(0, uint64(block.timestamp));
    }

    /// @dev Regression (issue 12, finding 2): one reporter walked the NAV −34% and +46% alone in
    ///      10% steps with increasing `asOf` in one block. The bound is against the last confirmed NAV.
    function test_reportNav_chainedStepsCannotWalkPastBound() public {
        uint64 t0 = uint64(block.timestamp);
        vm.warp(block.timestamp + 10);
        uint256 nav = 1e18;
        for (uint64 i = 1; i <= 4; ++i) {
            nav = nav * 0.9e18 / 1e18;
            vm.prank(reporter);
            vault.reportNav(nav, t0 + i);
        }
        (uint256 applied,,) = vault.navInfo();
        assertEq(applied, 0.9e18, "only the first step (10% of the confirmed NAV) applies alone");
        assertEq(vault.pendingNav(), 0.6561e18, "the rest waits for the confirmer");
        vm.prank(confirmer);
        vault.confirmNav();
        assertEq(vault.referenceNav(), 0.6561e18, "a confirmation moves the reference");
        // Upwards from the new reference: +10% applies, the next +10% (+21% in all) waits.
        nav = 0.6561e18;
        for (uint64 i = 5; i <= 8; ++i) {
            nav = nav * 1.1e18 / 1e18;
            vm.prank(reporter);
            vault.reportNav(nav, t0 + i);
        }
        (applied,,) = vault.navInfo();
        assertEq(applied, 0.72171e18);
        assertEq(vault.pendingNav(), nav);
    }

    function test_reportNav_slowDriftNeedsConfirmation() public {
        // Monthly +3% reports: the third (+9.27%) applies, the fourth (+12.55%) waits.
        uint256 nav = 1e18;
        for (uint256 i; i < 4; ++i) {
            vm.warp(block.timestamp + 30 days);
            nav = nav * 1.03e18 / 1e18;
            vm.prank(reporter);
            vault.reportNav(nav, uint64(block.timestamp));
        }
        (uint256 applied,,) = vault.navInfo();
        assertEq(applied, 1.092727e18);
        assertEq(vault.pendingNav(), 1.12550881e18);
        assertEq(vault.referenceNav(), 1e18);
        vm.expectEmit(address(vault));
        emit IRwaVault.NavConfirmed(1.12550881e18, uint64(block.timestamp), confirmer);
        vm.prank(confirmer);
        vault.confirmNav();
        assertEq(vault.referenceNav(), 1.12550881e18);
    }

    /// @dev Regression (issue 12, finding 4): the oracle stores prices in uint88 and the breaker in
    ///      uint64 of 1e-6 units; every NAV the vault accepts must fit both.
    function test_maxNav_fitsOracleAndBreakerStorage() public {
        uint256 maxNav = vault.MAX_NAV();
        assertLe(maxNav, type(uint88).max, "oracle uint88");
        assertLe(maxNav / 1e12, type(uint64).max, "breaker uint64 at 1e6");
        assertGe(maxNav, 1e26, "1e8 loan tokens per share is allowed");
        vm.expectRevert(abi.encodeWithSelector(IRwaVault.VaultNavOutOfBounds.selector, maxNav + 1));
        new RwaVault("x", "x", address(usd), admin, custodian, maxNav + 1, NOTICE, EPOCH, GATE, MAX_MOVE);
        RwaVault v =
            new RwaVault("x", "x", address(usd), admin, custodian, maxNav, NOTICE, EPOCH, GATE, MAX_MOVE);
        (uint256 nav,,) = v.navInfo();
        assertEq(nav, maxNav);
        vm.warp(block.timestamp + 1);
        vm.prank(reporter);
        vm.expectRevert(abi.encodeWithSelector(IRwaVault.VaultNavOutOfBounds.selector, 4e26));
        vault.reportNav(4e26, uint64(block.timestamp));
    }

    function test_confirmNav_revertsIfNotConfirmer() public {
        expectUnauthorized(reporter, vault.NAV_CONFIRMER_ROLE());
        vm.prank(reporter);
        vault.confirmNav();
    }

    function test_setNavStatus_byGuardianOrReporter() public {
        vm.expectEmit(address(vault));
        emit IRwaVault.NavStatusChanged(NavStatus.UnderReview, "title challenge");
        vm.prank(guardian);
        vault.setNavStatus(NavStatus.UnderReview, "title challenge");
        (,, NavStatus status) = vault.navInfo();
        assertEq(uint8(status), uint8(NavStatus.UnderReview));
        vm.prank(reporter);
        vault.setNavStatus(NavStatus.Normal, "cleared");
        (,, status) = vault.navInfo();
        assertEq(uint8(status), uint8(NavStatus.Normal));
    }

    function test_setNavStatus_revertsForOthers() public {
        expectUnauthorized(alice, vault.GUARDIAN_ROLE());
        vm.prank(alice);
        vault.setNavStatus(NavStatus.UnderReview, "");
    }

    // ---------------------------------------------------------------- requestRedeem / cancel

    function test_requestRedeem_locksSharesInCohort() public {
        mintShares(alice, 100e18);
        vm.expectEmit(address(vault));
        emit IRwaVault.RedeemRequested(0, alice, alice, 40e18, 0);
        vm.prank(alice);
        uint256 id = vault.requestRedeem(40e18, alice, alice);
        assertEq(id, 0);
        assertEq(vault.balanceOf(alice), 60e18);
        assertEq(vault.balanceOf(address(vault)), 40e18);
        assertEq(vault.totalPendingShares(), 40e18);
        RedeemRequest memory r = vault.redeemRequest(0);
        assertEq(r.controller, alice);
        assertEq(r.shares, 40e18);
        (uint256 pending, uint256 claimable) = vault.redeemStatus(0);
        assertEq(pending, 40e18);
        assertEq(claimable, 0);
    }

    function test_requestRedeem_spendsAllowanceForOthers() public {
        mintShares(alice, 100e18);
        vm.prank(alice);
        vault.approve(bob, 10e18);
        vm.prank(bob);
        vault.requestRedeem(10e18, bob, alice);
        assertEq(vault.allowance(alice, bob), 0);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, bob, 0, 1));
        vault.requestRedeem(1, bob, alice);
    }

    function test_requestRedeem_revertsOnZero() public {
        vm.expectRevert(IRwaVault.VaultZeroAmount.selector);
        vault.requestRedeem(0, alice, alice);
    }

    function test_requestRedeem_revertsOnZeroController() public {
        vm.expectRevert(IRwaVault.VaultZeroAddress.selector);
        vault.requestRedeem(1, address(0), alice);
    }

    function test_cancelRedeem_beforeMaturityReturnsAll() public {
        uint256 id = _request(alice, 50e18);
        vm.expectEmit(address(vault));
        emit IRwaVault.RedeemCancelled(id, alice, 50e18);
        vm.prank(alice);
        assertEq(vault.cancelRedeem(id), 50e18);
        assertEq(vault.balanceOf(alice), 50e18 + 50e18);
        assertEq(vault.totalPendingShares(), 0);
        (uint256 pending, uint256 claimable) = vault.redeemStatus(id);
        assertEq(pending + claimable, 0);
        // A later join of the cohort does not resurrect it.
        _request(bob, 10e18);
        _matureAndFund(1000e18);
        vault.settle();
        (pending, claimable) = vault.redeemStatus(id);
        assertEq(pending + claimable, 0);
    }

    function test_cancelRedeem_afterPartialSettleKeepsEarnings() public {
        vm.prank(admin);
        vault.setGate(1e18);
        uint256 id = _request(alice, 100e18);
        _matureAndFund(30e18); // buffer pays 30 shares of 100
        vault.settle();
        vm.prank(alice);
        assertEq(vault.cancelRedeem(id), 70e18);
        (uint256 pending, uint256 claimable) = vault.redeemStatus(id);
        assertEq(pending, 0);
        assertEq(claimable, 30e18);
        vm.prank(alice);
        assertEq(vault.claim(id, alice), 30e18);
    }

    function test_cancelRedeem_revertsIfNotController() public {
        uint256 id = _request(alice, 1e18);
        _expectNotControllerAsBob(id);
        vault.cancelRedeem(id);
    }

    function test_cancelRedeem_revertsWhenNothingPending() public {
        uint256 id = _request(alice, 10e18);
        vm.prank(alice);
        vault.cancelRedeem(id);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IRwaVault.VaultNothingToCancel.selector, id));
        vault.cancelRedeem(id);
    }

    function test_cancelRedeem_revertsOnUnknownRequest() public {
        vm.expectRevert(abi.encodeWithSelector(IRwaVault.VaultUnknownRequest.selector, 7));
        vault.cancelRedeem(7);
    }

    // ---------------------------------------------------------------- settle / claim

    function test_settle_nothingBeforeMaturity() public {
        _request(alice, 10e18);
        refillVault(1000e18);
        vm.warp(block.timestamp + NOTICE); // epoch end not yet added
        (uint256 shares, uint256 assets) = vault.settle();
        assertEq(shares + assets, 0);
    }

    function test_settle_paysAtCurrentNavAndBurns() public {
        mintShares(bob, 900e18); // supply 1000 after alice
        uint256 id = _request(alice, 50e18);
        _matureAndFund(1000e18);
        vm.prank(reporter);
        vault.reportNav(0.95e18, uint64(block.timestamp)); // NAV struck at settlement time
        uint256 supplyBefore = vault.totalSupply();
        vm.expectEmit(address(vault));
        emit IRwaVault.RedemptionsSettled(vault.currentEpoch(), 50e18, 47.5e18, 0.95e18);
        (uint256 shares, uint256 assets) = vault.settle();
        assertEq(shares, 50e18);
        assertEq(assets, 47.5e18);
        assertEq(vault.totalSupply(), supplyBefore - 50e18);
        assertEq(vault.totalOwed(), 47.5e18);
        vm.expectEmit(address(vault));
        emit IRwaVault.RedeemClaimed(id, bob, 47.5e18);
        vm.prank(alice);
        assertEq(vault.claim(id, bob), 47.5e18);
        assertEq(usd.balanceOf(bob), 47.5e18);
        assertEq(vault.totalOwed(), 0);
    }

    function test_settle_gateLimitsAndRollsOverProRata() public {
        mintShares(bob, 600e18);
        uint256 a = _request(alice, 200e18); // alice holds 200 more, so supply = 1000
        vm.prank(bob);
        uint256 b = vault.requestRedeem(100e18, bob, bob);
        _matureAndFund(10_000e18);
        (uint256 shares,) = vault.settle(); // gate: 10% of 1000 = 100 shares
        assertEq(shares, 100e18);
        (uint256 pa, uint256 ca) = vault.redeemStatus(a);
        (uint256 pb, uint256 cb) = vault.redeemStatus(b);
        assertApproxEqAbs(ca, 66.666666666666666666e18, 1e3);
        assertApproxEqAbs(cb, 33.333333333333333333e18, 1e3);
        assertApproxEqAbs(pa, 133.333333333333333333e18, 1e3);
        assertApproxEqAbs(pb, 66.666666666666666666e18, 1e3);
        // Same epoch: gate used up.
        (shares,) = vault.settle();
        assertEq(shares, 0);
        // Next epoch: a fresh gate on the smaller supply (900 → 90).
        vm.warp(block.timestamp + EPOCH);
        (shares,) = vault.settle();
        assertEq(shares, 90e18);
        (pa, ca) = vault.redeemStatus(a);
        assertApproxEqAbs(ca, 126.666666666666666666e18, 1e3);
        assertApproxEqAbs(pa, 73.333333333333333333e18, 1e3);
    }

    function test_settle_bufferLimits() public {
        uint256 id = _request(alice, 80e18);
        vm.prank(admin);
        vault.setGate(1e18);
        _matureAndFund(20e18);
        (uint256 shares, uint256 assets) = vault.settle();
        assertEq(shares, 20e18);
        assertEq(assets, 20e18);
        assertEq(vault.availableBuffer(), 0);
        (uint256 pending,) = vault.redeemStatus(id);
        assertEq(pending, 60e18);
    }

    function test_settle_newGenerationAfterFullFill() public {
        vm.prank(admin);
        vault.setGate(1e18);
        uint256 first = _request(alice, 10e18);
        _matureAndFund(100e18);
        vault.settle();
        assertEq(vault.generation(), 1);
        uint256 second = _request(alice, 20e18);
        vm.warp(block.timestamp + EPOCH + NOTICE);
        vault.settle();
        (uint256 p1, uint256 c1) = vault.redeemStatus(first);
        (uint256 p2, uint256 c2) = vault.redeemStatus(second);
        assertEq(p1 + p2, 0);
        assertEq(c1, 10e18);
        assertEq(c2, 20e18);
    }

    /// @dev Regression (issue 12, finding 1): top-ups that leave 1 wei in the pool used to divide the
    ///      pool factor by the pool size; two of them drove it to 0, and every later cohort recorded a
    ///      zero factor: its status, claim and cancel reverted (division by zero) while settle still
    ///      burnt its shares.
    function test_settle_dustRemaindersKeepEveryRequestClaimable() public {
        address carol = makeAddr("carol");
        vm.prank(admin);
        vault.setGate(1e18);
        uint256 a = _request(alice, 100e18);
        _matureAndFund(100e18 - 1); // NAV 1: the settle leaves 1 wei of the pool
        vault.settle();
        uint256 b = _request(bob, 50e18);
        _matureAndFund(50e18); // pool 50e18 + 1: 1 wei left again
        vault.settle();
        uint256 c = _request(carol, 10e18);
        _matureAndFund(5e18);
        (uint256 shares,) = vault.settle();
        assertEq(shares, 5e18);
        (uint256 pending, uint256 claimable) = vault.redeemStatus(c);
        assertApproxEqAbs(claimable, 5e18, 2, "carol: pro rata with the 1 wei of dust");
        assertApproxEqAbs(pending, 5e18, 2);
        uint256 paid = _claim(alice, a) + _claim(bob, b) + _claim(carol, c);
        assertApproxEqAbs(paid, 100e18 - 1 + 50e18 + 5e18, 4, "every settled share paid");
        assertLe(paid, 100e18 - 1 + 50e18 + 5e18);
        vm.prank(carol);
        assertEq(vault.cancelRedeem(c), pending);
    }

    /// @dev Regression (issue 12, finding 3): joining walked and wrote every epoch since the last
    ///      settle (36.1M gas after 60 days of 1 h epochs); it must cost per cohort with requests.
    function test_settle_gasBoundedAfterSixtyDaysOfHourlyEpochs() public {
        RwaVault v = new RwaVault("h", "h", address(usd), admin, custodian, 1e18, 0, 1 hours, 1e18, MAX_MOVE);
        mintUsd(alice, 1000e18);
        vm.startPrank(alice);
        usd.approve(address(v), 1000e18);
        v.subscribe(1000e18, alice);
        for (uint256 i; i < 4; ++i) {
            v.requestRedeem(10e18, alice, alice);
            vm.warp(block.timestamp + 15 days);
        }
        vm.stopPrank();
        refillVaultOf(v, 1000e18);
        vm.cool(address(v)); // storage cold, as in a fresh transaction
        vm.cool(address(usd));
        uint256 gasBefore = gasleft();
        (uint256 shares,) = v.settle();
        uint256 used = gasBefore - gasleft();
        assertEq(shares, 40e18);
        assertLt(used, 400_000, "settle after 1440 hourly epochs");
    }

    /// @dev Three settles that each leave 1 wei of a 1e24-share pool: the third leaves less than
    ///      1 / SCALE of R, so `scale` jumps by two and R restarts; the requests then in the pool keep
    ///      less than 1e-18 of their shares (rounded to zero), later requests are served normally.
    function test_settle_remainderBelowOneScaleRoundsToZero() public {
        vm.prank(admin);
        vault.setGate(1e18);
        address[4] memory who = [alice, bob, makeAddr("carol"), makeAddr("dave")];
        uint256[4] memory ids;
        uint256 settled;
        for (uint256 i; i < 3; ++i) {
            ids[i] = _request(who[i], 1e24);
            vm.warp(vault.maturity(vault.currentEpoch()));
            vault.settle(); // joins; the buffer is empty
            refillVault(vault.poolShares() - 1);
            (, uint256 assets) = vault.settle();
            settled += assets;
        }
        assertEq(vault.scale(), 4, "+1, +1, then +2");
        assertEq(vault.poolR(), 1e36, "R restarts");
        assertEq(vault.poolShares(), 1, "1 wei that no request owns");
        (uint256 pending, uint256 claimable) = vault.redeemStatus(ids[2]);
        assertEq(pending, 0, "below 1e-18 of the request: zero");
        assertApproxEqAbs(claimable, 1e24, 2);
        vm.prank(who[2]);
        vm.expectRevert(abi.encodeWithSelector(IRwaVault.VaultNothingToCancel.selector, ids[2]));
        vault.cancelRedeem(ids[2]);
        // A later request shares the next settle with the wei of dust, and is paid in full.
        ids[3] = _request(who[3], 10e18);
        vm.warp(vault.maturity(vault.currentEpoch()));
        refillVault(100e18);
        (uint256 shares, uint256 last) = vault.settle();
        assertEq(shares, 10e18 + 1);
        settled += last;
        (pending, claimable) = vault.redeemStatus(ids[3]);
        assertEq(pending, 0);
        assertEq(claimable, 10e18, "paid in full; the wei the dust earned is owed to no one");
        uint256 paid;
        for (uint256 i; i < 4; ++i) {
            paid += _claim(who[i], ids[i]);
        }
        assertLe(paid, settled);
        assertApproxEqAbs(paid, settled, 4);
    }

    /// @dev A backlog of more queued cohorts than one settle may join: the first settles only join
    ///      (and pay nothing), then one settle pays every matured request pro rata.
    function test_settle_longBacklogJoinsInBoundedStepsThenPaysProRata() public {
        RwaVault v = new RwaVault("h", "h", address(usd), admin, custodian, 1e18, 0, 1 hours, 1e18, MAX_MOVE);
        uint256 n = v.MAX_JOINS_PER_SETTLE() + 36;
        mintUsd(alice, 10_000e18);
        vm.startPrank(alice);
        usd.approve(address(v), type(uint256).max);
        v.subscribe(10_000e18, alice);
        for (uint256 i; i < n; ++i) {
            v.requestRedeem(10e18 + i, alice, alice);
            vm.warp(block.timestamp + 1 hours);
        }
        vm.stopPrank();
        refillVaultOf(v, 500e18);
        vm.cool(address(v));
        uint256 gasBefore = gasleft();
        (uint256 shares,) = v.settle();
        assertLt(gasBefore - gasleft(), 3_500_000, "one bounded step");
        assertEq(shares, 0, "catching up first");
        assertEq(v.queueHead(), v.MAX_JOINS_PER_SETTLE());
        (shares,) = v.settle();
        assertEq(shares, 500e18);
        uint256 total = n * 10e18 + n * (n - 1) / 2;
        for (uint256 i; i < n; ++i) {
            (, uint256 claimable) = v.redeemStatus(i);
            assertApproxEqAbs(claimable, (10e18 + i) * 500e18 / total, 1, "pro rata over all");
        }
    }

    function test_requestRedeem_cohortEmptiedAndRefilledJoinsOnce() public {
        uint256 first = _request(alice, 10e18);
        vm.prank(alice);
        vault.cancelRedeem(first);
        uint256 second = _request(alice, 30e18); // same epoch, queued again
        assertEq(vault.cohortQueue(0), vault.cohortQueue(1));
        vm.prank(admin);
        vault.setGate(1e18);
        _matureAndFund(100e18);
        (uint256 shares,) = vault.settle();
        assertEq(shares, 30e18);
        (uint256 pending, uint256 claimable) = vault.redeemStatus(second);
        assertEq(pending + claimable, 30e18);
        (pending, claimable) = vault.redeemStatus(first);
        assertEq(pending + claimable, 0);
        assertEq(vault.totalPendingShares(), 0);
    }

    function test_settle_revertsUnderReview() public {
        vm.prank(guardian);
        vault.setNavStatus(NavStatus.UnderReview, "breach");
        vm.expectRevert(IRwaVault.VaultUnderReview.selector);
        vault.settle();
    }

    function test_settle_revertsWhenPaused() public {
        vm.prank(guardian);
        vault.pause();
        vm.expectRevert(Pausable.EnforcedPause.selector);
        vault.settle();
    }

    function test_claim_worksWhilePaused() public {
        vm.prank(admin);
        vault.setGate(1e18);
        uint256 id = _request(alice, 10e18);
        _matureAndFund(100e18);
        vault.settle();
        vm.prank(guardian);
        vault.pause();
        vm.prank(alice);
        assertEq(vault.claim(id, alice), 10e18);
    }

    function test_claim_returnsZeroWhenNothingClaimable() public {
        uint256 id = _request(alice, 10e18);
        vm.prank(alice);
        assertEq(vault.claim(id, alice), 0);
    }

    function test_claim_revertsIfNotController() public {
        uint256 id = _request(alice, 10e18);
        _expectNotControllerAsBob(id);
        vault.claim(id, bob);
    }

    function test_refillBuffer_pullsCash() public {
        mintUsd(custodian, 5e18);
        vm.startPrank(custodian);
        usd.approve(address(vault), 5e18);
        vm.expectEmit(address(vault));
        emit IRwaVault.BufferRefilled(custodian, 5e18);
        vault.refillBuffer(5e18);
        vm.stopPrank();
        assertEq(vault.availableBuffer(), 5e18);
    }

    function test_refillBuffer_revertsOnZero() public {
        vm.expectRevert(IRwaVault.VaultZeroAmount.selector);
        vault.refillBuffer(0);
    }

    // ---------------------------------------------------------------- admin

    function test_setters_boundAndEmit() public {
        vm.startPrank(admin);
        vm.expectEmit(address(vault));
        emit IRwaVault.ParameterSet("noticePeriod", 7 days);
        vault.setNoticePeriod(7 days);
        vault.setGate(0.2e18);
        vault.setMaxNavMove(0.05e18);
        vault.setCustodian(bob);
        vm.stopPrank();
        assertEq(vault.noticePeriod(), 7 days);
        assertEq(vault.gateWad(), 0.2e18);
        assertEq(vault.maxNavMoveWad(), 0.05e18);
        assertEq(vault.custodian(), bob);
    }

    function test_setters_revertOutOfBounds() public {
        vm.startPrank(admin);
        expectOutOfBounds(
            IRwaVault.VaultParameterOutOfBounds.selector, bytes32("noticePeriod"), 366 days, 0, 365 days
        );
        vault.setNoticePeriod(366 days);
        expectOutOfBounds(IRwaVault.VaultParameterOutOfBounds.selector, bytes32("gate"), 0, 0.001e18, 1e18);
        vault.setGate(0);
        expectOutOfBounds(
            IRwaVault.VaultParameterOutOfBounds.selector, bytes32("maxNavMove"), 0.6e18, 0.001e18, 0.5e18
        );
        vault.setMaxNavMove(0.6e18);
        vm.expectRevert(IRwaVault.VaultZeroAddress.selector);
        vault.setCustodian(address(0));
        vm.stopPrank();
    }

    function test_setters_revertForNonAdmin() public {
        expectUnauthorized(alice, bytes32(0));
        vm.prank(alice);
        vault.setGate(0.5e18);
    }

    function test_pause_onlyGuardian() public {
        checkOnlyGuardianPauses(IGuardianPausable(address(vault)), alice);
    }

    function test_transfersWorkWhilePaused() public {
        mintShares(alice, 10e18);
        vm.prank(guardian);
        vault.pause();
        vm.prank(alice);
        vault.transfer(bob, 10e18);
        assertEq(vault.balanceOf(bob), 10e18);
    }

    function test_allowlist_gatesTransfersAndMints() public {
        mintShares(alice, 10e18);
        vm.startPrank(admin);
        vm.expectEmit(address(vault));
        emit IRwaVault.AllowlistEnabled(true);
        vault.setAllowlistEnabled(true);
        vault.setAllowlisted(alice, true);
        vm.stopPrank();
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IRwaVault.VaultNotAllowlisted.selector, bob));
        vault.transfer(bob, 1e18);
        vm.prank(admin);
        vault.setAllowlisted(bob, true);
        vm.prank(alice);
        vault.transfer(bob, 1e18);
        assertEq(vault.balanceOf(bob), 1e18);
        // Requests into the vault itself are always allowed for allowlisted owners.
        vm.prank(alice);
        vault.requestRedeem(1e18, alice, alice);
    }

    // ---------------------------------------------------------------- helpers

    /// @dev A day later, the reporter reports `nav`, expected to apply at once (`NavReported`) or
    ///      to wait for the confirmer (`NavProposed`).
    function _reportNextDay(uint256 nav, bool applies) internal {
        vm.warp(block.timestamp + 1 days);
        vm.expectEmit(address(vault));
        if (applies) emit IRwaVault.NavReported(nav, uint64(block.timestamp), reporter);
        else emit IRwaVault.NavProposed(nav, uint64(block.timestamp), reporter);
        vm.prank(reporter);
        vault.reportNav(nav, uint64(block.timestamp));
    }

    function _report(uint256 nav) internal {
        vm.warp(block.timestamp + 1);
        vm.prank(admin);
        vault.setMaxNavMove(0.5e18);
        vm.prank(reporter);
        vault.reportNav(nav, uint64(block.timestamp));
    }

    function _request(address who, uint256 shares) internal returns (uint256 id) {
        mintShares(who, shares * 2);
        vm.prank(who);
        id = vault.requestRedeem(shares, who, who);
    }

    function _matureAndFund(uint256 assets) internal {
        vm.warp(block.timestamp + EPOCH + NOTICE);
        refillVault(assets);
    }

    function _claim(address who, uint256 id) internal returns (uint256) {
        vm.prank(who);
        return vault.claim(id, who);
    }

    /// @dev Bob's next call on alice's request `id` reverts: he is not its controller.
    function _expectNotControllerAsBob(uint256 id) internal {
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IRwaVault.VaultNotController.selector, id, bob, alice));
    }
}
