// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IRateModel
/// @notice Borrow rate of a LendingMarket as a function of its utilization.
interface IRateModel {
    /// @notice Borrow rate per second, 1e18-scaled, for the given totals.
    function borrowRatePerSecond(uint256 totalSupplyAssets, uint256 totalBorrowAssets)
        external
        view
        returns (uint256);
}
