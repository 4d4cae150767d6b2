// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";

import {Stablecoin} from "../../../contracts/mocks/Stablecoin.sol";
import {RwaVault} from "../../../contracts/RwaVault.sol";
import {ConstantProductPool} from "../../../contracts/ConstantProductPool.sol";
import {LendingMarket} from "../../../contracts/LendingMarket.sol";
import {ConservativeOracle} from "../../../contracts/ConservativeOracle.sol";
import {CircuitBreaker} from "../../../contracts/CircuitBreaker.sol";
import {NavStatus} from "../../../contracts/interfaces/IRwaVault.sol";
import {WAD} from "../../../contracts/libraries/WadMath.sol";

/// @notice Drives the safeguarded world: borrowers, traders moving the pool, NAV reports and
///         reviews, keepers poking, fast and slow liquidations, settlements and time. Ghosts
///         count every breach of the breaker's promises seen from outside.
contract SafeguardedHandler is Test {
    struct World {
        Stablecoin usd;
        RwaVault vault;
        ConstantProductPool pool;
        LendingMarket market;
        ConservativeOracle oracle;
        CircuitBreaker breaker;
        address admin;
        address reporter;
        address confirmer;
        address guardian;
    }

    World internal w;
    address[] public borrowers;
    address internal trader = makeAddr("h.trader");
    address internal liquidator = makeAddr("h.liquidator");
    uint256[] internal slowIds;

    uint256 public ghostFastWhileBlocked;
    uint256 public ghostThrottleBreaches;
    uint256 public ghostRepayReverts;
    uint256 public ghostFastLiquidations;
    uint256 public ghostSlowLiquidations;

    constructor(World memory world) {
        w = world;
        for (uint256 i; i < 3; ++i) {
            address a = makeAddr(string.concat("h.borrower", vm.toString(i)));
            borrowers.push(a);
            _approveAll(a);
        }
        _approveAll(trader);
        _approveAll(liquidator);
    }

    function _approveAll(address a) internal {
        vm.startPrank(a);
        w.usd.approve(address(w.market), type(uint256).max);
        w.usd.approve(address(w.pool), type(uint256).max);
        w.usd.approve(address(w.vault), type(uint256).max);
        w.vault.approve(address(w.market), type(uint256).max);
        w.vault.approve(address(w.pool), type(uint256).max);
        vm.stopPrank();
    }

    function borrowerCount() external view returns (uint256) {
        return borrowers.length;
    }

    function open(uint256 who, uint256 assets, uint256 ltvPct) external {
        address a = borrowers[who % 3];
        assets = bound(assets, 100e18, 50_000e18);
        _mint(a, assets);
        vm.startPrank(a);
        if (w.vault.previewSubscribe(assets) == 0) return vm.stopPrank();
        try w.vault.subscribe(assets, a) returns (uint256 shares) {
            w.market.supplyCollateral(shares, a);
        } catch {}
        (,, uint256 c) = w.market.position(a);
        uint256 room = c * w.oracle.borrowPrice() / WAD * 0.7e18 / WAD;
        uint256 debt = w.market.debtOf(a);
        if (room > debt + 1e18) {
            try w.market.borrow((room - debt) * bound(ltvPct, 1, 99) / 100, a) {} catch {}
        }
        vm.stopPrank();
    }

    function repay(uint256 who, uint256 pct) external {
        address a = borrowers[who % 3];
        uint256 debt = w.market.debtOf(a);
        if (debt == 0) return;
        uint256 amount = debt * bound(pct, 1, 100) / 100 + 1;
        if (amount > debt) amount = debt;
        _mint(a, amount);
        vm.prank(a);
        try w.market.repay(amount, 0, a) {}
        catch {
            ++ghostRepayReverts;
        }
    }

    function trade(uint256 amount, bool sell) external {
        amount = bound(amount, 1e18, 150_000e18);
        if (sell) {
            _mint(trader, amount);
            vm.startPrank(trader);
            uint256 shares = w.vault.subscribe(amount, trader);
            w.pool.swap(address(w.vault), shares, 0, trader, block.timestamp);
            vm.stopPrank();
        } else {
            _mint(trader, amount);
            vm.prank(trader);
            w.pool.swap(address(w.usd), amount, 0, trader, block.timestamp);
        }
    }

    function reportNav(uint256 pct) external {
        (uint256 nav, uint64 asOf,) = w.vault.navInfo();
        if (asOf >= block.timestamp) return;
        uint256 next = nav * bound(pct, 70, 110) / 100;
        vm.prank(w.reporter);
        w.vault.reportNav(next, uint64(block.timestamp));
        if (w.vault.pendingNav() != 0) {
            vm.prank(w.confirmer);
            w.vault.confirmNav();
        }
    }

    function toggleReview(bool on) external {
        vm.prank(w.guardian);
        w.vault.setNavStatus(on ? NavStatus.UnderReview : NavStatus.Normal, "handler");
    }

    function keeperPoke() external {
        w.oracle.poke();
        w.breaker.poke();
    }

    function warp(uint256 secs) external {
        vm.warp(block.timestamp + bound(secs, 1 minutes, 8 hours));
    }

    function liquidate(uint256 who, uint256 pct) external {
        address b = borrowers[who % 3];
        uint256 debt = w.market.debtOf(b);
        if (debt == 0) return;
        (uint256 fast,) = w.breaker.previewLiquidationAllowance();
        uint256 amount = debt * bound(pct, 1, 100) / 100 + 1;
        _mint(liquidator, amount);
        vm.prank(liquidator);
        try w.market.liquidate(b, amount, 0) returns (uint256, uint256 seized) {
            ++ghostFastLiquidations;
            if (fast == 0) ++ghostFastWhileBlocked;
            if (seized > fast) ++ghostThrottleBreaches;
        } catch {}
    }

    function slowLiquidate(uint256 who) external {
        address b = borrowers[who % 3];
        try w.market.slowLiquidate(b) returns (uint256 id) {
            slowIds.push(id);
            ++ghostSlowLiquidations;
        } catch {}
    }

    function settleSlow(uint256 index, uint256 refill) external {
        if (slowIds.length == 0) return;
        refill = bound(refill, 0, 100_000e18);
        if (refill > 0) {
            _mint(address(this), refill);
            w.usd.approve(address(w.vault), refill);
            w.vault.refillBuffer(refill);
        }
        try w.vault.settle() {} catch {}
        uint256 id = slowIds[index % slowIds.length];
        if (!w.market.slowLiquidation(id).closed) w.market.settleSlowLiquidation(id);
    }

    function _mint(address to, uint256 amount) internal {
        vm.prank(w.admin);
        w.usd.mint(to, amount);
    }
}
