// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Stablecoin} from "../../../contracts/mocks/Stablecoin.sol";
import {RwaVault} from "../../../contracts/RwaVault.sol";
import {WAD, WadMath} from "../../../contracts/libraries/WadMath.sol";
import {BaseHandler} from "./BaseHandler.sol";

/// @notice Drives a RwaVault: subscriptions, transfers, redemption requests (tiny ones too),
///         cancels, settles, settles that leave a dust remainder in the pool, claims, NAV reports and
///         confirmations, gate changes, buffer refills and time, with ghosts for the cash and the gate.
/// @dev Every call is bounded to succeed (`fail_on_revert = true`); where nothing is valid the call
///      is skipped and logged.
contract VaultHandler is BaseHandler {
    using WadMath for uint256;

    struct Roles {
        address admin;
        address reporter;
        address confirmer;
        address custodian;
    }

    RwaVault internal vault;
    Stablecoin internal usd;
    Roles internal roles;

    uint256[] public requestIds;

    uint256 public ghostRefilled;
    uint256 public ghostSettledAssets;
    uint256 public ghostClaimed;
    uint256 public ghostGateViolations;
    uint256 public ghostBufferViolations;
    uint256 public ghostEpoch;
    uint256 public ghostGateBase;
    uint256 public ghostGateUsed;
    /// @notice Settles that left 1 to 3 wei of a larger pool unsettled: the case that once drove
    ///         the pool factor to zero.
    uint256 public ghostDustSettles;

    constructor(RwaVault vault_, Stablecoin usd_, Roles memory roles_) {
        (vault, usd, roles) = (vault_, usd_, roles_);
        _addActors("holder", 4);
        for (uint256 i; i < _actors.length; ++i) {
            vm.prank(_actors[i]);
            usd.approve(address(vault), type(uint256).max);
        }
        vm.prank(roles.custodian);
        usd.approve(address(vault), type(uint256).max);
    }

    function requestCount() external view returns (uint256) {
        return requestIds.length;
    }

    function subscribe(uint256 who, uint256 assets) external {
        address a = _actor(who);
        assets = bound(assets, 1e18, 100_000e18);
        vm.prank(roles.admin);
        usd.mint(a, assets);
        vm.prank(a);
        vault.subscribe(assets, a);
        _log("subscribe", string.concat(vm.toString(a), " ", vm.toString(assets)));
    }

    function transfer(uint256 from, uint256 to, uint256 fraction) external {
        address a = _actor(from);
        address b = _actor(to);
        uint256 amount = vault.balanceOf(a) * bound(fraction, 0, 100) / 100;
        vm.prank(a);
        vault.transfer(b, amount);
        _log("transfer", string.concat(vm.toString(a), " ", vm.toString(b), " ", vm.toString(amount)));
    }

    function requestRedeem(uint256 who, uint256 fraction) external {
        address a = _actor(who);
        uint256 shares = vault.balanceOf(a) * bound(fraction, 1, 100) / 100;
        if (shares == 0) return _skip("requestRedeem", "no shares");
        _request(a, shares);
        _log("requestRedeem", string.concat(vm.toString(a), " ", vm.toString(shares)));
    }

    /// @dev A request of a few wei: its pro-rata part of any settle rounds to almost nothing.
    function requestTiny(uint256 who, uint256 shares) external {
        address a = _actor(who);
        shares = bound(shares, 1, 1000);
        if (vault.balanceOf(a) < shares) return _skip("requestTiny", "balance below the request");
        _request(a, shares);
        _log("requestTiny", string.concat(vm.toString(a), " ", vm.toString(shares)));
    }

    function cancel(uint256 index) external {
        if (requestIds.length == 0) return _skip("cancel", "no requests");
        uint256 id = requestIds[index % requestIds.length];
        (uint256 pending,) = vault.redeemStatus(id);
        if (pending == 0) return _skip("cancel", "nothing pending");
        vm.prank(vault.redeemRequest(id).controller);
        vault.cancelRedeem(id);
        _log("cancel", vm.toString(id));
    }

    function settle() external {
        (uint256 shares, uint256 assets) = _settle();
        _log("settle", string.concat(vm.toString(shares), " ", vm.toString(assets)));
    }

    /// @dev Waits until the latest request has matured, joins what matured (a first settle, which
    ///      also spends the buffer there is), then tops the buffer up to exactly what pays all but
    ///      `dust` wei of the pool, and settles that.
    function settleLeavingDust(uint256 dust) external {
        dust = bound(dust, 1, 3);
        if (requestIds.length > 0) {
            uint256 matures = vault.maturity(vault.redeemRequest(requestIds[requestIds.length - 1]).epoch);
            if (matures > block.timestamp) vm.warp(matures);
        }
        _settle();
        uint256 pool = vault.poolShares();
        uint256 gateLeft = vault.gateBase().mulWadDown(vault.gateWad()).zeroFloorSub(vault.gateUsed());
        if (pool <= dust) return _skip("settleLeavingDust", "pool too small");
        uint256 target = pool - dust;
        if (target > gateLeft) return _skip("settleLeavingDust", "gate");
        (uint256 nav,,) = vault.navInfo();
        uint256 cash = target.mulWadUp(nav);
        uint256 buffer = vault.availableBuffer();
        if (cash < buffer || cash.divWadDown(nav) != target) {
            return _skip("settleLeavingDust", "no buffer pays exactly that");
        }
        if (cash > buffer) _refill(cash - buffer);
        (uint256 shares, uint256 assets) = _settle();
        assertEq(shares, target, "handler: the top-up settles all but the dust");
        ++ghostDustSettles;
        _log("settleLeavingDust", string.concat(vm.toString(shares), " ", vm.toString(assets)));
    }

    function claim(uint256 index) external {
        if (requestIds.length == 0) return _skip("claim", "no requests");
        uint256 id = requestIds[index % requestIds.length];
        vm.prank(vault.redeemRequest(id).controller);
        uint256 paid = vault.claim(id, address(this));
        ghostClaimed += paid;
        _log("claim", string.concat(vm.toString(id), " ", vm.toString(paid)));
    }

    function refill(uint256 assets) external {
        assets = bound(assets, 1e18, 50_000e18);
        _refill(assets);
        _log("refill", vm.toString(assets));
    }

    function reportNav(uint256 movePct) external {
        (uint256 nav, uint64 asOf,) = vault.navInfo();
        if (asOf >= block.timestamp) vm.warp(block.timestamp + 1);
        uint256 next = nav * bound(movePct, 92, 108) / 100;
        vm.prank(roles.reporter);
        vault.reportNav(next, uint64(block.timestamp));
        _log("reportNav", vm.toString(next));
    }

    function confirmNav() external {
        uint256 pending = vault.pendingNav();
        if (pending == 0) return _skip("confirmNav", "nothing pending");
        vm.prank(roles.confirmer);
        vault.confirmNav();
        _log("confirmNav", vm.toString(pending));
    }

    function setGate(uint256 gate) external {
        gate = bound(gate, vault.MIN_GATE(), WAD);
        vm.prank(roles.admin);
        vault.setGate(gate);
        _log("setGate", vm.toString(gate));
    }

    function warp(uint256 secs) external {
        secs = bound(secs, 1 hours, 10 days);
        vm.warp(block.timestamp + secs);
        _log("warp", vm.toString(secs));
    }

    function _request(address a, uint256 shares) internal {
        vm.prank(a);
        requestIds.push(vault.requestRedeem(shares, a, a));
    }

    function _refill(uint256 assets) internal {
        vm.prank(roles.admin);
        usd.mint(roles.custodian, assets);
        vm.prank(roles.custodian);
        vault.refillBuffer(assets);
        ghostRefilled += assets;
    }

    /// @dev The gate is checked against the handler's own record of each epoch, not the vault's.
    function _settle() internal returns (uint256 shares, uint256 assets) {
        uint256 epoch = vault.currentEpoch();
        if (epoch != ghostEpoch || ghostGateBase == 0) {
            (ghostEpoch, ghostGateBase, ghostGateUsed) = (epoch, vault.totalSupply(), 0);
        }
        uint256 buffer = vault.availableBuffer();
        (shares, assets) = vault.settle();
        ghostGateUsed += shares;
        // A gate lowered mid-epoch stops further settles; it does not undo what was settled.
        if (shares > 0 && ghostGateUsed > ghostGateBase.mulWadDown(vault.gateWad())) ++ghostGateViolations;
        if (assets > buffer) ++ghostBufferViolations;
        ghostSettledAssets += assets;
    }
}
