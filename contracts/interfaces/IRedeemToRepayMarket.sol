// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ILendingMarket} from "./ILendingMarket.sol";

/// @notice A position in the redeem-to-repay slow path.
struct SlowLiquidation {
    address borrower;
    address keeper; // who started it, paid the keeper fee
    uint256 requestId; // the vault redemption request the market owns
    uint256 collateral; // shares locked into the request: all the position had
    uint256 proceeds; // loan assets received from the vault so far
    bool closed; // settled in full, or cured
}

/// @title IRedeemToRepayMarket
/// @notice A LendingMarket whose collateral is an RwaVault share, with the slow liquidation path:
///         while the breaker restricts fast liquidation, an unhealthy position's collateral is
///         redeemed through the vault's queue at the NAV of settlement day, and the proceeds repay
///         its debt. Lenders get NAV value later instead of a fire-sale price now.
/// @dev The slow path, as formulas. At `slowLiquidate`, all the collateral C of the position goes
///      into one redemption request; the debt D stays on the position (still accruing, still
///      repayable). Each `settleSlowLiquidation` claims what the vault settled, r, and with the
///      keeper fee f and g = D / (1 − f) (the proceeds that clear the debt and the fee on them):
///        r ≥ g: repaid = D, fee = g − D, surplus to the borrower = r − g;
///        r < g: fee = r·f, repaid = r − fee, surplus = 0.
///      So the fee is a share of what repays debt, never of the surplus, and every round after the
///      debt clears pays its proceeds to the borrower at once. When nothing is pending, debt left
///      on a position with no collateral is bad debt (reserves first, then lenders); a position that
///      was topped up meanwhile keeps its debt, to be liquidated again. Worked example: C = 100
///      shares, D = 70, f = 1%, settled at NAV 1 over many gated epochs: g = 70.71; rounds pay the
///      debt and fee from the first 70.71 of proceeds and the borrower 29.29 as it settles. At NAV
///      0.5 instead: proceeds 50, fee 0.5, repaid 49.5, bad debt 20.5 (plus interest), with the
///      borrower holding nothing, where locking only D × LIF / price (93 shares) would have left
///      the borrower 7 shares and lenders 3.5 more in losses.
///      While a position is in the slow path it cannot borrow, withdraw collateral, or be fast- or
///      slow-liquidated again; repay and supplyCollateral stay open. Once its debt is zero the
///      borrower (or anyone) may cure it: pending shares return to the position, settled cash to
///      the borrower.
interface IRedeemToRepayMarket is ILendingMarket {
    // ---------------------------------------------------------------- events
    event SlowLiquidationStarted(
        uint256 indexed id, address indexed borrower, address indexed keeper, uint256 collateral, uint256 debt
    );
    /// @notice One settlement: `received` from the vault split into `repaid`, the keeper's `fee` and
    ///         the borrower's `surplus`; `shortfall` is the provisional bad debt left after it (see
    ///         `provisionalShortfall`), or at close the bad debt realized.
    event SlowLiquidationProgressed(
        uint256 indexed id, uint256 received, uint256 repaid, uint256 fee, uint256 surplus, uint256 shortfall
    );
    /// @notice Nothing left pending: `surplus` is all the borrower received over the slow
    ///         liquidation's life; `badDebt` what was written off at close.
    event SlowLiquidationClosed(uint256 indexed id, uint256 surplus, uint256 badDebt);
    /// @notice The debt was repaid before settlement finished: `collateralReturned` shares went back
    ///         to the position, `cashReturned` (settled, unclaimed) to the borrower.
    event SlowLiquidationCured(uint256 indexed id, uint256 collateralReturned, uint256 cashReturned);

    // ---------------------------------------------------------------- errors
    /// @notice The breaker does not restrict fast liquidation: there is no reason to wait.
    error MarketSlowPathClosed();
    error MarketUnknownSlowLiquidation(uint256 id);
    error MarketSlowLiquidationClosed(uint256 id);
    /// @notice The position is in slow liquidation `id`: no borrow, collateral withdrawal or
    ///         other liquidation until it closes or is cured.
    error MarketInSlowLiquidation(address borrower, uint256 id);
    /// @notice While the breaker admits only confirmed losses, they go through the slow path.
    error MarketFastLiquidationHalted();
    /// @notice A cure needs the position's debt repaid in full first.
    error MarketDebtOutstanding(address borrower, uint256 debt);

    // ---------------------------------------------------------------- slow path
    /// @notice While the breaker restricts fast liquidation (a finite throttle, or confirmed losses
    ///         only), locks all the collateral of a position unhealthy at the price liquidation uses
    ///         now into one vault redemption request owned by the market. The debt stays on the
    ///         position. Returns the slow liquidation's id; the caller is its keeper.
    function slowLiquidate(address borrower) external returns (uint256 id);

    /// @notice Claims what the vault has settled for `id` and splits it: debt first (with the
    ///         keeper's fee on that part), the rest to the borrower. Closes once nothing is
    ///         pending, writing off debt only where the position holds no collateral. Anyone.
    function settleSlowLiquidation(uint256 id) external;

    /// @notice Once the position's debt is zero, cancels what is still pending back into the
    ///         position's collateral, pays settled cash to the borrower, and closes `id`. Anyone.
    function cureSlowLiquidation(uint256 id) external;

    // ---------------------------------------------------------------- views
    function slowLiquidation(uint256 id) external view returns (SlowLiquidation memory);
    /// @notice Number of slow liquidations ever started.
    function slowLiquidationCount() external view returns (uint256);
    /// @notice The open slow liquidation of `borrower`, if any.
    function slowLiquidationOf(address borrower) external view returns (bool active, uint256 id);
    /// @notice Provisional bad debt of an open slow liquidation: the position's debt less what its
    ///         request is still worth (pending shares at the current NAV, plus settled cash not
    ///         yet claimed), floored at 0; zero once closed.
    function provisionalShortfall(uint256 id) external view returns (uint256);
}
