// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Fixture} from "../utils/Fixture.sol";
import {ConstantProductPool} from "../../contracts/ConstantProductPool.sol";
import {IConstantProductPool} from "../../contracts/interfaces/IConstantProductPool.sol";
import {SpotOracle} from "../../contracts/oracles/SpotOracle.sol";
import {NavOracle} from "../../contracts/oracles/NavOracle.sol";
import {NavStatus} from "../../contracts/interfaces/IRwaVault.sol";

contract ConstantProductPoolTest is Fixture {
    address internal lp = makeAddr("lp");

    function setUp() public override {
        super.setUp();
        fundTrader(lp, 1_000_000e18);
        fundTrader(trader, 1_000_000e18);
    }

    // ---------------------------------------------------------------- constructor

    function test_constructor_rejectsBadTokens() public {
        vm.expectRevert(abi.encodeWithSelector(IConstantProductPool.PoolInvalidToken.selector, address(usd)));
        new ConstantProductPool(address(usd), address(usd), "x", "x", 60, 1);
        vm.expectRevert(abi.encodeWithSelector(IConstantProductPool.PoolInvalidCardinality.selector, 0, 0));
        new ConstantProductPool(address(vault), address(usd), "x", "x", 60, 0);
    }

    function test_constructor_boundsObservationPeriod() public {
        vm.expectRevert(
            abi.encodeWithSelector(IConstantProductPool.PoolInvalidObservationPeriod.selector, 0, 1, 1 days)
        );
        new ConstantProductPool(address(vault), address(usd), "x", "x", 0, 8);
        vm.expectRevert(
            abi.encodeWithSelector(
                IConstantProductPool.PoolInvalidObservationPeriod.selector, 1 days + 1, 1, 1 days
            )
        );
        new ConstantProductPool(address(vault), address(usd), "x", "x", 1 days + 1, 8);
        ConstantProductPool p = new ConstantProductPool(address(vault), address(usd), "x", "x", 1 days, 8);
        assertEq(p.observationPeriod(), 1 days);
        assertEq(p.observationSpan(), 7 days);
    }

    function test_observationSpan_coversDefaultWindows() public view {
        assertEq(pool.observationPeriod(), 60);
        assertEq(pool.observationCardinality(), 1536);
        assertEq(pool.observationSpan(), 1535 minutes);
        assertGe(pool.observationSpan(), 24 hours, "the oracle's longest default window");
    }

    // ---------------------------------------------------------------- addLiquidity

    function test_addLiquidity_firstDepositBurnsMinimum() public {
        vm.expectEmit(address(pool));
        emit IConstantProductPool.LiquidityAdded(lp, lp, 1000e18, 4000e18, 2000e18 - 1000);
        vm.prank(lp);
        (uint256 liq, uint256 b, uint256 q) = pool.addLiquidity(1000e18, 4000e18, 0, lp, block.timestamp);
        assertEq(liq, 2000e18 - 1000);
        assertEq(b, 1000e18);
        assertEq(q, 4000e18);
        assertEq(pool.balanceOf(address(0xdead)), 1000);
        (uint256 rb, uint256 rq,) = pool.getReserves();
        assertEq(rb, 1000e18);
        assertEq(rq, 4000e18);
        assertEq(pool.spotPrice(), 4e18);
    }

    function test_addLiquidity_usesCurrentRatio() public {
        _add(1000e18, 1000e18);
        vm.prank(lp);
        (uint256 liq, uint256 b, uint256 q) = pool.addLiquidity(100e18, 500e18, 0, lp, block.timestamp);
        assertEq(b, 100e18);
        assertEq(q, 100e18);
        assertEq(liq, 100e18);
        vm.prank(lp);
        (, b, q) = pool.addLiquidity(500e18, 50e18, 0, lp, block.timestamp);
        assertEq(b, 50e18);
        assertEq(q, 50e18);
    }

    function test_addLiquidity_revertsOnZero() public {
        vm.prank(lp);
        vm.expectRevert(IConstantProductPool.PoolZeroAmount.selector);
        pool.addLiquidity(0, 1, 0, lp, block.timestamp);
    }

    function test_addLiquidity_revertsBelowMinLiquidity() public {
        vm.prank(lp);
        vm.expectRevert(
            abi.encodeWithSelector(
                IConstantProductPool.PoolInsufficientLiquidityMinted.selector, 999e18 + 1e18 - 1000, 1e30
            )
        );
        pool.addLiquidity(1000e18, 1000e18, 1e30, lp, block.timestamp);
    }

    function test_addLiquidity_revertsOnDustFirstDeposit() public {
        vm.prank(lp);
        vm.expectRevert(
            abi.encodeWithSelector(IConstantProductPool.PoolInsufficientLiquidityMinted.selector, 1000, 1001)
        );
        pool.addLiquidity(1000, 1000, 0, lp, block.timestamp);
    }

    function test_addLiquidity_revertsAfterDeadline() public {
        vm.prank(lp);
        vm.expectRevert(
            abi.encodeWithSelector(
                IConstantProductPool.PoolDeadlineExpired.selector, block.timestamp - 1, block.timestamp
            )
        );
        pool.addLiquidity(1e18, 1e18, 0, lp, block.timestamp - 1);
    }

    function test_addLiquidity_revertsWhenAReserveWouldExceed112Bits() public {
        uint256 huge = uint256(type(uint112).max) + 1;
        mintUsd(lp, huge);
        vm.prank(lp);
        vm.expectRevert(abi.encodeWithSelector(IConstantProductPool.PoolReserveOverflow.selector, 1e18, huge));
        pool.addLiquidity(1e18, huge, 0, lp, block.timestamp);
    }

    // ---------------------------------------------------------------- removeLiquidity

    function test_removeLiquidity_proRata() public {
        uint256 liq = _add(1000e18, 2000e18);
        uint256 baseBefore = vault.balanceOf(lp);
        vm.prank(lp);
        (uint256 b, uint256 q) = pool.removeLiquidity(liq / 2, 0, 0, lp, block.timestamp);
        assertApproxEqAbs(b, 500e18, 1e3);
        assertApproxEqAbs(q, 1000e18, 1e3);
        assertEq(vault.balanceOf(lp), baseBefore + b);
    }

    function test_removeLiquidity_revertsOnSlippage() public {
        uint256 liq = _add(1000e18, 1000e18);
        vm.prank(lp);
        vm.expectRevert(
            abi.encodeWithSelector(
                IConstantProductPool.PoolInsufficientOutput.selector, 1000e18 - 1000, 1000e18
            )
        );
        pool.removeLiquidity(liq, 1000e18, 0, lp, block.timestamp);
    }

    function test_removeLiquidity_revertsOnZeroAndDeadline() public {
        vm.prank(lp);
        vm.expectRevert(IConstantProductPool.PoolZeroAmount.selector);
        pool.removeLiquidity(0, 0, 0, lp, block.timestamp);
        vm.prank(lp);
        vm.expectRevert(
            abi.encodeWithSelector(IConstantProductPool.PoolDeadlineExpired.selector, 0, block.timestamp)
        );
        pool.removeLiquidity(1, 0, 0, lp, 0);
    }

    // ---------------------------------------------------------------- swap

    function test_swap_baseForQuoteMatchesFormula() public {
        _add(1000e18, 1000e18);
        uint256 expected = (uint256(100e18) * 9970 * 1000e18) / (1000e18 * 10_000 + 100e18 * 9970);
        assertEq(pool.getAmountOut(address(vault), 100e18), expected);
        vm.expectEmit(address(pool));
        emit IConstantProductPool.Swap(trader, trader, address(vault), 100e18, expected);
        vm.prank(trader);
        uint256 out = pool.swap(address(vault), 100e18, expected, trader, block.timestamp);
        assertEq(out, expected);
        (uint256 rb, uint256 rq,) = pool.getReserves();
        assertEq(rb, 1100e18);
        assertEq(rq, 1000e18 - expected);
        assertGe(rb * rq, 1000e18 * 1000e18, "k never decreases");
    }

    function test_swap_quoteForBase() public {
        _add(1000e18, 1000e18);
        vm.prank(trader);
        uint256 out = pool.swap(address(usd), 10e18, 0, trader, block.timestamp);
        assertGt(out, 9.8e18);
        assertLt(out, 10e18);
        assertGt(pool.spotPrice(), 1e18);
    }

    function test_swap_revertsOnMinOut() public {
        _add(1000e18, 1000e18);
        uint256 out = pool.getAmountOut(address(usd), 10e18);
        vm.prank(trader);
        vm.expectRevert(
            abi.encodeWithSelector(IConstantProductPool.PoolInsufficientOutput.selector, out, out + 1)
        );
        pool.swap(address(usd), 10e18, out + 1, trader, block.timestamp);
    }

    function test_swap_revertsOnBadToken() public {
        _add(1000e18, 1000e18);
        vm.prank(trader);
        vm.expectRevert(
            abi.encodeWithSelector(IConstantProductPool.PoolInvalidToken.selector, address(0xbeef))
        );
        pool.swap(address(0xbeef), 1e18, 0, trader, block.timestamp);
    }

    function test_swap_revertsOnEmptyPoolZeroAndDeadline() public {
        vm.startPrank(trader);
        vm.expectRevert(abi.encodeWithSelector(IConstantProductPool.PoolInsufficientLiquidity.selector, 0, 0));
        pool.swap(address(usd), 1e18, 0, trader, block.timestamp);
        vm.expectRevert(IConstantProductPool.PoolZeroAmount.selector);
        pool.swap(address(usd), 0, 0, trader, block.timestamp);
        vm.expectRevert(
            abi.encodeWithSelector(IConstantProductPool.PoolDeadlineExpired.selector, 5, block.timestamp)
        );
        pool.swap(address(usd), 1, 0, trader, 5);
        vm.stopPrank();
    }

    // ---------------------------------------------------------------- observations

    function test_consult_timeWeightsPriceAndDepth() public {
        _add(1000e18, 1000e18); // price 1 from t0
        vm.warp(block.timestamp + 100);
        _add(1000e18, 1000e18); // depth 2000 from t0+100, price 1
        vm.warp(block.timestamp + 100);
        (uint256 twap, uint256 depth) = pool.consult(200);
        assertEq(twap, 1e18);
        assertEq(depth, 1500e18);
    }

    function test_consult_ignoresSameBlockManipulation() public {
        _add(1000e18, 1000e18);
        vm.warp(block.timestamp + 600);
        vm.prank(trader);
        pool.swap(address(usd), 500e18, 0, trader, block.timestamp); // spot jumps ×2.2
        (uint256 twap,) = pool.consult(600);
        assertEq(twap, 1e18, "a trade cannot move the TWAP inside its own block");
        vm.warp(block.timestamp + 600);
        (twap,) = pool.consult(1200);
        assertApproxEqRel(twap, (1e18 + pool.spotPrice()) / 2, 1e12);
    }

    function test_observe_interpolatesBetweenObservations() public {
        _add(1000e18, 1000e18);
        uint256 t0 = block.timestamp;
        vm.warp(t0 + 100);
        vm.prank(trader);
        pool.swap(address(usd), 1000e18, 0, trader, block.timestamp); // price → ~4
        uint256 p1 = pool.spotPrice();
        vm.warp(t0 + 200);
        vm.prank(trader);
        pool.swap(address(vault), 1e18, 0, trader, block.timestamp);
        vm.warp(t0 + 300);
        (uint256 cNow,) = pool.observe(0);
        (uint256 cMid,) = pool.observe(150); // t0+150, between observations at 100 and 200
        (uint256 c100,) = pool.observe(200);
        assertEq(cMid - c100, p1 * 50);
        assertGt(cNow, cMid);
    }

    function test_consult_revertsWhenBufferTooShort() public {
        ConstantProductPool small = new ConstantProductPool(address(vault), address(usd), "s", "s", 1, 2);
        vm.startPrank(lp);
        vault.approve(address(small), type(uint256).max);
        usd.approve(address(small), type(uint256).max);
        small.addLiquidity(100e18, 100e18, 0, lp, block.timestamp); // same block as creation: no write
        for (uint256 i; i < 3; ++i) {
            vm.warp(block.timestamp + 10);
            small.addLiquidity(1e18, 1e18, 0, lp, block.timestamp);
        }
        vm.stopPrank();
        (, uint256 oldestTs) = _oldest(small);
        vm.expectRevert(
            abi.encodeWithSelector(
                IConstantProductPool.PoolObservationTooOld.selector,
                uint32(oldestTs),
                uint32(block.timestamp - 25)
            )
        );
        small.consult(25);
        small.consult(10);
    }

    function test_consult_revertsOnInvalidWindow() public {
        vm.expectRevert(abi.encodeWithSelector(IConstantProductPool.PoolInvalidWindow.selector, 0));
        pool.consult(0);
    }

    function test_increaseObservationCardinality_appliesAtOnceBeforeFirstWrap() public {
        ConstantProductPool p = _smallPool(10, 2);
        vm.expectEmit(address(p));
        emit IConstantProductPool.ObservationCardinalityIncreased(2, 4);
        p.increaseObservationCardinality(4);
        assertEq(p.observationCardinalityNext(), 4);
        assertEq(p.observationCardinality(), 4, "the oldest point is still the creation one");
        assertEq(p.observationSpan(), 30);
        vm.expectRevert(abi.encodeWithSelector(IConstantProductPool.PoolInvalidCardinality.selector, 4, 3));
        p.increaseObservationCardinality(3);
    }

    function test_increaseObservationCardinality_countsInSpanOnlyAsWritten() public {
        ConstantProductPool p = _smallPool(10, 3);
        uint256 t0 = block.timestamp;
        _tradeEvery(p, 10, 3); // slots 1, 2, then 0: the ring has wrapped
        p.increaseObservationCardinality(5);
        assertEq(p.observationCardinality(), 3, "after a wrap, growth waits for the index");
        assertEq(p.observationSpan(), 20);
        _tradeEvery(p, 10, 3); // slots 1, 2, then 3: the ring grows as the index wraps
        assertEq(p.observationCardinality(), 5);
        assertEq(p.observationSpan(), 30, "one new slot written");
        p.consult(30);
        _tradeEvery(p, 10, 1); // slot 4
        assertEq(p.observationSpan(), 40);
        p.consult(40);
        vm.expectRevert(
            abi.encodeWithSelector(
                IConstantProductPool.PoolObservationTooOld.selector, uint32(t0 + 30), uint32(t0 + 29)
            )
        );
        p.consult(41);
    }

    function test_observe_writesAtMostOneSlotPerPeriod() public {
        _add(1000e18, 1000e18);
        _tradeEvery(pool, 12, 50); // 600 s of 12 s blocks
        assertEq(pool.observationIndex(), 10, "one slot a minute, not one a block");
        (uint32 ts,,,) = pool.observations(10);
        assertEq(ts, block.timestamp, "the slot a minute after the previous one is this block's");
    }

    // ---------------------------------------------------------------- issue 12: windows on a busy pool

    /// @dev Regression (issue 12, finding 1): a dust trade in every 12 s block for a day must
    ///      leave every window the oracle and the breaker read (30 min, 6 h, 24 h) answerable.
    function test_consult_answersDayWindowsUnderTradeEveryBlock() public {
        _busyDay(12);
    }

    /// @dev The same on an L2 with 2 s blocks: six times the trades, the same windows.
    function test_consult_answersDayWindowsUnderTradeEveryTwoSecondBlock() public {
        _busyDay(2);
    }

    // ---------------------------------------------------------------- naive oracles

    function test_spotOracle_followsSpot() public {
        _add(1000e18, 2000e18);
        SpotOracle o = new SpotOracle(pool);
        assertEq(o.borrowPrice(), 2e18);
        vm.prank(trader);
        pool.swap(address(vault), 500e18, 0, trader, block.timestamp);
        assertEq(o.liquidationPrice(), pool.spotPrice());
        assertLt(o.liquidationPrice(), 1e18);
    }

    function test_navOracle_followsNavWhateverItsAgeOrStatus() public {
        NavOracle o = new NavOracle(vault);
        assertEq(o.borrowPrice(), 1e18);
        vm.warp(block.timestamp + 365 days);
        vm.prank(guardian);
        vault.setNavStatus(NavStatus.UnderReview, "breach");
        assertEq(o.liquidationPrice(), 1e18);
        vm.prank(reporter);
        vault.reportNav(0.95e18, uint64(block.timestamp));
        assertEq(o.borrowPrice(), 0.95e18);
    }

    // ---------------------------------------------------------------- helpers

    function _add(uint256 b, uint256 q) internal returns (uint256 liq) {
        vm.prank(lp);
        (liq,,) = pool.addLiquidity(b, q, 0, lp, block.timestamp);
    }

    /// @dev Seeds the pool at price 1, then trades dust (alternating sides) in every block of
    ///      `blockTime` seconds for a day, and reads the oracle's and the breaker's windows.
    function _busyDay(uint256 blockTime) internal {
        _add(100_000e18, 100_000e18);
        vm.pauseGasMetering(); // 43,200 swaps on 2 s blocks exceed a test's gas limit
        dustTrades(trader, 1 days, blockTime, false);
        vm.resumeGasMetering();
        uint32[3] memory windows = [uint32(30 minutes), 6 hours, 1 days];
        for (uint256 i; i < windows.length; ++i) {
            (uint256 twap, uint256 depth) = pool.consult(windows[i]);
            assertApproxEqRel(twap, 1e18, 1e12, "a dust market trades at 1");
            assertApproxEqRel(depth, 100_000e18, 1e12, "at its seeded depth");
        }
    }

    /// @dev A pool with `period` and `cardinality`, seeded at price 1 in this block.
    function _smallPool(uint32 period, uint16 cardinality) internal returns (ConstantProductPool p) {
        p = new ConstantProductPool(address(vault), address(usd), "s", "s", period, cardinality);
        vm.startPrank(lp);
        vault.approve(address(p), type(uint256).max);
        usd.approve(address(p), type(uint256).max);
        p.addLiquidity(100e18, 100e18, 0, lp, block.timestamp);
        vm.stopPrank();
    }

    /// @dev `n` blocks `blockTime` apart, each with one small liquidity add (a reserve change).
    function _tradeEvery(ConstantProductPool p, uint256 blockTime, uint256 n) internal {
        vm.startPrank(lp);
        for (uint256 i; i < n; ++i) {
            vm.warp(block.timestamp + blockTime);
            p.addLiquidity(1e18, 1e18, 0, lp, block.timestamp);
        }
        vm.stopPrank();
    }

    function _oldest(ConstantProductPool p) internal view returns (uint256 index, uint256 ts) {
        index = (uint256(p.observationIndex()) + 1) % p.observationCardinality();
        (uint32 t, bool init,,) = p.observations(index);
        if (!init) (index, t) = (0, _ts0(p));
        ts = t;
    }

    function _ts0(ConstantProductPool p) internal view returns (uint32 t) {
        (t,,,) = p.observations(0);
    }
}
