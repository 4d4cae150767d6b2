// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICollateralOracle} from "../interfaces/ICollateralOracle.sol";
import {IRwaVault} from "../interfaces/IRwaVault.sol";

/// @title NavOracle
/// @notice Naive baseline: both prices are the vault's last reported NAV, however old, whatever
///         its status.
/// @dev Deliberately unsafe. A stale NAV lets an attacker buy the token cheaply on the DEX and
///      borrow against the higher official value, and it never liquidates until the reporter
///      marks down. Constructor: (vault).
contract NavOracle is ICollateralOracle {
    IRwaVault public immutable vault;

    constructor(IRwaVault vault_) {
        vault = vault_;
    }

    /// @inheritdoc ICollateralOracle
    function borrowPrice() external view returns (uint256 nav) {
        (nav,,) = vault.navInfo();
    }

    /// @inheritdoc ICollateralOracle
    function liquidationPrice() external view returns (uint256 nav) {
        (nav,,) = vault.navInfo();
    }

    /// @inheritdoc ICollateralOracle
    function anchorPrice() external view returns (uint256 nav) {
        (nav,,) = vault.navInfo();
    }
}
