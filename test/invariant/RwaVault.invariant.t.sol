// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Fixture} from "../utils/Fixture.sol";
import {VaultHandler} from "./handlers/VaultHandler.sol";

contract RwaVaultInvariantTest is Fixture {
    VaultHandler internal handler;

    function setUp() public override {
        super.setUp();
        handler = new VaultHandler(vault, usd, VaultHandler.Roles(admin, reporter, confirmer, custodian));
        vm.startPrank(admin);
        usd.grantRole(usd.MINTER_ROLE(), address(handler));
        // A short notice so that sequences of 32 calls see requests mature and settle.
        vault.setNoticePeriod(2 days);
        vault.setGate(1e18);
        vm.stopPrank();
        // Every holder starts with shares, so that requests are possible from the first call.
        for (uint256 i; i < handler.actorCount(); ++i) {
            handler.subscribe(i, 10_000e18);
        }
        targetContract(address(handler));
    }

    /// @dev Share supply = what holders have + what is locked in pending requests.
    function invariant_supplyEqualsHoldersPlusLocked() public view {
        uint256 held;
        for (uint256 i; i < handler.actorCount(); ++i) {
            held += vault.balanceOf(handler.actor(i));
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

    /// @dev Every settled redemption stays claimable: no request's status reverts, what the requests
    ///      are owed fits in what the vault owes and holds, what they still wait for fits in the
    ///      locked shares, and a claim of anything claimable pays exactly that.
    function invariant_everySettledRedemptionStaysClaimable() public {
        uint256 n = handler.requestCount();
        uint256[] memory claimable = new uint256[](n);
        uint256 owed;
        uint256 pending;
        for (uint256 i; i < n; ++i) {
            uint256 p;
            (p, claimable[i]) = vault.redeemStatus(handler.requestIds(i));
            owed += claimable[i];
            pending += p;
        }
        assertLe(owed, vault.totalOwed(), "sum of claimable <= totalOwed");
        assertLe(vault.totalOwed(), usd.balanceOf(address(vault)), "totalOwed <= cash");
        assertLe(pending, vault.totalPendingShares(), "sum of pending <= locked");
        uint256 snapshot = vm.snapshotState();
        for (uint256 i; i < n; ++i) {
            if (claimable[i] == 0) continue;
            uint256 id = handler.requestIds(i);
            vm.prank(vault.redeemRequest(id).controller);
            assertEq(vault.claim(id, address(this)), claimable[i], "claim pays what is claimable");
        }
        vm.revertToState(snapshot);
    }

    /// @dev The handler reaches the case that once zeroed the pool factor: two settles in a row that
    ///      each leave 1 wei of the pool, tiny requests, then ordinary requests after them.
    function test_handler_reachesDustRemainder() public {
        handler.subscribe(0, 10_000e18);
        handler.subscribe(1, 5_000e18);
        handler.setGate(1e18);
        handler.requestRedeem(0, 40);
        handler.warp(3 days + 1 hours);
        handler.settleLeavingDust(1);
        handler.requestTiny(1, 7);
        handler.requestRedeem(1, 50);
        handler.warp(3 days + 1 hours);
        handler.settleLeavingDust(1);
        handler.requestRedeem(0, 30);
        handler.warp(3 days + 1 hours);
        handler.refill(1_000e18);
        handler.settle();
        assertEq(handler.ghostDustSettles(), 2, "two dust settles");
        assertEq(handler.calls("settleLeavingDust.skipped"), 0);
        assertEq(vault.scale(), 2, "the pool factor was rescaled twice");
        invariant_everySettledRedemptionStaysClaimable();
        invariant_settlementWithinGateAndCash();
        invariant_supplyEqualsHoldersPlusLocked();
        for (uint256 i; i < handler.requestCount(); ++i) {
            handler.claim(i);
        }
        invariant_settlementWithinGateAndCash();
    }
}
