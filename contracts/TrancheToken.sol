// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

import {ITrancheToken} from "./interfaces/ITrancheVault.sol";

/// @title TrancheToken
/// @notice One tranche of a TrancheVault: a plain 18-decimal ERC20 that only the vault mints and burns.
/// @dev Deployed by the TrancheVault's constructor, so the minter can never be anyone else.
///      Transfers are never restricted: the senior token must move freely as collateral.
contract TrancheToken is ITrancheToken, ERC20 {
    /// @inheritdoc ITrancheToken
    address public immutable vault;

    constructor(string memory name_, string memory symbol_) ERC20(name_, symbol_) {
        vault = msg.sender;
    }

    /// @inheritdoc ITrancheToken
    function mint(address to, uint256 amount) external {
        if (msg.sender != vault) revert TrancheTokenOnlyVault(msg.sender);
        _mint(to, amount);
    }

    /// @inheritdoc ITrancheToken
    function burn(address from, uint256 amount) external {
        if (msg.sender != vault) revert TrancheTokenOnlyVault(msg.sender);
        _burn(from, amount);
    }
}
