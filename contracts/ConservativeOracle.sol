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

    /// @dev One slot read by every liquidation: the price at `updatedAt`, the market target
    ///      (0 = anchored on hNAV) and the NAV timestamp the state was built on. Prices fit 88 bits
    ///      up to 3e8 loan tokens per share (the vault's MAX_NAV stays below that), and neither
    ///      stored price exceeds max(hNAV, the previous price); a wider one reverts (SafeCast),
    ///      never truncates. The last recorded state sits apart: only poke uses it.
    uint88 internal _price;
    uint88 internal _target;
    uint40 internal _updatedAt;
    uint40 internal _navAsOf;
    OracleState internal _state;

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
        (_price, _updatedAt, _navAsOf) = (hNav.toUint88(), uint40(block.timestamp), uint256(asOf).toUint40());
    }

    // ---------------------------------------------------------------- prices

    /// @inheritdoc ICollateralOracle
    function borrowPrice() external view returns (uint256) {
        (uint256 nav, uint64 asOf, NavStatus status) = vault.navInfo();
        if (status == NavStatus.UnderReview || block.timestamp - asOf > _params.maxNavAge) return 0;
        (bool ok, uint256 shortTwap) = _twap(_params.shortTwapWindow);
        if (!ok) return 0; // no credible market check: no new debt
        return _haircut(nav, asOf).min(shortTwap);
    }

    /// @inheritdoc ICollateralOracle
    function liquidationPrice() public view returns (uint256) {
        (uint256 nav, uint64 asOf,) = vault.navInfo();
        return _liquidationPrice(_haircut(nav, asOf), asOf);
    }

    /// @inheritdoc ICollateralOracle
    function anchorPrice() external view returns (uint256 hNav) {
        (hNav,) = haircutNav();
    }

    /// @inheritdoc IConservativeOracle
    function haircutNav() public view returns (uint256 hNav, uint256 haircut) {
        (uint256 nav, uint64 asOf,) = vault.navInfo();
        haircut = _haircutFraction(asOf);
        hNav = nav.mulWadDown(WAD - haircut);
    }

    // ---------------------------------------------------------------- poke

    /// @inheritdoc IConservativeOracle
    function poke() external returns (uint256 price) {
        (uint256 nav, uint64 asOf, NavStatus status) = vault.navInfo();
        uint256 hNav = _haircut(nav, asOf);
        price = _liquidationPrice(hNav, asOf);
        (uint256 target, OracleState next, uint32 failedWindow) = _marketTarget(hNav, asOf, status);
        OracleState previous = _state;
        (_price, _target, _updatedAt, _navAsOf, _state) =
        (price.toUint88(), target.toUint88(), uint40(block.timestamp), uint256(asOf).toUint40(), next);
        if (failedWindow != 0) _reportReadFailure(failedWindow);
        if (previous != next) emit StateChanged(previous, next);
        emit Poked(price, target, next);
    }

    /// @inheritdoc IConservativeOracle
    function state() external view returns (OracleState s) {
        (uint256 nav, uint64 asOf, NavStatus status) = vault.navInfo();
        (, s,) = _marketTarget(_haircut(nav, asOf), asOf, status);
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
    function _liquidationPrice(uint256 hNav, uint64 asOf) internal view returns (uint256) {
        uint256 last = _price;
        uint256 from = _updatedAt;
        uint256 target = _target;
        if (asOf != _navAsOf) return hNav <= last ? hNav : _step(last, hNav, block.timestamp - from);
        if (target == 0) return _step(last, hNav, block.timestamp - from);
        uint256 anchor = hNav.min(target);
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
        if (anchor <= price) {
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

    function _haircut(uint256 nav, uint64 asOf) internal view returns (uint256) {
        return nav.mulWadDown(WAD - _haircutFraction(asOf));
    }

    function _haircutFraction(uint64 asOf) internal view returns (uint256) {
        uint256 age = block.timestamp - asOf;
        if (age <= _params.heartbeat) return 0;
        return
            uint256(_params.haircutPerDay).mulDivDown(age - _params.heartbeat, 1 days).min(_params.maxHaircut);
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
        emit ParamsSet(p);
    }

    function _withinSpan(bytes32 name, uint256 window, uint256 span) internal pure {
        if (window > span) revert OracleWindowBeyondObservations(name, window, span);
    }

    function _bound(bytes32 name, uint256 value, uint256 min, uint256 max) internal pure {
        if (value < min || value > max) revert OracleParameterOutOfBounds(name, value, min, max);
    }
}
