// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Fixture} from "../utils/Fixture.sol";

contract ConstantProductPoolFuzzTest is Fixture {
    address internal trader = makeAddr("trader");

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
}
