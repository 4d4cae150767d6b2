// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Fixture} from "../utils/Fixture.sol";
import {VaultHandler} from "./handlers/VaultHandler.sol";

contract RwaVaultInvariantTest is Fixture {
    VaultHandler internal handler;

    function setUp() public override {
        super.setUp();
        handler = new VaultHandler(vault, usd, admin, reporter, custodian);
        vm.startPrank(admin);
        usd.grantRole(usd.MINTER_ROLE(), address(handler));
        vault.grantRole(vault.NAV_REPORTER_ROLE(), address(handler));
        vm.stopPrank();
        targetContract(address(handler));
    }

    /// @dev Share supply = what holders have + what is locked in pending requests.
    function invariant_supplyEqualsHoldersPlusLocked() public view {
        uint256 held;
        for (uint256 i; i < handler.actorCount(); ++i) {
            held += vault.balanceOf(handler.actors(i));
        }
        uint256 locked = vault.balanceOf(address(vault));
        assertEq(locked, vault.totalPendingShares(), "locked = pending");
        assertEq(vault.totalSupply(), held + locked, "supply = held + locked");
    }

    function invariant_settlementWithinGateAndCash() public view {
        assertEq(handler.ghostGateViolations(), 0, "gate");
        assertEq(handler.ghostBufferViolations(), 0, "buffer");
        assertLe(handler.ghostSettledAssets(), handler.ghostRefilled(), "never pays more than refilled");
        assertEq(
            handler.ghostClaimed() + vault.totalOwed(),
            handler.ghostSettledAssets(),
            "claimed + owed = settled"
        );
    }

    function invariant_cashCoversOwed() public view {
        assertGe(usd.balanceOf(address(vault)), vault.totalOwed());
    }

    function invariant_claimableNeverExceedsOwed() public view {
        uint256 claimable;
        for (uint256 i; i < handler.requestCount(); ++i) {
            (, uint256 c) = vault.redeemStatus(handler.requestIds(i));
            claimable += c;
        }
        assertLe(claimable, vault.totalOwed());
    }
}
