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
    uint32 gracePeriod; // after a halt, only confirmed losses, within the bucket, for this long
    uint32 cooldown; // after a halt ends, no trigger (the guardian's included) can halt again for this long
}

/// @title ICircuitBreakerAdmin
/// @notice The safeguarded breaker's own surface: state, poke, manual trip, parameters.
interface ICircuitBreakerAdmin is ICircuitBreaker {
    /// @notice The level rose; `decline` is the liquidation price's decline from its window peak.
    event Tripped(Trigger indexed trigger, BreakerLevel level, uint256 decline);
    event LevelChanged(BreakerLevel previous, BreakerLevel current);
    /// @notice A halt ended (by time after maxHalt, or by reset); grace runs until `graceEnd`.
    event HaltExpired(uint256 haltedAt, uint256 graceEnd);
    event ThrottleCapacitySet(uint256 capacity, uint256 twapReserveBase);
    event MarketSet(address market);
    event ParamsSet(BreakerParams params);
    /// @notice A full check changed the hold: the level below which no call may step down until
    ///         the next full check, because only a full check can see its condition. Halted while
    ///         the NAV/market divergence lasts (capped like any halt), the level held when the pool
    ///         could not be read, Normal when the last full check read calm.
    event HoldSet(BreakerLevel hold);
    /// @notice The pool's TWAP over `window` could not be read: no divergence nor depth reading.
    ///         An unanswerable read is no evidence of calm: the level is held, the depth estimate kept.
    event PoolReadFailed(uint256 window, bytes reason);
    /// @notice The guardian set (or reset cleared) the manual floor.
    event ManualFloorSet(BreakerLevel floor);

    error BreakerNotMarket(address caller);
    error BreakerMarketAlreadySet(address market);
    error BreakerThrottleExceeded(uint256 seized, uint256 available);
    error BreakerParameterOutOfBounds(bytes32 name, uint256 value, uint256 min, uint256 max);
    error BreakerZeroAddress();
    /// @notice A manual halt was asked for within the cooldown after a halt, which ends at `cooldownEnd`:
    ///         the guardian's halts are bounded like any other, never chained into an indefinite one.
    error BreakerHaltInCooldown(uint256 cooldownEnd);

    /// @notice Anyone: brings the breaker up to date, runs the full checks (the NAV/market divergence
    ///         and the AMM depth behind the throttle, from the pool's TWAP), and returns the level.
    ///         The only update that may step below the hold: when the pool reads calm. When the
    ///         pool cannot answer, it holds the current level and emits PoolReadFailed.
    function poke() external returns (BreakerLevel);

    /// @notice Guardian: sets a floor at `level` (raising to it like any trip). A manual halt is
    ///         bounded like any other: it ends after maxHalt (the floor drops to level 2), grace
    ///         follows, and within the cooldown a manual halt reverts with BreakerHaltInCooldown.
    function trip(BreakerLevel level) external;

    /// @notice Admin: clears every level, the guardian's floor and the hold; a halt cleared by hand
    ///         still starts the grace period and the cooldown. The next update re-raises on any
    ///         condition it sees.
    function reset() external;

    /// @notice Admin, once: the market this breaker guards (it takes the breaker in its constructor).
    function setMarket(address market) external;

    function setParams(BreakerParams calldata params) external;

    function params() external view returns (BreakerParams memory);

    /// @notice The level the next market call will find now (the cheap checks, above the hold). A
    ///         poke may differ: it also reads the divergence, and may step below the hold.
    function level() external view returns (BreakerLevel);

    /// @notice Whether a post-halt grace period runs now: only confirmed losses, within the bucket.
    function inGrace() external view returns (bool);

    /// @notice The throttle bucket as last updated (bounds seizures at level 2 and above and in grace).
    function throttleAvailable() external view returns (uint256);
}
