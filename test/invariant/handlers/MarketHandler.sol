// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";

import {Stablecoin} from "../../../contracts/mocks/Stablecoin.sol";
import {RwaVault} from "../../../contracts/RwaVault.sol";
import {LendingMarket} from "../../../contracts/LendingMarket.sol";
import {MockOracle} from "../../utils/Mocks.sol";
import {WAD} from "../../../contracts/libraries/WadMath.sol";

/// @notice Drives a LendingMarket with several lenders, borrowers and liquidators, price moves and
///         time, keeping ghost totals of everything that went in and out.
contract MarketHandler is Test {
    LendingMarket internal market;
    Stablecoin internal usd;
    RwaVault internal vault;
    MockOracle internal oracle;
    address internal admin;

    address[] public lenders;
    address[] public borrowers;
    address[] public liquidators;

    uint256 public ghostCollateralIn;
    uint256 public ghostCollateralOut;
    uint256 public ghostSeized;
    uint256 public ghostRepaidByLiquidators;
    uint256 public ghostBadDebt;
    uint256 public ghostHealthyLiquidated;
    mapping(bytes32 => uint256) public calls;

    constructor(LendingMarket market_, Stablecoin usd_, RwaVault vault_, MockOracle oracle_, address admin_) {
        (market, usd, vault, oracle, admin) = (market_, usd_, vault_, oracle_, admin_);
        for (uint256 i; i < 3; ++i) {
            lenders.push(_actor("lender", i));
            borrowers.push(_actor("borrower", i));
        }
        liquidators.push(_actor("liquidator", 0));
        liquidators.push(_actor("liquidator", 1));
    }

    function _actor(string memory role, uint256 i) internal returns (address a) {
        a = makeAddr(string.concat(role, vm.toString(i)));
        vm.startPrank(a);
        usd.approve(address(market), type(uint256).max);
        vault.approve(address(market), type(uint256).max);
        vm.stopPrank();
    }

    function allActors() external view returns (address[] memory all) {
        all = new address[](8);
        for (uint256 i; i < 3; ++i) {
            (all[i], all[3 + i]) = (lenders[i], borrowers[i]);
        }
        (all[6], all[7]) = (liquidators[0], liquidators[1]);
    }

    function supply(uint256 who, uint256 assets) external {
        address a = lenders[who % 3];
        assets = bound(assets, 1e18, 1_000_000e18);
        vm.prank(admin);
        usd.mint(a, assets);
        vm.prank(a);
        market.supply(assets, a);
        ++calls["supply"];
    }

    function withdraw(uint256 who, uint256 fraction) external {
        address a = lenders[who % 3];
        (uint256 shares,,) = market.position(a);
        shares = shares * bound(fraction, 1, 100) / 100;
        if (shares == 0) return;
        vm.prank(a);
        try market.withdraw(0, shares, a) {
            ++calls["withdraw"];
        } catch {}
    }

    function supplyCollateral(uint256 who, uint256 assets) external {
        address a = borrowers[who % 3];
        assets = bound(assets, 1e18, 1_000_000e18);
        vm.prank(admin);
        usd.mint(a, assets);
        vm.startPrank(a);
        usd.approve(address(vault), assets);
        uint256 shares = vault.subscribe(assets, a);
        market.supplyCollateral(shares, a);
        vm.stopPrank();
        ghostCollateralIn += shares;
        ++calls["supplyCollateral"];
    }

    function withdrawCollateral(uint256 who, uint256 fraction) external {
        address a = borrowers[who % 3];
        (,, uint256 c) = market.position(a);
        uint256 amount = c * bound(fraction, 1, 100) / 100;
        if (amount == 0) return;
        vm.prank(a);
        try market.withdrawCollateral(amount, a) {
            ghostCollateralOut += amount;
            ++calls["withdrawCollateral"];
        } catch {}
    }

    function borrow(uint256 who, uint256 fraction) external {
        address a = borrowers[who % 3];
        (,, uint256 c) = market.position(a);
        uint256 room = c * oracle.borrowPrice() / WAD * market.params().maxLtv / WAD;
        uint256 debt = market.debtOf(a);
        if (room <= debt + 1) return;
        uint256 amount = (room - debt) * bound(fraction, 1, 100) / 100;
        if (amount == 0) return;
        vm.prank(a);
        try market.borrow(amount, a) {
            ++calls["borrow"];
        } catch {}
    }

    function repay(uint256 who, uint256 fraction) external {
        address a = borrowers[who % 3];
        uint256 debt = market.debtOf(a);
        if (debt == 0) return;
        uint256 amount = debt * bound(fraction, 1, 100) / 100;
        if (amount == 0) return;
        vm.prank(admin);
        usd.mint(a, amount);
        vm.prank(a);
        market.repay(amount, 0, a); // a valid repay must never revert
        ++calls["repay"];
    }

    function liquidate(uint256 who, uint256 by, uint256 fraction) external {
        address b = borrowers[who % 3];
        address l = liquidators[by % 2];
        uint256 debt = market.debtOf(b);
        if (debt == 0) return;
        bool healthy = market.healthFactor(b) >= WAD;
        uint256 amount = debt * bound(fraction, 1, 100) / 100 + 1;
        vm.prank(admin);
        usd.mint(l, amount);
        uint256 badBefore = market.totalBadDebt();
        vm.prank(l);
        try market.liquidate(b, amount, 0) returns (uint256 repaid, uint256 seized) {
            if (healthy) ++ghostHealthyLiquidated;
            ghostSeized += seized;
            ghostRepaidByLiquidators += repaid;
            ghostBadDebt += market.totalBadDebt() - badBefore;
            ++calls["liquidate"];
        } catch {}
    }

    function movePrice(uint256 price) external {
        oracle.setPrice(bound(price, 0.2e18, 1.5e18));
        ++calls["movePrice"];
    }

    function warp(uint256 secs) external {
        vm.warp(block.timestamp + bound(secs, 1, 30 days));
        ++calls["warp"];
    }
}
