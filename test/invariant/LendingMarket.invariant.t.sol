// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Fixture} from "../utils/Fixture.sol";
import {MarketHandler} from "./handlers/MarketHandler.sol";

contract LendingMarketInvariantTest is Fixture {
    MarketHandler internal handler;

    function setUp() public override {
        super.setUp();
        handler = new MarketHandler(market, usd, vault, oracle, admin);
        vm.startPrank(admin);
        usd.grantRole(usd.MINTER_ROLE(), address(handler));
        vm.stopPrank();
        targetContract(address(handler));
    }

    /// @dev Loan-token cash covers what lenders and reserves are owed beyond the loans out.
    function invariant_cashCoversSupplyAndReserves() public view {
        uint256 cash = usd.balanceOf(address(market));
        assertGe(
            market.totalSupplyAssets() + market.totalReserves(),
            market.totalBorrowAssets(),
            "supplied >= borrowed"
        );
        assertGe(
            cash + market.totalBorrowAssets(),
            market.totalSupplyAssets() + market.totalReserves(),
            "cash identity"
        );
        assertLe(
            cash + market.totalBorrowAssets(),
            market.totalSupplyAssets() + market.totalReserves() + 10,
            "no cash lost"
        );
    }

    function invariant_shareSumsEqualTotals() public view {
        address[] memory actors = handler.allActors();
        uint256 supplyShares;
        uint256 borrowShares;
        uint256 collateral;
        for (uint256 i; i < actors.length; ++i) {
            (uint256 s, uint256 b, uint256 c) = market.position(actors[i]);
            (supplyShares, borrowShares, collateral) = (supplyShares + s, borrowShares + b, collateral + c);
        }
        assertEq(supplyShares, market.totalSupplyShares(), "supply shares");
        assertEq(borrowShares, market.totalBorrowShares(), "borrow shares");
        assertEq(collateral, market.totalCollateral(), "collateral");
        assertEq(vault.balanceOf(address(market)), market.totalCollateral(), "collateral held");
    }

    function invariant_noHealthyPositionLiquidated() public view {
        assertEq(handler.ghostHealthyLiquidated(), 0);
    }

    /// @dev Every collateral unit is accounted for: in = out + seized + still held.
    function invariant_collateralConserved() public view {
        assertEq(
            handler.ghostCollateralIn(),
            handler.ghostCollateralOut() + handler.ghostSeized() + market.totalCollateral(),
            "collateral in = out + seized + held"
        );
    }

    function invariant_badDebtMatchesGhost() public view {
        assertEq(market.totalBadDebt(), handler.ghostBadDebt());
    }
}
