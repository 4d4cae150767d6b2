// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {BaseHandler} from "./BaseHandler.sol";
import {Stablecoin} from "../../../contracts/mocks/Stablecoin.sol";
import {RwaVault} from "../../../contracts/RwaVault.sol";
import {ConstantProductPool} from "../../../contracts/ConstantProductPool.sol";

/// @notice Drives a ConstantProductPool with LPs and traders, bursts of a trade in every block
///         (12 s and 2 s blocks) and ring growth; checks k across every swap and that the
///         cumulative price never falls. Every call is bounded to one that must succeed.
contract PoolHandler is BaseHandler {
    ConstantProductPool internal pool;
    Stablecoin internal usd;
    RwaVault internal vault;
    /// @dev Growth beyond this would make the ring too long to wrap within a run.
    uint16 internal immutable _maxCardinality;

    uint256 public immutable createdAt;
    uint256 public ghostKDecreases;
    uint256 public ghostLastCumulative;
    uint256 public ghostCumulativeDecreases;
    bool internal _flip;

    constructor(
        ConstantProductPool pool_,
        Stablecoin usd_,
        RwaVault vault_,
        address[] memory actors_,
        uint16 maxCardinality
    ) {
        (pool, usd, vault, _maxCardinality) = (pool_, usd_, vault_, maxCardinality);
        createdAt = block.timestamp;
        for (uint256 i; i < actors_.length; ++i) {
            _actors.push(actors_[i]);
            vm.startPrank(actors_[i]);
            usd.approve(address(pool), type(uint256).max);
            vault.approve(address(pool), type(uint256).max);
            vm.stopPrank();
        }
    }

    function addLiquidity(uint256 who, uint256 b, uint256 q) external {
        address a = _actor(who);
        uint256 balB = vault.balanceOf(a);
        uint256 balQ = usd.balanceOf(a);
        if (balB < 1e15 || balQ < 1e15) return _skip("addLiquidity", "actor out of tokens");
        b = bound(b, 1e15, Math.max(balB / 4, 1e15));
        q = bound(q, 1e15, Math.max(balQ / 4, 1e15));
        if (_liquidityFor(b, q) == 0) return _skip("addLiquidity", "would mint nothing");
        vm.prank(a);
        pool.addLiquidity(b, q, 0, a, block.timestamp);
        _log("addLiquidity", string.concat(vm.toString(b), " ", vm.toString(q)));
        _checkCumulative();
    }

    function removeLiquidity(uint256 who, uint256 fraction) external {
        address a = _actor(who);
        uint256 liq = pool.balanceOf(a) * bound(fraction, 1, 100) / 100;
        if (liq == 0) return _skip("removeLiquidity", "no LP shares");
        vm.prank(a);
        pool.removeLiquidity(liq, 0, 0, a, block.timestamp);
        _log("removeLiquidity", vm.toString(liq));
        _checkCumulative();
    }

    function swap(uint256 who, bool baseIn, uint256 amount) external {
        address a = _actor(who);
        address tokenIn = baseIn ? address(vault) : address(usd);
        uint256 balance = baseIn ? vault.balanceOf(a) : usd.balanceOf(a);
        if (balance < 2e12) return _skip("swap", "actor out of tokens");
        amount = bound(amount, 1e12, balance / 2);
        if (pool.getAmountOut(tokenIn, amount) == 0) return _skip("swap", "output rounds to zero");
        (uint256 rb, uint256 rq,) = pool.getReserves();
        vm.prank(a);
        pool.swap(tokenIn, amount, 0, a, block.timestamp);
        (uint256 rb2, uint256 rq2,) = pool.getReserves();
        if (rb2 * rq2 < rb * rq) ++ghostKDecreases;
        _log("swap", string.concat(baseIn ? "base " : "quote ", vm.toString(amount)));
        _checkCumulative();
    }

    /// @dev A burst of `blocks` blocks, 12 s (L1) or 2 s (L2) apart, with a dust trade in each.
    function tradeEveryBlock(uint256 who, uint256 blocks, bool l2) external {
        address a = _actor(who);
        blocks = bound(blocks, 1, 150);
        uint256 blockTime = l2 ? 2 : 12;
        for (uint256 i; i < blocks; ++i) {
            vm.warp(block.timestamp + blockTime);
            address tokenIn = _flip ? address(vault) : address(usd);
            uint256 balance = _flip ? vault.balanceOf(a) : usd.balanceOf(a);
            _flip = !_flip;
            if (balance < 1e12 || pool.getAmountOut(tokenIn, 1e12) == 0) continue;
            vm.prank(a);
            pool.swap(tokenIn, 1e12, 0, a, block.timestamp);
            _checkCumulative();
        }
        _log("tradeEveryBlock", string.concat(vm.toString(blocks), l2 ? " x 2 s" : " x 12 s"));
    }

    function warp(uint256 secs) external {
        secs = bound(secs, 1, 1 days);
        vm.warp(block.timestamp + secs);
        _log("warp", vm.toString(secs));
        _checkCumulative();
    }

    function grow(uint256 by) external {
        uint16 next = pool.observationCardinalityNext();
        if (next >= _maxCardinality) return _skip("grow", "ring at its test maximum");
        next = uint16(Math.min(next + bound(by, 1, 8), _maxCardinality));
        pool.increaseObservationCardinality(next);
        _log("grow", vm.toString(next));
    }

    /// @dev The LP shares the pool would mint for (b, q) desired, as addLiquidity computes them.
    function _liquidityFor(uint256 b, uint256 q) internal view returns (uint256) {
        uint256 supply = pool.totalSupply();
        (uint256 rb, uint256 rq,) = pool.getReserves();
        uint256 quoteOptimal = Math.mulDiv(b, rq, rb, Math.Rounding.Ceil);
        (uint256 bu, uint256 qu) = quoteOptimal <= q
            ? (b, quoteOptimal)
            : (Math.min(Math.mulDiv(q, rb, rq, Math.Rounding.Ceil), b), q);
        return Math.min(Math.mulDiv(bu, supply, rb), Math.mulDiv(qu, supply, rq));
    }

    function _checkCumulative() internal {
        (uint256 c,) = pool.observe(0);
        if (c < ghostLastCumulative) ++ghostCumulativeDecreases;
        ghostLastCumulative = c;
    }
}
