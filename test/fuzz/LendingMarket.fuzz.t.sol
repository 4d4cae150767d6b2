// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Fixture} from "../utils/Fixture.sol";
import {LendingMarket} from "../../contracts/LendingMarket.sol";
import {RedeemToRepayMarket} from "../../contracts/RedeemToRepayMarket.sol";
import {ILendingMarket, MarketParams} from "../../contracts/interfaces/ILendingMarket.sol";
import {WAD} from "../../contracts/libraries/WadMath.sol";

contract LendingMarketFuzzTest is Fixture {
    function setUp() public override {
        super.setUp();
        supplyLiquidity(lender, 1e27);
        mintUsd(liquidator, 1e28);
        vm.prank(liquidator);
        usd.approve(address(market), type(uint256).max);
    }

    /// @dev Opens the borrower's position at most at maxLtv of its collateral.
    function _openHealthyPosition(uint256 collateral, uint256 ltvPct) internal returns (uint256) {
        collateral = bound(collateral, 1e18, 1e25);
        uint256 debt = collateral * 0.7e18 / WAD * bound(ltvPct, 1, 100) / 100;
        openPosition(borrower, collateral, debt == 0 ? 1 : debt);
        return collateral;
    }

    function testFuzz_supplyWithdraw_roundTripNeverProfits(uint256 assets, uint256 elapsed) public {
        assets = bound(assets, 1, 1e27);
        elapsed = bound(elapsed, 0, 365 days);
        supplyLiquidity(keeper, assets);
        vm.warp(block.timestamp + elapsed);
        (uint256 shares,,) = market.position(keeper);
        vm.prank(keeper);
        (uint256 out,) = market.withdraw(0, shares, keeper);
        assertLe(out, assets, "no borrows: no interest, and rounding favours the market");
    }

    function testFuzz_borrow_neverBeyondMaxLtv(uint256 collateral, uint256 amount, uint256 price) public {
        collateral = bound(collateral, 1e18, 1e25);
        price = bound(price, 0.01e18, 10e18);
        oracle.setPrices(price, price);
        openPosition(borrower, collateral, 0);
        uint256 maxDebt = collateral * price / WAD * 0.7e18 / WAD;
        amount = bound(amount, 1, maxDebt * 2 + 1);
        vm.prank(borrower);
        try market.borrow(amount, borrower) {
            assertLe(market.debtOf(borrower), maxDebt);
        } catch (bytes memory reason) {
            assertGt(amount, maxDebt > 0 ? maxDebt - 1 : 0);
            assertEq(bytes4(reason), ILendingMarket.MarketInsufficientCollateral.selector);
        }
    }

    function testFuzz_repay_alwaysSucceedsForValidAmount(
        uint256 collateral,
        uint256 ltvPct,
        uint256 frac,
        uint256 elapsed
    ) public {
        _openHealthyPosition(collateral, ltvPct);
        vm.warp(block.timestamp + bound(elapsed, 0, 365 days));
        breaker.set(false, 0, false); // the breaker at its worst must not matter
        oracle.setPrices(0, 0);
        uint256 debt = market.debtOf(borrower);
        uint256 amount = bound(frac, 1, debt);
        mintUsd(borrower, amount);
        vm.startPrank(borrower);
        usd.approve(address(market), amount);
        market.repay(amount, 0, borrower);
        vm.stopPrank();
        assertApproxEqAbs(market.debtOf(borrower), debt - amount, 2);
    }

    function testFuzz_liquidate_onlyUnhealthyAndBoundedByCloseFactor(
        uint256 collateral,
        uint256 ltvPct,
        uint256 drop,
        uint256 repay
    ) public {
        uint256 collBefore = _openHealthyPosition(collateral, ltvPct);
        uint256 price = 1e18 * bound(drop, 10, 100) / 100;
        oracle.setPrice(price);
        uint256 debt = market.debtOf(borrower);
        bool healthy = market.healthFactor(borrower) >= WAD;
        repay = bound(repay, 1, debt * 2);
        vm.prank(liquidator);
        try market.liquidate(borrower, repay, 0) returns (uint256 repaid, uint256 seized) {
            assertFalse(healthy, "healthy position liquidated");
            assertLe(repaid, debt);
            if (debt - debt / 2 >= 1e18) assertLe(repaid, debt / 2 + 1, "close factor");
            // Seized value at the incentive never exceeds repaid × LIF (rounding favours the market).
            assertLe(seized * price / WAD, repaid * market.liquidationIncentiveFactor() / WAD + 1);
            (,, uint256 cAfter) = market.position(borrower);
            assertEq(cAfter, collBefore - seized);
        } catch (bytes memory reason) {
            assertTrue(healthy || bytes4(reason) == ILendingMarket.MarketZeroAmount.selector);
        }
    }

    function testFuzz_accrue_interestSplitsExactly(uint256 ltvPct, uint256 elapsed, uint256 reserveFactor)
        public
    {
        MarketParams memory p = defaultParams();
        p.reserveFactor = bound(reserveFactor, 0, 0.5e18);
        vm.prank(admin);
        market.setParams(p);
        openPosition(borrower, 1e27, 1e27 * 0.7e18 / WAD * bound(ltvPct, 1, 100) / 100);
        uint256 supplyBefore = market.totalSupplyAssets();
        uint256 borrowBefore = market.totalBorrowAssets();
        vm.warp(block.timestamp + bound(elapsed, 1, 3 * 365 days));
        market.accrueInterest();
        uint256 interest = market.totalBorrowAssets() - borrowBefore;
        assertEq(market.totalSupplyAssets() - supplyBefore + market.totalReserves(), interest);
        assertEq(market.totalReserves(), interest * p.reserveFactor / WAD);
    }

    function testFuzz_lif_withinBounds(uint256 lltv) public {
        MarketParams memory p = defaultParams();
        p.lltv = bound(lltv, 0.05e18, 0.98e18);
        p.maxLtv = p.lltv - 0.02e18 < 0.01e18 ? 0.01e18 : p.lltv - 0.02e18;
        // lltv is fixed per market: a market per value.
        LendingMarket m = new LendingMarket(usd, vault, oracle, breaker, rates, admin, p);
        uint256 lif = m.liquidationIncentiveFactor();
        assertGe(lif, 1e18);
        assertLe(lif, 1.15e18);
    }
}

/// @notice The slow path under random positions, keeper fees, NAV moves, gates, repayments and
///         top-ups: cash is conserved exactly every round, the borrower is paid only once the debt
///         is clear, and nothing is written off while the borrower holds collateral.
contract RedeemToRepayMarketFuzzTest is Fixture {
    RedeemToRepayMarket internal rtr;
    address internal holder = makeAddr("holder");

    function setUp() public override {
        super.setUp();
        rtr = deploySlowPathMarket(1e27);
    }

    struct Case {
        uint256 collateral;
        uint256 ltvPct;
        uint256 keeperFee;
        uint256 nav;
        uint256 gate;
        uint256 repayPct;
        uint256 topUp;
    }

    function testFuzz_slowPath_conservesCashAndPaysSurplusOnlyAfterDebt(Case memory k) public {
        k.collateral = bound(k.collateral, 10e18, 1e24);
        k.ltvPct = bound(k.ltvPct, 50, 100);
        MarketParams memory p = defaultParams();
        p.keeperFee = bound(k.keeperFee, 0, 0.05e18);
        vm.prank(admin);
        rtr.setParams(p);
        uint256 debt = k.collateral * 0.7e18 / WAD * k.ltvPct / 100;
        openPositionOn(rtr, borrower, k.collateral, debt);
        mintShares(holder, k.collateral / 5); // the gate is a share of all holders' supply
        // Unhealthy at the oracle: the slow path opens under a restricting breaker.
        oracle.setPrice(debt * WAD / (k.collateral * 0.8e18 / WAD) * 99 / 100);
        breaker.set(false, 0, true);
        vm.prank(keeper);
        uint256 id = rtr.slowLiquidate(borrower);

        vm.warp(block.timestamp + 1 hours);
        k.nav = bound(k.nav, 0.5e18, 1.2e18);
        vm.prank(admin);
        vault.setMaxNavMove(0.5e18);
        vm.prank(reporter);
        vault.reportNav(k.nav, uint64(block.timestamp));
        vm.prank(admin);
        vault.setGate(bound(k.gate, 0.05e18, 1e18));
        k.repayPct = bound(k.repayPct, 0, 100);
        if (k.repayPct > 0) {
            uint256 amount = rtr.debtOf(borrower) * k.repayPct / 100 + 1;
            mintUsd(borrower, amount);
            vm.prank(borrower);
            rtr.repay(amount, 0, borrower);
        }
        k.topUp = bound(k.topUp, 0, k.collateral);
        if (k.topUp > 0) {
            mintShares(borrower, k.topUp * k.nav / WAD + 1);
            uint256 shares = vault.balanceOf(borrower);
            vm.prank(borrower);
            rtr.supplyCollateral(shares, borrower); // never blocked, even in the slow path
        }

        vm.warp(block.timestamp + EPOCH + NOTICE);
        refillVault(k.collateral * 2);
        uint256 paid = usd.balanceOf(borrower);
        for (uint256 round; round < 100 && !rtr.slowLiquidation(id).closed; ++round) {
            vault.settle();
            rtr.settleSlowLiquidation(id);
            assertEq(
                usd.balanceOf(address(rtr)),
                rtr.totalSupplyAssets() + rtr.totalReserves() - rtr.totalBorrowAssets(),
                "cash identity, every round"
            );
            if (usd.balanceOf(borrower) > paid) {
                assertEq(rtr.debtOf(borrower), 0, "surplus before the debt cleared");
            }
            paid = usd.balanceOf(borrower);
            vm.warp(block.timestamp + EPOCH);
        }
        assertTrue(rtr.slowLiquidation(id).closed, "closes");
        (,, uint256 left) = rtr.position(borrower);
        if (rtr.totalBadDebt() > 0) assertEq(left, 0, "write-off while the borrower keeps collateral");
        if (left == 0) assertEq(rtr.debtOf(borrower), 0, "debt without collateral left unrealized");
        (bool active,) = rtr.slowLiquidationOf(borrower);
        assertFalse(active);
    }
}
