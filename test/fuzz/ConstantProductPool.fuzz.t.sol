// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Fixture} from "../utils/Fixture.sol";
import {ConstantProductPool} from "../../contracts/ConstantProductPool.sol";

contract ConstantProductPoolFuzzTest is Fixture {
    function setUp() public override {
        super.setUp();
        fundTrader(trader, 1e27);
    }

    function testFuzz_swap_kNeverDecreasesAndMatchesQuote(uint256 rb, uint256 rq, uint256 amount, bool baseIn)
        public
    {
        rb = bound(rb, 1e18, 1e25);
        rq = bound(rq, 1e18, 1e25);
        seedPool(rb, rq);
        amount = bound(amount, 1e6, 1e25);
        address tokenIn = baseIn ? address(vault) : address(usd);
        uint256 quoted = pool.getAmountOut(tokenIn, amount);
        vm.assume(quoted > 0);
        vm.prank(trader);
        uint256 out = pool.swap(tokenIn, amount, quoted, trader, block.timestamp);
        assertEq(out, quoted);
        (uint256 b2, uint256 q2,) = pool.getReserves();
        assertGe(b2 * q2, rb * rq);
    }

    function testFuzz_addRemove_neverReturnsMore(uint256 b, uint256 q) public {
        seedPool(1e21, 2e21);
        b = bound(b, 1e12, 1e24);
        q = bound(q, 1e12, 1e24);
        uint256 vb = vault.balanceOf(trader);
        uint256 vq = usd.balanceOf(trader);
        vm.prank(trader);
        (uint256 liq,,) = pool.addLiquidity(b, q, 0, trader, block.timestamp);
        vm.prank(trader);
        pool.removeLiquidity(liq, 0, 0, trader, block.timestamp);
        assertLe(vault.balanceOf(trader), vb);
        assertLe(usd.balanceOf(trader), vq);
    }

    function testFuzz_twap_betweenMinAndMaxSpot(uint256[6] memory moves, uint256[6] memory gaps) public {
        seedPool(1e22, 1e22);
        uint256 lo = pool.spotPrice();
        uint256 hi = lo;
        uint256 start = block.timestamp;
        for (uint256 i; i < 6; ++i) {
            vm.warp(block.timestamp + bound(gaps[i], 1, 1 hours));
            uint256 amount = bound(moves[i], 1e18, 5e21);
            vm.prank(trader);
            pool.swap(i % 2 == 0 ? address(usd) : address(vault), amount, 0, trader, block.timestamp);
            uint256 p = pool.spotPrice();
            if (p < lo) lo = p;
            if (p > hi) hi = p;
        }
        vm.warp(block.timestamp + 1);
        (uint256 twap,) = pool.consult(uint32(block.timestamp - start));
        assertGe(twap + 1, lo);
        assertLe(twap, hi + 1);
    }

    /// @dev A TWAP read through the ring is within one observation period of the exact one:
    ///      |twap − exact| <= period × (price range) / window, whatever the trade times.
    function testFuzz_consult_withinOnePeriodOfExact(
        uint256[8] memory moves,
        uint256[9] memory gaps,
        uint256 window
    ) public {
        seedPool(1e22, 1e22);
        uint256[] memory ts = new uint256[](9);
        uint256[] memory px = new uint256[](9);
        (ts[0], px[0]) = (block.timestamp, pool.spotPrice());
        (uint256 lo, uint256 hi) = (px[0], px[0]);
        for (uint256 i; i < 8; ++i) {
            vm.warp(block.timestamp + bound(gaps[i], 1, 30 minutes));
            vm.prank(trader);
            pool.swap(
                i % 2 == 0 ? address(usd) : address(vault),
                bound(moves[i], 1e18, 2e21),
                0,
                trader,
                block.timestamp
            );
            (ts[i + 1], px[i + 1]) = (block.timestamp, pool.spotPrice());
            if (px[i + 1] < lo) lo = px[i + 1];
            if (px[i + 1] > hi) hi = px[i + 1];
        }
        vm.warp(block.timestamp + bound(gaps[8], 1, 30 minutes));
        window = bound(window, 1, block.timestamp - ts[0]);
        uint256 from = block.timestamp - window;
        uint256 exact;
        for (uint256 i; i < 9; ++i) {
            uint256 end = i + 1 < 9 ? ts[i + 1] : block.timestamp;
            uint256 start = ts[i] > from ? ts[i] : from;
            if (end > start) exact += px[i] * (end - start);
        }
        (uint256 twap,) = pool.consult(uint32(window));
        assertApproxEqAbs(twap, exact / window, pool.observationPeriod() * (hi - lo) / window + 2);
    }

    /// @dev Whatever the block time and however busy the pool, any window up to the span answers
    ///      once the pool is that old.
    function testFuzz_consult_spanAnswerableAtAnyBlockTime(uint256 blockTime, uint256 blocks) public {
        ConstantProductPool p = new ConstantProductPool(address(vault), address(usd), "s", "s", 60, 16);
        vm.startPrank(trader);
        vault.approve(address(p), type(uint256).max);
        usd.approve(address(p), type(uint256).max);
        p.addLiquidity(1e21, 1e21, 0, trader, block.timestamp);
        uint256 start = block.timestamp;
        blockTime = bound(blockTime, 1, 2 minutes);
        blocks = bound(blocks, 1, 400);
        for (uint256 i; i < blocks; ++i) {
            vm.warp(block.timestamp + blockTime);
            p.swap(i % 2 == 0 ? address(usd) : address(vault), 1e12, 0, trader, block.timestamp);
        }
        vm.stopPrank();
        assertEq(p.observationSpan(), 15 minutes);
        uint256 age = block.timestamp - start;
        (uint256 twap,) = p.consult(uint32(age < 15 minutes ? age : 15 minutes));
        assertApproxEqRel(twap, 1e18, 1e12);
    }
}
