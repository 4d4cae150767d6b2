// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Fixture} from "../utils/Fixture.sol";
import {MarketHandler} from "./handlers/MarketHandler.sol";

/// @notice The base market with mock oracle and breaker. A healthy position is never liquidated:
///         the handler liquidates healthy positions under `expectPartialRevert(MarketPositionHealthy)`.
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

    /// @dev Loan-token cash is exactly what lenders and reserves are owed beyond the loans out.
    function invariant_cashIdentityExact() public view {
        assertGe(
            market.totalSupplyAssets() + market.totalReserves(),
            market.totalBorrowAssets(),
            "supplied >= borrowed"
        );
        assertEq(
            usd.balanceOf(address(market)),
            market.totalSupplyAssets() + market.totalReserves() - market.totalBorrowAssets(),
            "cash identity"
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
