// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICircuitBreaker} from "../interfaces/ICircuitBreaker.sol";

/// @title PermissiveBreaker
/// @notice The naive policy's breaker: allows every borrow and unlimited fast liquidation of any
///         loss, and never restricts anything (so a market's slow path never opens). It exists so
///         that naive and safeguarded markets run the same LendingMarket code with different modules.
contract PermissiveBreaker is ICircuitBreaker {
    /// @inheritdoc ICircuitBreaker
    function borrowAllowed() external pure returns (bool) {
        return true;
    }

    /// @inheritdoc ICircuitBreaker
    function liquidationAllowance() external pure returns (uint256, bool) {
        return (type(uint256).max, false);
    }

    /// @inheritdoc ICircuitBreaker
    function liquidationAllowanceAt(uint256, uint256) external pure returns (uint256, bool) {
        return (type(uint256).max, false);
    }

    /// @inheritdoc ICircuitBreaker
    /// @dev Nothing to consume: the budget is unlimited.
    function onFastLiquidation(uint256) external pure {}

    /// @inheritdoc ICircuitBreaker
    function previewBorrowAllowed() external pure returns (bool) {
        return true;
    }

    /// @inheritdoc ICircuitBreaker
    function previewLiquidationAllowance() external pure returns (uint256, bool) {
        return (type(uint256).max, false);
    }
}
