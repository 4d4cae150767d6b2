// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Vm} from "forge-std/Vm.sol";

import {Fixture} from "../utils/Fixture.sol";
import {RedeemToRepayMarket} from "../../contracts/RedeemToRepayMarket.sol";
import {ILendingMarket, PositionHealth} from "../../contracts/interfaces/ILendingMarket.sol";
import {IRedeemToRepayMarket, SlowLiquidation} from "../../contracts/interfaces/IRedeemToRepayMarket.sol";
import {WAD} from "../../contracts/libraries/WadMath.sol";

/// @notice The slow path with mock oracle and breaker over the real vault (30-day notice, daily
///         epochs, 10% gate). Every test that settles checks the market's cash identity exactly.
contract RedeemToRepayMarketTest is Fixture {
    RedeemToRepayMarket internal rtr;

    function setUp() public override {
        super.setUp();
        rtr = deploySlowPathMarket(1_000_000e18);
        mintUsd(liquidator, 1_000_000e18);
        vm.prank(liquidator);
        usd.approve(address(rtr), type(uint256).max);
        openPositionOn(rtr, borrower, 100e18, 70e18);
    }

    // ---------------------------------------------------------------- opening

    function test_constructor_wiresVault() public view {
        assertEq(address(rtr.collateralToken()), address(vault));
        assertEq(rtr.slowLiquidationCount(), 0);
    }

    function test_slowLiquidate_revertsWhileBreakerUnrestricted() public {
        oracle.setPrice(0.8e18);
        vm.expectRevert(IRedeemToRepayMarket.MarketSlowPathClosed.selector);
        rtr.slowLiquidate(borrower);
    }

    function test_slowLiquidate_opensUnderThrottleAlone() public {
        oracle.setPrice(0.8e18);
        breaker.set(false, 10e18, false);
        uint256 id = rtr.slowLiquidate(borrower);
        assertEq(id, 0);
    }

    function test_slowLiquidate_revertsOnHealthyAndNoDebt() public {
        breaker.set(false, 0, true);
        vm.expectPartialRevert(ILendingMarket.MarketPositionHealthy.selector);
        rtr.slowLiquidate(borrower);
        vm.expectRevert(abi.encodeWithSelector(ILendingMarket.MarketNoDebt.selector, bob));
        rtr.slowLiquidate(bob);
    }

    /// @dev Halted: a position unhealthy only at the market-following price waits; the same
    ///      position once NAV is marked down goes to the slow path.
    function test_slowLiquidate_whileConfirmedOnlyNeedsNavMarkdown() public {
        oracle.setPrices(0.7e18, 0.7e18);
        oracle.setAnchorPrice(0.9e18); // 100 × 0.9 × 0.8 = 72 ≥ 70
        breaker.set(false, 0, true);
        vm.expectRevert(
            abi.encodeWithSelector(
                ILendingMarket.MarketPositionHealthy.selector, borrower, uint256(72e18) * WAD / 70e18
            )
        );
        rtr.slowLiquidate(borrower);
        oracle.setAnchorPrice(0.85e18);
        rtr.slowLiquidate(borrower);
    }

    function test_slowLiquidate_locksAllCollateralAndKeepsDebt() public {
        _startSlow();
        uint256 debt = rtr.debtOf(borrower);
        vm.expectEmit(address(rtr));
        emit IRedeemToRepayMarket.SlowLiquidationStarted(0, borrower, keeper, 100e18, debt);
        vm.prank(keeper);
        uint256 id = rtr.slowLiquidate(borrower);
        SlowLiquidation memory s = rtr.slowLiquidation(id);
        assertEq(s.borrower, borrower);
        assertEq(s.keeper, keeper);
        assertEq(s.collateral, 100e18);
        assertEq(s.proceeds, 0);
        assertFalse(s.closed);
        (uint256 pending,) = vault.redeemStatus(s.requestId);
        assertEq(pending, 100e18, "all the collateral");
        assertEq(vault.redeemRequest(s.requestId).controller, address(rtr));
        (, uint256 shares, uint256 collateral) = rtr.position(borrower);
        assertEq(collateral, 0);
        assertGt(shares, 0, "the debt stays on the position");
        assertEq(rtr.debtOf(borrower), debt);
        assertEq(rtr.totalCollateral(), 0);
        (bool active, uint256 openId) = rtr.slowLiquidationOf(borrower);
        assertTrue(active);
        assertEq(openId, id);
        assertEq(rtr.slowLiquidationCount(), 1);
        assertEq(rtr.provisionalShortfall(id), 0, "100 shares at NAV 1 cover 70");
        _assertCashIdentity();
    }

    // ---------------------------------------------------------------- the lock

    function test_slowLiquidation_locksBorrowWithdrawAndLiquidations() public {
        uint256 id = _slowLiquidate();
        bytes memory locked =
            abi.encodeWithSelector(IRedeemToRepayMarket.MarketInSlowLiquidation.selector, borrower, id);
        mintShares(borrower, 50e18);
        vm.startPrank(borrower);
        rtr.supplyCollateral(50e18, borrower); // never blocked
        vm.expectRevert(locked);
        rtr.borrow(1e18, borrower);
        vm.expectRevert(locked);
        rtr.withdrawCollateral(1e18, borrower);
        vm.stopPrank();
        breaker.set(false, 1000e18, false); // throttled: fast liquidation would be open
        vm.prank(liquidator);
        vm.expectRevert(locked);
        rtr.liquidate(borrower, 1e18, 0);
        vm.expectRevert(locked);
        rtr.slowLiquidate(borrower);
        address[] memory who = new address[](1);
        who[0] = borrower;
        PositionHealth memory h = rtr.positionsHealth(who)[0];
        assertLt(h.healthFactor, WAD);
        assertFalse(h.liquidatable, "in the slow path");
        assertEq(h.maxRepay, 0);
    }

    function test_slowLiquidation_repayNeverBlocked() public {
        _slowLiquidate();
        breaker.set(false, 0, true);
        mintUsd(borrower, 100e18);
        vm.prank(borrower);
        (uint256 repaid,) = rtr.repay(10e18, 0, borrower);
        assertEq(repaid, 10e18);
        assertEq(rtr.debtOf(borrower), 60e18);
    }

    function test_liquidate_haltedWhileConfirmedOnly() public {
        oracle.setPrice(0.5e18);
        breaker.set(false, type(uint256).max, true);
        vm.prank(liquidator);
        vm.expectRevert(IRedeemToRepayMarket.MarketFastLiquidationHalted.selector);
        rtr.liquidate(borrower, 10e18, 0);
        breaker.set(false, 1000e18, false); // throttled, not halted: fast within the budget
        vm.prank(liquidator);
        (uint256 repaid,) = rtr.liquidate(borrower, 10e18, 0);
        assertEq(repaid, 10e18);
    }

    // ---------------------------------------------------------------- settlement

    function test_settleSlowLiquidation_oneRoundSplitsDebtFeeAndSurplus() public {
        uint256 id = _slowLiquidate();
        _allowFullSettlement();
        _matureWithCash();
        vault.settle();
        uint256 debt = rtr.debtOf(borrower);
        uint256 gross = (debt * WAD + 0.99e18 - 1) / 0.99e18; // debt / (1 − 1%), rounded up
        vm.expectEmit(address(rtr));
        emit IRedeemToRepayMarket.SlowLiquidationProgressed(id, 100e18, debt, gross - debt, 100e18 - gross, 0);
        vm.expectEmit(address(rtr));
        emit IRedeemToRepayMarket.SlowLiquidationClosed(id, 100e18 - gross, 0);
        vm.prank(bob); // anyone
        rtr.settleSlowLiquidation(id);
        assertEq(usd.balanceOf(keeper), gross - debt, "fee on the debt part only");
        assertEq(usd.balanceOf(borrower), 70e18 + 100e18 - gross, "borrowed 70, then the surplus");
        assertEq(rtr.debtOf(borrower), 0);
        SlowLiquidation memory s = rtr.slowLiquidation(id);
        assertTrue(s.closed);
        assertEq(s.proceeds, 100e18);
        (bool active,) = rtr.slowLiquidationOf(borrower);
        assertFalse(active);
        assertEq(rtr.totalBadDebt(), 0);
        _assertCashIdentity();
        vm.expectRevert(abi.encodeWithSelector(IRedeemToRepayMarket.MarketSlowLiquidationClosed.selector, id));
        rtr.settleSlowLiquidation(id);
    }

    /// @dev Regression, finding "slow-path surplus stranded (High)": surplus was computed only in
    ///      the round where nothing was pending, so proceeds above the debt in earlier rounds stayed
    ///      in the market (pre-fix: 26 rounds, the borrower got 0.26 of a ~22 surplus).
    function test_settleSlowLiquidation_paysSurplusInEveryRoundAfterDebtClears() public {
        // Another holder: the gate is 10% of the supply, so requests holding all of it never finish.
        mintShares(bob, 10e18);
        uint256 id = _slowLiquidate();
        _matureWithCash();
        uint256 rounds;
        uint256 roundsWithSurplus;
        while (!rtr.slowLiquidation(id).closed && rounds < 60) {
            vault.settle();
            uint256 before = usd.balanceOf(borrower);
            rtr.settleSlowLiquidation(id);
            if (usd.balanceOf(borrower) > before) ++roundsWithSurplus;
            ++rounds;
            _assertCashIdentity();
            vm.warp(block.timestamp + EPOCH);
        }
        assertTrue(rtr.slowLiquidation(id).closed);
        assertGt(rounds, 20, "the 10% gate spreads the settlement");
        assertGt(roundsWithSurplus, 10, "every round after the debt clears pays the borrower");
        uint256 surplus = usd.balanceOf(borrower) - 70e18;
        uint256 fee = usd.balanceOf(keeper);
        assertApproxEqAbs(fee * 99, _repaidBySlowPath(), 100 * rounds, "1% of what repaid the debt");
        assertGt(_repaidBySlowPath(), 70e18, "the debt, with the interest it accrued meanwhile");
        assertEq(surplus + fee + _repaidBySlowPath(), 100e18, "every unit of proceeds went somewhere");
        assertGt(surplus, 29e18);
    }

    /// @dev Regression: the slow path locked only debt × LIF / price and wrote the shortfall off
    ///      against lenders while the borrower kept the rest (pre-fix: 6.91 shares left).
    function test_slowLiquidation_neverWritesOffWhileBorrowerKeepsCollateral() public {
        uint256 id = _slowLiquidate();
        _markNav(0.5e18); // a true impairment before settlement
        _allowFullSettlement();
        _matureWithCash();
        vault.settle();
        uint256 debt = rtr.debtOf(borrower);
        (uint256 supplied,,,, uint256 reserves) = rtr.totals();
        rtr.settleSlowLiquidation(id);
        (,, uint256 left) = rtr.position(borrower);
        assertEq(left, 0, "no collateral left with the borrower");
        uint256 bad = debt - (50e18 - 0.5e18); // proceeds 50, fee 1% of them
        assertEq(rtr.totalBadDebt(), bad);
        assertEq(
            rtr.totalReserves() + rtr.totalSupplyAssets(), reserves + supplied - bad, "reserves, then lenders"
        );
        assertEq(usd.balanceOf(borrower), 70e18, "no surplus");
        _assertCashIdentity();
    }

    /// @dev Multi-round settlement at the default 10% gate with a NAV loss halfway: no surplus is
    ///      paid, the shortfall stays provisional (reported each round) until nothing is pending,
    ///      then it is written off against a borrower holding nothing.
    function test_settleSlowLiquidation_multiRoundNavLossWritesOffOnlyAtClose() public {
        mintShares(bob, 10e18); // another holder, so the gate lets the last shares through
        uint256 id = _slowLiquidate();
        _matureWithCash();
        uint256 received;
        uint256 rounds;
        while (!rtr.slowLiquidation(id).closed && rounds < 60) {
            if (rounds == 2) _markNav(0.5e18);
            vault.settle();
            rtr.settleSlowLiquidation(id);
            ++rounds;
            if (!rtr.slowLiquidation(id).closed) {
                assertEq(rtr.totalBadDebt(), 0, "nothing written off while shares are pending");
                if (rounds > 2) assertGt(rtr.provisionalShortfall(id), 0, "the loss shows as provisional");
            }
            _assertCashIdentity();
            vm.warp(block.timestamp + EPOCH);
        }
        assertTrue(rtr.slowLiquidation(id).closed);
        assertGt(rounds, 20);
        received = rtr.slowLiquidation(id).proceeds;
        assertLt(received, 70e18, "NAV 1 for two rounds, 0.5 after");
        assertEq(usd.balanceOf(borrower), 70e18, "no surplus");
        assertGt(rtr.totalBadDebt(), 70e18 - received, "the shortfall, with the interest meanwhile");
        assertEq(rtr.debtOf(borrower), 0);
        (,, uint256 left) = rtr.position(borrower);
        assertEq(left, 0);
    }

    /// @dev Collateral added during the slow path stays the borrower's, and so does the debt it
    ///      backs: nothing is written off while the borrower holds collateral.
    function test_settleSlowLiquidation_toppedUpPositionKeepsItsDebt() public {
        uint256 id = _slowLiquidate();
        mintShares(borrower, 50e18);
        vm.prank(borrower);
        rtr.supplyCollateral(50e18, borrower);
        _markNav(0.5e18);
        _allowFullSettlement();
        _matureWithCash();
        vault.settle();
        uint256 debt = rtr.debtOf(borrower);
        vm.expectEmit(address(rtr));
        emit IRedeemToRepayMarket.SlowLiquidationClosed(id, 0, 0);
        rtr.settleSlowLiquidation(id);
        assertEq(rtr.totalBadDebt(), 0);
        assertApproxEqAbs(rtr.debtOf(borrower), debt - 49.5e18, 1);
        (bool active,) = rtr.slowLiquidationOf(borrower);
        assertFalse(active);
        // Unlocked, and still unhealthy at NAV 0.5: the next liquidation can start.
        oracle.setPrice(0.5e18);
        assertEq(rtr.slowLiquidate(borrower), 1);
        _assertCashIdentity();
    }

    function test_provisionalShortfall_followsNavWhilePending() public {
        uint256 id = _slowLiquidate();
        _markNav(0.5e18);
        assertEq(rtr.provisionalShortfall(id), rtr.debtOf(borrower) - 50e18);
        _matureWithCash();
        vault.settle(); // 10 shares (the gate) settle at 0.5: 5 claimable
        assertEq(rtr.provisionalShortfall(id), rtr.debtOf(borrower) - 45e18 - 5e18);
        uint256 debtBefore = rtr.debtOf(borrower);
        vm.recordLogs();
        rtr.settleSlowLiquidation(id);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        Vm.Log memory progressed;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].topics[0] == IRedeemToRepayMarket.SlowLiquidationProgressed.selector) {
                progressed = logs[i];
            }
        }
        assertEq(progressed.topics[1], bytes32(id));
        (uint256 received, uint256 repaid, uint256 fee, uint256 surplus, uint256 shortfall) =
            abi.decode(progressed.data, (uint256, uint256, uint256, uint256, uint256));
        assertEq(received, 5e18);
        assertEq(repaid, 4.95e18);
        assertEq(fee, 0.05e18);
        assertEq(surplus, 0);
        assertApproxEqAbs(rtr.debtOf(borrower), debtBefore - 4.95e18, 1);
        assertEq(shortfall, rtr.debtOf(borrower) - 45e18, "reported in the event");
        assertEq(rtr.provisionalShortfall(id), shortfall);
        _assertCashIdentity();
    }

    // ---------------------------------------------------------------- cure

    /// @dev Regression: a slow-liquidated borrower could not cure by repaying (pre-fix the debt had
    ///      left the position: repay reverted MarketZeroAmount, and no cure existed).
    function test_cureSlowLiquidation_afterRepayReturnsCollateral() public {
        uint256 id = _slowLiquidate();
        mintUsd(borrower, 100e18);
        vm.prank(borrower);
        rtr.repay(71e18, 0, borrower);
        vm.expectEmit(address(rtr));
        emit IRedeemToRepayMarket.SlowLiquidationCured(id, 100e18, 0);
        rtr.cureSlowLiquidation(id);
        (,, uint256 c) = rtr.position(borrower);
        assertEq(c, 100e18, "collateral back");
        assertEq(rtr.totalCollateral(), 100e18);
        assertTrue(rtr.slowLiquidation(id).closed);
        vm.prank(borrower);
        rtr.withdrawCollateral(100e18, borrower);
        assertEq(vault.balanceOf(borrower), 100e18);
        _assertCashIdentity();
    }

    function test_cureSlowLiquidation_afterPartialSettlementReturnsSharesAndCash() public {
        uint256 id = _slowLiquidate();
        _matureWithCash();
        vault.settle(); // 10 shares
        rtr.settleSlowLiquidation(id); // 9.9 repaid, 0.1 fee
        mintUsd(borrower, 100e18);
        vm.prank(borrower);
        rtr.repay(100e18, 0, borrower);
        vm.warp(block.timestamp + EPOCH);
        vault.settle(); // 9 more settle, unclaimed
        uint256 before = usd.balanceOf(borrower);
        vm.expectEmit(address(rtr));
        emit IRedeemToRepayMarket.SlowLiquidationCured(id, 81e18, 9e18);
        rtr.cureSlowLiquidation(id);
        assertEq(usd.balanceOf(borrower) - before, 9e18);
        (,, uint256 c) = rtr.position(borrower);
        assertEq(c, 81e18);
        _assertCashIdentity();
    }

    function test_cureSlowLiquidation_revertsWithDebtOrUnknownOrClosed() public {
        uint256 id = _slowLiquidate();
        uint256 debt = rtr.debtOf(borrower);
        vm.expectRevert(
            abi.encodeWithSelector(IRedeemToRepayMarket.MarketDebtOutstanding.selector, borrower, debt)
        );
        rtr.cureSlowLiquidation(id);
        vm.expectRevert(abi.encodeWithSelector(IRedeemToRepayMarket.MarketUnknownSlowLiquidation.selector, 1));
        rtr.cureSlowLiquidation(1);
        mintUsd(borrower, 100e18);
        vm.prank(borrower);
        rtr.repay(100e18, 0, borrower);
        rtr.cureSlowLiquidation(id);
        vm.expectRevert(abi.encodeWithSelector(IRedeemToRepayMarket.MarketSlowLiquidationClosed.selector, id));
        rtr.cureSlowLiquidation(id);
        assertEq(rtr.provisionalShortfall(id), 0);
    }

    function test_slowLiquidation_revertsOnUnknownId() public {
        vm.expectRevert(abi.encodeWithSelector(IRedeemToRepayMarket.MarketUnknownSlowLiquidation.selector, 0));
        rtr.settleSlowLiquidation(0);
        vm.expectRevert(abi.encodeWithSelector(IRedeemToRepayMarket.MarketUnknownSlowLiquidation.selector, 3));
        rtr.slowLiquidation(3);
        vm.expectRevert(abi.encodeWithSelector(IRedeemToRepayMarket.MarketUnknownSlowLiquidation.selector, 3));
        rtr.provisionalShortfall(3);
    }

    // ---------------------------------------------------------------- helpers

    /// @dev The position unhealthy at 0.8 and the breaker restricting.
    function _startSlow() internal {
        oracle.setPrice(0.8e18);
        breaker.set(false, 0, true);
    }

    function _slowLiquidate() internal returns (uint256 id) {
        _startSlow();
        vm.prank(keeper);
        id = rtr.slowLiquidate(borrower);
    }

    function _allowFullSettlement() internal {
        vm.prank(admin);
        vault.setGate(1e18);
    }

    function _markNav(uint256 nav) internal {
        vm.prank(admin);
        vault.setMaxNavMove(0.5e18);
        vm.warp(block.timestamp + 1 hours);
        vm.prank(reporter);
        vault.reportNav(nav, uint64(block.timestamp));
    }

    function _assertCashIdentity() internal view {
        assertEq(
            usd.balanceOf(address(rtr)),
            rtr.totalSupplyAssets() + rtr.totalReserves() - rtr.totalBorrowAssets(),
            "cash = supply + reserves - borrows, nothing in flight"
        );
    }

    /// @dev Cash the slow path put back into the market: all of it repaid debt.
    function _repaidBySlowPath() internal view returns (uint256) {
        return usd.balanceOf(address(rtr)) - (1_000_000e18 - 70e18);
    }

    /// @dev Past the notice of the requests made so far, with cash in the vault's buffer.
    function _matureWithCash() internal {
        vm.warp(block.timestamp + EPOCH + NOTICE);
        refillVault(1_000e18);
    }
}
