// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

import {ICollateralOracle} from "./interfaces/ICollateralOracle.sol";
import {IConservativeOracle, OracleParams, OracleState} from "./interfaces/IConservativeOracle.sol";
import {IConstantProductPool} from "./interfaces/IConstantProductPool.sol";
import {IRwaVault, NavStatus} from "./interfaces/IRwaVault.sol";
import {WAD, WadMath} from "./libraries/WadMath.sol";

/// @title ConservativeOracle
/// @notice borrowPrice = min(hNAV, short TWAP), zero when NAV is under review or too old, where
///         hNAV = NAV × (1 − haircut) and the haircut grows with NAV age past the heartbeat.
///         liquidationPrice is anchored on hNAV; it follows the market's long TWAP only once a
///         divergence has lasted a confirmation time that shrinks as the divergence grows (or at
///         once when NAV is under review or stale); it falls and rises at most a bounded fraction
///         per hour; a fresh NAV resets it, decreases at once.
/// @dev Constructor: (vault, pool, admin, params). TWAP reads cost tens of thousands of gas on a
///      full observation ring, so only `poke` and `borrowPrice` read the pool. `liquidationPrice`,
///      which every liquidation pays for, reads the stored target and one `navInfo`, and applies
///      the haircut, the fresh-NAV reset and the rate limit lazily: between pokes it is exact with
///      respect to NAV and time and lags only in how it sees the market. That lag errs toward the
///      NAV anchor, which is the conservative side against fire sales; keepers poke every block.
contract ConservativeOracle is IConservativeOracle, AccessControl {
    using WadMath for uint256;

    IRwaVault public immutable vault;
    IConstantProductPool public immutable pool;

    OracleParams internal _params;

    /// @dev One slot read by every liquidation: the price at `updatedAt`, the market target
    ///      (0 = anchored on hNAV) and the NAV timestamp the state was built on. Prices fit 88 bits
    ///      up to 3e8 loan tokens per share. The last recorded state sits apart: only poke uses it.
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
        (_price, _updatedAt, _navAsOf) = (uint88(hNav), uint40(block.timestamp), uint40(asOf));
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
        (uint256 target, OracleState next) = _marketTarget(hNav, asOf, status);
        OracleState previous = _state;
        (_price, _target, _updatedAt, _navAsOf, _state) =
        (uint88(price), uint88(target), uint40(block.timestamp), uint40(asOf), next);
        if (previous != next) emit StateChanged(previous, next);
        emit Poked(price, target, next);
    }

    /// @inheritdoc IConservativeOracle
    function state() external view returns (OracleState s) {
        (uint256 nav, uint64 asOf, NavStatus status) = vault.navInfo();
        (, s) = _marketTarget(_haircut(nav, asOf), asOf, status);
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

    /// @dev The stored price moved toward the anchor at the bounded rates. A NAV newer than the one
    ///      the state was built on drops the market target and applies any decrease at once.
    function _liquidationPrice(uint256 hNav, uint64 asOf) internal view returns (uint256) {
        uint256 last = _price;
        bool freshNav = asOf != _navAsOf;
        uint256 anchor = (_target == 0 || freshNav) ? hNav : hNav.min(_target);
        if (anchor <= last) {
            if (freshNav) return anchor;
            // Rounded down: the price never falls even a wei faster than the bound.
            uint256 maxDrop =
                last.mulWadDown(_params.maxDropPerHour).mulDivDown(block.timestamp - _updatedAt, 1 hours);
            return anchor.max(last.zeroFloorSub(maxDrop));
        }
        uint256 maxRise =
            last.mulWadDown(_params.maxRisePerHour).mulDivDown(block.timestamp - _updatedAt, 1 hours);
        return anchor.min(last + maxRise);
    }

    /// @dev Where the market says liquidationPrice should go, and the oracle's state. Under review
    ///      or past the heartbeat, NAV is no anchor to wait for: the market counts at once. Otherwise
    ///      a divergence counts once the TWAP over its confirmation time is itself below the
    ///      tolerance band: persistence measured by the pool's own observations, not by pokes.
    function _marketTarget(uint256 hNav, uint64 asOf, NavStatus status)
        internal
        view
        returns (uint256 target, OracleState s)
    {
        (bool ok, uint256 longTwap) = _twap(_params.longTwapWindow);
        if (status == NavStatus.UnderReview) {
            return (ok ? hNav.min(longTwap) : hNav, OracleState.UnderReview);
        }
        if (block.timestamp - asOf > _params.heartbeat) {
            return (ok ? hNav.min(longTwap) : hNav, OracleState.Stale);
        }
        uint256 band = hNav.mulWadDown(WAD - _params.divergenceTolerance);
        if (!ok || longTwap >= band) return (0, OracleState.Normal);
        uint256 divergence = WAD - longTwap.divWadDown(hNav);
        uint256 confirmation =
            uint256(_params.baseConfirmation).mulDivDown(_params.divergenceTolerance, divergence);
        confirmation = confirmation.max(_params.minConfirmation);
        (bool okC, uint256 confirmTwap) = _twap(uint32(confirmation));
        return (okC && confirmTwap < band ? longTwap : 0, OracleState.Diverging);
    }

    function _twap(uint32 window) internal view returns (bool ok, uint256 price) {
        try pool.consult(window) returns (uint256 p, uint256) {
            return (p > 0, p);
        } catch {
            return (false, 0);
        }
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
        _params = p;
        emit ParamsSet(p);
    }

    function _bound(bytes32 name, uint256 value, uint256 min, uint256 max) internal pure {
        if (value < min || value > max) revert OracleParameterOutOfBounds(name, value, min, max);
    }
}
