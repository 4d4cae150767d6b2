// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ICollateralOracle
/// @notice What a LendingMarket asks of its oracle: two prices, because the two decisions carry
///         opposite risks. Prices are loan-asset units per collateral unit, scaled by 1e18.
/// @dev Both reads are views and must be correct whether or not anyone has poked the oracle.
interface ICollateralOracle {
    /// @notice The lowest credible value of one collateral unit: used to open or increase debt
    ///         and to withdraw collateral. Zero means borrowing against this collateral is closed.
    function borrowPrice() external view returns (uint256);

    /// @notice The value of one collateral unit for liquidation: health checks and seizure.
    function liquidationPrice() external view returns (uint256);

    /// @notice The value of one collateral unit at its official anchor (NAV, with any staleness
    ///         haircut), ignoring the market: the price at which a loss counts as confirmed. While
    ///         the breaker halts, a position is liquidatable only if unhealthy at
    ///         max(liquidationPrice, anchorPrice).
    function anchorPrice() external view returns (uint256);
}
