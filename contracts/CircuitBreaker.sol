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
///         review or a NAV/market divergence also halts. The level-2 throttle is a token bucket of
///         collateral sized from the AMM's depth. Halts are bounded: after maxHalt the breaker
///         steps down to level 2 by itself, a grace period blocks every liquidation so borrowers
///         can top up, and a cooldown keeps a lasting condition from halting again at once.
/// @dev Constructor: (oracle, vault, pool, admin, params); the market is set once afterwards.
///      The market's calls poke lazily with the cheap checks (price decline, NAV status); the
///      TWAP-based checks (divergence, depth) cost a binary search over the pool's observations,
///      so they run in `poke` (keepers, anyone) and once when the throttle engages.
contract CircuitBreaker is ICircuitBreakerAdmin, AccessControl {
    using WadMath for uint256;

    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");
    uint256 internal constant SUBWINDOWS = 4;
    /// @dev Peaks are stored in units of 1e-12 of a loan token so that four fit in one slot.
    uint256 internal constant PEAK_UNIT = 1e6;

    ICollateralOracle public immutable oracle;
    IRwaVault public immutable vault;
    IConstantProductPool public immutable pool;
    address public market;

    BreakerParams internal _params;

    /// @dev One slot of state, one of throttle, one of rolling peaks (one per quarter window):
    ///      every liquidation reads all three, so each slot saved is gas on the hot path.
    struct State {
        BreakerLevel level;
        BreakerLevel manual; // a guardian's floor, cleared by reset or halt expiry
        uint40 haltedAt;
        uint40 graceEnd;
        uint40 cooldownEnd;
        uint40 peakEpoch;
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
        if (msg.sender != market) revert BreakerNotMarket(msg.sender);
        State memory s = _s;
        if (s.level < BreakerLevel.Throttled) return;
        uint256 available = _refilled(throttleCapacity);
        if (collateral > available) revert BreakerThrottleExceeded(collateral, available);
        (_bucket, _bucketAt) = (uint96(available - collateral), uint40(block.timestamp));
    }

    /// @inheritdoc ICircuitBreaker
    function previewBorrowAllowed() external view returns (bool) {
        (State memory s,,,) = _next(_s, false);
        return _borrowAllowed(s);
    }

    /// @inheritdoc ICircuitBreaker
    function previewLiquidationAllowance() external view returns (uint256, bool) {
        (State memory s,,,) = _next(_s, false);
        uint256 capacity = throttleCapacity;
        if (s.level >= BreakerLevel.Throttled && _s.level < BreakerLevel.Throttled) {
            (capacity,,) = _capacity();
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
        // The guardian's level becomes a floor; the update raises to it and emits like any trip.
        _s.manual = to;
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
        (s.level, s.manual) = (BreakerLevel.Normal, BreakerLevel.Normal);
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
        (State memory s,,,) = _next(_s, false);
        return s.level;
    }

    /// @inheritdoc ICircuitBreakerAdmin
    function inGrace() public view returns (bool) {
        (State memory s,,,) = _next(_s, false);
        return block.timestamp < s.graceEnd;
    }

    /// @inheritdoc ICircuitBreakerAdmin
    function throttleAvailable() external view returns (uint256) {
        return _refilled(throttleCapacity);
    }

    /// @notice The highest liquidation price in the rolling window, and the current decline from it.
    function decline() external view returns (uint256 peak, uint256 fraction) {
        uint64[SUBWINDOWS] memory peaks;
        (, peaks, fraction,) = _next(_s, false);
        peak = _max(peaks);
    }

    // ---------------------------------------------------------------- internals

    /// @dev Brings the stored state up to now, emitting every change.
    function _update(bool full) internal returns (State memory s) {
        State memory before = _s;
        uint64[SUBWINDOWS] memory peaks;
        uint256 fraction;
        Trigger trigger;
        (s, peaks, fraction, trigger) = _next(_s, full); // a second copy: _next edits it in place
        if (before.level == BreakerLevel.Halted && s.level != BreakerLevel.Halted) {
            emit HaltExpired(before.haltedAt, s.graceEnd);
        }
        if (s.level > before.level) emit Tripped(trigger, s.level, fraction);
        if (s.level != before.level) emit LevelChanged(before.level, s.level);
        // The throttle engages with a fresh depth estimate. The bucket keeps its level across
        // spans (refilling all the while), so leaving and re-entering level 2 never refills it.
        if (s.level >= BreakerLevel.Throttled && (before.level < BreakerLevel.Throttled || full)) {
            _refreshCapacity();
            (_bucket, _bucketAt) = (uint96(_refilled(throttleCapacity)), uint40(block.timestamp));
        }
        _s = s;
        _peaks = peaks;
    }

    /// @dev The state as of now: halt expiry, rolling peaks, then the level the triggers call for.
    function _next(State memory s, bool full)
        internal
        view
        returns (State memory, uint64[SUBWINDOWS] memory peaks, uint256 fraction, Trigger trigger)
    {
        if (s.level == BreakerLevel.Halted && block.timestamp >= uint256(s.haltedAt) + _params.maxHalt) {
            _endHalt(s, uint256(s.haltedAt) + _params.maxHalt);
        }
        uint256 price = oracle.liquidationPrice();
        peaks = _rolledPeaks(s, price);
        uint256 peak = _max(peaks);
        fraction = peak == 0 ? 0 : (peak - price.min(peak)).divWadDown(peak);
        (BreakerLevel target, Trigger t) = _targetLevel(fraction, full);
        trigger = t;
        if (target < s.manual) (target, trigger) = (s.manual, Trigger.Manual);
        // Liveness: within the cooldown after a halt, automatic triggers throttle but cannot halt.
        if (target == BreakerLevel.Halted && trigger != Trigger.Manual && block.timestamp < s.cooldownEnd) {
            target = BreakerLevel.Throttled;
        }
        if (target > s.level) {
            if (target == BreakerLevel.Halted) s.haltedAt = uint40(block.timestamp);
            s.level = target;
        } else if (target < s.level && s.level != BreakerLevel.Halted) {
            s.level = target; // levels 1 and 2 step down as the window rolls past the peak
        }
        return (s, peaks, fraction, trigger);
    }

    function _targetLevel(uint256 fraction, bool full) internal view returns (BreakerLevel, Trigger) {
        (uint256 nav,, NavStatus status) = vault.navInfo();
        if (status == NavStatus.UnderReview) return (BreakerLevel.Halted, Trigger.NavUnderReview);
        if (full && _diverged(nav)) return (BreakerLevel.Halted, Trigger.Divergence);
        if (fraction >= _params.level3Decline) return (BreakerLevel.Halted, Trigger.PriceDecline);
        if (fraction >= _params.level2Decline) return (BreakerLevel.Throttled, Trigger.PriceDecline);
        if (fraction >= _params.level1Decline) return (BreakerLevel.BorrowsClosed, Trigger.PriceDecline);
        return (BreakerLevel.Normal, Trigger.PriceDecline);
    }

    function _diverged(uint256 nav) internal view returns (bool) {
        try pool.consult(_params.divergenceWindow) returns (uint256 twap, uint256) {
            return twap < nav && (nav - twap).divWadDown(nav) > _params.divergenceBound;
        } catch {
            return false;
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
        returns (uint64[SUBWINDOWS] memory peaks)
    {
        peaks = _peaks;
        uint256 epoch = block.timestamp / (_params.window / SUBWINDOWS);
        uint256 gap = epoch - s.peakEpoch;
        for (uint256 k = 1; k <= gap && k <= SUBWINDOWS; ++k) {
            peaks[(s.peakEpoch + k) % SUBWINDOWS] = 0;
        }
        s.peakEpoch = uint40(epoch);
        uint256 i = epoch % SUBWINDOWS;
        uint256 scaled = price / PEAK_UNIT;
        if (scaled > peaks[i]) peaks[i] = uint64(scaled);
    }

    function _max(uint64[SUBWINDOWS] memory peaks) internal pure returns (uint256 m) {
        for (uint256 i; i < SUBWINDOWS; ++i) {
            if (peaks[i] > m) m = peaks[i];
        }
        m *= PEAK_UNIT;
    }

    /// @dev Selling dx into reserve R moves the price by (R/(R+dx))²; the budget per refill period
    ///      is the dx that moves it by `slippage`: R·(1/√(1−z) − 1), from the TWAP depth. Without
    ///      a depth reading the last estimate stands (zero before any, which blocks fast liquidation).
    function _capacity() internal view returns (uint256 capacity, uint256 reserve, bool ok) {
        try pool.consult(_params.divergenceWindow) returns (uint256, uint256 r) {
            uint256 inverse = WAD.mulDivDown(WAD, WAD - _params.slippage); // 1/(1−z)
            uint256 factor = Math.sqrt(inverse * WAD) - WAD; // 1/√(1−z) − 1
            return (r.mulWadDown(factor), r, true);
        } catch {
            return (throttleCapacity, 0, false);
        }
    }

    function _refreshCapacity() internal {
        (uint256 capacity, uint256 reserve, bool ok) = _capacity();
        if (!ok) return;
        throttleCapacity = uint96(capacity);
        emit ThrottleCapacitySet(capacity, reserve);
    }

    /// @dev The bucket refills continuously at `cap` per refill period, up to `cap`.
    function _refilled(uint256 cap) internal view returns (uint256) {
        uint256 refill = cap.mulDivDown(block.timestamp - _bucketAt, _params.refillPeriod);
        return (uint256(_bucket) + refill).min(cap);
    }

    function _borrowAllowed(State memory s) internal pure returns (bool) {
        return s.level == BreakerLevel.Normal;
    }

    /// @dev A halt and the grace period after it admit only confirmed losses, and those within the
    ///      throttle: the budget always bounds what fast liquidation may sell into the pool.
    function _allowance(State memory s, uint256 bucket)
        internal
        view
        returns (uint256 seizable, bool confirmedOnly)
    {
        confirmedOnly = s.level == BreakerLevel.Halted || block.timestamp < s.graceEnd;
        seizable = s.level >= BreakerLevel.Throttled ? bucket : type(uint256).max;
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
