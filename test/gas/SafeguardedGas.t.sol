// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SafeguardedFixture} from "../utils/SafeguardedFixture.sol";
import {LendingMarket} from "../../contracts/LendingMarket.sol";
import {CircuitBreaker} from "../../contracts/CircuitBreaker.sol";
import {BreakerLevel} from "../../contracts/interfaces/ICircuitBreaker.sol";
import {ILendingMarket} from "../../contracts/interfaces/ILendingMarket.sol";
import {IRedeemToRepayMarket} from "../../contracts/interfaces/IRedeemToRepayMarket.sol";

/// @notice Gas of a fast liquidation with the safeguards in the loop (conservative oracle, circuit
///         breaker), in the shapes of GasTest's naive rows so that the difference is the
///         safeguards' cost: 1M supplied, 1,000 shares of collateral against 700 borrowed, a day
///         of interest, a repay of 300. Each test asserts the breaker state the row is named for,
///         during the measured call.
contract SafeguardedGasTest is SafeguardedFixture {
    function setUp() public override {
        super.setUp();
        openGasShape(safeMarket);
        _keeperPokes();
    }

    /// @dev NAV marked down to 0.8 long enough ago that the window holds no higher peak: the
    ///      breaker is Normal, the allowance unlimited. Same price as the naive row.
    function test_gas_market_liquidate_partial_safeguardedNormal() public {
        reportNav(0.8e18);
        vm.warp(block.timestamp + 2 hours); // no update saw the decline; the window rolled past it
        _keeperPokes();
        vm.warp(block.timestamp + 12);
        assertEq(uint8(cBreaker.level()), uint8(BreakerLevel.Normal));
        (uint256 budget, bool confirmedOnly) = cBreaker.previewLiquidationAllowance();
        assertEq(budget, type(uint256).max);
        assertFalse(confirmedOnly);
        _cool();
        vm.prank(liquidator);
        safeMarket.liquidate(borrower, 300e18, 0);
        vm.snapshotGasLastCall("safeguarded", "liquidate_partial_safeguarded_normal");
        assertEq(uint8(cBreaker.level()), uint8(BreakerLevel.Normal));
    }

    /// @dev A 15% NAV markdown a block ago: level 2, the bucket bounds the seizure, and the
    ///      measured call consumes it.
    function test_gas_market_liquidate_partial_safeguardedThrottled() public {
        reportNav(0.85e18);
        _keeperPokes();
        vm.warp(block.timestamp + 12);
        assertEq(uint8(cBreaker.level()), uint8(BreakerLevel.Throttled));
        (uint256 budget, bool confirmedOnly) = cBreaker.previewLiquidationAllowance();
        assertLt(budget, type(uint256).max, "restricted");
        assertFalse(confirmedOnly);
        _cool();
        vm.prank(liquidator);
        (, uint256 seized) = safeMarket.liquidate(borrower, 300e18, 0);
        vm.snapshotGasLastCall("safeguarded", "liquidate_partial_safeguarded_throttled");
        assertEq(uint8(cBreaker.level()), uint8(BreakerLevel.Throttled));
        assertEq(cBreaker.throttleAvailable(), budget - seized, "the call consumed the bucket");
    }

    /// @dev In a halt's grace, a position unhealthy only at the market-following price: the
    ///      `no-slow-path` market (the base market under the same modules) prices it at the NAV
    ///      anchor and reverts; the market with the slow path reverts before any pricing.
    function test_gas_market_liquidate_graceMarketMoveOnly() public {
        (CircuitBreaker b, LendingMarket base) = deployFastOnlyMarket();
        openPositionOn(base, bob, 1000e18, 700e18);
        _sellOffFollowedByOracle(b);
        assertLt(cOracle.liquidationPrice(), 0.875e18, "unhealthy at the market-following price");
        vm.startPrank(guardian);
        b.trip(BreakerLevel.Halted);
        cBreaker.trip(BreakerLevel.Halted);
        vm.stopPrank();
        vm.warp(block.timestamp + 6 hours); // the halts expire: grace
        _keeperPokes();
        b.poke();
        vm.warp(block.timestamp + 12);
        assertTrue(b.inGrace() && cBreaker.inGrace());

        _cool();
        vm.cool(address(base));
        vm.cool(address(b));
        vm.prank(liquidator);
        // A plain call: expectRevert would wrap it, and snapshotGasLastCall would not see its gas.
        (bool ok, bytes memory reason) = address(base).call(abi.encodeCall(base.liquidate, (bob, 300e18, 0)));
        vm.snapshotGasLastCall("safeguarded", "liquidate_grace_marketMoveOnly_noSlowPath");
        assertFalse(ok);
        assertEq(bytes4(reason), ILendingMarket.MarketPositionHealthy.selector);

        _cool();
        vm.prank(liquidator);
        (ok, reason) = address(safeMarket).call(abi.encodeCall(safeMarket.liquidate, (borrower, 300e18, 0)));
        vm.snapshotGasLastCall("safeguarded", "liquidate_grace_marketMoveOnly");
        assertFalse(ok);
        assertEq(bytes4(reason), IRedeemToRepayMarket.MarketFastLiquidationHalted.selector);
    }

    /// @dev Sells 80k shares into the 1M/1M pool (a 14% divergence, below the breakers' 15% bound)
    ///      and pokes hourly while the oracle confirms it and follows the long TWAP down. NAV stays 1.
    function _sellOffFollowedByOracle(CircuitBreaker b) internal {
        sellShares(80_000e18);
        for (uint256 h; h < 16; ++h) {
            vm.warp(block.timestamp + 1 hours);
            _keeperPokes();
            b.poke();
        }
        assertEq(cOracle.anchorPrice(), 1e18);
        assertEq(uint8(b.level()), uint8(BreakerLevel.Normal), "a slow move trips nothing");
    }
}
