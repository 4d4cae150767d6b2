// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice Graduated breaker levels (NYSE-style), each including the restrictions below it.
enum BreakerLevel {
    Normal, // everything allowed
    BorrowsClosed, // level 1: no new debt, no collateral withdrawal against debt
    Throttled, // level 2: fast liquidation limited by a refilling budget; slow path open
    Halted // level 3: only confirmed losses, within the budget (slow path, or fast where none)
}

/// @title ICircuitBreaker
/// @notice What a LendingMarket asks before each action, and tells after a fast liquidation.
/// @dev The mutating calls may update the breaker's own state first (a lazy poke), so that the
///      market's answers are current even if no keeper has poked. A lazy poke may raise the level
///      but never steps it down while its condition lasts: no caller can undo a trip. Repay,
///      adding collateral and withdrawing idle liquidity never consult the breaker: they are
///      never blocked.
interface ICircuitBreaker {
    /// @notice Pokes the breaker and returns whether new debt (or a collateral withdrawal by a
    ///         borrower with debt) may happen now.
    function borrowAllowed() external returns (bool);

    /// @notice Pokes the breaker and returns how much collateral fast liquidation may seize now
    ///         (type(uint256).max when unrestricted, else the throttle budget, which bounds every
    ///         restricted state: level 2 and above, and the grace after a halt) and whether only
    ///         confirmed losses may be liquidated (during a halt and the grace period after it): a
    ///         position must then be unhealthy at max(liquidationPrice, anchorPrice), so a halt
    ///         stops fire sales on a market move but never shelters a NAV markdown. Any restriction
    ///         (a finite budget, or confirmedOnly) opens the market's slow path, where it has one.
    function liquidationAllowance() external returns (uint256 seizable, bool confirmedOnly);

    /// @notice The market's one call per liquidation: `liquidationAllowance` with the oracle's
    ///         liquidationPrice the market has just read (the price the breaker would read, so the
    ///         oracle is read once), and `seize`, the collateral a fast liquidation at that price
    ///         takes (0 for none). Where that price is final (the budget is finite, and losses need
    ///         no confirmation) and `seize` fits the budget, consumes it at once: the market reverts
    ///         on any other outcome, which undoes it. Returns the budget before that. Only the
    ///         market this breaker guards may call it: a price from anyone else could fake a peak
    ///         or a decline.
    function liquidationAllowanceAt(uint256 liquidationPrice, uint256 seize)
        external
        returns (uint256 seizable, bool confirmedOnly);

    /// @notice Tells the breaker that fast liquidation seized `collateral`; consumes the throttle
    ///         budget. Only the market this breaker guards may call it; the market calls it for a
    ///         seizure that liquidationAllowanceAt did not consume: one priced no lower than the
    ///         anchor (confirmed losses only).
    function onFastLiquidation(uint256 collateral) external;

    /// @notice View of `borrowAllowed` as if poked now.
    function previewBorrowAllowed() external view returns (bool);

    /// @notice View of `liquidationAllowance` as if poked now (for bots and UIs).
    function previewLiquidationAllowance() external view returns (uint256 seizable, bool confirmedOnly);
}
