// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";

import {Stablecoin} from "../../../contracts/mocks/Stablecoin.sol";
import {RwaVault} from "../../../contracts/RwaVault.sol";
import {ConstantProductPool} from "../../../contracts/ConstantProductPool.sol";

/// @notice Drives a ConstantProductPool with LPs and traders; checks k across every swap.
contract PoolHandler is Test {
    ConstantProductPool internal pool;
    Stablecoin internal usd;
    RwaVault internal vault;

    address[] public actors;
    uint256 public ghostKDecreases;
    uint256 public ghostLastCumulative;
    uint256 public ghostCumulativeDecreases;
    mapping(bytes32 => uint256) public calls;

    constructor(ConstantProductPool pool_, Stablecoin usd_, RwaVault vault_, address[] memory actors_) {
        (pool, usd, vault, actors) = (pool_, usd_, vault_, actors_);
        for (uint256 i; i < actors.length; ++i) {
            vm.startPrank(actors[i]);
            usd.approve(address(pool), type(uint256).max);
            vault.approve(address(pool), type(uint256).max);
            vm.stopPrank();
        }
    }

    function actorCount() external view returns (uint256) {
        return actors.length;
    }

    function addLiquidity(uint256 who, uint256 b, uint256 q) external {
        address a = actors[who % actors.length];
        b = bound(b, 1e15, vault.balanceOf(a) / 4 + 1e15);
        q = bound(q, 1e15, usd.balanceOf(a) / 4 + 1e15);
        vm.prank(a);
        try pool.addLiquidity(b, q, 0, a, block.timestamp) {
            ++calls["add"];
        } catch {}
        _checkCumulative();
    }

    function removeLiquidity(uint256 who, uint256 fraction) external {
        address a = actors[who % actors.length];
        uint256 liq = pool.balanceOf(a) * bound(fraction, 1, 100) / 100;
        if (liq == 0) return;
        vm.prank(a);
        pool.removeLiquidity(liq, 0, 0, a, block.timestamp);
        ++calls["remove"];
        _checkCumulative();
    }

    function swap(uint256 who, bool baseIn, uint256 amount) external {
        address a = actors[who % actors.length];
        (uint256 rb, uint256 rq,) = pool.getReserves();
        if (rb == 0) return;
        address tokenIn = baseIn ? address(vault) : address(usd);
        uint256 balance = baseIn ? vault.balanceOf(a) : usd.balanceOf(a);
        amount = bound(amount, 1e12, balance / 2 + 1e12);
        vm.prank(a);
        try pool.swap(tokenIn, amount, 0, a, block.timestamp) {
            (uint256 rb2, uint256 rq2,) = pool.getReserves();
            if (rb2 * rq2 < rb * rq) ++ghostKDecreases;
            ++calls["swap"];
        } catch {}
        _checkCumulative();
    }

    function warp(uint256 secs) external {
        vm.warp(block.timestamp + bound(secs, 1, 1 days));
        _checkCumulative();
    }

    function _checkCumulative() internal {
        (uint256 c,) = pool.observe(0);
        if (c < ghostLastCumulative) ++ghostCumulativeDecreases;
        ghostLastCumulative = c;
    }
}
