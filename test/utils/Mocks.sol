// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICollateralOracle} from "../../contracts/interfaces/ICollateralOracle.sol";
import {ICircuitBreaker} from "../../contracts/interfaces/ICircuitBreaker.sol";

/// @notice An oracle whose two prices the test sets.
contract MockOracle is ICollateralOracle {
    uint256 public borrowPrice;
    uint256 public liquidationPrice;
    uint256 public anchorPrice;

    constructor(uint256 price) {
        (borrowPrice, liquidationPrice, anchorPrice) = (price, price, price);
    }

    function setPrices(uint256 borrow_, uint256 liquidation_) external {
        (borrowPrice, liquidationPrice) = (borrow_, liquidation_);
    }

    function setAnchorPrice(uint256 anchor) external {
        anchorPrice = anchor;
    }

    function setPrice(uint256 price) external {
        (borrowPrice, liquidationPrice, anchorPrice) = (price, price, price);
    }
}

/// @notice A breaker whose answers the test sets; it records what the market told it.
contract MockBreaker is ICircuitBreaker {
    bool public allowBorrow = true;
    uint256 public fastSeizable = type(uint256).max;
    bool public confirmedOnly;
    uint256 public seizedTotal;
    uint256 public calls;

    function set(bool allowBorrow_, uint256 fastSeizable_, bool confirmedOnly_) external {
        (allowBorrow, fastSeizable, confirmedOnly) = (allowBorrow_, fastSeizable_, confirmedOnly_);
    }

    function borrowAllowed() external returns (bool) {
        ++calls;
        return allowBorrow;
    }

    function liquidationAllowance() external returns (uint256, bool) {
        ++calls;
        return (fastSeizable, confirmedOnly);
    }

    /// @dev Consumes `seize` where the real breaker would: a finite budget, no confirmation needed.
    function liquidationAllowanceAt(uint256, uint256 seize) external returns (uint256 seizable, bool) {
        ++calls;
        seizable = fastSeizable;
        if (seizable != type(uint256).max && !confirmedOnly && seize <= seizable) {
            seizedTotal += seize;
            fastSeizable -= seize;
        }
        return (seizable, confirmedOnly);
    }

    function onFastLiquidation(uint256 collateral) external {
        seizedTotal += collateral;
        if (fastSeizable != type(uint256).max) fastSeizable -= collateral;
    }

    function previewBorrowAllowed() external view returns (bool) {
        return allowBorrow;
    }

    function previewLiquidationAllowance() external view returns (uint256, bool) {
        return (fastSeizable, confirmedOnly);
    }
}
