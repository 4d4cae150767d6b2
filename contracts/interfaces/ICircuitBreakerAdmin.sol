// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {BreakerLevel, ICircuitBreaker} from "./ICircuitBreaker.sol";

/// @notice What tripped the breaker.
enum Trigger {
    PriceDecline,
    NavUnderReview,
    Divergence,
    Manual
}

/// @notice Parameters of the circuit breaker. Fractions 1e18-scaled, times in seconds.
struct BreakerParams {
    uint32 window; // rolling window over which the liquidation price decline is measured
    uint64 level1Decline; // decline that closes new borrows
    uint64 level2Decline; // decline that throttles fast liquidation
    uint64 level3Decline; // decline that halts fast liquidation
    uint64 divergenceBound; // NAV above the market TWAP by more than this halts
    uint32 divergenceWindow; // TWAP window for the divergence check and the depth estimate
    uint64 slippage; // price impact the throttle budget may cause per refill period
    uint32 refillPeriod; // time for the throttle budget to refill completely
    uint32 maxHalt; // a halt steps down by itself after this long
    uint32 gracePeriod; // after a halt, no liquidation at all for this long
    uint32 cooldown; // after a halt ends, no trigger (the guardian's included) can halt again for this long
}

/// @title ICircuitBreakerAdmin
/// @notice The safeguarded breaker's own surface: state, poke, manual trip, parameters.
interface ICircuitBreakerAdmin is ICircuitBreaker {
    event Tripped(Trigger indexed trigger, BreakerLevel level, uint256 decline);
    event LevelChanged(BreakerLevel previous, BreakerLevel current);
    event HaltExpired(uint256 haltedAt, uint256 graceEnd);
    event ThrottleCapacitySet(uint256 capacity, uint256 twapReserveBase);
    event MarketSet(address market);
    event ParamsSet(BreakerParams params);

    error BreakerNotMarket(address caller);
    error BreakerMarketAlreadySet(address market);
    error BreakerThrottleExceeded(uint256 seized, uint256 available);
    error BreakerParameterOutOfBounds(bytes32 name, uint256 value, uint256 min, uint256 max);
    error BreakerZeroAddress();

    /// @notice Anyone: brings the breaker up to date, runs the full checks (including the NAV/market
    ///         divergence and the AMM depth behind the throttle), and returns the level.
    function poke() external returns (BreakerLevel);

    /// @notice Guardian: trips to `level` by hand. A manual halt is bounded by maxHalt like any other.
    function trip(BreakerLevel level) external;

    /// @notice Admin: clears every level; a halt cleared by hand still starts the grace period.
    function reset() external;

    /// @notice Admin, once: the market this breaker guards (it takes the breaker in its constructor).
    function setMarket(address market) external;

    function setParams(BreakerParams calldata params) external;

    function params() external view returns (BreakerParams memory);

    /// @notice The level as a poke would leave it now (without the divergence check).
    function level() external view returns (BreakerLevel);

    /// @notice Whether liquidations are blocked by a post-halt grace period now.
    function inGrace() external view returns (bool);

    /// @notice The throttle budget that fast liquidation may seize now at level 2.
    function throttleAvailable() external view returns (uint256);
}
