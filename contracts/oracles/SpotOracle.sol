// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICollateralOracle} from "../interfaces/ICollateralOracle.sol";
import {IConstantProductPool} from "../interfaces/IConstantProductPool.sol";

/// @title SpotOracle
/// @notice Naive baseline: both prices are the AMM's instantaneous price.
/// @dev Deliberately unsafe. One trade in a thin pool moves it, so a rumour seller can push
///      positions into liquidation and an attacker can borrow against a pumped price. It exists so
///      that the lab can measure what the conservative oracle changes. Constructor: (pool).
contract SpotOracle is ICollateralOracle {
    IConstantProductPool public immutable pool;

    constructor(IConstantProductPool pool_) {
        pool = pool_;
    }

    /// @inheritdoc ICollateralOracle
    function borrowPrice() external view returns (uint256) {
        return pool.spotPrice();
    }

    /// @inheritdoc ICollateralOracle
    function liquidationPrice() external view returns (uint256) {
        return pool.spotPrice();
    }

    /// @inheritdoc ICollateralOracle
    /// @dev The spot price is this oracle's only input: it has no anchor apart from the market.
    function anchorPrice() external view returns (uint256) {
        return pool.spotPrice();
    }
}
