// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SafeguardedFixture} from "../utils/SafeguardedFixture.sol";
import {SafeguardedHandler} from "./handlers/SafeguardedHandler.sol";

/// @notice Oracle and breaker in the loop with the market, vault and pool.
contract SafeguardedInvariantTest is SafeguardedFixture {
    SafeguardedHandler internal handler;

    function setUp() public override {
        super.setUp();
        handler = new SafeguardedHandler(
            SafeguardedHandler.World(
                usd, vault, pool, safeMarket, cOracle, cBreaker, admin, reporter, confirmer, guardian
            )
        );
        vm.startPrank(admin);
        usd.grantRole(usd.MINTER_ROLE(), address(handler));
        vault.setMaxNavMove(0.5e18);
        vm.stopPrank();
        // Lenders' liquidity.
        mintUsd(lender, 5_000_000e18);
        vm.startPrank(lender);
        usd.approve(address(safeMarket), type(uint256).max);
        safeMarket.supply(5_000_000e18, lender);
        vm.stopPrank();
        targetContract(address(handler));
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
        handler.reportNav(70); // −30%: unhealthy, and a level-3 decline
        handler.keeperPoke();
        handler.liquidate(0, 50);
        assertEq(handler.ghostFastLiquidations(), 0, "halted");
        handler.slowLiquidate(1);
        assertEq(handler.ghostSlowLiquidations(), 1);
        handler.warp(8 hours); // halt expired (6 h) and grace over (1 h)
        handler.keeperPoke();
        handler.liquidate(2, 50);
        assertEq(handler.ghostFastLiquidations(), 1);
        vm.warp(block.timestamp + 32 days);
        handler.settleSlow(0, 100_000e18);
        invariant_marketAccountingHolds();
    }

    function invariant_noFastLiquidationWhileHaltedOrInGrace() public view {
        assertEq(handler.ghostFastWhileBlocked(), 0);
    }

    function invariant_throttleNeverExceeded() public view {
        assertEq(handler.ghostThrottleBreaches(), 0);
    }

    function invariant_repayNeverReverts() public view {
        assertEq(handler.ghostRepayReverts(), 0);
    }

    function invariant_marketAccountingHolds() public view {
        assertGe(safeMarket.totalSupplyAssets() + safeMarket.totalReserves(), safeMarket.totalBorrowAssets());
        uint256 cash = usd.balanceOf(address(safeMarket));
        assertGe(
            cash + safeMarket.totalBorrowAssets(), safeMarket.totalSupplyAssets() + safeMarket.totalReserves()
        );
        uint256 collateral;
        for (uint256 i; i < handler.borrowerCount(); ++i) {
            (,, uint256 c) = safeMarket.position(handler.borrowers(i));
            collateral += c;
        }
        assertEq(collateral, safeMarket.totalCollateral());
        assertEq(vault.balanceOf(address(safeMarket)), safeMarket.totalCollateral());
    }
}
