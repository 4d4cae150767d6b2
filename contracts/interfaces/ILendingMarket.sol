// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice Risk parameters of a market, all 1e18-scaled except the caps (token units).
struct MarketParams {
    uint256 maxLtv; // borrowing and collateral withdrawal must keep debt <= collateral × borrowPrice × maxLtv
    uint256 lltv; // liquidatable once debt > collateral × liquidationPrice × lltv; fixed per market
    uint256 closeFactor; // share of the debt one liquidation may repay
    uint256 reserveFactor; // share of interest kept as reserves, which absorb bad debt first
    uint256 keeperFee; // slow path: share of the proceeds that repay debt, paid to its keeper
    uint256 dustDebt; // below this remaining debt, a liquidation may close the whole position
    uint256 supplyCap;
    uint256 borrowCap;
    uint256 collateralCap;
}

/// @notice A borrower's health as the liquidation bot sees it (interest accrued to now).
struct PositionHealth {
    address borrower;
    uint256 collateral;
    uint256 debt;
    uint256 healthFactor; // collateral × price × lltv / debt at the liquidation price now; max: no debt
    bool liquidatable; // false while the position is in a slow liquidation
    uint256 maxRepay; // the most one fast liquidation may repay now (close factor applied)
    uint256 seizable; // collateral seized for maxRepay
}

/// @title ILendingMarket
/// @notice An isolated market: lenders supply the loan token; borrowers post an ERC20 collateral
///         (vault shares, a senior tranche token) and borrow against it. The oracle (two prices and
///         a NAV anchor) and the circuit breaker are pluggable modules, so naive and safeguarded
///         markets are the same code. Fast liquidation only; RedeemToRepayMarket adds the slow path
///         where the collateral has a redemption queue.
interface ILendingMarket {
    // ---------------------------------------------------------------- events
    event Supply(address indexed caller, address indexed onBehalf, uint256 assets, uint256 shares);
    event Withdraw(address indexed caller, address indexed receiver, uint256 assets, uint256 shares);
    event SupplyCollateral(address indexed caller, address indexed onBehalf, uint256 assets);
    event WithdrawCollateral(address indexed borrower, address indexed receiver, uint256 assets);
    event Borrow(address indexed borrower, address indexed receiver, uint256 assets, uint256 shares);
    event Repay(address indexed caller, address indexed onBehalf, uint256 assets, uint256 shares);
    event Liquidate(
        address indexed liquidator,
        address indexed borrower,
        uint256 repaidAssets,
        uint256 repaidShares,
        uint256 seized
    );
    /// @notice Debt written off: `fromReserves` absorbed by reserves, `socialized` lost by lenders.
    event BadDebtRealized(
        address indexed borrower, uint256 badDebt, uint256 fromReserves, uint256 socialized
    );
    event AccrueInterest(uint256 ratePerSecond, uint256 interest, uint256 toReserves);
    event ParamsSet(MarketParams params);
    event ReservesWithdrawn(address indexed to, uint256 assets);

    // ---------------------------------------------------------------- errors
    error MarketZeroAmount();
    error MarketZeroAddress();
    error MarketInconsistentInput(uint256 assets, uint256 shares);
    error MarketParameterOutOfBounds(bytes32 name, uint256 value, uint256 min, uint256 max);
    /// @notice The liquidation LTV is fixed per market (as in Morpho Blue): changing it under open
    ///         positions would make healthy positions liquidatable, or shelter unhealthy ones.
    error MarketLltvImmutable(uint256 lltv, uint256 proposed);
    error MarketSupplyCapExceeded(uint256 total, uint256 cap);
    error MarketBorrowCapExceeded(uint256 total, uint256 cap);
    error MarketCollateralCapExceeded(uint256 total, uint256 cap);
    error MarketInsufficientLiquidity(uint256 requested, uint256 available);
    error MarketInsufficientCollateral(address borrower, uint256 debt, uint256 maxDebt);
    error MarketInsufficientBalance(address account, uint256 requested, uint256 available);
    error MarketBorrowsClosed();
    error MarketPositionHealthy(address borrower, uint256 healthFactor);
    error MarketNoDebt(address borrower);
    error MarketSeizedBelowMinimum(uint256 seized, uint256 minSeized);
    error MarketLiquidationThrottled(uint256 seized, uint256 allowance);
    /// @notice Fast liquidation at a zero price would hand over collateral for nothing.
    error MarketZeroPrice();

    // ---------------------------------------------------------------- lenders
    /// @notice Supplies `assets` of the loan token for `onBehalf`; returns the supply shares minted.
    function supply(uint256 assets, address onBehalf) external returns (uint256 shares);
    /// @notice Withdraws the caller's supply by `assets` or by `shares` (exactly one nonzero), up to
    ///         idle liquidity. Never consults the breaker.
    function withdraw(uint256 assets, uint256 shares, address receiver)
        external
        returns (uint256 assetsOut, uint256 sharesBurned);

    // ---------------------------------------------------------------- borrowers
    /// @notice Adds collateral for `onBehalf`. Never blocked.
    function supplyCollateral(uint256 assets, address onBehalf) external;
    /// @notice Withdraws the caller's collateral; with debt, only while borrows are allowed and the
    ///         position stays within maxLtv at the borrow price. Never while the position is in a
    ///         slow liquidation (RedeemToRepayMarket).
    function withdrawCollateral(uint256 assets, address receiver) external;
    /// @notice Borrows `assets` against the caller's collateral; returns the borrow shares minted.
    ///         Never while the position is in a slow liquidation (RedeemToRepayMarket).
    function borrow(uint256 assets, address receiver) external returns (uint256 shares);
    /// @notice Repays `onBehalf`'s debt by `assets` or by `shares` (exactly one nonzero). Never blocked.
    function repay(uint256 assets, uint256 shares, address onBehalf)
        external
        returns (uint256 assetsRepaid, uint256 sharesRepaid);

    // ---------------------------------------------------------------- liquidation
    /// @notice Repays up to `repayAssets` (capped by the close factor) of an unhealthy position and
    ///         seizes collateral worth repaid × incentive at the liquidation price, at most what the
    ///         breaker lets fast liquidation seize now. While the breaker admits only confirmed
    ///         losses (a halt and its grace period) the price counts no lower than the oracle's NAV
    ///         anchor: a market move alone liquidates nothing, a NAV markdown still does. Realizes
    ///         bad debt when no collateral is left.
    function liquidate(address borrower, uint256 repayAssets, uint256 minSeized)
        external
        returns (uint256 repaid, uint256 seized);

    // ---------------------------------------------------------------- admin
    /// @notice Sets the risk parameters, accruing interest first so that a new reserve factor
    ///         applies only to interest from now on. The liquidation LTV cannot change.
    function setParams(MarketParams calldata params) external;
    function withdrawReserves(uint256 assets, address to) external;

    // ---------------------------------------------------------------- views
    function accrueInterest() external;
    function params() external view returns (MarketParams memory);
    function liquidationIncentiveFactor() external view returns (uint256);
    function position(address borrower)
        external
        view
        returns (uint256 supplyShares, uint256 borrowShares, uint256 collateral);
    /// @notice Debt of `borrower` with interest accrued to now.
    function debtOf(address borrower) external view returns (uint256);
    /// @notice Health factor at the price liquidation uses now: the liquidation price, or while
    ///         the breaker admits only confirmed losses, no lower than the NAV anchor.
    function healthFactor(address borrower) external view returns (uint256);
    /// @notice Health of many positions in one call, for liquidation bots (same price as
    ///         `healthFactor`; maxRepay and seizable are those of one fast liquidation).
    function positionsHealth(address[] calldata borrowers) external view returns (PositionHealth[] memory);
    /// @notice Totals with interest accrued to now.
    function totals()
        external
        view
        returns (
            uint256 totalSupplyAssets,
            uint256 totalSupplyShares,
            uint256 totalBorrowAssets,
            uint256 totalBorrowShares,
            uint256 totalReserves
        );
}
