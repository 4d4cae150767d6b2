// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";

import {Stablecoin} from "../../../contracts/mocks/Stablecoin.sol";
import {RwaVault} from "../../../contracts/RwaVault.sol";
import {TrancheVault} from "../../../contracts/TrancheVault.sol";
import {NavStatus} from "../../../contracts/interfaces/IRwaVault.sol";
import {BasketStatus, ITrancheToken, Tranche} from "../../../contracts/interfaces/ITrancheVault.sol";
import {WadMath} from "../../../contracts/libraries/WadMath.sol";

/// @notice Drives a TrancheVault over three RwaVaults: deposits and redemptions on both tranches,
///         immediate deposit/redeem cycles, tranche token transfers, NAV marks up and down (large
///         ones confirmed), reviews and time. Ghosts record units in and out, and count every
///         action that moved value between holders, created value, broke the subordination at
///         issuance, or cost the senior while the junior still had value.
contract TrancheHandler is Test {
    using WadMath for uint256;

    TrancheVault internal tranche;
    RwaVault[] internal vaults;
    Stablecoin internal usd;
    address internal reporter;
    address internal confirmer;
    address internal guardian;

    address[] public actors;

    uint256 public ghostUnitsIn;
    uint256 public ghostUnitsOut;
    uint256 public ghostValueTransfers; // an action lowered the per-token claim of a tranche's holders
    uint256 public ghostCycleProfits; // a deposit/redeem cycle returned more units than it brought
    uint256 public ghostSubordinationViolations; // a senior deposit or junior exit left junior < 20%
    uint256 public ghostSeniorLossBeforeJunior; // a markdown cost the senior while the junior kept value
    uint256 public ghostDeliveryMismatches; // shares delivered differ from units × unitShares
    mapping(bytes32 => uint256) public calls;

    constructor(
        TrancheVault tranche_,
        RwaVault[] memory vaults_,
        Stablecoin usd_,
        address reporter_,
        address confirmer_,
        address guardian_
    ) {
        (tranche, vaults, usd) = (tranche_, vaults_, usd_);
        (reporter, confirmer, guardian) = (reporter_, confirmer_, guardian_);
        for (uint256 i; i < 4; ++i) {
            address a = makeAddr(string.concat("trancheHolder", vm.toString(i)));
            actors.push(a);
            vm.startPrank(a);
            for (uint256 j; j < vaults.length; ++j) {
                usd.approve(address(vaults[j]), type(uint256).max);
                vaults[j].approve(address(tranche), type(uint256).max);
            }
            vm.stopPrank();
        }
    }

    function actorCount() external view returns (uint256) {
        return actors.length;
    }

    // ---------------------------------------------------------------- deposits and redemptions

    function depositJunior(uint256 who, uint256 units) external {
        _deposit(actors[who % actors.length], Tranche.Junior, bound(units, 1e15, 100_000e18));
    }

    function depositSenior(uint256 who, uint256 units) external {
        _deposit(actors[who % actors.length], Tranche.Senior, bound(units, 1e15, 400_000e18));
    }

    function redeemJunior(uint256 who, uint256 fraction) external {
        address a = actors[who % actors.length];
        _redeem(a, Tranche.Junior, tranche.juniorToken().balanceOf(a) * bound(fraction, 1, 100) / 100);
    }

    function redeemSenior(uint256 who, uint256 fraction) external {
        address a = actors[who % actors.length];
        _redeem(a, Tranche.Senior, tranche.seniorToken().balanceOf(a) * bound(fraction, 1, 100) / 100);
    }

    /// @dev Deposit then redeem everything minted, in one go: never more units back than brought.
    function cycle(uint256 who, bool senior, uint256 units) external {
        address a = actors[who % actors.length];
        Tranche t = senior ? Tranche.Senior : Tranche.Junior;
        units = bound(units, 1, 50_000e18);
        uint256 minted = _deposit(a, t, units);
        if (minted == 0) return;
        uint256 out = _redeem(a, t, minted);
        if (out > units) ++ghostCycleProfits;
        ++calls["cycle"];
    }

    function transfer(uint256 from, uint256 to, bool senior, uint256 fraction) external {
        address a = actors[from % actors.length];
        ITrancheToken token = senior ? tranche.seniorToken() : tranche.juniorToken();
        uint256 amount = token.balanceOf(a) * bound(fraction, 0, 100) / 100;
        vm.prank(a);
        token.transfer(actors[to % actors.length], amount);
        ++calls["transfer"];
    }

    // ---------------------------------------------------------------- the world

    /// @dev Marks one constituent by −20%…+15% (large moves confirmed), an hour later.
    function reportNav(uint256 index, uint256 movePct) external {
        RwaVault v = vaults[index % vaults.length];
        (uint256 nav,,) = v.navInfo();
        uint256 next = (nav * bound(movePct, 80, 115) / 100).max(0.05e18);
        (, uint256 s0, uint256 j0) = tranche.waterfall();
        vm.warp(block.timestamp + 1 hours);
        vm.prank(reporter);
        v.reportNav(next, uint64(block.timestamp));
        if (v.pendingNav() != 0) {
            vm.prank(confirmer);
            v.confirmNav();
        }
        (, uint256 s1, uint256 j1) = tranche.waterfall();
        // The senior may only lose once the junior is gone; a gain refills the junior's buffer only
        // once the senior is whole again.
        if (s1 < s0 && j1 > 0) ++ghostSeniorLossBeforeJunior;
        if (j1 > j0 && s1 < s0) ++ghostSeniorLossBeforeJunior;
        ++calls["reportNav"];
    }

    /// @dev A review starts one time in four and clears otherwise, so the basket is Normal often
    ///      enough for deposits and redemptions to run.
    function setReview(uint256 index, uint256 seed) external {
        RwaVault v = vaults[index % vaults.length];
        vm.prank(guardian);
        v.setNavStatus(seed % 4 == 0 ? NavStatus.UnderReview : NavStatus.Normal, "h");
        ++calls["setReview"];
    }

    function warp(uint256 secs) external {
        vm.warp(block.timestamp + bound(secs, 1 minutes, 3 days));
        ++calls["warp"];
    }

    // ---------------------------------------------------------------- internals

    function _deposit(address a, Tranche t, uint256 units) internal returns (uint256 minted) {
        (BasketStatus status,,) = tranche.basketStatus();
        if (status != BasketStatus.Normal) return _skip("skipStatus");
        try tranche.previewDeposit(t, units) returns (uint256 preview) {
            if (preview == 0) return 0;
        } catch {
            return _skip("skipDeposit"); // subordination or an impaired senior
        }
        _mintBasket(a, units);
        Claims memory before = _claims();
        vm.prank(a);
        minted = tranche.deposit(t, units, a, 0);
        ghostUnitsIn += units;
        _checkClaims(before, t == Tranche.Senior);
        ++calls[t == Tranche.Senior ? bytes32("depositSenior") : bytes32("depositJunior")];
    }

    function _redeem(address a, Tranche t, uint256 amount) internal returns (uint256 units) {
        if (amount == 0) return 0;
        (BasketStatus status,,) = tranche.basketStatus();
        if (status != BasketStatus.Normal) return _skip("skipStatus");
        try tranche.previewRedeem(t, amount) returns (uint256 preview) {
            if (preview == 0) return 0;
        } catch {
            return _skip("skipRedeem"); // a junior exit that would breach the subordination
        }
        uint256[] memory before = new uint256[](vaults.length);
        for (uint256 i; i < vaults.length; ++i) {
            before[i] = vaults[i].balanceOf(a);
        }
        Claims memory c = _claims();
        vm.prank(a);
        units = tranche.redeem(t, amount, a, 0);
        ghostUnitsOut += units;
        for (uint256 i; i < vaults.length; ++i) {
            uint256 expected = units.mulWadDown(tranche.constituent(i).unitShares);
            if (vaults[i].balanceOf(a) - before[i] != expected) ++ghostDeliveryMismatches;
        }
        _checkClaims(c, t == Tranche.Junior);
        ++calls[t == Tranche.Senior ? bytes32("redeemSenior") : bytes32("redeemJunior")];
    }

    function _skip(bytes32 reason) internal returns (uint256) {
        ++calls[reason];
        return 0;
    }

    struct Claims {
        uint256 senior;
        uint256 principal;
        uint256 junior;
        uint256 juniorSupply;
    }

    function _claims() internal view returns (Claims memory c) {
        (, c.senior, c.junior) = tranche.waterfall();
        c.principal = tranche.seniorPrincipal();
        c.juniorSupply = tranche.juniorToken().totalSupply();
    }

    /// @dev Per-token claims never fall across a deposit or redemption (prices do not move within
    ///      one). Cross-multiplied; the junior's with its virtual token and unit of value.
    ///      `checkSubordination`: the action was a senior deposit or a junior exit.
    function _checkClaims(Claims memory b, bool checkSubordination) internal {
        Claims memory a = _claims();
        if (a.principal > 0 && b.principal > 0 && a.senior * b.principal < b.senior * a.principal) {
            ++ghostValueTransfers;
        }
        if ((a.junior + 1) * (b.juniorSupply + 1) < (b.junior + 1) * (a.juniorSupply + 1)) {
            ++ghostValueTransfers;
        }
        if (checkSubordination && a.principal > 0) {
            (uint256 basket,,) = tranche.waterfall();
            if (a.junior < basket.mulWadUp(tranche.minJuniorRatio())) ++ghostSubordinationViolations;
        }
    }

    function _mintBasket(address a, uint256 units) internal {
        uint256[] memory shares = tranche.sharesForUnits(units);
        for (uint256 i; i < vaults.length; ++i) {
            (uint256 nav,,) = vaults[i].navInfo();
            uint256 assets = shares[i].mulWadUp(nav);
            usd.mint(a, assets);
            vm.prank(a);
            vaults[i].subscribe(assets, a);
        }
    }
}
