// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Fixture} from "../utils/Fixture.sol";
import {LendingMarket} from "../../contracts/LendingMarket.sol";
import {ILendingMarket, MarketParams, PositionHealth} from "../../contracts/interfaces/ILendingMarket.sol";
import {WAD} from "../../contracts/libraries/WadMath.sol";

contract LendingMarketTest is Fixture {
    function setUp() public override {
        super.setUp();
        supplyLiquidity(lender, 1_000_000e18);
        mintUsd(liquidator, 1_000_000e18);
        vm.prank(liquidator);
        usd.approve(address(market), type(uint256).max);
    }

    // ---------------------------------------------------------------- constructor and params

    function test_constructor_wiresModules() public view {
        assertEq(address(market.loanToken()), address(usd));
        assertEq(address(market.collateralToken()), address(vault));
        assertEq(address(market.oracle()), address(oracle));
        assertEq(address(market.breaker()), address(breaker));
        assertEq(market.params().lltv, 0.8e18);
    }

    function test_constructor_revertsOnZeroAddress() public {
        vm.expectRevert(ILendingMarket.MarketZeroAddress.selector);
        new LendingMarket(usd, vault, oracle, breaker, rates, address(0), defaultParams());
    }

    function test_constructor_boundsLltv() public {
        MarketParams memory p = defaultParams();
        p.lltv = 0.99e18;
        expectOutOfBounds(
            ILendingMarket.MarketParameterOutOfBounds.selector, bytes32("lltv"), 0.99e18, 0.05e18, 0.98e18
        );
        new LendingMarket(usd, vault, oracle, breaker, rates, admin, p);
    }

    function test_liquidationIncentiveFactor_morphoFormula() public view {
        // 1 / (0.3 × 0.8 + 0.7) = 1.063829787…
        assertEq(market.liquidationIncentiveFactor(), 1.063829787234042553e18);
    }

    function test_setParams_updatesAndEmits() public {
        MarketParams memory p = defaultParams();
        p.closeFactor = 1e18;
        vm.expectEmit(address(market));
        emit ILendingMarket.ParamsSet(p);
        vm.prank(admin);
        market.setParams(p);
        assertEq(market.params().closeFactor, 1e18);
    }

    function test_setParams_boundsEachField() public {
        MarketParams memory p = defaultParams();
        p.maxLtv = 0.79e18; // within 2% of lltv 0.8
        _setParamsReverts(p, bytes32("maxLtv"), 0.79e18, 0.01e18, 0.78e18);
        p = defaultParams();
        p.reserveFactor = 0.6e18;
        _setParamsReverts(p, bytes32("reserveFactor"), 0.6e18, 0, 0.5e18);
        p = defaultParams();
        p.closeFactor = 0.01e18;
        _setParamsReverts(p, bytes32("closeFactor"), 0.01e18, 0.05e18, 1e18);
    }

    /// @dev Regression: setParams did not accrue first, so a new reserve factor took a share of
    ///      interest earned under the old one.
    function test_setParams_accruesBeforeNewReserveFactor() public {
        openPosition(borrower, 2_000_000e18, 800_000e18);
        vm.warp(block.timestamp + 365 days);
        (,, uint256 borrowed,,) = market.totals();
        uint256 interest = borrowed - 800_000e18;
        MarketParams memory p = defaultParams();
        p.reserveFactor = 0.5e18;
        vm.prank(admin);
        market.setParams(p);
        market.accrueInterest();
        assertEq(market.totalReserves(), interest / 10, "past interest at the old 10%");
        vm.warp(block.timestamp + 1 days);
        (,, uint256 borrowedLater,,) = market.totals();
        market.accrueInterest();
        assertEq(
            market.totalReserves() - interest / 10, (borrowedLater - borrowed) / 2, "new interest at 50%"
        );
    }

    /// @dev Regression: lltv could change under open positions (a healthy position became
    ///      liquidatable by decree). It is fixed per market, as in Morpho Blue.
    function test_setParams_revertsOnLltvChange() public {
        openPosition(borrower, 100e18, 69e18);
        MarketParams memory p = defaultParams();
        (p.lltv, p.maxLtv) = (0.7e18, 0.6e18);
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(ILendingMarket.MarketLltvImmutable.selector, 0.8e18, 0.7e18));
        market.setParams(p);
        assertEq(market.params().lltv, 0.8e18);
        assertGe(market.healthFactor(borrower), WAD);
    }

    function test_setParams_revertsForNonAdmin() public {
        MarketParams memory p = defaultParams();
        expectUnauthorized(bob, bytes32(0));
        vm.prank(bob);
        market.setParams(p);
    }

    // ---------------------------------------------------------------- supply / withdraw

    function test_supply_mintsSharesWithVirtualOffset() public {
        (uint256 s,,) = market.position(lender);
        assertEq(s, 1_000_000e18 * 1e6);
        (uint256 tsa, uint256 tss,,,) = market.totals();
        assertEq(tsa, 1_000_000e18);
        assertEq(tss, s);
    }

    function test_supply_revertsOnZeroAndCap() public {
        vm.expectRevert(ILendingMarket.MarketZeroAmount.selector);
        market.supply(0, bob);
        vm.expectRevert(ILendingMarket.MarketZeroAddress.selector);
        market.supply(1, address(0));
        MarketParams memory p = defaultParams();
        p.supplyCap = 1_000_000e18;
        vm.prank(admin);
        market.setParams(p);
        mintUsd(bob, 1e18);
        vm.startPrank(bob);
        usd.approve(address(market), 1e18);
        vm.expectRevert(
            abi.encodeWithSelector(
                ILendingMarket.MarketSupplyCapExceeded.selector, 1_000_001e18, 1_000_000e18
            )
        );
        market.supply(1e18, bob);
        vm.stopPrank();
    }

    function test_withdraw_byAssetsAndShares() public {
        vm.prank(lender);
        (uint256 a, uint256 s) = market.withdraw(100e18, 0, bob);
        assertEq(a, 100e18);
        assertEq(s, 100e18 * 1e6);
        assertEq(usd.balanceOf(bob), 100e18);
        vm.prank(lender);
        (a,) = market.withdraw(0, 1e24, bob);
        assertEq(a, 1e18);
    }

    function test_withdraw_limitedByIdleLiquidityButNeverByBreaker() public {
        openPosition(borrower, 2_000_000e18, 900_000e18);
        breaker.set(false, 0, false); // breaker closed everything it can close
        vm.prank(lender);
        market.withdraw(100_000e18, 0, lender); // idle liquidity is always withdrawable
        vm.prank(lender);
        vm.expectRevert(abi.encodeWithSelector(ILendingMarket.MarketInsufficientLiquidity.selector, 1e18, 0));
        market.withdraw(1e18, 0, lender);
    }

    function test_withdraw_revertsOnBadInput() public {
        vm.expectRevert(abi.encodeWithSelector(ILendingMarket.MarketInconsistentInput.selector, 1, 1));
        market.withdraw(1, 1, bob);
        vm.expectRevert(abi.encodeWithSelector(ILendingMarket.MarketInconsistentInput.selector, 0, 0));
        market.withdraw(0, 0, bob);
        vm.prank(bob);
        vm.expectRevert(
            abi.encodeWithSelector(ILendingMarket.MarketInsufficientBalance.selector, bob, 1e6, 0)
        );
        market.withdraw(1, 0, bob);
        vm.expectRevert(ILendingMarket.MarketZeroAddress.selector);
        market.withdraw(1, 0, address(0));
    }

    // ---------------------------------------------------------------- collateral

    function test_supplyCollateral_neverConsultsBreaker() public {
        breaker.set(false, 0, false);
        uint256 callsBefore = breaker.calls();
        mintShares(borrower, 100e18);
        vm.startPrank(borrower);
        vault.approve(address(market), 100e18);
        vm.expectEmit(address(market));
        emit ILendingMarket.SupplyCollateral(borrower, bob, 100e18);
        market.supplyCollateral(100e18, bob);
        vm.stopPrank();
        assertEq(breaker.calls(), callsBefore);
        (,, uint256 c) = market.position(bob);
        assertEq(c, 100e18);
        assertEq(market.totalCollateral(), 100e18);
    }

    function test_supplyCollateral_revertsOnZeroAndCap() public {
        vm.expectRevert(ILendingMarket.MarketZeroAmount.selector);
        market.supplyCollateral(0, bob);
        MarketParams memory p = defaultParams();
        p.collateralCap = 10e18;
        vm.prank(admin);
        market.setParams(p);
        vm.expectRevert(
            abi.encodeWithSelector(ILendingMarket.MarketCollateralCapExceeded.selector, 11e18, 10e18)
        );
        market.supplyCollateral(11e18, bob);
    }

    function test_withdrawCollateral_freeWithoutDebt() public {
        openPosition(borrower, 100e18, 0);
        breaker.set(false, 0, false); // no debt: the breaker has no say
        vm.prank(borrower);
        market.withdrawCollateral(100e18, bob);
        assertEq(vault.balanceOf(bob), 100e18);
    }

    function test_withdrawCollateral_keepsMaxLtvAtBorrowPrice() public {
        openPosition(borrower, 100e18, 50e18);
        oracle.setPrices(0.8e18, 1e18); // borrow price is the conservative one
        vm.prank(borrower);
        market.withdrawCollateral(10e18, borrower); // 90 × 0.8 × 0.7 = 50.4 ≥ 50
        vm.prank(borrower);
        vm.expectRevert(
            abi.encodeWithSelector(
                ILendingMarket.MarketInsufficientCollateral.selector, borrower, 50e18, 49.84e18
            )
        );
        market.withdrawCollateral(1e18, borrower);
    }

    function test_withdrawCollateral_blockedWhenBorrowsClosed() public {
        _expectBorrowsClosed(10e18);
        market.withdrawCollateral(1e18, borrower);
    }

    function test_withdrawCollateral_revertsOnBadInput() public {
        vm.expectRevert(ILendingMarket.MarketZeroAmount.selector);
        market.withdrawCollateral(0, bob);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(ILendingMarket.MarketInsufficientBalance.selector, bob, 1, 0));
        market.withdrawCollateral(1, bob);
    }

    // ---------------------------------------------------------------- borrow / repay

    function test_borrow_upToMaxLtv() public {
        openPosition(borrower, 100e18, 0);
        vm.expectEmit(address(market));
        emit ILendingMarket.Borrow(borrower, bob, 70e18, 70e18 * 1e6);
        vm.prank(borrower);
        uint256 shares = market.borrow(70e18, bob);
        assertEq(shares, 70e18 * 1e6);
        assertEq(usd.balanceOf(bob), 70e18);
        assertEq(market.debtOf(borrower), 70e18);
        vm.prank(borrower);
        vm.expectRevert(
            abi.encodeWithSelector(
                ILendingMarket.MarketInsufficientCollateral.selector, borrower, 70e18 + 1, 70e18
            )
        );
        market.borrow(1, borrower);
    }

    function test_borrow_closedByBreakerOrZeroBorrowPrice() public {
        _expectBorrowsClosed(0);
        market.borrow(1e18, borrower);
        breaker.set(true, type(uint256).max, false);
        oracle.setPrices(0, 1e18);
        vm.prank(borrower);
        vm.expectRevert(
            abi.encodeWithSelector(ILendingMarket.MarketInsufficientCollateral.selector, borrower, 1e18, 0)
        );
        market.borrow(1e18, borrower);
    }

    function test_borrow_revertsOnCapLiquidityAndZero() public {
        openPosition(borrower, 10_000_000e18, 0);
        vm.startPrank(borrower);
        vm.expectRevert(ILendingMarket.MarketZeroAmount.selector);
        market.borrow(0, borrower);
        vm.expectRevert(ILendingMarket.MarketZeroAddress.selector);
        market.borrow(1, address(0));
        vm.expectRevert(
            abi.encodeWithSelector(
                ILendingMarket.MarketInsufficientLiquidity.selector, 1_000_001e18, 1_000_000e18
            )
        );
        market.borrow(1_000_001e18, borrower);
        vm.stopPrank();
        MarketParams memory p = defaultParams();
        p.borrowCap = 5e18;
        vm.prank(admin);
        market.setParams(p);
        vm.prank(borrower);
        vm.expectRevert(abi.encodeWithSelector(ILendingMarket.MarketBorrowCapExceeded.selector, 6e18, 5e18));
        market.borrow(6e18, borrower);
    }

    function test_repay_byAssetsAndSharesNeverConsultsBreaker() public {
        openPosition(borrower, 100e18, 50e18);
        breaker.set(false, 0, false);
        uint256 callsBefore = breaker.calls();
        mintUsd(bob, 100e18);
        vm.startPrank(bob);
        usd.approve(address(market), type(uint256).max);
        (uint256 a, uint256 s) = market.repay(20e18, 0, borrower);
        assertEq(a, 20e18);
        assertEq(s, 20e18 * 1e6);
        (a,) = market.repay(0, 30e18 * 1e6, borrower);
        assertEq(a, 30e18);
        vm.stopPrank();
        assertEq(market.debtOf(borrower), 0);
        assertEq(breaker.calls(), callsBefore);
    }

    function test_repay_overpayInAssetsCapsAtDebt() public {
        openPosition(borrower, 100e18, 50e18);
        vm.warp(block.timestamp + 30 days);
        uint256 debt = market.debtOf(borrower);
        mintUsd(bob, 100e18);
        vm.startPrank(bob);
        usd.approve(address(market), type(uint256).max);
        (uint256 a,) = market.repay(100e18, 0, borrower);
        vm.stopPrank();
        assertEq(a, debt);
        assertEq(market.debtOf(borrower), 0);
    }

    function test_repay_revertsOnBadInput() public {
        vm.expectRevert(abi.encodeWithSelector(ILendingMarket.MarketInconsistentInput.selector, 0, 0));
        market.repay(0, 0, bob);
        vm.expectRevert(abi.encodeWithSelector(ILendingMarket.MarketInsufficientBalance.selector, bob, 5, 0));
        market.repay(0, 5, bob);
        vm.expectRevert(ILendingMarket.MarketZeroAmount.selector);
        market.repay(1e18, 0, bob); // no debt: nothing to repay
    }

    // ---------------------------------------------------------------- interest

    function test_accrueInterest_splitsToReserves() public {
        openPosition(borrower, 2_000_000e18, 800_000e18); // utilization 80%: the kink
        vm.warp(block.timestamp + 365 days);
        market.accrueInterest();
        // 10%/yr at the kink, compounded for a year ≈ 10.5%; 10% of it to reserves.
        uint256 interest = market.totalBorrowAssets() - 800_000e18;
        assertApproxEqRel(interest, 84_136e18, 0.002e18);
        assertApproxEqAbs(market.totalReserves(), interest / 10, 1);
        assertEq(market.totalSupplyAssets(), 1_000_000e18 + interest - market.totalReserves());
    }

    function test_withdrawReserves_onlyAdminAndBounded() public {
        openPosition(borrower, 2_000_000e18, 500_000e18);
        vm.warp(block.timestamp + 365 days);
        market.accrueInterest();
        uint256 reserves = market.totalReserves();
        expectUnauthorized(bob, bytes32(0));
        vm.prank(bob);
        market.withdrawReserves(1, bob);
        vm.prank(admin);
        vm.expectRevert(
            abi.encodeWithSelector(
                ILendingMarket.MarketInsufficientBalance.selector, address(market), reserves + 1, reserves
            )
        );
        market.withdrawReserves(reserves + 1, admin);
        vm.prank(admin);
        market.withdrawReserves(reserves, admin);
        assertEq(usd.balanceOf(admin), reserves);
        assertEq(market.totalReserves(), 0);
    }

    // ---------------------------------------------------------------- liquidation

    function test_liquidate_partialWithCloseFactorAndIncentive() public {
        openPosition(borrower, 100e18, 70e18);
        oracle.setPrice(0.8e18); // 100 × 0.8 × 0.8 = 64 < 70
        uint256 lif = market.liquidationIncentiveFactor();
        uint256 expectedSeized = uint256(35e18) * lif / WAD * WAD / 0.8e18;
        vm.prank(liquidator);
        (uint256 repaid, uint256 seized) = market.liquidate(borrower, 100e18, 0);
        assertEq(repaid, 35e18, "close factor 50%");
        assertApproxEqAbs(seized, expectedSeized, 2);
        assertEq(vault.balanceOf(liquidator), seized);
        assertEq(market.debtOf(borrower), 35e18);
        assertEq(breaker.seizedTotal(), 0, "an unlimited allowance has no budget to tell");
    }

    /// @dev A finite budget (a restricted breaker) is consumed by what fast liquidation seizes.
    function test_liquidate_tellsBreakerWhatAFiniteBudgetSeized() public {
        openPosition(borrower, 100e18, 70e18);
        oracle.setPrice(0.8e18);
        breaker.set(true, 1000e18, false);
        vm.prank(liquidator);
        (, uint256 seized) = market.liquidate(borrower, 100e18, 0);
        assertEq(breaker.seizedTotal(), seized);
        assertEq(breaker.fastSeizable(), 1000e18 - seized);
    }

    function test_liquidate_revertsOnHealthyPosition() public {
        openPosition(borrower, 100e18, 60e18);
        uint256 hf = market.healthFactor(borrower);
        vm.prank(liquidator);
        vm.expectRevert(abi.encodeWithSelector(ILendingMarket.MarketPositionHealthy.selector, borrower, hf));
        market.liquidate(borrower, 1e18, 0);
    }

    function test_liquidate_revertsOnNoDebtZeroAndMinSeized() public {
        vm.prank(liquidator);
        vm.expectRevert(abi.encodeWithSelector(ILendingMarket.MarketNoDebt.selector, bob));
        market.liquidate(bob, 1e18, 0);
        vm.expectRevert(ILendingMarket.MarketZeroAmount.selector);
        market.liquidate(bob, 0, 0);
        openPosition(borrower, 100e18, 70e18);
        oracle.setPrice(0.5e18);
        vm.prank(liquidator);
        vm.expectPartialRevert(ILendingMarket.MarketSeizedBelowMinimum.selector);
        market.liquidate(borrower, 1e18, 100e18);
    }

    function test_liquidate_revertsOnZeroPrice() public {
        openPosition(borrower, 100e18, 70e18);
        oracle.setPrice(0); // an oracle failure must not give collateral away
        vm.prank(liquidator);
        vm.expectRevert(ILendingMarket.MarketZeroPrice.selector);
        market.liquidate(borrower, 1e18, 0);
        address[] memory who = new address[](1);
        who[0] = borrower;
        assertEq(market.positionsHealth(who)[0].seizable, 0);
    }

    function test_liquidate_throttledByBreaker() public {
        openPosition(borrower, 100e18, 70e18);
        oracle.setPrice(0.8e18);
        breaker.set(true, 10e18, true);
        vm.prank(liquidator);
        vm.expectPartialRevert(ILendingMarket.MarketLiquidationThrottled.selector);
        market.liquidate(borrower, 35e18, 0);
        vm.prank(liquidator);
        (, uint256 seized) = market.liquidate(borrower, 7e18, 0);
        assertLe(seized, 10e18);
        assertEq(breaker.fastSeizable(), 10e18 - seized);
    }

    function test_liquidate_dustClosesWholePosition() public {
        openPosition(borrower, 2e18, 1.4e18);
        oracle.setPrice(0.8e18); // remaining 0.7 < dust 1
        vm.prank(liquidator);
        (uint256 repaid,) = market.liquidate(borrower, 10e18, 0);
        assertEq(repaid, 1.4e18);
        assertEq(market.debtOf(borrower), 0);
    }

    function test_liquidate_realizesBadDebtReservesFirst() public {
        MarketParams memory p = defaultParams();
        p.closeFactor = 1e18;
        vm.prank(admin);
        market.setParams(p);
        openPosition(borrower, 100e18, 70e18);
        openPosition(bob, 1_000_000e18, 600_000e18);
        vm.warp(block.timestamp + 365 days); // build reserves
        market.accrueInterest();
        uint256 reserves = market.totalReserves();
        uint256 supplyBefore = market.totalSupplyAssets();
        oracle.setPrice(0.3e18); // 100 × 0.3 = 30 of collateral against ~77 of debt
        uint256 debt = market.debtOf(borrower);
        vm.prank(liquidator);
        (uint256 repaid, uint256 seized) = market.liquidate(borrower, debt, 0);
        assertEq(seized, 100e18);
        uint256 bad = debt - repaid;
        assertApproxEqAbs(market.totalBadDebt(), bad, 2);
        uint256 fromReserves = bad < reserves ? bad : reserves;
        assertApproxEqAbs(market.totalReserves(), reserves - fromReserves, 2);
        assertApproxEqAbs(market.totalSupplyAssets(), supplyBefore - (bad - fromReserves), 2);
        (, uint256 shares, uint256 coll) = market.position(borrower);
        assertEq(shares + coll, 0);
    }

    // ---------------------------------------------------------------- views

    function test_positionsHealth_batch() public {
        openPosition(borrower, 100e18, 70e18);
        openPosition(bob, 100e18, 10e18);
        oracle.setPrice(0.8e18);
        address[] memory who = new address[](3);
        (who[0], who[1], who[2]) = (borrower, bob, keeper);
        PositionHealth[] memory h = market.positionsHealth(who);
        assertTrue(h[0].liquidatable);
        assertEq(h[0].maxRepay, 35e18);
        assertEq(h[0].healthFactor, uint256(64e18) * WAD / 70e18);
        assertFalse(h[1].liquidatable);
        assertEq(h[1].maxRepay, 0);
        assertEq(h[2].healthFactor, type(uint256).max);
        vm.prank(liquidator);
        (, uint256 seized) = market.liquidate(borrower, h[0].maxRepay, 0);
        assertApproxEqAbs(seized, h[0].seizable, 1);
    }

    // ---------------------------------------------------------------- halts: confirmed losses only

    /// @dev While the breaker admits only confirmed losses the price counts no lower than the NAV
    ///      anchor: a market move alone liquidates nothing, a NAV markdown does, within the throttle.
    function test_liquidate_whileConfirmedOnlyUsesNavAnchorWithinThrottle() public {
        openPosition(bob, 1000e18, 600e18); // unhealthy at 0.7, healthy at 0.85
        openPosition(borrower, 1000e18, 690e18); // unhealthy at 0.85
        oracle.setPrices(0.7e18, 0.7e18);
        oracle.setAnchorPrice(0.85e18);
        breaker.set(false, 100e18, true);
        vm.prank(liquidator);
        vm.expectRevert(
            abi.encodeWithSelector(
                ILendingMarket.MarketPositionHealthy.selector, bob, uint256(680e18) * WAD / 600e18
            )
        );
        market.liquidate(bob, 10e18, 0);
        vm.prank(liquidator);
        (uint256 repaid, uint256 seized) = market.liquidate(borrower, 50e18, 0);
        assertEq(repaid, 50e18);
        assertApproxEqAbs(
            seized, uint256(50e18) * market.liquidationIncentiveFactor() / 0.85e18, 1, "at the anchor"
        );
        vm.prank(liquidator);
        vm.expectPartialRevert(ILendingMarket.MarketLiquidationThrottled.selector);
        market.liquidate(borrower, 300e18, 0);
    }

    function test_positionsHealth_whileConfirmedOnlyUsesNavAnchor() public {
        openPosition(bob, 1000e18, 600e18);
        oracle.setPrices(0.7e18, 0.7e18);
        oracle.setAnchorPrice(0.85e18);
        address[] memory who = new address[](1);
        who[0] = bob;
        assertTrue(market.positionsHealth(who)[0].liquidatable, "unrestricted: the market price counts");
        breaker.set(false, 100e18, true);
        PositionHealth memory h = market.positionsHealth(who)[0];
        assertFalse(h.liquidatable, "halted: only a confirmed loss counts");
        assertEq(h.healthFactor, uint256(680e18) * WAD / 600e18);
        assertEq(market.healthFactor(bob), h.healthFactor);
    }

    /// @dev The borrower holds 100 shares of collateral against `debt` and the breaker closes
    ///      borrows: the borrower's next call must revert with `MarketBorrowsClosed`.
    function _expectBorrowsClosed(uint256 debt) internal {
        openPosition(borrower, 100e18, debt);
        breaker.set(false, type(uint256).max, false);
        vm.prank(borrower);
        vm.expectRevert(ILendingMarket.MarketBorrowsClosed.selector);
    }

    /// @dev The admin's `setParams(p)` reverts: `name` = `value` is outside [`min`, `max`].
    function _setParamsReverts(MarketParams memory p, bytes32 name, uint256 value, uint256 min, uint256 max)
        internal
    {
        vm.prank(admin);
        expectOutOfBounds(ILendingMarket.MarketParameterOutOfBounds.selector, name, value, min, max);
        market.setParams(p);
    }
}
