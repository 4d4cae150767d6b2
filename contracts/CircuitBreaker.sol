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
///      Storage is laid out for the market's calls, which every liquidation pays for: four slots
///      (the state with the bucket; the market with the throttle capacity; the peaks with their
///      epoch; the parameters those calls read), each read once as a word. A liquidation makes
///      one call (liquidationAllowanceAt): the market passes the liquidation price it has just
///      read, so the oracle is not read again, and the seizure, consumed in the same call where
///      that price is final.
contract CircuitBreaker is ICircuitBreakerAdmin, AccessControl {
    using WadMath for uint256;

    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");
    uint256 internal constant SUBWINDOWS = 4;
    /// @dev Peaks are stored as 56-bit multiples of 1e-8 of a loan token so that four fit in one
    ///      slot with their epoch: up to ~7.2e26 (above the vault's MAX_NAV of 1e26), to 1e-8
    ///      relative at a price of 1, far finer than any decline level. A price above the range
    ///      saturates: its decline is measured from the top of it.
    uint256 internal constant PEAK_UNIT = 1e10;
    uint256 internal constant PEAK_BITS = 56;
    uint256 internal constant PEAK_MASK = (1 << PEAK_BITS) - 1;
    /// @dev The peaks' epoch (block.timestamp / quarter window; a quarter is at least a minute)
    ///      sits in the top 32 bits of the peaks word: 2^32 minutes is ~8,000 years.
    uint256 internal constant EPOCH_SHIFT = SUBWINDOWS * PEAK_BITS;

    ICollateralOracle public immutable oracle;
    IRwaVault public immutable vault;
    IConstantProductPool public immutable pool;

    /// @dev The state every market call reads, with the throttle bucket the market's liquidations
    ///      debit. Stored packed in one word (see _pack): levels in 8 bits each, timestamps in 40
    ///      (~35,000 years), the bucket in 96 (it never exceeds the capacity, < 2^96).
    struct State {
        BreakerLevel level;
        BreakerLevel manual; // a guardian's floor, cleared by reset, lowered to 2 at halt expiry
        BreakerLevel hold; // no update steps below it until a full check reads calm (see @dev)
        uint40 haltedAt;
        uint40 graceEnd;
        uint40 bucketAt;
        uint96 bucket;
    }

    /// @dev Parameters only full checks and halts read; a market call reads the rest in one word
    ///      (_hot: window, the three declines, refillPeriod, at BreakerParams' own widths).
    struct ColdParams {
        uint64 divergenceBound;
        uint32 divergenceWindow;
        uint64 slippage;
        uint32 maxHalt;
        uint32 gracePeriod;
        uint32 cooldown;
    }

    /// @dev One update, as computed: the new state and what was seen on the way.
    struct Step {
        State s;
        uint256 peaks; // as stored: four peaks and their epoch
        bool peaksChanged;
        bool expired; // a halt ran out of time in this update
        uint40 cooldownEnd; // set when a halt ended in this update (0: unchanged)
        uint256 fraction;
        Trigger trigger;
    }

    /// @dev A full check's read of the pool: the TWAP and TWAP reserve, or why it failed.
    struct PoolRead {
        bool ok;
        uint256 twap;
        uint256 reserve;
        bytes reason;
    }

    uint256 internal _state;
    /// @dev One slot: the market's calls check the caller, and the bucket refills to the capacity.
    address internal _market;
    uint96 internal _capacity;
    uint256 internal _peaks;
    uint256 internal _hot;
    ColdParams internal _cold;
    /// @dev Read only when a halt is called for (or asked for by the guardian).
    uint40 internal _cooldownEnd;

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
        return _borrowAllowed(_update(false, oracle.liquidationPrice()));
    }

    /// @inheritdoc ICircuitBreaker
    function liquidationAllowance() external returns (uint256, bool) {
        return _allowanceNow(oracle.liquidationPrice());
    }

    /// @inheritdoc ICircuitBreaker
    function liquidationAllowanceAt(uint256 liquidationPrice, uint256 seize)
        external
        returns (uint256 seizable, bool confirmedOnly)
    {
        // Checks: a price from anyone but the market could fake a peak or a decline.
        if (msg.sender != _market) revert BreakerNotMarket(msg.sender);
        State memory s = _update(false, liquidationPrice);
        if (!_restricted(s)) return (type(uint256).max, false); // no bucket to read
        (seizable, confirmedOnly) = (_refilled(s, _capacity), _confirmedOnly(s));
        // Effects: at a final price a seizure that fits is consumed now (seizable < 2^96).
        if (!confirmedOnly && seize != 0 && seize <= seizable) {
            (s.bucket, s.bucketAt) = (uint96(seizable - seize), uint40(block.timestamp));
            _state = _pack(s);
        }
    }

    /// @inheritdoc ICircuitBreaker
    function onFastLiquidation(uint256 collateral) external {
        // Checks: the market has just updated the breaker in liquidationAllowanceAt.
        if (msg.sender != _market) revert BreakerNotMarket(msg.sender);
        State memory s = _unpack(_state);
        if (!_restricted(s)) return; // unrestricted
        uint256 available = _refilled(s, _capacity);
        if (collateral > available) revert BreakerThrottleExceeded(collateral, available);
        // Effects: available ≤ capacity fits in 96 bits.
        (s.bucket, s.bucketAt) = (uint96(available - collateral), uint40(block.timestamp));
        _state = _pack(s);
    }

    /// @inheritdoc ICircuitBreaker
    function previewBorrowAllowed() external view returns (bool) {
        return _borrowAllowed(_preview().s);
    }

    /// @inheritdoc ICircuitBreaker
    function previewLiquidationAllowance() external view returns (uint256, bool) {
        State memory s = _preview().s;
        uint256 capacity = _capacity;
        if (_restricted(s) && !_restricted(_unpack(_state))) {
            PoolRead memory r = _read();
            if (r.ok) capacity = _capacityFor(r.reserve);
        }
        return _allowance(s, _refilled(s, capacity));
    }

    // ---------------------------------------------------------------- poke and guardian

    /// @inheritdoc ICircuitBreakerAdmin
    function poke() external returns (BreakerLevel) {
        return _update(true, oracle.liquidationPrice()).level;
    }

    /// @inheritdoc ICircuitBreakerAdmin
    function trip(BreakerLevel to) external onlyRole(GUARDIAN_ROLE) {
        // Checks, on the state as of now: a halt that just ran out of time has started its cooldown.
        uint256 price = oracle.liquidationPrice();
        State memory s = _update(false, price);
        uint256 cooldownEnd = _cooldownEnd;
        if (to == BreakerLevel.Halted && block.timestamp < cooldownEnd) {
            revert BreakerHaltInCooldown(cooldownEnd);
        }
        // Effects: the guardian's level becomes a floor; the update raises to it and emits like any trip.
        s.manual = to;
        _state = _pack(s);
        emit ManualFloorSet(to);
        _update(false, price);
    }

    /// @inheritdoc ICircuitBreakerAdmin
    function reset() external onlyRole(DEFAULT_ADMIN_ROLE) {
        State memory s = _update(false, oracle.liquidationPrice());
        BreakerLevel before = s.level;
        if (before == BreakerLevel.Halted) {
            _cooldownEnd = _endHalt(s, block.timestamp);
            emit HaltExpired(s.haltedAt, s.graceEnd);
        }
        if (s.manual != BreakerLevel.Normal) emit ManualFloorSet(BreakerLevel.Normal);
        if (s.hold != BreakerLevel.Normal) emit HoldSet(BreakerLevel.Normal);
        (s.level, s.manual, s.hold) = (BreakerLevel.Normal, BreakerLevel.Normal, BreakerLevel.Normal);
        _state = _pack(s);
        if (before != BreakerLevel.Normal) emit LevelChanged(before, BreakerLevel.Normal);
    }

    /// @inheritdoc ICircuitBreakerAdmin
    function setMarket(address market_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (_market != address(0)) revert BreakerMarketAlreadySet(_market);
        if (market_ == address(0)) revert BreakerZeroAddress();
        _market = market_;
        emit MarketSet(market_);
    }

    /// @inheritdoc ICircuitBreakerAdmin
    function setParams(BreakerParams calldata p) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setParams(p);
    }

    // ---------------------------------------------------------------- views

    /// @notice The market this breaker guards (zero until set).
    function market() external view returns (address) {
        return _market;
    }

    /// @notice What the bucket refills to per refill period, from the last depth estimate.
    function throttleCapacity() external view returns (uint96) {
        return _capacity;
    }

    /// @inheritdoc ICircuitBreakerAdmin
    function params() external view returns (BreakerParams memory) {
        uint256 h = _hot;
        ColdParams memory c = _cold;
        return BreakerParams({
            window: _window(h),
            level1Decline: uint64(h >> 32),
            level2Decline: uint64(h >> 96),
            level3Decline: uint64(h >> 160),
            divergenceBound: c.divergenceBound,
            divergenceWindow: c.divergenceWindow,
            slippage: c.slippage,
            refillPeriod: _refillPeriod(h),
            maxHalt: c.maxHalt,
            gracePeriod: c.gracePeriod,
            cooldown: c.cooldown
        });
    }

    /// @inheritdoc ICircuitBreakerAdmin
    function level() external view returns (BreakerLevel) {
        return _preview().s.level;
    }

    /// @inheritdoc ICircuitBreakerAdmin
    function inGrace() external view returns (bool) {
        return block.timestamp < _preview().s.graceEnd;
    }

    /// @inheritdoc ICircuitBreakerAdmin
    function throttleAvailable() external view returns (uint256) {
        return _refilled(_unpack(_state), _capacity);
    }

    /// @notice The highest liquidation price in the rolling window, and the current decline from it.
    function decline() external view returns (uint256 peak, uint256 fraction) {
        Step memory st = _preview();
        (peak, fraction) = (_max(st.peaks), st.fraction);
    }

    // ---------------------------------------------------------------- internals

    function _allowanceNow(uint256 price) internal returns (uint256, bool) {
        State memory s = _update(false, price);
        if (!_restricted(s)) return (type(uint256).max, false); // no bucket to read
        return _allowance(s, _refilled(s, _capacity));
    }

    /// @dev What a market call would compute now, for views.
    function _preview() internal view returns (Step memory) {
        PoolRead memory none;
        return _next(_unpack(_state), false, none, oracle.liquidationPrice());
    }

    /// @dev Brings the stored state up to now, emitting every change; writes only what changed.
    function _update(bool full, uint256 price) internal returns (State memory s) {
        uint256 stored = _state;
        s = _unpack(stored);
        (BreakerLevel level0, BreakerLevel hold0, uint256 haltedAt0, bool restricted0) =
            (s.level, s.hold, s.haltedAt, _restricted(s));
        PoolRead memory r;
        if (full) r = _read();
        Step memory st = _next(s, full, r, price); // updates s in place
        if (full && !r.ok) emit PoolReadFailed(_cold.divergenceWindow, r.reason);
        if (s.hold != hold0) emit HoldSet(s.hold);
        if (st.expired) emit HaltExpired(haltedAt0, s.graceEnd);
        // A halt that expired left at level 2: a new halt in the same update is a new trip.
        BreakerLevel from = st.expired ? BreakerLevel.Throttled : level0;
        if (s.level > from) emit Tripped(st.trigger, s.level, st.fraction);
        if (s.level != level0) emit LevelChanged(level0, s.level);
        // The throttle engages with a fresh depth estimate, refreshed by every full check. The
        // bucket keeps its level across spans (refilling all the while), so leaving and re-entering
        // the throttle never refills it.
        if (_restricted(s) && (full || !restricted0)) {
            uint256 capacity = _capacity;
            if (!full) {
                r = _read();
                if (!r.ok) emit PoolReadFailed(_cold.divergenceWindow, r.reason);
            }
            if (r.ok) capacity = _setCapacity(r.reserve);
            (s.bucket, s.bucketAt) = (uint96(_refilled(s, capacity)), uint40(block.timestamp));
        }
        uint256 packed = _pack(s);
        if (packed != stored) _state = packed;
        if (st.peaksChanged) _peaks = st.peaks;
        if (st.cooldownEnd != 0) _cooldownEnd = st.cooldownEnd;
    }

    /// @dev The state as of now: halt expiry, rolling peaks, then the level the triggers call for
    ///      (a full check adds the pool read `r`), stepping down no lower than the hold.
    function _next(State memory s, bool full, PoolRead memory r, uint256 price)
        internal
        view
        returns (Step memory st)
    {
        st.s = s;
        // Bounded halts: a halt ends after maxHalt whatever its cause.
        if (s.level == BreakerLevel.Halted) {
            uint256 end = uint256(s.haltedAt) + _cold.maxHalt;
            if (block.timestamp >= end) {
                st.cooldownEnd = _endHalt(s, end);
                st.expired = true;
            }
        }
        uint256 hot = _hot;
        (st.peaks, st.peaksChanged) = _rolledPeaks(_window(hot), price);
        uint256 peak = _max(st.peaks);
        st.fraction = peak == 0 ? 0 : (peak - price.min(peak)).divWadDown(peak);
        BreakerLevel target;
        (target, st.trigger) = _declineLevel(hot, st.fraction);
        (uint256 nav,, NavStatus status) = vault.navInfo();
        if (full) {
            if (r.ok) {
                bool diverged = r.twap < nav && (nav - r.twap).divWadDown(nav) > _cold.divergenceBound;
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
        if (target == BreakerLevel.Halted) {
            uint256 cooldownEnd = st.cooldownEnd != 0 ? st.cooldownEnd : _cooldownEnd;
            if (block.timestamp < cooldownEnd) target = BreakerLevel.Throttled;
        }
        if (target > s.level) {
            if (target == BreakerLevel.Halted) s.haltedAt = uint40(block.timestamp);
            s.level = target;
        } else if (s.level != BreakerLevel.Halted) {
            BreakerLevel floor = s.hold < s.level ? s.hold : s.level;
            s.level = target > floor ? target : floor;
        }
    }

    function _declineLevel(uint256 hot, uint256 fraction) internal pure returns (BreakerLevel, Trigger) {
        if (fraction >= uint64(hot >> 160)) return (BreakerLevel.Halted, Trigger.PriceDecline);
        if (fraction >= uint64(hot >> 96)) return (BreakerLevel.Throttled, Trigger.PriceDecline);
        if (fraction >= uint64(hot >> 32)) return (BreakerLevel.BorrowsClosed, Trigger.PriceDecline);
        return (BreakerLevel.Normal, Trigger.PriceDecline);
    }

    /// @dev The pool's TWAP and TWAP reserve over the divergence window, or why it could not answer.
    function _read() internal view returns (PoolRead memory r) {
        try pool.consult(_cold.divergenceWindow) returns (uint256 t, uint256 reserve) {
            (r.ok, r.twap, r.reserve) = (true, t, reserve);
        } catch (bytes memory e) {
            r.reason = e;
        }
    }

    /// @dev A halt ends at `at`: down to level 2, grace starts, a manual halt is spent. Returns
    ///      the end of the cooldown that starts with it (kept apart from the state: only a call for
    ///      a new halt reads it).
    function _endHalt(State memory s, uint256 at) internal view returns (uint40 cooldownEnd) {
        s.level = BreakerLevel.Throttled;
        if (s.manual == BreakerLevel.Halted) s.manual = BreakerLevel.Throttled;
        ColdParams storage c = _cold;
        s.graceEnd = uint40(at + c.gracePeriod);
        cooldownEnd = uint40(at + c.cooldown);
    }

    /// @dev Peaks per quarter window; quarters that fell out of the window are cleared. A window
    ///      changed by setParams renumbers the quarters: an epoch behind the stored one clears all.
    function _rolledPeaks(uint256 window, uint256 price) internal view returns (uint256 peaks, bool changed) {
        peaks = _peaks;
        uint256 epoch = block.timestamp / (window / SUBWINDOWS);
        uint256 last = peaks >> EPOCH_SHIFT;
        if (epoch != last) {
            if (epoch < last || epoch - last >= SUBWINDOWS) {
                peaks = 0;
            } else {
                for (uint256 k = last + 1; k <= epoch; ++k) {
                    peaks &= ~(PEAK_MASK << ((k % SUBWINDOWS) * PEAK_BITS));
                }
            }
            // The epoch fits its 32 bits (see EPOCH_SHIFT); the peaks below it are kept.
            peaks = (peaks & ((1 << EPOCH_SHIFT) - 1)) | (epoch << EPOCH_SHIFT);
            changed = true;
        }
        uint256 shift = (epoch % SUBWINDOWS) * PEAK_BITS;
        uint256 scaled = (price / PEAK_UNIT).min(PEAK_MASK);
        if (scaled > (peaks >> shift) & PEAK_MASK) {
            peaks = (peaks & ~(PEAK_MASK << shift)) | (scaled << shift);
            changed = true;
        }
    }

    /// @dev The highest of the four peaks (unrolled: every market call runs it).
    function _max(uint256 peaks) internal pure returns (uint256) {
        uint256 a = (peaks & PEAK_MASK).max((peaks >> PEAK_BITS) & PEAK_MASK);
        uint256 b = ((peaks >> (2 * PEAK_BITS)) & PEAK_MASK).max((peaks >> (3 * PEAK_BITS)) & PEAK_MASK);
        return a.max(b) * PEAK_UNIT;
    }

    /// @dev Selling dx into reserve R moves the price by (R/(R+dx))²; the budget per refill period
    ///      is the dx that moves it by `slippage`: R·(1/√(1−z) − 1), from the TWAP depth, capped to
    ///      what the bucket stores (a 96-bit budget is ~7.9e28, far beyond any pool's reach).
    function _capacityFor(uint256 reserve) internal view returns (uint256) {
        uint256 inverse = WAD.mulDivDown(WAD, WAD - _cold.slippage); // 1/(1−z)
        uint256 factor = Math.sqrt(inverse * WAD) - WAD; // 1/√(1−z) − 1
        return reserve.mulWadDown(factor).min(type(uint96).max);
    }

    function _setCapacity(uint256 reserve) internal returns (uint256 capacity) {
        capacity = _capacityFor(reserve);
        _capacity = uint96(capacity);
        emit ThrottleCapacitySet(capacity, reserve);
    }

    /// @dev The bucket refills continuously at `cap` per refill period, up to `cap`.
    function _refilled(State memory s, uint256 cap) internal view returns (uint256) {
        uint256 refill = cap.mulDivDown(block.timestamp - s.bucketAt, _refillPeriod(_hot));
        return (uint256(s.bucket) + refill).min(cap);
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
        confirmedOnly = _confirmedOnly(s);
        seizable = _restricted(s) ? bucket : type(uint256).max;
    }

    function _confirmedOnly(State memory s) internal view returns (bool) {
        return s.level == BreakerLevel.Halted || block.timestamp < s.graceEnd;
    }

    // ---------------------------------------------------------------- packing

    function _pack(State memory s) internal pure returns (uint256) {
        return uint256(s.level) | uint256(s.manual) << 8 | uint256(s.hold) << 16 | uint256(s.haltedAt) << 24
            | uint256(s.graceEnd) << 64 | uint256(s.bucketAt) << 104 | uint256(s.bucket) << 144;
    }

    function _unpack(uint256 w) internal pure returns (State memory s) {
        s.level = BreakerLevel(uint8(w));
        s.manual = BreakerLevel(uint8(w >> 8));
        s.hold = BreakerLevel(uint8(w >> 16));
        s.haltedAt = uint40(w >> 24);
        s.graceEnd = uint40(w >> 64);
        s.bucketAt = uint40(w >> 104);
        s.bucket = uint96(w >> 144);
    }

    /// @dev _hot: window (32 bits), level1Decline, level2Decline, level3Decline (64 each),
    ///      refillPeriod (32), as in BreakerParams.
    function _window(uint256 hot) internal pure returns (uint32) {
        return uint32(hot);
    }

    function _refillPeriod(uint256 hot) internal pure returns (uint32) {
        return uint32(hot >> 224);
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
        _hot = uint256(p.window) | uint256(p.level1Decline) << 32 | uint256(p.level2Decline) << 96
            | uint256(p.level3Decline) << 160 | uint256(p.refillPeriod) << 224;
        _cold = ColdParams(
            p.divergenceBound, p.divergenceWindow, p.slippage, p.maxHalt, p.gracePeriod, p.cooldown
        );
        emit ParamsSet(p);
    }

    function _bound(bytes32 name, uint256 value, uint256 min, uint256 max) internal pure {
        if (value < min || value > max) revert BreakerParameterOutOfBounds(name, value, min, max);
    }
}
