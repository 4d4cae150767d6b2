// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IConstantProductPool
/// @notice The DEX where the vault share (base) trades against the stablecoin (quote): x·y = k with
///         a 0.30% fee, LP shares as an ERC20, and time-bucketed observations for TWAPs.
/// @dev Prices are quote units per base unit, scaled by 1e18.
///      Observations. With P = observationPeriod and C(t) = (Σ price·s, Σ reserveBase·s) up to t:
///      - a live accumulator holds C exactly at the last reserve change (it is brought up to date,
///        with the reserves that held until then, at every change), so C(now) is exact;
///      - a ring slot takes a copy of it at a reserve change at least P after the newest slot, so
///        slots are at least P apart whatever the trade rate, and between two consecutive slots
///        the reserves changed only within P after the first: C between them is interpolated
///        linearly, wrong by at most P × (the price range over that interval), so a TWAP over a
///        window W is off by at most P/W of that range (as if its start moved by up to P);
///      - with N slots the oldest is at least (N − 1)·P old once the ring has wrapped, and until
///        it first wraps it is the pool's creation: any window W <= observationSpan() =
///        (N − 1)·P is answerable once the pool is W old. Growth after a wrap counts in the span
///        only as the new slots are written.
interface IConstantProductPool {
    // ---------------------------------------------------------------- events
    event LiquidityAdded(
        address indexed provider, address indexed to, uint256 base, uint256 quote, uint256 liquidity
    );
    event LiquidityRemoved(
        address indexed provider, address indexed to, uint256 base, uint256 quote, uint256 liquidity
    );
    event Swap(
        address indexed sender,
        address indexed to,
        address indexed tokenIn,
        uint256 amountIn,
        uint256 amountOut
    );
    event Sync(uint256 reserveBase, uint256 reserveQuote);
    event ObservationCardinalityIncreased(uint16 oldCardinality, uint16 newCardinality);

    // ---------------------------------------------------------------- errors
    error PoolDeadlineExpired(uint256 deadline, uint256 timestamp);
    error PoolZeroAmount();
    error PoolInvalidToken(address token);
    error PoolInsufficientOutput(uint256 amountOut, uint256 minAmountOut);
    error PoolInsufficientLiquidityMinted(uint256 liquidity, uint256 minLiquidity);
    error PoolInsufficientLiquidity(uint256 reserveBase, uint256 reserveQuote);
    error PoolObservationTooOld(uint32 oldestTimestamp, uint32 targetTimestamp);
    error PoolInvalidCardinality(uint16 current, uint16 requested);
    error PoolInvalidObservationPeriod(uint32 period, uint32 min, uint32 max);
    error PoolInvalidWindow(uint32 window);
    error PoolReserveOverflow(uint256 balanceBase, uint256 balanceQuote);

    // ---------------------------------------------------------------- state
    /// @notice The vault share token.
    function base() external view returns (address);
    /// @notice The stablecoin.
    function quote() external view returns (address);
    /// @notice Reserves and the timestamp of the last update.
    function getReserves()
        external
        view
        returns (uint256 reserveBase, uint256 reserveQuote, uint32 lastUpdate);
    /// @notice Instantaneous price: reserveQuote / reserveBase, 1e18-scaled. Manipulable: not for oracles.
    function spotPrice() external view returns (uint256);
    /// @notice Output of swapping `amountIn` of `tokenIn`, after the fee.
    function getAmountOut(address tokenIn, uint256 amountIn) external view returns (uint256);

    // ---------------------------------------------------------------- liquidity and swaps
    /// @notice Adds liquidity at the current ratio (any ratio for the first deposit); pulls the used amounts.
    ///         Reverts with PoolReserveOverflow if a reserve would exceed 2^112 − 1 (as swap does).
    function addLiquidity(
        uint256 baseDesired,
        uint256 quoteDesired,
        uint256 minLiquidity,
        address to,
        uint256 deadline
    ) external returns (uint256 liquidity, uint256 baseUsed, uint256 quoteUsed);

    /// @notice Burns the caller's `liquidity` LP shares for a pro-rata part of both reserves.
    function removeLiquidity(
        uint256 liquidity,
        uint256 minBase,
        uint256 minQuote,
        address to,
        uint256 deadline
    ) external returns (uint256 baseOut, uint256 quoteOut);

    /// @notice Swaps exactly `amountIn` of `tokenIn` (base or quote) for the other token.
    function swap(address tokenIn, uint256 amountIn, uint256 minAmountOut, address to, uint256 deadline)
        external
        returns (uint256 amountOut);

    // ---------------------------------------------------------------- observations
    /// @notice Cumulative price (Σ price·seconds) and cumulative base reserve (Σ reserveBase·seconds)
    ///         as of `secondsAgo` before now: exact from the last reserve change on, interpolated
    ///         between ring slots before it. Only differences are meaningful.
    function observe(uint32 secondsAgo)
        external
        view
        returns (uint256 priceCumulative, uint256 reserveBaseCumulative);

    /// @notice Time-weighted average price and base reserve over the last `window` seconds.
    ///         Reverts with PoolObservationTooOld if the ring does not reach back that far, which
    ///         cannot happen for a window up to observationSpan() once the pool is that old.
    function consult(uint32 window) external view returns (uint256 twapPrice, uint256 twapReserveBase);

    /// @notice Minimum seconds between two ring slots (set at construction, 1 s to 1 day).
    function observationPeriod() external view returns (uint32);

    /// @notice The window, in seconds, that the ring is guaranteed to answer once the pool is
    ///         that old, whatever the trade rate: (slots − 1) × observationPeriod. Never decreases.
    function observationSpan() external view returns (uint256);

    /// @notice Grows the observation ring (anyone may pay for it). Before the ring first wraps the
    ///         new size applies at once; after, when the index next wraps.
    function increaseObservationCardinality(uint16 next) external;
}
