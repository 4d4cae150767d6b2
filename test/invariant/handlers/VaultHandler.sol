// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";

import {Stablecoin} from "../../../contracts/mocks/Stablecoin.sol";
import {RwaVault} from "../../../contracts/RwaVault.sol";
import {WAD} from "../../../contracts/libraries/WadMath.sol";

/// @notice Drives a RwaVault: subscriptions, transfers, redemption requests, cancels, settles,
///         claims, NAV reports, buffer refills and time, with ghosts for the cash and the gate.
contract VaultHandler is Test {
    RwaVault internal vault;
    Stablecoin internal usd;
    address internal admin;
    address internal reporter;
    address internal custodian;

    address[] public actors;
    uint256[] public requestIds;

    uint256 public ghostRefilled;
    uint256 public ghostSettledAssets;
    uint256 public ghostClaimed;
    uint256 public ghostGateViolations;
    uint256 public ghostBufferViolations;
    uint256 public ghostEpoch;
    uint256 public ghostGateBase;
    uint256 public ghostGateUsed;
    mapping(bytes32 => uint256) public calls;

    constructor(RwaVault vault_, Stablecoin usd_, address admin_, address reporter_, address custodian_) {
        (vault, usd, admin, reporter, custodian) = (vault_, usd_, admin_, reporter_, custodian_);
        for (uint256 i; i < 4; ++i) {
            address a = makeAddr(string.concat("holder", vm.toString(i)));
            actors.push(a);
            vm.prank(a);
            usd.approve(address(vault), type(uint256).max);
        }
        vm.prank(custodian);
        usd.approve(address(vault), type(uint256).max);
    }

    function actorCount() external view returns (uint256) {
        return actors.length;
    }

    function requestCount() external view returns (uint256) {
        return requestIds.length;
    }

    function subscribe(uint256 who, uint256 assets) external {
        address a = actors[who % actors.length];
        assets = bound(assets, 1e18, 100_000e18);
        vm.prank(admin);
        usd.mint(a, assets);
        vm.prank(a);
        vault.subscribe(assets, a);
        ++calls["subscribe"];
    }

    function transfer(uint256 from, uint256 to, uint256 fraction) external {
        address a = actors[from % actors.length];
        uint256 amount = vault.balanceOf(a) * bound(fraction, 0, 100) / 100;
        vm.prank(a);
        vault.transfer(actors[to % actors.length], amount);
        ++calls["transfer"];
    }

    function requestRedeem(uint256 who, uint256 fraction) external {
        address a = actors[who % actors.length];
        uint256 shares = vault.balanceOf(a) * bound(fraction, 1, 100) / 100;
        if (shares == 0) return;
        vm.prank(a);
        requestIds.push(vault.requestRedeem(shares, a, a));
        ++calls["requestRedeem"];
    }

    function cancel(uint256 index) external {
        if (requestIds.length == 0) return;
        uint256 id = requestIds[index % requestIds.length];
        (uint256 pending,) = vault.redeemStatus(id);
        if (pending == 0) return;
        vm.prank(vault.redeemRequest(id).controller);
        vault.cancelRedeem(id);
        ++calls["cancel"];
    }

    /// @dev The gate is checked against the handler's own record of each epoch, not the vault's.
    function settle() external {
        uint256 epoch = vault.currentEpoch();
        if (epoch != ghostEpoch || ghostGateBase == 0) {
            (ghostEpoch, ghostGateBase, ghostGateUsed) = (epoch, vault.totalSupply(), 0);
        }
        uint256 buffer = vault.availableBuffer();
        (uint256 shares, uint256 assets) = vault.settle();
        ghostGateUsed += shares;
        if (ghostGateUsed > ghostGateBase * vault.gateWad() / WAD) ++ghostGateViolations;
        if (assets > buffer) ++ghostBufferViolations;
        ghostSettledAssets += assets;
        ++calls["settle"];
    }

    function claim(uint256 index) external {
        if (requestIds.length == 0) return;
        uint256 id = requestIds[index % requestIds.length];
        vm.prank(vault.redeemRequest(id).controller);
        ghostClaimed += vault.claim(id, address(this));
        ++calls["claim"];
    }

    function refill(uint256 assets) external {
        assets = bound(assets, 1e18, 50_000e18);
        vm.prank(admin);
        usd.mint(custodian, assets);
        vm.prank(custodian);
        vault.refillBuffer(assets);
        ghostRefilled += assets;
        ++calls["refill"];
    }

    function reportNav(uint256 movePct) external {
        (uint256 nav, uint64 asOf,) = vault.navInfo();
        if (asOf >= block.timestamp) vm.warp(block.timestamp + 1);
        uint256 next = nav * bound(movePct, 92, 108) / 100;
        vm.prank(reporter);
        vault.reportNav(next, uint64(block.timestamp));
        ++calls["reportNav"];
    }

    function warp(uint256 secs) external {
        vm.warp(block.timestamp + bound(secs, 1 hours, 20 days));
        ++calls["warp"];
    }
}
