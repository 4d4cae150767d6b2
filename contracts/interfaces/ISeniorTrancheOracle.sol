// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICollateralOracle} from "./ICollateralOracle.sol";
import {ITrancheVault} from "./ITrancheVault.sol";

/// @title ISeniorTrancheOracle
/// @notice Prices a TrancheVault's senior token for a LendingMarket from the constituents' own
///         oracles: basket value at their prices (a constituent under review cut by an extra
///         haircut), stressed by a further fraction, then the waterfall:
///           price = min(1, stressedBasketValue / seniorPrincipal)   (1e18-scaled; 1 = par).
interface ISeniorTrancheOracle is ICollateralOracle {
    error SeniorOracleZeroAddress();
    error SeniorOracleConstituentMismatch(uint256 oracles, uint256 constituents);
    error SeniorOracleParameterOutOfBounds(bytes32 name, uint256 value, uint256 min, uint256 max);

    /// @notice The TrancheVault whose senior token is priced.
    function tranche() external view returns (ITrancheVault);
    /// @notice The oracle pricing constituent `index`'s shares.
    function constituentOracle(uint256 index) external view returns (ICollateralOracle);
    /// @notice The fraction of basket value assumed lost beyond what the prices show.
    function stress() external view returns (uint256);
    /// @notice The extra haircut on a constituent whose NAV is under review.
    function reviewHaircut() external view returns (uint256);

    /// @notice The inputs of `borrowPrice` (`forBorrow`) or `liquidationPrice`, and the price.
    function valuation(bool forBorrow)
        external
        view
        returns (uint256 basketValue, uint256 stressedValue, uint256 seniorPrincipal, uint256 price);
}
