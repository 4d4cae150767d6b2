// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IRateModel} from "./interfaces/IRateModel.sol";
import {WAD, WadMath} from "./libraries/WadMath.sol";

/// @title KinkedRateModel
/// @notice Jump-rate model: the rate rises gently up to the kink utilization, then steeply, so
///         that lenders are paid to leave liquidity idle exactly when a run on it would hurt.
/// @dev Constructor: (baseRatePerYear, slope1PerYear, slope2PerYear, kink), all 1e18-scaled and
///      immutable; a market that wants another curve deploys another model.
contract KinkedRateModel is IRateModel {
    using WadMath for uint256;

    error RateModelParameterOutOfBounds(bytes32 name, uint256 value, uint256 max);

    uint256 public constant SECONDS_PER_YEAR = 365 days;
    /// @dev 1000% a year: anything above is a misconfiguration, not a rate.
    uint256 public constant MAX_RATE_PER_YEAR = 10e18;

    uint256 public immutable baseRatePerSecond;
    uint256 public immutable slope1PerSecond;
    uint256 public immutable slope2PerSecond;
    uint256 public immutable kink;

    constructor(uint256 baseRatePerYear, uint256 slope1PerYear, uint256 slope2PerYear, uint256 kink_) {
        if (baseRatePerYear > MAX_RATE_PER_YEAR) {
            revert RateModelParameterOutOfBounds("baseRate", baseRatePerYear, MAX_RATE_PER_YEAR);
        }
        if (slope1PerYear > MAX_RATE_PER_YEAR) {
            revert RateModelParameterOutOfBounds("slope1", slope1PerYear, MAX_RATE_PER_YEAR);
        }
        if (slope2PerYear > MAX_RATE_PER_YEAR) {
            revert RateModelParameterOutOfBounds("slope2", slope2PerYear, MAX_RATE_PER_YEAR);
        }
        if (kink_ == 0 || kink_ >= WAD) revert RateModelParameterOutOfBounds("kink", kink_, WAD - 1);
        baseRatePerSecond = baseRatePerYear / SECONDS_PER_YEAR;
        slope1PerSecond = slope1PerYear / SECONDS_PER_YEAR;
        slope2PerSecond = slope2PerYear / SECONDS_PER_YEAR;
        kink = kink_;
    }

    /// @notice Utilization = borrowed / supplied, capped at 100%.
    function utilization(uint256 totalSupplyAssets, uint256 totalBorrowAssets) public pure returns (uint256) {
        if (totalSupplyAssets == 0) return 0;
        return totalBorrowAssets.divWadDown(totalSupplyAssets).min(WAD);
    }

    /// @inheritdoc IRateModel
    function borrowRatePerSecond(uint256 totalSupplyAssets, uint256 totalBorrowAssets)
        external
        view
        returns (uint256)
    {
        uint256 u = utilization(totalSupplyAssets, totalBorrowAssets);
        if (u <= kink) return baseRatePerSecond + slope1PerSecond.mulWadDown(u.divWadDown(kink));
        return
            baseRatePerSecond + slope1PerSecond
                + slope2PerSecond.mulWadDown((u - kink).divWadDown(WAD - kink));
    }
}
