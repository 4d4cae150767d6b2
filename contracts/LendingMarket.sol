// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

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
contract LendingMarket is ILendingMarket, AccessControl, ReentrancyGuard {
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

    IERC20 public immutable loanToken;
    IERC20 public immutable collateralToken;
    ICollateralOracle public immutable oracle;
    ICircuitBreaker public immutable breaker;
    IRateModel public immutable rateModel;

    MarketParams internal _params;

    uint256 public totalSupplyAssets;
    uint256 public totalSupplyShares;
    uint256 public totalBorrowAssets;
    uint256 public totalBorrowShares;
    uint256 public totalReserves;
    uint256 public totalCollateral;
    uint256 public lastAccrual;
    /// @notice Cumulative debt written off, from reserves and from lenders.
    uint256 public totalBadDebt;

    struct Position {
        uint256 supplyShares;
        uint128 borrowShares;
        uint128 collateral;
    }

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
        lastAccrual = block.timestamp;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setParams(params_);
    }

    // ---------------------------------------------------------------- lenders

    /// @inheritdoc ILendingMarket
    function supply(uint256 assets, address onBehalf) external nonReentrant returns (uint256 shares) {
        // Checks
        if (assets == 0) revert MarketZeroAmount();
        if (onBehalf == address(0)) revert MarketZeroAddress();
        _accrue();
        if (totalSupplyAssets + assets > _params.supplyCap) {
            revert MarketSupplyCapExceeded(totalSupplyAssets + assets, _params.supplyCap);
        }
        // Effects
        shares = assets.toSharesDown(totalSupplyAssets, totalSupplyShares);
        _positions[onBehalf].supplyShares += shares;
        totalSupplyShares += shares;
        totalSupplyAssets += assets;
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
        if (assets > 0) shares = assets.toSharesUp(totalSupplyAssets, totalSupplyShares);
        else assets = shares.toAssetsDown(totalSupplyAssets, totalSupplyShares);
        uint256 owned = _positions[msg.sender].supplyShares;
        if (shares > owned) revert MarketInsufficientBalance(msg.sender, shares, owned);
        uint256 idle = _idle();
        if (assets > idle) revert MarketInsufficientLiquidity(assets, idle);
        // Effects
        _positions[msg.sender].supplyShares = owned - shares;
        totalSupplyShares -= shares;
        totalSupplyAssets -= assets;
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
        uint256 newTotal = totalCollateral + assets;
        if (newTotal > _params.collateralCap) {
            revert MarketCollateralCapExceeded(newTotal, _params.collateralCap);
        }
        // Effects
        _positions[onBehalf].collateral += assets.toUint128();
        totalCollateral = newTotal;
        // Interactions
        collateralToken.safeTransferFrom(msg.sender, address(this), assets);
        emit SupplyCollateral(msg.sender, onBehalf, assets);
    }

    /// @inheritdoc ILendingMarket
    function withdrawCollateral(uint256 assets, address receiver) external nonReentrant {
        // Checks
        if (assets == 0) revert MarketZeroAmount();
        if (receiver == address(0)) revert MarketZeroAddress();
        _checkUnlocked(msg.sender);
        Position storage p = _positions[msg.sender];
        if (assets > p.collateral) revert MarketInsufficientBalance(msg.sender, assets, p.collateral);
        // Effects
        p.collateral -= uint128(assets);
        totalCollateral -= assets;
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
        _checkUnlocked(msg.sender);
        _accrue();
        uint256 idle = _idle();
        if (assets > idle) revert MarketInsufficientLiquidity(assets, idle);
        uint256 newTotal = totalBorrowAssets + assets;
        if (newTotal > _params.borrowCap) revert MarketBorrowCapExceeded(newTotal, _params.borrowCap);
        // Effects
        shares = assets.toSharesUp(totalBorrowAssets, totalBorrowShares);
        Position storage p = _positions[msg.sender];
        p.borrowShares += shares.toUint128();
        totalBorrowShares += shares;
        totalBorrowAssets = newTotal;
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
        if (assets > 0) {
            shares = assets.toSharesDown(totalBorrowAssets, totalBorrowShares);
            // Paying the full debt in assets clears the last share even after rounding.
            if (shares > p.borrowShares) shares = p.borrowShares;
        }
        if (shares > p.borrowShares) revert MarketInsufficientBalance(onBehalf, shares, p.borrowShares);
        if (shares == 0) revert MarketZeroAmount();
        assets = shares.toAssetsUp(totalBorrowAssets, totalBorrowShares);
        // Effects
        p.borrowShares -= uint128(shares);
        _reduceDebt(shares, assets);
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
        // Checks
        if (repayAssets == 0) revert MarketZeroAmount();
        _accrue();
        Position storage p = _positions[borrower];
        (uint256 allowance, bool confirmedOnly) = breaker.liquidationAllowance();
        _checkFastLiquidation(borrower, confirmedOnly);
        uint256 price = _liquidationPriceFor(confirmedOnly);
        if (price == 0) revert MarketZeroPrice();
        uint256 repaidShares;
        (repaid, repaidShares, seized) = _liquidationAmounts(borrower, p, price, repayAssets);
        if (seized < minSeized) revert MarketSeizedBelowMinimum(seized, minSeized);
        if (seized > allowance) revert MarketLiquidationThrottled(seized, allowance);

        // Effects
        p.borrowShares -= uint128(repaidShares);
        p.collateral -= uint128(seized);
        totalCollateral -= seized;
        _reduceDebt(repaidShares, repaid);
        if (p.collateral == 0 && p.borrowShares > 0) _realizeBadDebt(borrower, p);

        // Interactions
        breaker.onFastLiquidation(seized);
        collateralToken.safeTransfer(msg.sender, seized);
        loanToken.safeTransferFrom(msg.sender, address(this), repaid);
        emit Liquidate(msg.sender, borrower, repaid, repaidShares, seized);
    }

    // ---------------------------------------------------------------- admin

    /// @inheritdoc ILendingMarket
    function setParams(MarketParams calldata params_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (params_.lltv != _params.lltv) revert MarketLltvImmutable(_params.lltv, params_.lltv);
        // Interest so far was earned under the old reserve factor.
        _accrue();
        _setParams(params_);
    }

    /// @inheritdoc ILendingMarket
    function withdrawReserves(uint256 assets, address to) external onlyRole(DEFAULT_ADMIN_ROLE) nonReentrant {
        if (to == address(0)) revert MarketZeroAddress();
        _accrue();
        if (assets > totalReserves) revert MarketInsufficientBalance(address(this), assets, totalReserves);
        uint256 idle = _idle();
        if (assets > idle) revert MarketInsufficientLiquidity(assets, idle);
        totalReserves -= assets;
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
        return _params;
    }

    /// @inheritdoc ILendingMarket
    function liquidationIncentiveFactor() public view returns (uint256) {
        return WAD.divWadDown(LIF_CURSOR.mulWadDown(_params.lltv) + WAD - LIF_CURSOR).min(MAX_LIF);
    }

    /// @inheritdoc ILendingMarket
    function position(address borrower) external view returns (uint256, uint256, uint256) {
        Position memory p = _positions[borrower];
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
        uint256 lif = liquidationIncentiveFactor();
        out = new PositionHealth[](borrowers.length);
        for (uint256 i; i < borrowers.length; ++i) {
            Position memory p = _positions[borrowers[i]];
            uint256 debt = uint256(p.borrowShares).toAssetsUp(borrowAssets, borrowShares);
            uint256 hf = _healthFactor(p.collateral, debt, price);
            bool liquidatable = hf < WAD && !_inSlowLiquidation(borrowers[i]);
            PositionHealth memory h = out[i];
            (h.borrower, h.collateral, h.debt, h.healthFactor, h.liquidatable) =
            (borrowers[i], p.collateral, debt, hf, liquidatable);
            // A zero price makes every position unhealthy but leaves fast liquidation nothing to do.
            if (liquidatable && price > 0) {
                h.maxRepay = _maxRepay(debt);
                h.seizable = h.maxRepay.mulWadDown(lif).divWadDown(price).min(p.collateral);
            }
        }
    }

    /// @inheritdoc ILendingMarket
    function totals() public view returns (uint256, uint256, uint256, uint256, uint256) {
        (uint256 interest, uint256 toReserves,) = _pendingInterest();
        return (
            totalSupplyAssets + interest - toReserves,
            totalSupplyShares,
            totalBorrowAssets + interest,
            totalBorrowShares,
            totalReserves + toReserves
        );
    }

    // ---------------------------------------------------------------- internals

    function _accrue() internal {
        if (block.timestamp == lastAccrual) return;
        (uint256 interest, uint256 toReserves, uint256 rate) = _pendingInterest();
        lastAccrual = block.timestamp;
        if (interest == 0) return;
        totalBorrowAssets += interest;
        totalSupplyAssets += interest - toReserves;
        totalReserves += toReserves;
        emit AccrueInterest(rate, interest, toReserves);
    }

    function _pendingInterest() internal view returns (uint256 interest, uint256 toReserves, uint256 rate) {
        uint256 elapsed = block.timestamp - lastAccrual;
        if (elapsed == 0 || totalBorrowAssets == 0) return (0, 0, 0);
        rate = rateModel.borrowRatePerSecond(totalSupplyAssets, totalBorrowAssets);
        interest = totalBorrowAssets.mulWadDown(rate.taylorCompounded(elapsed));
        toReserves = interest.mulWadDown(_params.reserveFactor);
    }

    /// @dev Liquid loan assets the market holds for lenders and reserves.
    function _idle() internal view returns (uint256) {
        return (totalSupplyAssets + totalReserves).zeroFloorSub(totalBorrowAssets);
    }

    function _checkBorrowable(address borrower, Position storage p) internal {
        if (!breaker.borrowAllowed()) revert MarketBorrowsClosed();
        uint256 debt = _debtOf(p);
        uint256 maxDebt = uint256(p.collateral).mulWadDown(oracle.borrowPrice()).mulWadDown(_params.maxLtv);
        if (debt > maxDebt) revert MarketInsufficientCollateral(borrower, debt, maxDebt);
    }

    /// @dev While the breaker admits only confirmed losses, the market-following price counts
    ///      no lower than the NAV anchor.
    function _liquidationPriceFor(bool confirmedOnly) internal view returns (uint256 price) {
        price = oracle.liquidationPrice();
        if (confirmedOnly) price = price.max(oracle.anchorPrice());
    }

    /// @dev `_liquidationPriceFor` as the breaker would answer now, for views.
    function _previewLiquidationPrice() internal view returns (uint256) {
        (, bool confirmedOnly) = breaker.previewLiquidationAllowance();
        return _liquidationPriceFor(confirmedOnly);
    }

    function _debtOf(Position storage p) internal view returns (uint256) {
        return uint256(p.borrowShares).toAssetsUp(totalBorrowAssets, totalBorrowShares);
    }

    // ------------------------------------------------ hooks for a market with a slow path

    /// @dev Reverts if `borrower`'s position is locked (it may not borrow or withdraw collateral).
    function _checkUnlocked(address borrower) internal view virtual {}

    /// @dev Reverts if fast liquidation of `borrower` is not this market's path now.
    function _checkFastLiquidation(address borrower, bool confirmedOnly) internal view virtual {}

    /// @dev Whether `borrower`'s position is in a slow liquidation (not liquidatable meanwhile).
    function _inSlowLiquidation(address) internal view virtual returns (bool) {
        return false;
    }

    function _healthFactor(uint256 collateral, uint256 debt, uint256 price) internal view returns (uint256) {
        if (debt == 0) return type(uint256).max;
        return collateral.mulWadDown(price).mulWadDown(_params.lltv).divWadDown(debt);
    }

    function _requireLiquidatable(address borrower, Position storage p, uint256 debt, uint256 price)
        internal
        view
    {
        if (debt == 0) revert MarketNoDebt(borrower);
        uint256 hf = _healthFactor(p.collateral, debt, price);
        if (hf >= WAD) revert MarketPositionHealthy(borrower, hf);
    }

    /// @dev The close factor caps one liquidation, unless what would remain is dust.
    function _maxRepay(uint256 debt) internal view returns (uint256 maxRepay) {
        maxRepay = debt.mulWadUp(_params.closeFactor);
        if (debt - maxRepay.min(debt) < _params.dustDebt) maxRepay = debt;
    }

    /// @dev Amounts of a fast liquidation: repay capped by the close factor; seize at the incentive,
    ///      capped at the collateral (then the repay shrinks to match). Rounds for the protocol.
    function _liquidationAmounts(address borrower, Position storage p, uint256 price, uint256 repayAssets)
        internal
        view
        returns (uint256 repaid, uint256 repaidShares, uint256 seized)
    {
        uint256 debt = _debtOf(p);
        _requireLiquidatable(borrower, p, debt, price);
        uint256 lif = liquidationIncentiveFactor();
        repaid = repayAssets.min(_maxRepay(debt));
        seized = repaid.mulWadDown(lif).divWadDown(price);
        if (seized >= p.collateral) {
            seized = p.collateral;
            repaid = seized.mulWadUp(price).divWadUp(lif).min(repaid);
        }
        repaidShares =
            repaid >= debt ? p.borrowShares : repaid.toSharesDown(totalBorrowAssets, totalBorrowShares);
        repaid = repaidShares.toAssetsUp(totalBorrowAssets, totalBorrowShares);
    }

    function _reduceDebt(uint256 shares, uint256 assets) internal {
        totalBorrowShares -= shares;
        totalBorrowAssets = totalBorrowAssets.zeroFloorSub(assets);
    }

    /// @dev Removes the debt of a position with no collateral left: reserves absorb it first,
    ///      lenders the rest.
    function _realizeBadDebt(address borrower, Position storage p) internal returns (uint256 badDebt) {
        uint256 shares = p.borrowShares;
        badDebt = shares.toAssetsUp(totalBorrowAssets, totalBorrowShares).min(totalBorrowAssets);
        p.borrowShares = 0;
        totalBorrowShares -= shares;
        totalBorrowAssets -= badDebt;
        uint256 fromReserves = badDebt.min(totalReserves);
        totalReserves -= fromReserves;
        uint256 socialized = (badDebt - fromReserves).min(totalSupplyAssets);
        totalSupplyAssets -= socialized;
        totalBadDebt += badDebt;
        emit BadDebtRealized(borrower, badDebt, fromReserves, socialized);
    }

    function _setParams(MarketParams memory p) internal {
        _bound("lltv", p.lltv, 0.05e18, MAX_LLTV);
        _bound("maxLtv", p.maxLtv, 0.01e18, p.lltv - MIN_LTV_BUFFER);
        _bound("closeFactor", p.closeFactor, MIN_CLOSE_FACTOR, WAD);
        _bound("reserveFactor", p.reserveFactor, 0, MAX_RESERVE_FACTOR);
        _bound("keeperFee", p.keeperFee, 0, MAX_KEEPER_FEE);
        _bound("dustDebt", p.dustDebt, 0, 1e24);
        _bound("supplyCap", p.supplyCap, 1, type(uint128).max);
        _bound("borrowCap", p.borrowCap, 1, type(uint128).max);
        _bound("collateralCap", p.collateralCap, 1, type(uint128).max);
        _params = p;
        emit ParamsSet(p);
    }

    function _bound(bytes32 name, uint256 value, uint256 min, uint256 max) internal pure {
        if (value < min || value > max) revert MarketParameterOutOfBounds(name, value, min, max);
    }
}
