// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {ICollateralOracle} from "./interfaces/ICollateralOracle.sol";
import {IConservativeOracle, OracleParams, OracleState} from "./interfaces/IConservativeOracle.sol";
import {IConstantProductPool} from "./interfaces/IConstantProductPool.sol";
import {IRwaVault, NavStatus} from "./interfaces/IRwaVault.sol";
import {WAD, WadMath} from "./libraries/WadMath.sol";

/// @title ConservativeOracle
/// @notice borrowPrice = min(hNAV, short TWAP), zero when NAV is under review or too old or the
///         short TWAP cannot be read, where hNAV = NAV × (1 − haircut) and the haircut grows with
///         NAV age past the heartbeat. liquidationPrice is anchored on hNAV; it follows the
///         market's long TWAP only once a divergence has lasted a confirmation time that shrinks
///         as the divergence grows (or at once when NAV is under review or stale); it falls and
///         rises at most a bounded fraction per hour; a fresh NAV resets it, decreases at once.
/// @dev Constructor: (vault, pool, admin, params); every window it reads must lie within the
///      pool's observationSpan(), so a read fails only while the pool is younger than the window.
///      TWAP reads cost a binary search over the pool's ring, so only `poke` and `borrowPrice`
///      read the pool. `liquidationPrice`, which every liquidation pays for, is computed from the
///      state the last poke stored (price p0 at t0, market target T, 0 = none) and one `navInfo`:
///        step(p, a, dt) = max(a, p − p·maxDrop·dt/1h) if a <= p, else min(a, p + p·maxRise·dt/1h)
///        with a fresh NAV (newer than at t0): hNAV at once if lower, else step(p0, hNAV, now − t0)
///        no target:                 step(p0, hNAV, now − t0)
///        now <= e = t0 + minConfirmation:  step(p0, min(hNAV, T), now − t0)
///        later:                     step(step(p0, min(hNAV, T), e − t0), hNAV, now − e), and
///                                   at most p0 + p0·maxRise·(now − t0)/1h (no compounding)
///      A target is evidence only as long as the shortest divergence the oracle believes
///      (minConfirmation): without pokes the price returns toward the NAV anchor at the bounded
///      rate, so a lag errs toward the anchor, the side that does not fire-sell. Keepers (and any
///      liquidator who wants a lower price) poke every block to keep a real divergence in force.
contract ConservativeOracle is IConservativeOracle, AccessControl {
    using WadMath for uint256;
    using SafeCast for uint256;

    IRwaVault public immutable vault;
    IConstantProductPool public immutable pool;

    OracleParams internal _params;

    /// @dev The one slot a liquidation reads (with navInfo), as a word: the price at `updatedAt`
    ///      (88 bits), `updatedAt` and the NAV timestamp the state was built on (40 bits each),
    ///      the heartbeat (32 bits, a copy of the parameter that setParams keeps in step: whether a
    ///      haircut applies is known without reading the parameters) and whether a market target
    ///      is set (1 bit). Prices fit 88 bits up to 3e8 loan tokens per share (the vault's MAX_NAV
    ///      stays below that), and neither stored price exceeds max(hNAV, the previous price); a
    ///      wider one reverts (SafeCast), never truncates. With the price at its anchor, no target
    ///      and a NAV within its heartbeat, liquidationPrice reads nothing else.
    uint256 internal _hot;
    /// @dev The market target (0 = anchored on hNAV), read only when set, and the last recorded
    ///      state, which only poke uses.
    uint88 internal _target;
    OracleState internal _state;

    uint256 internal constant UPDATED_AT_SHIFT = 88;
    uint256 internal constant NAV_AS_OF_SHIFT = 128;
    uint256 internal constant HEARTBEAT_SHIFT = 168;
    uint256 internal constant HAS_TARGET_SHIFT = 200;

    constructor(IRwaVault vault_, IConstantProductPool pool_, address admin, OracleParams memory params_) {
        if (address(vault_) == address(0) || address(pool_) == address(0) || admin == address(0)) {
            revert OracleZeroAddress();
        }
        vault = vault_;
        pool = pool_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setParams(params_);
        (uint256 hNav,) = haircutNav();
        (, uint64 asOf,) = vault_.navInfo();
        _storeHot(hNav, asOf, false);
    }

    // ---------------------------------------------------------------- prices

    /// @inheritdoc ICollateralOracle
    function borrowPrice() external view returns (uint256) {
        (uint256 nav, uint64 asOf, NavStatus status) = vault.navInfo();
        if (status == NavStatus.UnderReview || block.timestamp - asOf > _params.maxNavAge) return 0;
        (bool ok, uint256 shortTwap) = _twap(_params.shortTwapWindow);
        if (!ok) return 0; // no credible market check: no new debt
        // The parameters' own heartbeat: their slot is read here anyway (maxNavAge, the window).
        return _haircut(nav, asOf, _params.heartbeat).min(shortTwap);
    }

    /// @inheritdoc ICollateralOracle
    function liquidationPrice() public view returns (uint256) {
        (uint256 nav, uint64 asOf,) = vault.navInfo();
        uint256 hot = _hot;
        return _liquidationPrice(hot, _haircut(nav, asOf, _heartbeat(hot)), asOf);
    }

    /// @inheritdoc ICollateralOracle
    function anchorPrice() external view returns (uint256 hNav) {
        (hNav,) = haircutNav();
    }

    /// @inheritdoc IConservativeOracle
    function haircutNav() public view returns (uint256 hNav, uint256 haircut) {
        (uint256 nav, uint64 asOf,) = vault.navInfo();
        haircut = _haircutFraction(asOf, _heartbeat(_hot));
        hNav = nav.mulWadDown(WAD - haircut);
    }

    // ---------------------------------------------------------------- poke

    /// @inheritdoc IConservativeOracle
    function poke() external returns (uint256 price) {
        (uint256 nav, uint64 asOf, NavStatus status) = vault.navInfo();
        uint256 hot = _hot;
        uint256 hNav = _haircut(nav, asOf, _heartbeat(hot));
        price = _liquidationPrice(hot, hNav, asOf);
        (uint256 target, OracleState next, uint32 failedWindow) = _marketTarget(hNav, asOf, status);
        OracleState previous = _state;
        _storeHot(price, asOf, target != 0);
        (_target, _state) = (target.toUint88(), next);
        if (failedWindow != 0) _reportReadFailure(failedWindow);
        if (previous != next) emit StateChanged(previous, next);
        emit Poked(price, target, next);
    }

    /// @inheritdoc IConservativeOracle
    function state() external view returns (OracleState s) {
        (uint256 nav, uint64 asOf, NavStatus status) = vault.navInfo();
        (, s,) = _marketTarget(_haircut(nav, asOf, _heartbeat(_hot)), asOf, status);
    }

    // ---------------------------------------------------------------- admin

    /// @inheritdoc IConservativeOracle
    function setParams(OracleParams calldata params_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setParams(params_);
    }

    /// @inheritdoc IConservativeOracle
    function params() external view returns (OracleParams memory) {
        return _params;
    }

    // ---------------------------------------------------------------- internals

    /// @dev The stored price moved toward the anchor at the bounded rates (see the contract's
    ///      formulas). A NAV newer than the one the state was built on drops the market target
    ///      and applies any decrease at once.
    function _liquidationPrice(uint256 hot, uint256 hNav, uint64 asOf) internal view returns (uint256) {
        uint256 last = uint88(hot);
        uint256 from = uint40(hot >> UPDATED_AT_SHIFT);
        if (asOf != uint40(hot >> NAV_AS_OF_SHIFT)) {
            return hNav <= last ? hNav : _step(last, hNav, block.timestamp - from);
        }
        if ((hot >> HAS_TARGET_SHIFT) & 1 == 0) return _step(last, hNav, block.timestamp - from);
        uint256 anchor = hNav.min(_target);
        uint256 expiry = from + _params.minConfirmation;
        if (block.timestamp <= expiry) return _step(last, anchor, block.timestamp - from);
        // The measurement is older than the shortest divergence believed: back toward the anchor.
        // Capped so that two rising phases together rise no faster than one from `last`.
        uint256 price = _step(_step(last, anchor, expiry - from), hNav, block.timestamp - expiry);
        return price.min(last + _maxMove(last, _params.maxRisePerHour, block.timestamp - from));
    }

    /// @dev `price` moved toward `anchor` for `dt` seconds at the bounded rates. Rounded down: the
    ///      price never falls even a wei faster than the bound, and never overshoots the anchor.
    function _step(uint256 price, uint256 anchor, uint256 dt) internal view returns (uint256) {
        if (anchor == price) return price; // at its anchor: no rate to read
        if (anchor < price) {
            return anchor.max(price.zeroFloorSub(_maxMove(price, _params.maxDropPerHour, dt)));
        }
        return anchor.min(price + _maxMove(price, _params.maxRisePerHour, dt));
    }

    function _maxMove(uint256 price, uint256 perHour, uint256 dt) internal pure returns (uint256) {
        return price.mulWadDown(perHour).mulDivDown(dt, 1 hours);
    }

    /// @dev Where the market says liquidationPrice should go, the oracle's state, and the window
    ///      that could not be read (0 if none). Without a long TWAP, or without the TWAP over the
    ///      confirmation time a divergence needs, nothing is known about the market: the state is
    ///      MarketUnavailable and there is no target (liquidationPrice follows hNAV, whatever
    ///      NAV's status, which the vault reports). Under review or past the heartbeat, NAV is no
    ///      anchor to wait for: the market counts at once. Otherwise a divergence counts once the
    ///      TWAP over its confirmation time is itself below the tolerance band: persistence
    ///      measured by the pool's own observations, not by pokes.
    function _marketTarget(uint256 hNav, uint64 asOf, NavStatus status)
        internal
        view
        returns (uint256 target, OracleState s, uint32 failedWindow)
    {
        uint32 longWindow = _params.longTwapWindow;
        (bool ok, uint256 longTwap) = _twap(longWindow);
        if (!ok) return (0, OracleState.MarketUnavailable, longWindow);
        if (status == NavStatus.UnderReview) return (hNav.min(longTwap), OracleState.UnderReview, 0);
        if (block.timestamp - asOf > _params.heartbeat) return (hNav.min(longTwap), OracleState.Stale, 0);
        uint256 band = hNav.mulWadDown(WAD - _params.divergenceTolerance);
        if (longTwap >= band) return (0, OracleState.Normal, 0);
        uint256 divergence = WAD - longTwap.divWadDown(hNav);
        // At most baseConfirmation: the divergence exceeds the tolerance here.
        uint32 confirmation = uint32(
            uint256(_params.baseConfirmation).mulDivDown(_params.divergenceTolerance, divergence)
                .max(_params.minConfirmation)
        );
        (bool okC, uint256 confirmTwap) = _twap(confirmation);
        if (!okC) return (0, OracleState.MarketUnavailable, confirmation);
        return (confirmTwap < band ? longTwap : 0, OracleState.Diverging, 0);
    }

    function _twap(uint32 window) internal view returns (bool ok, uint256 price) {
        try pool.consult(window) returns (uint256 p, uint256) {
            return (p > 0, p);
        } catch {
            return (false, 0);
        }
    }

    /// @dev Emits why a window could not be read (empty when the pool answered a zero price).
    function _reportReadFailure(uint32 window) internal {
        bytes memory reason;
        try pool.consult(window) {}
        catch (bytes memory r) {
            reason = r;
        }
        emit MarketReadFailed(window, reason);
    }

    function _haircut(uint256 nav, uint64 asOf, uint256 heartbeat) internal view returns (uint256) {
        uint256 haircut = _haircutFraction(asOf, heartbeat);
        return haircut == 0 ? nav : nav.mulWadDown(WAD - haircut);
    }

    /// @dev Zero within the heartbeat, without reading the other parameters.
    function _haircutFraction(uint64 asOf, uint256 heartbeat) internal view returns (uint256) {
        uint256 age = block.timestamp - asOf;
        if (age <= heartbeat) return 0;
        return uint256(_params.haircutPerDay).mulDivDown(age - heartbeat, 1 days).min(_params.maxHaircut);
    }

    /// @dev Stores the hot word: `price` as of now, on the NAV of `asOf`, the heartbeat kept.
    function _storeHot(uint256 price, uint64 asOf, bool hasTarget) internal {
        uint256 heartbeat = _hot & (uint256(type(uint32).max) << HEARTBEAT_SHIFT);
        _hot = uint256(price.toUint88()) | uint256(uint40(block.timestamp)) << UPDATED_AT_SHIFT
            | uint256(uint256(asOf).toUint40()) << NAV_AS_OF_SHIFT | heartbeat
            | (hasTarget ? 1 << HAS_TARGET_SHIFT : 0);
    }

    function _heartbeat(uint256 hot) internal pure returns (uint256) {
        return uint32(hot >> HEARTBEAT_SHIFT);
    }

    function _setParams(OracleParams memory p) internal {
        _bound("shortTwapWindow", p.shortTwapWindow, 5 minutes, 1 days);
        _bound("longTwapWindow", p.longTwapWindow, p.shortTwapWindow, 7 days);
        _bound("heartbeat", p.heartbeat, 1 hours, 90 days);
        _bound("maxNavAge", p.maxNavAge, p.heartbeat, 365 days);
        _bound("haircutPerDay", p.haircutPerDay, 0, 0.05e18);
        _bound("maxHaircut", p.maxHaircut, 0, 0.5e18);
        _bound("divergenceTolerance", p.divergenceTolerance, 0.005e18, 0.5e18);
        _bound("baseConfirmation", p.baseConfirmation, 5 minutes, 7 days);
        _bound("minConfirmation", p.minConfirmation, 5 minutes, p.baseConfirmation);
        _bound("maxDropPerHour", p.maxDropPerHour, 0.001e18, 0.5e18);
        _bound("maxRisePerHour", p.maxRisePerHour, 0.001e18, 0.5e18);
        // Every window read lies within what the pool guarantees to answer (the short window and
        // minConfirmation are bounded by these two).
        uint256 span = pool.observationSpan();
        _withinSpan("longTwapWindow", p.longTwapWindow, span);
        _withinSpan("baseConfirmation", p.baseConfirmation, span);
        _params = p;
        // The hot word's copy of the heartbeat, kept in step.
        _hot = (_hot & ~(uint256(type(uint32).max) << HEARTBEAT_SHIFT)) | uint256(p.heartbeat)
            << HEARTBEAT_SHIFT;
        emit ParamsSet(p);
    }

    function _withinSpan(bytes32 name, uint256 window, uint256 span) internal pure {
        if (window > span) revert OracleWindowBeyondObservations(name, window, span);
    }

    function _bound(bytes32 name, uint256 value, uint256 min, uint256 max) internal pure {
        if (value < min || value > max) revert OracleParameterOutOfBounds(name, value, min, max);
    }
}
