// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SafeguardedFixture} from "../utils/SafeguardedFixture.sol";
import {SafeguardedHandler} from "./handlers/SafeguardedHandler.sol";
import {LendingMarket} from "../../contracts/LendingMarket.sol";
import {RedeemToRepayMarket} from "../../contracts/RedeemToRepayMarket.sol";
import {CircuitBreaker} from "../../contracts/CircuitBreaker.sol";
import {SlowLiquidation} from "../../contracts/interfaces/IRedeemToRepayMarket.sol";
import {NavStatus} from "../../contracts/interfaces/IRwaVault.sol";

/// @notice Oracle and breaker in the loop with the market, vault and pool. Each variant runs the
///         same handler and invariants: the `safeguarded` market (slow path) with keepers poking
///         whenever asked, with no keepers at all, and with keepers only after hours-long gaps;
///         and the `no-slow-path` base market. fail_on_revert is on: repay, idle withdrawals and
///         every bounded call must succeed, and every refusal must be the one the market owes.
abstract contract SafeguardedInvariantBase is SafeguardedFixture {
    SafeguardedHandler internal handler;
    LendingMarket internal m;

    function variant() internal pure virtual returns (bool slowPath, SafeguardedHandler.Keepers keepers);

    function setUp() public override {
        super.setUp();
        (bool slowPath, SafeguardedHandler.Keepers keepers) = variant();
        CircuitBreaker b = cBreaker;
        m = safeMarket;
        if (!slowPath) {
            b = deployBreaker(cOracle);
            m = new LendingMarket(usd, vault, cOracle, b, rates, admin, defaultParams());
            vm.prank(admin);
            b.setMarket(address(m));
        }
        handler = new SafeguardedHandler(
            SafeguardedHandler.World(usd, vault, pool, m, cOracle, b, admin, reporter, confirmer, guardian),
            slowPath,
            keepers
        );
        vm.startPrank(admin);
        usd.grantRole(usd.MINTER_ROLE(), address(handler));
        vault.setMaxNavMove(0.5e18);
        vm.stopPrank();
        // Lenders' liquidity.
        address lender_ = handler.lender();
        mintUsd(lender_, 5_000_000e18);
        vm.prank(lender_);
        m.supply(5_000_000e18, lender_);
        targetContract(address(handler));
        // Weights: opening, markdowns and the liquidation paths come up several times per run.
        bytes4[] memory selectors = new bytes4[](26);
        selectors[0] = SafeguardedHandler.supplyCollateral.selector;
        selectors[1] = SafeguardedHandler.borrow.selector;
        selectors[2] = SafeguardedHandler.open.selector;
        selectors[3] = SafeguardedHandler.open.selector;
        selectors[4] = SafeguardedHandler.open.selector;
        selectors[5] = SafeguardedHandler.repay.selector;
        selectors[6] = SafeguardedHandler.withdrawCollateral.selector;
        selectors[7] = SafeguardedHandler.lenderSupply.selector;
        selectors[8] = SafeguardedHandler.lenderWithdraw.selector;
        selectors[9] = SafeguardedHandler.trade.selector;
        selectors[10] = SafeguardedHandler.trade.selector;
        selectors[11] = SafeguardedHandler.reportNav.selector;
        selectors[12] = SafeguardedHandler.reportNav.selector;
        selectors[13] = SafeguardedHandler.reportNav.selector;
        selectors[14] = SafeguardedHandler.toggleReview.selector;
        selectors[15] = SafeguardedHandler.keeperPoke.selector;
        selectors[16] = SafeguardedHandler.keeperPoke.selector;
        selectors[17] = SafeguardedHandler.warp.selector;
        selectors[18] = SafeguardedHandler.skipDays.selector;
        selectors[19] = SafeguardedHandler.liquidate.selector;
        selectors[20] = SafeguardedHandler.liquidate.selector;
        selectors[21] = SafeguardedHandler.slowLiquidate.selector;
        selectors[22] = SafeguardedHandler.slowLiquidate.selector;
        selectors[23] = SafeguardedHandler.settleSlow.selector;
        selectors[24] = SafeguardedHandler.settleSlow.selector;
        selectors[25] = SafeguardedHandler.cure.selector;
        targetSelector(FuzzSelector(address(handler), selectors));
    }

    // ---------------------------------------------------------------- invariants

    /// @dev No cash created or lost, and none in flight between calls.
    function invariant_cashIdentityExact() public view {
        assertGe(m.totalSupplyAssets() + m.totalReserves(), m.totalBorrowAssets(), "supplied >= borrowed");
        assertEq(
            usd.balanceOf(address(m)),
            m.totalSupplyAssets() + m.totalReserves() - m.totalBorrowAssets(),
            "cash = supply + reserves - borrows"
        );
    }

    /// @dev Collateral in positions is what the market holds; collateral locked in open slow
    ///      liquidations is what their requests still have pending in the vault.
    function invariant_collateralAccounted() public view {
        uint256 collateral;
        for (uint256 i; i < handler.actorCount(); ++i) {
            (,, uint256 c) = m.position(handler.actor(i));
            collateral += c;
        }
        assertEq(collateral, m.totalCollateral(), "positions sum to the total");
        assertEq(vault.balanceOf(address(m)), m.totalCollateral(), "the market holds it");
        if (!handler.hasSlowPath()) return;
        RedeemToRepayMarket r = RedeemToRepayMarket(address(m));
        uint256[] memory ids = handler.slowIds();
        uint256 pendingSum;
        for (uint256 k; k < ids.length; ++k) {
            SlowLiquidation memory s = r.slowLiquidation(ids[k]);
            (uint256 pending, uint256 claimable) = vault.redeemStatus(s.requestId);
            (bool active, uint256 openId) = r.slowLiquidationOf(s.borrower);
            if (s.closed) {
                assertEq(pending + claimable, 0, "a closed slow liquidation has nothing left in the vault");
                assertFalse(active && openId == ids[k], "closed means unlocked");
            } else {
                assertTrue(active && openId == ids[k], "open means locked");
                assertLe(pending, s.collateral, "pending within what was locked");
            }
            pendingSum += pending;
        }
        // The market's requests are the vault's only ones here: their pending shares are what it holds.
        assertLe(pendingSum, vault.totalPendingShares());
        assertApproxEqAbs(pendingSum, vault.totalPendingShares(), ids.length + 1, "pending shares tie out");
        assertEq(vault.balanceOf(address(vault)), vault.totalPendingShares());
    }

    /// @dev No fast liquidation during a halt or grace unless the loss is confirmed at the NAV
    ///      anchor (none at all where the slow path takes them), none beyond the throttle, and no
    ///      write-off while the borrower keeps collateral.
    function invariant_breakerPromisesKept() public view {
        assertEq(
            handler.ghostFastWhileConfirmedOnly(), 0, "fast liquidation of an unconfirmed loss in a halt"
        );
        assertEq(handler.ghostThrottleBreaches(), 0, "beyond the throttle");
        assertEq(handler.ghostWriteOffWithCollateral(), 0, "write-off while the borrower keeps collateral");
    }

    /// @dev Whatever the run left, every slow liquidation closes: review cleared, the notice run,
    ///      the buffer refilled, the vault and the market settled round after round. Settlement
    ///      comes after a 40% impairment, the worst case for lenders: shortfalls are written off,
    ///      and only where the borrower holds no collateral.
    function afterInvariant() public {
        if (!handler.hasSlowPath()) return;
        RedeemToRepayMarket r = RedeemToRepayMarket(address(m));
        uint256[] memory ids = handler.slowIds();
        vm.prank(guardian);
        vault.setNavStatus(NavStatus.Normal, "drain");
        vm.warp(block.timestamp + NOTICE + 2 * EPOCH);
        (uint256 nav,,) = vault.navInfo();
        reportNav(nav * 6 / 10);
        refillVault(100_000_000e18);
        for (uint256 round; round < 40; ++round) {
            vault.settle();
            bool open;
            for (uint256 k; k < ids.length; ++k) {
                if (r.slowLiquidation(ids[k]).closed) continue;
                address b = r.slowLiquidation(ids[k]).borrower;
                uint256 badBefore = r.totalBadDebt();
                r.settleSlowLiquidation(ids[k]);
                (,, uint256 c) = r.position(b);
                if (r.totalBadDebt() > badBefore) {
                    assertEq(c, 0, "write-off while the borrower keeps collateral");
                }
                open = open || !r.slowLiquidation(ids[k]).closed;
            }
            if (!open) break;
            vm.warp(block.timestamp + EPOCH);
        }
        for (uint256 k; k < ids.length; ++k) {
            assertTrue(r.slowLiquidation(ids[k]).closed, "every slow liquidation closes");
        }
        _assertInvariants();
    }

    /// @dev Every invariant above, checked at once where a test or the run's end wants them all.
    function _assertInvariants() internal view {
        invariant_cashIdentityExact();
        invariant_collateralAccounted();
        invariant_breakerPromisesKept();
    }
}

/// @notice The `safeguarded` policy with the lab's keeper poking whenever asked.
contract SafeguardedInvariantTest is SafeguardedInvariantBase {
    function variant() internal pure override returns (bool, SafeguardedHandler.Keepers) {
        return (true, SafeguardedHandler.Keepers.EveryCall);
    }

    /// @dev The handler can reach every path it guards: a fixed crisis drives it through a
    ///      markdown, a halt, the slow path and, after the halt and grace, fast liquidation.
    function test_handler_reachesFastAndSlowLiquidation() public {
        for (uint256 i; i < 3; ++i) {
            handler.open(i, 40_000e18, 99);
        }
        handler.keeperPoke();
        vm.warp(block.timestamp + 1 hours);
        handler.keeperPoke();
        handler.reportNav(70); // −30%: unhealthy at the NAV anchor, and a level-3 decline
        handler.keeperPoke();
        handler.liquidate(0, 50); // refused: halted, confirmed losses take the slow path
        assertEq(handler.ghostFastLiquidations(), 0, "halted");
        handler.slowLiquidate(1);
        assertEq(handler.ghostSlowLiquidations(), 1);
        handler.warp(8 hours); // halt expired (6 h) and grace over (1 h)
        handler.keeperPoke();
        handler.liquidate(2, 50);
        assertEq(handler.ghostFastLiquidations(), 1);
        vm.warp(block.timestamp + 32 days);
        handler.settleSlow(0, 100_000e18);
        assertEq(handler.ghostSlowClosed(), 1, "settled in one round: the gate is 10% of a large supply");
        _assertInvariants();
    }
}

/// @notice Nobody pokes: the breaker and the oracle see only what the market's own calls show them.
contract SafeguardedNoKeepersInvariantTest is SafeguardedInvariantBase {
    function variant() internal pure override returns (bool, SafeguardedHandler.Keepers) {
        return (true, SafeguardedHandler.Keepers.Never);
    }
}

/// @notice Keepers that wake up only after hours without a poke.
contract SafeguardedSparseKeepersInvariantTest is SafeguardedInvariantBase {
    function variant() internal pure override returns (bool, SafeguardedHandler.Keepers) {
        return (true, SafeguardedHandler.Keepers.AfterGaps);
    }
}

/// @notice The `no-slow-path` policy: the base market under the same oracle and breaker, where a
///         confirmed loss in a halt is fast-liquidated within the throttle.
contract NoSlowPathInvariantTest is SafeguardedInvariantBase {
    function variant() internal pure override returns (bool, SafeguardedHandler.Keepers) {
        return (false, SafeguardedHandler.Keepers.EveryCall);
    }
}
