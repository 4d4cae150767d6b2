// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICollateralOracle} from "./ICollateralOracle.sol";

/// @notice What the conservative oracle currently believes about its inputs. When several hold,
///         MarketUnavailable comes first, then UnderReview, Stale, and Diverging or Normal.
enum OracleState {
    Normal, // NAV fresh, market within tolerance
    Diverging, // the market's long TWAP is below the haircut NAV by more than the tolerance
    Stale, // NAV older than its heartbeat: a haircut applies
    UnderReview, // the vault's NAV is under review
    MarketUnavailable // a TWAP the oracle needs cannot be read: liquidationPrice follows the NAV anchor
}

/// @notice Parameters of the conservative oracle. Fractions are 1e18-scaled; times in seconds.
struct OracleParams {
    uint32 shortTwapWindow; // borrowPrice's market check
    uint32 longTwapWindow; // the market level liquidationPrice may follow
    uint32 heartbeat; // NAV age before the staleness haircut starts
    uint32 maxNavAge; // NAV age beyond which borrowing closes
    uint64 haircutPerDay; // haircut growth per day past the heartbeat
    uint64 maxHaircut; // haircut cap
    uint64 divergenceTolerance; // market below haircut NAV by less than this is noise
    uint32 baseConfirmation; // how long a divergence of exactly the tolerance must last
    uint32 minConfirmation; // the floor of the confirmation time for large divergences
    uint64 maxDropPerHour; // liquidationPrice falls at most this fraction per hour
    uint64 maxRisePerHour; // and rises at most this fraction per hour
}

/// @title IConservativeOracle
/// @notice Two prices for RWA collateral: a low, market-checked `borrowPrice`, and a NAV-anchored,
///         rate-limited `liquidationPrice` that follows the market only after a confirmed
///         divergence. Keepers `poke` it to refresh the market target; between pokes the views
///         stay exact with respect to NAV and time, and a stale target lapses toward the NAV
///         anchor. A TWAP that cannot be read is no evidence of calm: the state says
///         MarketUnavailable, borrowPrice is 0 while the short window is unreadable, and
///         liquidationPrice follows the anchor (no divergence can be confirmed without a market).
interface IConservativeOracle is ICollateralOracle {
    event Poked(uint256 liquidationPrice, uint256 target, OracleState state);
    event StateChanged(OracleState previous, OracleState current);
    event MarketReadFailed(uint32 window, bytes reason);
    event ParamsSet(OracleParams params);

    error OracleParameterOutOfBounds(bytes32 name, uint256 value, uint256 min, uint256 max);
    error OracleZeroAddress();
    /// @notice A window the oracle would read (`name`) is longer than the pool guarantees to answer.
    error OracleWindowBeyondObservations(bytes32 name, uint256 window, uint256 observationSpan);

    /// @notice Refreshes the market target from the pool's TWAPs and stores the current price.
    ///         The target counts for minConfirmation after this poke; later, without a new poke,
    ///         liquidationPrice moves back toward hNAV at the bounded rise rate. Emits
    ///         MarketReadFailed when a window it needs cannot be read (the state is then
    ///         MarketUnavailable and there is no target).
    function poke() external returns (uint256 liquidationPrice);

    function setParams(OracleParams calldata params) external;

    function params() external view returns (OracleParams memory);

    /// @notice The state a poke would record now.
    function state() external view returns (OracleState);

    /// @notice NAV × (1 − staleness haircut) now, and the haircut applied.
    function haircutNav() external view returns (uint256 hNav, uint256 haircut);
}
