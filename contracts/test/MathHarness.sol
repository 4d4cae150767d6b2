// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {WadMath} from "../libraries/WadMath.sol";
import {SharesMath} from "../libraries/SharesMath.sol";

/// @title MathHarness
/// @notice Test only, never deployed by the scripts: the math libraries' internal functions as
///         external calls, so the Rust copies (`breakwater_agents::math`) can be checked against
///         them on a grid (`crates/agents/tests/math_vs_contracts.rs`).
contract MathHarness {
    function mulDivDown(uint256 x, uint256 y, uint256 d) external pure returns (uint256) {
        return WadMath.mulDivDown(x, y, d);
    }

    function mulDivUp(uint256 x, uint256 y, uint256 d) external pure returns (uint256) {
        return WadMath.mulDivUp(x, y, d);
    }

    function mulWadDown(uint256 x, uint256 y) external pure returns (uint256) {
        return WadMath.mulWadDown(x, y);
    }

    function mulWadUp(uint256 x, uint256 y) external pure returns (uint256) {
        return WadMath.mulWadUp(x, y);
    }

    function divWadDown(uint256 x, uint256 y) external pure returns (uint256) {
        return WadMath.divWadDown(x, y);
    }

    function divWadUp(uint256 x, uint256 y) external pure returns (uint256) {
        return WadMath.divWadUp(x, y);
    }

    function toAssetsUp(uint256 shares, uint256 totalAssets, uint256 totalShares)
        external
        pure
        returns (uint256)
    {
        return SharesMath.toAssetsUp(shares, totalAssets, totalShares);
    }

    function toSharesDown(uint256 assets, uint256 totalAssets, uint256 totalShares)
        external
        pure
        returns (uint256)
    {
        return SharesMath.toSharesDown(assets, totalAssets, totalShares);
    }
}
