// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {BreakerLevel, ICircuitBreaker} from "./interfaces/ICircuitBreaker.sol";
import {BreakerParams, ICircuitBreakerAdmin, Trigger} from "./interfaces/ICircuitBreakerAdmin.sol";
import {ICollateralOracle} from "./interfaces/ICollateralOracle.sol";
import {IConstantProductPool} from "./interfaces/IConstantProductPool.sol";
import {IRwaVault, NavStatus} from "./interfaces/IRwaVault.sol";
import {WAD, WadMath} from "./libraries/WadMath.sol";

/// @title CircuitBreaker
/// @notice Graduated levels on the decline of the liquidation price within a rolling window
///         (NYSE-style: 1 closes new borrows, 2 throttles fast liquidation, 3 halts it); NAV under
///         review or a NAV/market divergence also halts. The throttle is a token bucket of
///         collateral sized from the AMM's depth; it bounds seizures at level 2, during a halt and
///         in the grace after it. A halt and its grace admit only confirmed losses (the market then
///         prices at max(liquidationPrice, anchorPrice)). Halts are bounded, manual ones included:
///         after maxHalt the breaker steps down to level 2 by itself, grace follows, and within the
///         cooldown nothing (the guardian included) can halt again.
/// @dev Constructor: (oracle, vault, pool, admin, params); the market is set once afterwards.
///      Two kinds of update. Every call (the market's included) runs the cheap checks: price
///      decline and NAV status. A full check (`poke`, anyone) also reads the pool's TWAP: the
///      NAV/market divergence and the depth behind the throttle. Any update may raise the level;
///      none steps it below the `hold`, which only a full check sets: Halted while it sees the
///      divergence, the current level when the pool cannot answer (no evidence of calm), Normal
///      when it reads calm. So no caller steps the level down while its condition lasts, and the
///      views say what the next market call will do. Only halt expiry (bounded halts) and the
///      admin's reset lower a level whatever the conditions.
contract CircuitBreaker is ICircuitBreakerAdmin, AccessControl {
    using WadMath for uint256;

    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");
    uint256 internal constant SUBWINDOWS = 4;
    /// @dev Peaks are stored as uint64 in units of 1e-11 of a loan token so that four fit in one
    ///      slot: up to ~1.8e26 (above the vault's MAX_NAV of 1e26), to 1e-11 relative at a price
    ///      of 1. A price above the range saturates: its decline is measured from the top of it.
    uint256 internal constant PEAK_UNIT = 1e7;

    ICollateralOracle public immutable oracle;
    IRwaVault public immutable vault;
    IConstantProductPool public immutable pool;
    address public market;

    BreakerParams internal _params;

    /// @dev One slot of state, one of throttle, one of rolling peaks (one per quarter window):
    ///      every liquidation reads all three, so each slot saved is gas on the hot path.
    struct State {
        BreakerLevel level;
        BreakerLevel manual; // a guardian's floor, cleared by reset, lowered to 2 at halt expiry
        BreakerLevel hold; // no update steps below it until a full check reads calm (see @dev)
        uint40 haltedAt;
        uint40 graceEnd;
        uint40 cooldownEnd;
        uint40 peakEpoch;
    }

    /// @dev One update, as computed: the new state and what was seen on the way.
    struct Step {
        State s;
        uint64[SUBWINDOWS] peaks;
        bool peaksChanged;
        bool expired; // a halt ran out of time in this update
        uint256 fraction;
        Trigger trigger;
        bool readOk; // full checks only: the pool answered
        uint256 reserve;
        bytes reason;
    }

    State internal _s;
    uint96 public throttleCapacity;
    uint96 internal _bucket;
    uint40 internal _bucketAt;
    uint64[SUBWINDOWS] internal _peaks;

    constructor(
        ICollateralOracle oracle_,
        IRwaVault vault_,
        IConstantProductPool pool_,
        address admin,
        BreakerParams memory p
    ) {
        if (
            address(oracle_) == address(0) || address(vault_) == address(0) || address(pool_) == address(0)
                || admin == address(0)
        ) {
            revert BreakerZeroAddress();
        }
        (oracle, vault, pool) = (oracle_, vault_, pool_);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setParams(p);
    }

    // ---------------------------------------------------------------- market calls

    /// @inheritdoc ICircuitBreaker
    function borrowAllowed() external returns (bool) {
        State memory s = _update(false);
        return _borrowAllowed(s);
    }

    /// @inheritdoc ICircuitBreaker
    function liquidationAllowance() external returns (uint256, bool) {
        State memory s = _update(false);
        return _allowance(s, _refilled(throttleCapacity));
    }

    /// @inheritdoc ICircuitBreaker
    function onFastLiquidation(uint256 collateral) external {
        // Checks: the market has just updated the breaker in liquidationAllowance.
        if (msg.sender != market) revert BreakerNotMarket(msg.sender);
        if (_s.level < BreakerLevel.Throttled && block.timestamp >= _s.graceEnd) return; // unrestricted
        uint256 available = _refilled(throttleCapacity);
        if (collateral > available) revert BreakerThrottleExceeded(collateral, available);
        // Effects: available ≤ capacity fits in 96 bits.
        (_bucket, _bucketAt) = (uint96(available - collateral), uint40(block.timestamp));
    }

    /// @inheritdoc ICircuitBreaker
    function previewBorrowAllowed() external view returns (bool) {
        return _borrowAllowed(_next(_s, false).s);
    }

    /// @inheritdoc ICircuitBreaker
    function previewLiquidationAllowance() external view returns (uint256, bool) {
        State memory s = _next(_s, false).s;
        uint256 capacity = throttleCapacity;
        if (_restricted(s) && !_restricted(_s)) {
            (bool ok,, uint256 reserve,) = _read();
            if (ok) capacity = _capacityFor(reserve);
        }
        return _allowance(s, _refilled(capacity));
    }

    // ---------------------------------------------------------------- poke and guardian

    /// @inheritdoc ICircuitBreakerAdmin
    function poke() external returns (BreakerLevel) {
        return _update(true).level;
    }

    /// @inheritdoc ICircuitBreakerAdmin
    function trip(BreakerLevel to) external onlyRole(GUARDIAN_ROLE) {
        // Checks, on the state as of now: a halt that just ran out of time has started its cooldown.
        State memory s = _update(false);
        if (to == BreakerLevel.Halted && block.timestamp < s.cooldownEnd) {
            revert BreakerHaltInCooldown(s.cooldownEnd);
        }
        // Effects: the guardian's level becomes a floor; the update raises to it and emits like any trip.
        _s.manual = to;
        emit ManualFloorSet(to);
        _update(false);
    }

    /// @inheritdoc ICircuitBreakerAdmin
    function reset() external onlyRole(DEFAULT_ADMIN_ROLE) {
        State memory s = _update(false);
        BreakerLevel before = s.level;
        if (before == BreakerLevel.Halted) {
            _endHalt(s, block.timestamp);
            emit HaltExpired(s.haltedAt, s.graceEnd);
        }
        if (s.manual != BreakerLevel.Normal) emit ManualFloorSet(BreakerLevel.Normal);
        if (s.hold != BreakerLevel.Normal) emit HoldSet(BreakerLevel.Normal);
        (s.level, s.manual, s.hold) = (BreakerLevel.Normal, BreakerLevel.Normal, BreakerLevel.Normal);
        _s = s;
        if (before != BreakerLevel.Normal) emit LevelChanged(before, BreakerLevel.Normal);
    }

    /// @inheritdoc ICircuitBreakerAdmin
    function setMarket(address market_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (market != address(0)) revert BreakerMarketAlreadySet(market);
        if (market_ == address(0)) revert BreakerZeroAddress();
        market = market_;
        emit MarketSet(market_);
    }

    /// @inheritdoc ICircuitBreakerAdmin
    function setParams(BreakerParams calldata p) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setParams(p);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc ICircuitBreakerAdmin
    function params() external view returns (BreakerParams memory) {
        return _params;
    }

    /// @inheritdoc ICircuitBreakerAdmin
    function level() external view returns (BreakerLevel) {
        return _next(_s, false).s.level;
    }

    /// @inheritdoc ICircuitBreakerAdmin
    function inGrace() external view returns (bool) {
        return block.timestamp < _next(_s, false).s.graceEnd;
    }

    /// @inheritdoc ICircuitBreakerAdmin
    function throttleAvailable() external view returns (uint256) {
        return _refilled(throttleCapacity);
    }

    /// @notice The highest liquidation price in the rolling window, and the current decline from it.
    function decline() external view returns (uint256 peak, uint256 fraction) {
        Step memory st = _next(_s, false);
        (peak, fraction) = (_max(st.peaks), st.fraction);
    }

    // ---------------------------------------------------------------- internals

    /// @dev Brings the stored state up to now, emitting every change; writes only what changed.
    function _update(bool full) internal returns (State memory s) {
        State memory before = _s;
        Step memory st = _next(_copy(before), full);
        s = st.s;
        if (full && !st.readOk) emit PoolReadFailed(_params.divergenceWindow, st.reason);
        if (s.hold != before.hold) emit HoldSet(s.hold);
        if (st.expired) emit HaltExpired(before.haltedAt, s.graceEnd);
        // A halt that expired left at level 2: a new halt in the same update is a new trip.
        BreakerLevel from = st.expired ? BreakerLevel.Throttled : before.level;
        if (s.level > from) emit Tripped(st.trigger, s.level, st.fraction);
        if (s.level != before.level) emit LevelChanged(before.level, s.level);
        // The throttle engages with a fresh depth estimate, refreshed by every full check. The
        // bucket keeps its level across spans (refilling all the while), so leaving and re-entering
        // the throttle never refills it.
        if (_restricted(s) && (full || !_restricted(before))) {
            uint256 capacity = throttleCapacity;
            if (full) {
                if (st.readOk) capacity = _setCapacity(st.reserve);
            } else {
                (bool ok,, uint256 reserve, bytes memory reason) = _read();
                if (ok) capacity = _setCapacity(reserve);
                else emit PoolReadFailed(_params.divergenceWindow, reason);
            }
            (_bucket, _bucketAt) = (uint96(_refilled(capacity)), uint40(block.timestamp));
        }
        if (!_same(s, before)) _s = s;
        if (st.peaksChanged) _peaks = st.peaks;
    }

    /// @dev The state as of now: halt expiry, rolling peaks, then the level the triggers call for,
    ///      stepping down no lower than the hold.
    function _next(State memory s, bool full) internal view returns (Step memory st) {
        st.s = s;
        // Bounded halts: a halt ends after maxHalt whatever its cause.
        if (s.level == BreakerLevel.Halted && block.timestamp >= uint256(s.haltedAt) + _params.maxHalt) {
            _endHalt(s, uint256(s.haltedAt) + _params.maxHalt);
            st.expired = true;
        }
        uint256 price = oracle.liquidationPrice();
        (st.peaks, st.peaksChanged) = _rolledPeaks(s, price);
        uint256 peak = _max(st.peaks);
        st.fraction = peak == 0 ? 0 : (peak - price.min(peak)).divWadDown(peak);
        BreakerLevel target;
        (target, st.trigger) = _declineLevel(st.fraction);
        (uint256 nav,, NavStatus status) = vault.navInfo();
        if (full) {
            uint256 twap;
            (st.readOk, twap, st.reserve, st.reason) = _read();
            if (st.readOk) {
                bool diverged = twap < nav && (nav - twap).divWadDown(nav) > _params.divergenceBound;
                s.hold = diverged ? BreakerLevel.Halted : BreakerLevel.Normal;
                if (diverged) (target, st.trigger) = (BreakerLevel.Halted, Trigger.Divergence);
            } else if (s.hold < s.level) {
                s.hold = s.level; // an unanswerable read is no evidence of calm
            }
        }
        if (status == NavStatus.UnderReview) {
            (target, st.trigger) = (BreakerLevel.Halted, Trigger.NavUnderReview);
        }
        if (target < s.manual) (target, st.trigger) = (s.manual, Trigger.Manual);
        // Bounded halts: within the cooldown after a halt, no trigger (the guardian's included) halts.
        if (target == BreakerLevel.Halted && block.timestamp < s.cooldownEnd) {
            target = BreakerLevel.Throttled;
        }
        if (target > s.level) {
            if (target == BreakerLevel.Halted) s.haltedAt = uint40(block.timestamp);
            s.level = target;
        } else if (s.level != BreakerLevel.Halted) {
            BreakerLevel floor = s.hold < s.level ? s.hold : s.level;
            s.level = target > floor ? target : floor;
        }
    }

    function _declineLevel(uint256 fraction) internal view returns (BreakerLevel, Trigger) {
        if (fraction >= _params.level3Decline) return (BreakerLevel.Halted, Trigger.PriceDecline);
        if (fraction >= _params.level2Decline) return (BreakerLevel.Throttled, Trigger.PriceDecline);
        if (fraction >= _params.level1Decline) return (BreakerLevel.BorrowsClosed, Trigger.PriceDecline);
        return (BreakerLevel.Normal, Trigger.PriceDecline);
    }

    /// @dev The pool's TWAP and TWAP reserve over the divergence window, or why it could not answer.
    function _read() internal view returns (bool ok, uint256 twap, uint256 reserve, bytes memory reason) {
        try pool.consult(_params.divergenceWindow) returns (uint256 t, uint256 r) {
            return (true, t, r, "");
        } catch (bytes memory e) {
            return (false, 0, 0, e);
        }
    }

    /// @dev A halt ends at `at`: down to level 2, grace and cooldown start, a manual halt is spent.
    function _endHalt(State memory s, uint256 at) internal view {
        s.level = BreakerLevel.Throttled;
        if (s.manual == BreakerLevel.Halted) s.manual = BreakerLevel.Throttled;
        s.graceEnd = uint40(at + _params.gracePeriod);
        s.cooldownEnd = uint40(at + _params.cooldown);
    }

    /// @dev Peaks per quarter window; quarters that fell out of the window are cleared.
    function _rolledPeaks(State memory s, uint256 price)
        internal
        view
        returns (uint64[SUBWINDOWS] memory peaks, bool changed)
    {
        peaks = _peaks;
        uint256 epoch = block.timestamp / (_params.window / SUBWINDOWS);
        uint256 gap = epoch - s.peakEpoch;
        if (gap > 0) {
            for (uint256 k = 1; k <= gap && k <= SUBWINDOWS; ++k) {
                peaks[(s.peakEpoch + k) % SUBWINDOWS] = 0;
            }
            s.peakEpoch = uint40(epoch);
            changed = true;
        }
        uint256 i = epoch % SUBWINDOWS;
        uint256 scaled = (price / PEAK_UNIT).min(type(uint64).max);
        if (scaled > peaks[i]) (peaks[i], changed) = (uint64(scaled), true);
    }

    function _max(uint64[SUBWINDOWS] memory peaks) internal pure returns (uint256 m) {
        for (uint256 i; i < SUBWINDOWS; ++i) {
            if (peaks[i] > m) m = peaks[i];
        }
        m *= PEAK_UNIT;
    }

    /// @dev Selling dx into reserve R moves the price by (R/(R+dx))²; the budget per refill period
    ///      is the dx that moves it by `slippage`: R·(1/√(1−z) − 1), from the TWAP depth, capped to
    ///      what the bucket stores (a 96-bit budget is ~7.9e28, far beyond any pool's reach).
    function _capacityFor(uint256 reserve) internal view returns (uint256) {
        uint256 inverse = WAD.mulDivDown(WAD, WAD - _params.slippage); // 1/(1−z)
        uint256 factor = Math.sqrt(inverse * WAD) - WAD; // 1/√(1−z) − 1
        return reserve.mulWadDown(factor).min(type(uint96).max);
    }

    function _setCapacity(uint256 reserve) internal returns (uint256 capacity) {
        capacity = _capacityFor(reserve);
        throttleCapacity = uint96(capacity);
        emit ThrottleCapacitySet(capacity, reserve);
    }

    /// @dev The bucket refills continuously at `cap` per refill period, up to `cap`.
    function _refilled(uint256 cap) internal view returns (uint256) {
        uint256 refill = cap.mulDivDown(block.timestamp - _bucketAt, _params.refillPeriod);
        return (uint256(_bucket) + refill).min(cap);
    }

    /// @dev Level 2 and above, and the grace after a halt (even one the admin cleared): the bucket
    ///      bounds what fast liquidation may sell into the pool.
    function _restricted(State memory s) internal view returns (bool) {
        return s.level >= BreakerLevel.Throttled || block.timestamp < s.graceEnd;
    }

    function _borrowAllowed(State memory s) internal pure returns (bool) {
        return s.level == BreakerLevel.Normal;
    }

    /// @dev A halt and the grace period after it admit only confirmed losses, and every restricted
    ///      state bounds them by the bucket.
    function _allowance(State memory s, uint256 bucket)
        internal
        view
        returns (uint256 seizable, bool confirmedOnly)
    {
        confirmedOnly = s.level == BreakerLevel.Halted || block.timestamp < s.graceEnd;
        seizable = _restricted(s) ? bucket : type(uint256).max;
    }

    function _copy(State memory a) internal pure returns (State memory) {
        return State(a.level, a.manual, a.hold, a.haltedAt, a.graceEnd, a.cooldownEnd, a.peakEpoch);
    }

    function _same(State memory a, State memory b) internal pure returns (bool) {
        return a.level == b.level && a.manual == b.manual && a.hold == b.hold && a.haltedAt == b.haltedAt
            && a.graceEnd == b.graceEnd && a.cooldownEnd == b.cooldownEnd && a.peakEpoch == b.peakEpoch;
    }

    function _setParams(BreakerParams memory p) internal {
        _bound("window", p.window, 4 minutes, 7 days);
        _bound("level1Decline", p.level1Decline, 0.01e18, 0.5e18);
        _bound("level2Decline", p.level2Decline, p.level1Decline + 1, 0.7e18);
        _bound("level3Decline", p.level3Decline, p.level2Decline + 1, 0.9e18);
        _bound("divergenceBound", p.divergenceBound, 0.01e18, 0.9e18);
        _bound("divergenceWindow", p.divergenceWindow, 1 minutes, 7 days);
        _bound("slippage", p.slippage, 0.001e18, 0.5e18);
        _bound("refillPeriod", p.refillPeriod, 1 minutes, 7 days);
        _bound("maxHalt", p.maxHalt, 1 minutes, 7 days);
        _bound("gracePeriod", p.gracePeriod, 0, 1 days);
        _bound("cooldown", p.cooldown, p.gracePeriod, 30 days);
        _params = p;
        emit ParamsSet(p);
    }

    function _bound(bytes32 name, uint256 value, uint256 min, uint256 max) internal pure {
        if (value < min || value > max) revert BreakerParameterOutOfBounds(name, value, min, max);
    }
}
