// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {ILendingMarket, MarketParams, PositionHealth} from "./interfaces/ILendingMarket.sol";
import {ICollateralOracle} from "./interfaces/ICollateralOracle.sol";
import {ICircuitBreaker} from "./interfaces/ICircuitBreaker.sol";
import {IRateModel} from "./interfaces/IRateModel.sol";
import {WAD, WadMath} from "./libraries/WadMath.sol";
import {SharesMath} from "./libraries/SharesMath.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/// @title LendingMarket
/// @notice Isolated market: lend the stablecoin, borrow against any ERC20 collateral, fast
///         liquidation gated by the breaker. RedeemToRepayMarket extends it with the slow path.
/// @dev Constructor: (loanToken, collateral, oracle, breaker, rateModel, admin, params).
///      Oracle, breaker, rate model and lltv are immutable: a policy is a choice of modules at
///      deploy time, and a swap under open positions would be a governance attack surface.
///      Accounting identity, exact after every call: loan balance = totalSupplyAssets +
///      totalReserves − totalBorrowAssets.
///      Storage is packed for the hot paths (Morpho Blue's layout): a liquidation touches the
///      three total slots, the position, one parameter slot and the collateral total; every
///      narrowing is bounded where the value is set and checked (SafeCast) where it is stored.
contract LendingMarket is ILendingMarket, AccessControl, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using WadMath for uint256;
    using SharesMath for uint256;
    using SafeCast for uint256;

    /// @dev Morpho Blue's liquidation incentive: LIF = min(MAX_LIF, 1 / (β·LLTV + (1 − β))).
    uint256 public constant MAX_LIF = 1.15e18;
    uint256 public constant LIF_CURSOR = 0.3e18;
    uint256 public constant MAX_LLTV = 0.98e18;
    /// @dev Borrowing must stop at least this far below the liquidation threshold.
    uint256 public constant MIN_LTV_BUFFER = 0.02e18;
    uint256 public constant MIN_CLOSE_FACTOR = 0.05e18;
    uint256 public constant MAX_RESERVE_FACTOR = 0.5e18;
    uint256 public constant MAX_KEEPER_FEE = 0.05e18;
    uint256 public constant MAX_DUST_DEBT = 1e24;
    /// @dev Caps are token amounts stored in 128 bits; the collateral cap in 120, so that a
    ///      position's collateral shares its slot with the borrow shares and the slow-path lock.
    uint256 public constant MAX_CAP = type(uint128).max;
    uint256 public constant MAX_COLLATERAL_CAP = type(uint120).max;

    IERC20 public immutable loanToken;
    IERC20 public immutable collateralToken;
    ICollateralOracle public immutable oracle;
    ICircuitBreaker public immutable breaker;
    IRateModel public immutable rateModel;
    /// @dev Fixed per market (setParams cannot change it), so it and the incentive derived from
    ///      it live in code: a liquidation reads neither from storage.
    uint256 internal immutable _lltv;
    uint256 internal immutable _lif;

    /// @dev The totals, two to a slot as in Morpho Blue; every accrual reads and writes the three
    ///      slots. 128 bits hold 3.4e38 units (3.4e20 whole tokens at 18 decimals, beyond any
    ///      token's supply); deposits and loans are capped below that, and shares (1e6 per asset at
    ///      first) fit up to ~3.4e32 assets. A total that would not fit reverts (SafeCast), never
    ///      truncates. The last accrual (a timestamp) and the reserve factor (≤ MAX_RESERVE_FACTOR
    ///      < 2^64) ride with the reserves: accrual needs all three.
    struct Totals {
        uint128 supplyAssets;
        uint128 supplyShares;
        uint128 borrowAssets;
        uint128 borrowShares;
        uint128 reserves;
        uint64 lastAccrual;
        uint64 reserveFactor;
    }

    /// @dev Parameters grouped by the call that reads them: liquidation (close factor, dust; the
    ///      keeper fee of the slow path rides along), borrow (maxLtv, cap), supply (cap). WAD
    ///      fractions are ≤ 1e18 < 2^64 and dustDebt ≤ MAX_DUST_DEBT < 2^80 (bounded in _setParams).
    struct Config {
        uint64 closeFactor;
        uint64 keeperFee;
        uint128 dustDebt;
        uint64 maxLtv;
        uint128 borrowCap;
        uint128 supplyCap;
    }

    /// @dev A fast liquidation as computed: the position (borrow shares owed, collateral), the
    ///      price, and what follows from them.
    struct Liquidation {
        uint256 owed;
        uint256 collateral;
        uint256 price;
        uint256 debt;
        uint256 healthFactor;
        uint256 repaid;
        uint256 repaidShares;
        uint256 seized;
    }

    /// @dev `inSlowLiquidation` shares the slot a liquidation reads anyway (set only by a market
    ///      with a slow path). Collateral fits 120 bits: the collateral cap is bounded by
    ///      MAX_COLLATERAL_CAP, and a slow path's returned shares were counted before.
    struct Position {
        uint256 supplyShares;
        uint128 borrowShares;
        uint120 collateral;
        bool inSlowLiquidation;
    }

    Totals internal _totals;
    Config internal _config;
    /// @dev One slot: supplyCollateral checks the total against the cap; liquidation writes it.
    uint128 internal _totalCollateral;
    uint128 internal _collateralCap;
    /// @notice Cumulative debt written off, from reserves and from lenders.
    uint256 public totalBadDebt;

    mapping(address => Position) internal _positions;

    constructor(
        IERC20 loanToken_,
        IERC20 collateral_,
        ICollateralOracle oracle_,
        ICircuitBreaker breaker_,
        IRateModel rateModel_,
        address admin,
        MarketParams memory params_
    ) {
        if (
            address(loanToken_) == address(0) || address(collateral_) == address(0)
                || address(oracle_) == address(0) || address(breaker_) == address(0)
                || address(rateModel_) == address(0) || admin == address(0)
        ) revert MarketZeroAddress();
        loanToken = loanToken_;
        collateralToken = collateral_;
        oracle = oracle_;
        breaker = breaker_;
        rateModel = rateModel_;
        _totals.lastAccrual = uint64(block.timestamp); // 64-bit seconds: ~5.8e11 years
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setParams(params_); // bounds lltv first
        _lltv = params_.lltv;
        _lif = WAD.divWadDown(LIF_CURSOR.mulWadDown(params_.lltv) + WAD - LIF_CURSOR).min(MAX_LIF);
    }

    // ---------------------------------------------------------------- lenders

    /// @inheritdoc ILendingMarket
    function supply(uint256 assets, address onBehalf) external nonReentrant returns (uint256 shares) {
        // Checks
        if (assets == 0) revert MarketZeroAmount();
        if (onBehalf == address(0)) revert MarketZeroAddress();
        _accrue();
        (uint256 supplyAssets, uint256 supplyShares) = (_totals.supplyAssets, _totals.supplyShares);
        uint256 cap = _config.supplyCap;
        if (supplyAssets + assets > cap) revert MarketSupplyCapExceeded(supplyAssets + assets, cap);
        // Effects
        shares = assets.toSharesDown(supplyAssets, supplyShares);
        _positions[onBehalf].supplyShares += shares;
        // Assets ≤ supplyCap < 2^128.
        (_totals.supplyAssets, _totals.supplyShares) =
        (uint128(supplyAssets + assets), (supplyShares + shares).toUint128());
        // Interactions
        loanToken.safeTransferFrom(msg.sender, address(this), assets);
        emit Supply(msg.sender, onBehalf, assets, shares);
    }

    /// @inheritdoc ILendingMarket
    function withdraw(uint256 assets, uint256 shares, address receiver)
        external
        nonReentrant
        returns (uint256, uint256)
    {
        // Checks
        if ((assets == 0) == (shares == 0)) revert MarketInconsistentInput(assets, shares);
        if (receiver == address(0)) revert MarketZeroAddress();
        _accrue();
        (uint256 supplyAssets, uint256 supplyShares) = (_totals.supplyAssets, _totals.supplyShares);
        if (assets > 0) shares = assets.toSharesUp(supplyAssets, supplyShares);
        else assets = shares.toAssetsDown(supplyAssets, supplyShares);
        Position storage p = _positions[msg.sender];
        uint256 owned = p.supplyShares;
        if (shares > owned) revert MarketInsufficientBalance(msg.sender, shares, owned);
        uint256 idle = _idle();
        if (assets > idle) revert MarketInsufficientLiquidity(assets, idle);
        // Effects: checked subtractions, so each result is at most the stored total and fits.
        p.supplyShares = owned - shares;
        (_totals.supplyAssets, _totals.supplyShares) =
        (uint128(supplyAssets - assets), uint128(supplyShares - shares));
        // Interactions
        loanToken.safeTransfer(receiver, assets);
        emit Withdraw(msg.sender, receiver, assets, shares);
        return (assets, shares);
    }

    // ---------------------------------------------------------------- borrowers

    /// @inheritdoc ILendingMarket
    function supplyCollateral(uint256 assets, address onBehalf) external nonReentrant {
        // Checks: never consults the oracle or the breaker (liveness).
        if (assets == 0) revert MarketZeroAmount();
        if (onBehalf == address(0)) revert MarketZeroAddress();
        uint256 newTotal = _totalCollateral + assets;
        uint256 cap = _collateralCap;
        if (newTotal > cap) revert MarketCollateralCapExceeded(newTotal, cap);
        // Effects: newTotal ≤ cap ≤ MAX_COLLATERAL_CAP, and a position holds at most the total
        // plus what a cured slow liquidation returned (SafeCast guards that sum).
        Position storage p = _positions[onBehalf];
        p.collateral = (p.collateral + assets).toUint120();
        _totalCollateral = uint128(newTotal);
        // Interactions
        collateralToken.safeTransferFrom(msg.sender, address(this), assets);
        emit SupplyCollateral(msg.sender, onBehalf, assets);
    }

    /// @inheritdoc ILendingMarket
    function withdrawCollateral(uint256 assets, address receiver) external nonReentrant {
        // Checks
        if (assets == 0) revert MarketZeroAmount();
        if (receiver == address(0)) revert MarketZeroAddress();
        Position storage p = _positions[msg.sender];
        _checkUnlocked(msg.sender, p);
        uint256 collateral = p.collateral;
        if (assets > collateral) revert MarketInsufficientBalance(msg.sender, assets, collateral);
        // Effects: assets ≤ the position's collateral ≤ the total.
        p.collateral = uint120(collateral - assets);
        _totalCollateral -= uint128(assets);
        if (p.borrowShares > 0) {
            _accrue();
            _checkBorrowable(msg.sender, p);
        }
        // Interactions
        collateralToken.safeTransfer(receiver, assets);
        emit WithdrawCollateral(msg.sender, receiver, assets);
    }

    /// @inheritdoc ILendingMarket
    function borrow(uint256 assets, address receiver) external nonReentrant returns (uint256 shares) {
        // Checks
        if (assets == 0) revert MarketZeroAmount();
        if (receiver == address(0)) revert MarketZeroAddress();
        Position storage p = _positions[msg.sender];
        _checkUnlocked(msg.sender, p);
        _accrue();
        uint256 idle = _idle();
        if (assets > idle) revert MarketInsufficientLiquidity(assets, idle);
        (uint256 borrowAssets, uint256 borrowShares) = (_totals.borrowAssets, _totals.borrowShares);
        uint256 cap = _config.borrowCap;
        if (borrowAssets + assets > cap) revert MarketBorrowCapExceeded(borrowAssets + assets, cap);
        // Effects: assets ≤ borrowCap < 2^128; a position's shares ≤ the total.
        shares = assets.toSharesUp(borrowAssets, borrowShares);
        uint256 newShares = borrowShares + shares;
        (_totals.borrowAssets, _totals.borrowShares) = (uint128(borrowAssets + assets), newShares.toUint128());
        p.borrowShares += uint128(shares);
        _checkBorrowable(msg.sender, p);
        // Interactions
        loanToken.safeTransfer(receiver, assets);
        emit Borrow(msg.sender, receiver, assets, shares);
    }

    /// @inheritdoc ILendingMarket
    function repay(uint256 assets, uint256 shares, address onBehalf)
        external
        nonReentrant
        returns (uint256, uint256)
    {
        // Checks: never consults the oracle or the breaker (liveness).
        if ((assets == 0) == (shares == 0)) revert MarketInconsistentInput(assets, shares);
        _accrue();
        Position storage p = _positions[onBehalf];
        uint256 owed = p.borrowShares;
        (uint256 borrowAssets, uint256 borrowShares) = (_totals.borrowAssets, _totals.borrowShares);
        if (assets > 0) {
            shares = assets.toSharesDown(borrowAssets, borrowShares);
            // Paying the full debt in assets clears the last share even after rounding.
            if (shares > owed) shares = owed;
        }
        if (shares > owed) revert MarketInsufficientBalance(onBehalf, shares, owed);
        if (shares == 0) revert MarketZeroAmount();
        assets = shares.toAssetsUp(borrowAssets, borrowShares);
        // Effects
        p.borrowShares = uint128(owed - shares);
        _reduceDebt(borrowAssets, borrowShares, shares, assets);
        // Interactions
        loanToken.safeTransferFrom(msg.sender, address(this), assets);
        emit Repay(msg.sender, onBehalf, assets, shares);
        return (assets, shares);
    }

    // ---------------------------------------------------------------- fast liquidation

    /// @inheritdoc ILendingMarket
    function liquidate(address borrower, uint256 repayAssets, uint256 minSeized)
        external
        nonReentrant
        returns (uint256 repaid, uint256 seized)
    {
        // Checks, in this order: the breaker (and the slow path's lock), the price, the position,
        // the amounts. The amounts at the oracle's price are computed first so that the breaker's
        // one call can consume the seizure where that price is final (ICircuitBreaker).
        if (repayAssets == 0) revert MarketZeroAmount();
        _accrue();
        Position storage p = _positions[borrower];
        Liquidation memory l =
            Liquidation(p.borrowShares, p.collateral, oracle.liquidationPrice(), 0, 0, 0, 0, 0);
        _liquidationAmounts(l, repayAssets);
        (uint256 allowance, bool confirmedOnly) = breaker.liquidationAllowanceAt(l.price, l.seized);
        _checkFastLiquidation(borrower, p, confirmedOnly);
        if (confirmedOnly) {
            l.price = l.price.max(oracle.anchorPrice());
            _liquidationAmounts(l, repayAssets);
        }
        if (l.price == 0) revert MarketZeroPrice();
        if (l.debt == 0) revert MarketNoDebt(borrower);
        if (l.healthFactor >= WAD) revert MarketPositionHealthy(borrower, l.healthFactor);
        (repaid, seized) = (l.repaid, l.seized);
        if (seized < minSeized) revert MarketSeizedBelowMinimum(seized, minSeized);
        if (seized > allowance) revert MarketLiquidationThrottled(seized, allowance);

        // Effects: seized ≤ the position's collateral ≤ the total; repaidShares ≤ owed.
        (p.borrowShares, p.collateral) = (uint128(l.owed - l.repaidShares), uint120(l.collateral - seized));
        _totalCollateral -= uint128(seized);
        _reduceDebt(_totals.borrowAssets, _totals.borrowShares, l.repaidShares, repaid);
        if (seized == l.collateral && l.repaidShares < l.owed) _realizeBadDebt(borrower, p);

        // Interactions: only a seizure priced at the anchor (confirmed losses only, always within a
        // finite budget) is told apart; the breaker consumed any other at once.
        if (confirmedOnly) breaker.onFastLiquidation(seized);
        collateralToken.safeTransfer(msg.sender, seized);
        loanToken.safeTransferFrom(msg.sender, address(this), repaid);
        emit Liquidate(msg.sender, borrower, repaid, l.repaidShares, seized);
    }

    // ---------------------------------------------------------------- admin

    /// @inheritdoc ILendingMarket
    function setParams(MarketParams calldata params_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (params_.lltv != _lltv) revert MarketLltvImmutable(_lltv, params_.lltv);
        // Interest so far was earned under the old reserve factor.
        _accrue();
        _setParams(params_);
    }

    /// @inheritdoc ILendingMarket
    function withdrawReserves(uint256 assets, address to) external onlyRole(DEFAULT_ADMIN_ROLE) nonReentrant {
        if (to == address(0)) revert MarketZeroAddress();
        _accrue();
        uint256 reserves = _totals.reserves;
        if (assets > reserves) revert MarketInsufficientBalance(address(this), assets, reserves);
        uint256 idle = _idle();
        if (assets > idle) revert MarketInsufficientLiquidity(assets, idle);
        _totals.reserves = uint128(reserves - assets);
        loanToken.safeTransfer(to, assets);
        emit ReservesWithdrawn(to, assets);
    }

    /// @inheritdoc ILendingMarket
    function accrueInterest() external {
        _accrue();
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc ILendingMarket
    function params() external view returns (MarketParams memory) {
        Config memory c = _config;
        return MarketParams({
            maxLtv: c.maxLtv,
            lltv: _lltv,
            closeFactor: c.closeFactor,
            reserveFactor: _totals.reserveFactor,
            keeperFee: c.keeperFee,
            dustDebt: c.dustDebt,
            supplyCap: c.supplyCap,
            borrowCap: c.borrowCap,
            collateralCap: _collateralCap
        });
    }

    /// @inheritdoc ILendingMarket
    function liquidationIncentiveFactor() public view returns (uint256) {
        return _lif;
    }

    /// @notice Loan assets supplied, interest included as of the last accrual.
    function totalSupplyAssets() external view returns (uint256) {
        return _totals.supplyAssets;
    }

    function totalSupplyShares() external view returns (uint256) {
        return _totals.supplyShares;
    }

    /// @notice Loan assets borrowed, interest included as of the last accrual.
    function totalBorrowAssets() external view returns (uint256) {
        return _totals.borrowAssets;
    }

    function totalBorrowShares() external view returns (uint256) {
        return _totals.borrowShares;
    }

    /// @notice Interest kept for the protocol, which absorbs bad debt first.
    function totalReserves() external view returns (uint256) {
        return _totals.reserves;
    }

    /// @notice Collateral posted across positions (what the collateral cap bounds).
    function totalCollateral() external view returns (uint256) {
        return _totalCollateral;
    }

    /// @notice When interest was last accrued.
    function lastAccrual() external view returns (uint256) {
        return _totals.lastAccrual;
    }

    /// @inheritdoc ILendingMarket
    function position(address borrower) external view returns (uint256, uint256, uint256) {
        Position storage p = _positions[borrower];
        return (p.supplyShares, p.borrowShares, p.collateral);
    }

    /// @inheritdoc ILendingMarket
    function debtOf(address borrower) public view returns (uint256) {
        (,, uint256 borrowAssets, uint256 borrowShares,) = totals();
        return uint256(_positions[borrower].borrowShares).toAssetsUp(borrowAssets, borrowShares);
    }

    /// @inheritdoc ILendingMarket
    function healthFactor(address borrower) external view returns (uint256) {
        uint256 debt = debtOf(borrower);
        return _healthFactor(_positions[borrower].collateral, debt, _previewLiquidationPrice());
    }

    /// @inheritdoc ILendingMarket
    function positionsHealth(address[] calldata borrowers)
        external
        view
        returns (PositionHealth[] memory out)
    {
        (,, uint256 borrowAssets, uint256 borrowShares,) = totals();
        uint256 price = _previewLiquidationPrice();
        out = new PositionHealth[](borrowers.length);
        for (uint256 i; i < borrowers.length; ++i) {
            Position memory p = _positions[borrowers[i]];
            uint256 debt = uint256(p.borrowShares).toAssetsUp(borrowAssets, borrowShares);
            uint256 hf = _healthFactor(p.collateral, debt, price);
            bool liquidatable = hf < WAD && !p.inSlowLiquidation;
            PositionHealth memory h = out[i];
            (h.borrower, h.collateral, h.debt, h.healthFactor, h.liquidatable) =
            (borrowers[i], p.collateral, debt, hf, liquidatable);
            // A zero price makes every position unhealthy but leaves fast liquidation nothing to do.
            if (liquidatable && price > 0) {
                h.maxRepay = _maxRepay(debt);
                h.seizable = h.maxRepay.mulWadDown(_lif).divWadDown(price).min(p.collateral);
            }
        }
    }

    /// @inheritdoc ILendingMarket
    function totals() public view returns (uint256, uint256, uint256, uint256, uint256) {
        Totals memory t = _totals;
        (uint256 interest, uint256 toReserves,) =
            _pendingInterest(t.lastAccrual, t.supplyAssets, t.borrowAssets, t.reserveFactor);
        return (
            t.supplyAssets + interest - toReserves,
            t.supplyShares,
            t.borrowAssets + interest,
            t.borrowShares,
            t.reserves + toReserves
        );
    }

    // ---------------------------------------------------------------- internals

    function _accrue() internal {
        Totals storage t = _totals;
        uint256 last = t.lastAccrual;
        if (block.timestamp == last) return;
        (uint256 supplyAssets, uint256 borrowAssets) = (t.supplyAssets, t.borrowAssets);
        (uint256 interest, uint256 toReserves, uint256 rate) =
            _pendingInterest(last, supplyAssets, borrowAssets, t.reserveFactor);
        if (interest == 0) {
            t.lastAccrual = uint64(block.timestamp);
            return;
        }
        t.borrowAssets = (borrowAssets + interest).toUint128();
        t.supplyAssets = (supplyAssets + interest - toReserves).toUint128();
        (t.reserves, t.lastAccrual) = ((t.reserves + toReserves).toUint128(), uint64(block.timestamp));
        emit AccrueInterest(rate, interest, toReserves);
    }

    function _pendingInterest(uint256 last, uint256 supplyAssets, uint256 borrowAssets, uint256 reserveFactor)
        internal
        view
        returns (uint256 interest, uint256 toReserves, uint256 rate)
    {
        uint256 elapsed = block.timestamp - last;
        if (elapsed == 0 || borrowAssets == 0) return (0, 0, 0);
        rate = rateModel.borrowRatePerSecond(supplyAssets, borrowAssets);
        interest = borrowAssets.mulWadDown(rate.taylorCompounded(elapsed));
        toReserves = interest.mulWadDown(reserveFactor);
    }

    /// @dev Liquid loan assets the market holds for lenders and reserves.
    function _idle() internal view returns (uint256) {
        return (uint256(_totals.supplyAssets) + _totals.reserves).zeroFloorSub(_totals.borrowAssets);
    }

    function _checkBorrowable(address borrower, Position storage p) internal {
        if (!breaker.borrowAllowed()) revert MarketBorrowsClosed();
        uint256 debt = uint256(p.borrowShares).toAssetsUp(_totals.borrowAssets, _totals.borrowShares);
        uint256 maxDebt = uint256(p.collateral).mulWadDown(oracle.borrowPrice()).mulWadDown(_config.maxLtv);
        if (debt > maxDebt) revert MarketInsufficientCollateral(borrower, debt, maxDebt);
    }

    /// @dev The oracle's liquidation price and the breaker's answer for it (read once, passed on),
    ///      for a call that seizes nothing.
    function _liquidationAllowance() internal returns (uint256 price, uint256 allowance, bool confirmedOnly) {
        price = oracle.liquidationPrice();
        (allowance, confirmedOnly) = breaker.liquidationAllowanceAt(price, 0);
    }

    /// @dev While the breaker admits only confirmed losses, the market-following price counts
    ///      no lower than the NAV anchor.
    function _confirmedPrice(uint256 price, bool confirmedOnly) internal view returns (uint256) {
        return confirmedOnly ? price.max(oracle.anchorPrice()) : price;
    }

    /// @dev The price liquidation would use now, as the breaker would answer, for views.
    function _previewLiquidationPrice() internal view returns (uint256) {
        (, bool confirmedOnly) = breaker.previewLiquidationAllowance();
        return _confirmedPrice(oracle.liquidationPrice(), confirmedOnly);
    }

    function _debtOf(Position storage p) internal view returns (uint256) {
        return uint256(p.borrowShares).toAssetsUp(_totals.borrowAssets, _totals.borrowShares);
    }

    // ------------------------------------------------ hooks for a market with a slow path

    /// @dev Reverts if `borrower`'s position is locked (it may not borrow or withdraw collateral).
    function _checkUnlocked(address borrower, Position storage p) internal view virtual {}

    /// @dev Reverts if fast liquidation of `borrower` is not this market's path now.
    function _checkFastLiquidation(address borrower, Position storage p, bool confirmedOnly)
        internal
        view
        virtual {}

    function _healthFactor(uint256 collateral, uint256 debt, uint256 price) internal view returns (uint256) {
        if (debt == 0) return type(uint256).max;
        return collateral.mulWadDown(price).mulWadDown(_lltv).divWadDown(debt);
    }

    function _requireLiquidatable(address borrower, uint256 collateral, uint256 debt, uint256 price)
        internal
        view
    {
        if (debt == 0) revert MarketNoDebt(borrower);
        uint256 hf = _healthFactor(collateral, debt, price);
        if (hf >= WAD) revert MarketPositionHealthy(borrower, hf);
    }

    /// @dev The close factor caps one liquidation, unless what would remain is dust.
    function _maxRepay(uint256 debt) internal view returns (uint256 maxRepay) {
        (uint256 closeFactor, uint256 dustDebt) = (_config.closeFactor, _config.dustDebt);
        maxRepay = debt.mulWadUp(closeFactor);
        if (debt - maxRepay.min(debt) < dustDebt) maxRepay = debt;
    }

    /// @dev Amounts of a fast liquidation at `l.price`: repay capped by the close factor; seize at
    ///      the incentive, capped at the collateral (then the repay shrinks to match). Rounds for
    ///      the protocol. Reverts on nothing: an unliquidatable position (no debt, healthy, or a
    ///      zero price) seizes 0, and the caller reverts with the reason.
    function _liquidationAmounts(Liquidation memory l, uint256 repayAssets) internal view {
        (uint256 borrowAssets, uint256 borrowShares) = (_totals.borrowAssets, _totals.borrowShares);
        l.debt = l.owed.toAssetsUp(borrowAssets, borrowShares);
        (l.repaid, l.repaidShares, l.seized) = (0, 0, 0);
        if (l.price == 0) return;
        l.healthFactor = _healthFactor(l.collateral, l.debt, l.price);
        if (l.healthFactor >= WAD) return;
        uint256 repaid = repayAssets.min(_maxRepay(l.debt));
        uint256 seized = repaid.mulWadDown(_lif).divWadDown(l.price);
        if (seized >= l.collateral) {
            seized = l.collateral;
            repaid = seized.mulWadUp(l.price).divWadUp(_lif).min(repaid);
        }
        uint256 repaidShares = repaid >= l.debt ? l.owed : repaid.toSharesDown(borrowAssets, borrowShares);
        (l.repaid, l.repaidShares, l.seized) =
        (repaidShares.toAssetsUp(borrowAssets, borrowShares), repaidShares, seized);
    }

    /// @dev Writes the borrow totals less a repayment; `shares` ≤ the total (a position's).
    function _reduceDebt(uint256 borrowAssets, uint256 borrowShares, uint256 shares, uint256 assets)
        internal
    {
        (_totals.borrowAssets, _totals.borrowShares) =
        (uint128(borrowAssets.zeroFloorSub(assets)), uint128(borrowShares - shares));
    }

    /// @dev Removes the debt of a position with no collateral left: reserves absorb it first,
    ///      lenders the rest.
    function _realizeBadDebt(address borrower, Position storage p) internal returns (uint256 badDebt) {
        uint256 shares = p.borrowShares;
        Totals storage t = _totals;
        (uint256 borrowAssets, uint256 borrowShares) = (t.borrowAssets, t.borrowShares);
        badDebt = shares.toAssetsUp(borrowAssets, borrowShares).min(borrowAssets);
        p.borrowShares = 0;
        // Each part is at most the total it comes out of.
        (t.borrowAssets, t.borrowShares) = (uint128(borrowAssets - badDebt), uint128(borrowShares - shares));
        uint256 reserves = t.reserves;
        uint256 fromReserves = badDebt.min(reserves);
        t.reserves = uint128(reserves - fromReserves);
        uint256 supplyAssets = t.supplyAssets;
        uint256 socialized = (badDebt - fromReserves).min(supplyAssets);
        t.supplyAssets = uint128(supplyAssets - socialized);
        totalBadDebt += badDebt;
        emit BadDebtRealized(borrower, badDebt, fromReserves, socialized);
    }

    function _setParams(MarketParams memory p) internal {
        _bound("lltv", p.lltv, 0.05e18, MAX_LLTV);
        _bound("maxLtv", p.maxLtv, 0.01e18, p.lltv - MIN_LTV_BUFFER);
        _bound("closeFactor", p.closeFactor, MIN_CLOSE_FACTOR, WAD);
        _bound("reserveFactor", p.reserveFactor, 0, MAX_RESERVE_FACTOR);
        _bound("keeperFee", p.keeperFee, 0, MAX_KEEPER_FEE);
        _bound("dustDebt", p.dustDebt, 0, MAX_DUST_DEBT);
        _bound("supplyCap", p.supplyCap, 1, MAX_CAP);
        _bound("borrowCap", p.borrowCap, 1, MAX_CAP);
        _bound("collateralCap", p.collateralCap, 1, MAX_COLLATERAL_CAP);
        // Every value was bounded above to fit its field.
        _config = Config({
            closeFactor: uint64(p.closeFactor),
            keeperFee: uint64(p.keeperFee),
            dustDebt: uint128(p.dustDebt),
            maxLtv: uint64(p.maxLtv),
            borrowCap: uint128(p.borrowCap),
            supplyCap: uint128(p.supplyCap)
        });
        _totals.reserveFactor = uint64(p.reserveFactor);
        _collateralCap = uint128(p.collateralCap);
        emit ParamsSet(p);
    }

    function _bound(bytes32 name, uint256 value, uint256 min, uint256 max) internal pure {
        if (value < min || value > max) revert MarketParameterOutOfBounds(name, value, min, max);
    }
}
