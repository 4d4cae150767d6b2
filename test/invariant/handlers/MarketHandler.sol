// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {BaseHandler} from "./BaseHandler.sol";
import {Stablecoin} from "../../../contracts/mocks/Stablecoin.sol";
import {RwaVault} from "../../../contracts/RwaVault.sol";
import {LendingMarket} from "../../../contracts/LendingMarket.sol";
import {ILendingMarket} from "../../../contracts/interfaces/ILendingMarket.sol";
import {MockOracle} from "../../utils/Mocks.sol";
import {WAD, WadMath} from "../../../contracts/libraries/WadMath.sol";
import {SharesMath} from "../../../contracts/libraries/SharesMath.sol";

/// @notice Drives a LendingMarket with several lenders, borrowers and liquidators, price moves and
///         time, keeping ghost totals of everything that went in and out. Every call is bounded to
///         what must succeed (fail_on_revert), except liquidations of healthy positions, made
///         under the revert the market owes.
contract MarketHandler is BaseHandler {
    using WadMath for uint256;
    using SharesMath for uint256;

    LendingMarket internal market;
    Stablecoin internal usd;
    RwaVault internal vault;
    MockOracle internal oracle;
    address internal admin;

    address[] public lenders;
    address[] public liquidators;

    uint256 public ghostCollateralIn;
    uint256 public ghostCollateralOut;
    uint256 public ghostSeized;
    uint256 public ghostRepaidByLiquidators;
    uint256 public ghostBadDebt;

    constructor(LendingMarket market_, Stablecoin usd_, RwaVault vault_, MockOracle oracle_, address admin_) {
        (market, usd, vault, oracle, admin) = (market_, usd_, vault_, oracle_, admin_);
        _addActors("borrower", 3);
        for (uint256 i; i < 3; ++i) {
            _approve(_actors[i]);
            lenders.push(_approve(makeAddr(string.concat("lender", vm.toString(i)))));
        }
        liquidators.push(_approve(makeAddr("liquidator0")));
        liquidators.push(_approve(makeAddr("liquidator1")));
    }

    function _approve(address a) internal returns (address) {
        vm.startPrank(a);
        usd.approve(address(market), type(uint256).max);
        usd.approve(address(vault), type(uint256).max);
        vault.approve(address(market), type(uint256).max);
        vm.stopPrank();
        return a;
    }

    function allActors() external view returns (address[] memory all) {
        all = new address[](8);
        for (uint256 i; i < 3; ++i) {
            (all[i], all[3 + i]) = (lenders[i], _actors[i]);
        }
        (all[6], all[7]) = (liquidators[0], liquidators[1]);
    }

    function supply(uint256 who, uint256 assets) external {
        address a = lenders[who % 3];
        assets = bound(assets, 1e18, 1_000_000e18);
        _mint(a, assets);
        vm.prank(a);
        market.supply(assets, a);
        _log("supply", vm.toString(assets));
    }

    /// @dev Up to the lender's balance and the idle liquidity.
    function withdraw(uint256 who, uint256 fraction) external {
        address a = lenders[who % 3];
        (uint256 shares,,) = market.position(a);
        (uint256 supplied, uint256 supplyShares, uint256 borrowed,, uint256 reserves) = market.totals();
        uint256 owned = shares.toAssetsDown(supplied, supplyShares);
        uint256 amount = owned.min(supplied + reserves - borrowed) * bound(fraction, 1, 100) / 100;
        if (amount == 0) return _skip("withdraw", "nothing idle");
        vm.prank(a);
        market.withdraw(amount, 0, a);
        _log("withdraw", vm.toString(amount));
    }

    function supplyCollateral(uint256 who, uint256 assets) external {
        address a = _actor(who);
        assets = bound(assets, 1e18, 1_000_000e18);
        _mint(a, assets);
        vm.startPrank(a);
        uint256 shares = vault.subscribe(assets, a);
        market.supplyCollateral(shares, a);
        vm.stopPrank();
        ghostCollateralIn += shares;
        _log("supplyCollateral", vm.toString(shares));
    }

    /// @dev Keeps the position within maxLtv at the borrow price, with a margin for rounding.
    function withdrawCollateral(uint256 who, uint256 fraction) external {
        address a = _actor(who);
        (,, uint256 c) = market.position(a);
        uint256 debt = market.debtOf(a);
        uint256 keep;
        if (debt > 0) {
            uint256 price = oracle.borrowPrice();
            keep = (debt + 1e18).divWadUp(market.params().maxLtv).divWadUp(price);
        }
        if (keep >= c) return _skip("withdrawCollateral", "nothing free");
        uint256 amount = (c - keep) * bound(fraction, 1, 100) / 100;
        if (amount == 0) return _skip("withdrawCollateral", "dust");
        vm.prank(a);
        market.withdrawCollateral(amount, a);
        ghostCollateralOut += amount;
        _log("withdrawCollateral", vm.toString(amount));
    }

    function borrow(uint256 who, uint256 fraction) external {
        address a = _actor(who);
        (,, uint256 c) = market.position(a);
        uint256 room = c.mulWadDown(oracle.borrowPrice()).mulWadDown(market.params().maxLtv);
        uint256 debt = market.debtOf(a);
        if (room <= debt + 1e18) return _skip("borrow", "no room");
        (uint256 supplied,, uint256 borrowed,, uint256 reserves) = market.totals();
        uint256 amount =
            ((room - debt - 1e18) * bound(fraction, 1, 100) / 100).min(supplied + reserves - borrowed);
        if (amount == 0) return _skip("borrow", "no liquidity");
        vm.prank(a);
        market.borrow(amount, a);
        _log("borrow", vm.toString(amount));
    }

    /// @dev A valid repay never reverts.
    function repay(uint256 who, uint256 fraction) external {
        address a = _actor(who);
        uint256 debt = market.debtOf(a);
        if (debt == 0) return _skip("repay", "no debt");
        uint256 amount = (debt * bound(fraction, 1, 100) / 100).max(1e12);
        _mint(a, amount);
        vm.prank(a);
        market.repay(amount, 0, a);
        _log("repay", vm.toString(amount));
    }

    function liquidate(uint256 who, uint256 by, uint256 fraction) external {
        address b = _actor(who);
        address l = liquidators[by % 2];
        uint256 debt = market.debtOf(b);
        if (debt == 0) return _skip("liquidate", "no debt");
        (,, uint256 c) = market.position(b);
        bool healthy =
            c.mulWadDown(oracle.liquidationPrice()).mulWadDown(market.params().lltv).divWadDown(debt) >= WAD;
        uint256 amount = debt * bound(fraction, 1, 100) / 100 + 1;
        _mint(l, amount);
        if (healthy) {
            vm.expectPartialRevert(ILendingMarket.MarketPositionHealthy.selector);
            vm.prank(l);
            market.liquidate(b, amount, 0);
            return _log("liquidate.refused", "healthy");
        }
        uint256 badBefore = market.totalBadDebt();
        vm.prank(l);
        (uint256 repaid, uint256 seized) = market.liquidate(b, amount, 0);
        ghostSeized += seized;
        ghostRepaidByLiquidators += repaid;
        ghostBadDebt += market.totalBadDebt() - badBefore;
        _log("liquidate", string.concat(vm.toString(repaid), " ", vm.toString(seized)));
    }

    function movePrice(uint256 price) external {
        price = bound(price, 0.2e18, 1.5e18);
        oracle.setPrice(price);
        _log("movePrice", vm.toString(price));
    }

    function warp(uint256 secs) external {
        secs = bound(secs, 1, 30 days);
        vm.warp(block.timestamp + secs);
        _log("warp", vm.toString(secs));
    }

    function _mint(address to, uint256 amount) internal {
        vm.prank(admin);
        usd.mint(to, amount);
    }
}
