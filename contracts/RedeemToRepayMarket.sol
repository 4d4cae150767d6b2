// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {LendingMarket} from "./LendingMarket.sol";
import {IRedeemToRepayMarket, SlowLiquidation} from "./interfaces/IRedeemToRepayMarket.sol";
import {MarketParams} from "./interfaces/ILendingMarket.sol";
import {ICollateralOracle} from "./interfaces/ICollateralOracle.sol";
import {ICircuitBreaker} from "./interfaces/ICircuitBreaker.sol";
import {IRateModel} from "./interfaces/IRateModel.sol";
import {IRwaVault} from "./interfaces/IRwaVault.sol";
import {WAD, WadMath} from "./libraries/WadMath.sol";
import {SharesMath} from "./libraries/SharesMath.sol";

/// @title RedeemToRepayMarket
/// @notice A LendingMarket over RwaVault shares with the redeem-to-repay slow path (formulas and a
///         worked example on IRedeemToRepayMarket). While the breaker admits only confirmed losses
///         (a halt and its grace period) fast liquidation is closed here: a confirmed NAV markdown
///         is liquidated through the vault's queue at NAV, never sold into a stressed pool.
/// @dev Constructor: (loanToken, vault, oracle, breaker, rateModel, admin, params). The market is
///      the owner and controller of every slow-path request; the vault is trusted (its claim and
///      status are what the market accounts for), and every entry point is nonReentrant.
contract RedeemToRepayMarket is LendingMarket, IRedeemToRepayMarket {
    using SafeERC20 for IERC20;
    using WadMath for uint256;
    using SharesMath for uint256;
    using SafeCast for uint256;

    /// @dev Storage layout of a slow liquidation: four slots, the request id packed with the keeper.
    struct Slow {
        address borrower;
        bool closed;
        address keeper;
        uint96 requestId;
        uint128 collateral;
        uint128 proceeds;
        uint256 surplus; // paid to the borrower so far
    }

    Slow[] internal _slow;
    /// @dev Open slow liquidation of a borrower, as id + 1 (0: none).
    mapping(address => uint256) internal _openSlow;

    constructor(
        IERC20 loanToken_,
        IRwaVault collateral_,
        ICollateralOracle oracle_,
        ICircuitBreaker breaker_,
        IRateModel rateModel_,
        address admin,
        MarketParams memory params_
    ) LendingMarket(loanToken_, collateral_, oracle_, breaker_, rateModel_, admin, params_) {}

    // ---------------------------------------------------------------- slow path

    /// @inheritdoc IRedeemToRepayMarket
    function slowLiquidate(address borrower) external nonReentrant returns (uint256 id) {
        // Checks
        _accrue();
        (uint256 price, uint256 seizable, bool confirmedOnly) = _liquidationAllowance();
        if (seizable == type(uint256).max && !confirmedOnly) revert MarketSlowPathClosed();
        Position storage p = _positions[borrower];
        _checkUnlocked(borrower, p);
        uint256 debt = _debtOf(p);
        // All of it: lenders must not bear a NAV loss while the borrower keeps collateral.
        uint256 collateral = p.collateral;
        _requireLiquidatable(borrower, collateral, debt, _confirmedPrice(price, confirmedOnly));

        // Effects: the collateral leaves the position, which is locked (one slot write); the debt
        // stays, accruing for lenders. The id is kept apart: only views and reverts need it.
        id = _slow.length;
        _slow.push(Slow(borrower, false, msg.sender, 0, uint128(collateral), 0, 0));
        _openSlow[borrower] = id + 1;
        (p.collateral, p.inSlowLiquidation) = (0, true);
        _totalCollateral -= uint128(collateral); // a position's collateral ≤ the total

        // Interactions
        uint256 requestId = _vault().requestRedeem(collateral, address(this), address(this));
        _slow[id].requestId = requestId.toUint96();
        emit SlowLiquidationStarted(id, borrower, msg.sender, collateral, debt);
    }

    /// @inheritdoc IRedeemToRepayMarket
    function settleSlowLiquidation(uint256 id) external nonReentrant {
        // Checks
        Slow storage s = _openSlowLiquidation(id);
        _accrue();

        // Interactions first, with the trusted vault: what it pays is what there is to account for.
        IRwaVault vault = _vault();
        uint256 received = vault.claim(s.requestId, address(this));
        (uint256 pending,) = vault.redeemStatus(s.requestId);

        // Effects
        address borrower = s.borrower;
        Position storage p = _positions[borrower];
        uint256 debt = _debtOf(p);
        (uint256 repaid, uint256 fee, uint256 surplus) = _split(received, debt);
        if (repaid > 0) {
            (uint256 borrowAssets, uint256 borrowShares) = (_totals.borrowAssets, _totals.borrowShares);
            uint256 owed = p.borrowShares;
            uint256 shares = repaid < debt ? repaid.toSharesDown(borrowAssets, borrowShares) : owed;
            p.borrowShares = uint128(owed - shares);
            _reduceDebt(borrowAssets, borrowShares, shares, repaid);
        }
        s.proceeds += received.toUint128();
        if (surplus > 0) s.surplus += surplus;
        uint256 shortfall;
        if (pending == 0) {
            s.closed = true;
            delete _openSlow[borrower];
            p.inSlowLiquidation = false;
            // A borrower who topped up meanwhile keeps the debt against that collateral.
            if (p.borrowShares > 0 && p.collateral == 0) shortfall = _realizeBadDebt(borrower, p);
            emit SlowLiquidationProgressed(id, received, repaid, fee, surplus, shortfall);
            emit SlowLiquidationClosed(id, s.surplus, shortfall);
        } else {
            (uint256 nav,,) = vault.navInfo();
            shortfall = _debtOf(p).zeroFloorSub(pending.mulWadDown(nav));
            emit SlowLiquidationProgressed(id, received, repaid, fee, surplus, shortfall);
        }

        // Interactions
        if (fee > 0) loanToken.safeTransfer(s.keeper, fee);
        if (surplus > 0) loanToken.safeTransfer(borrower, surplus);
    }

    /// @inheritdoc IRedeemToRepayMarket
    function cureSlowLiquidation(uint256 id) external nonReentrant {
        // Checks
        Slow storage s = _openSlowLiquidation(id);
        _accrue();
        address borrower = s.borrower;
        Position storage p = _positions[borrower];
        uint256 debt = _debtOf(p);
        if (debt > 0) revert MarketDebtOutstanding(borrower, debt);

        // Interactions first, with the trusted vault: settled cash, then the pending shares back.
        IRwaVault vault = _vault();
        uint256 cash = vault.claim(s.requestId, address(this));
        (uint256 pending,) = vault.redeemStatus(s.requestId);
        uint256 returned = pending > 0 ? vault.cancelRedeem(s.requestId) : 0;

        // Effects: the borrower's own shares come back whatever the cap (they were counted before).
        s.proceeds += cash.toUint128();
        s.surplus += cash;
        s.closed = true;
        delete _openSlow[borrower];
        // Returned shares were counted in the totals before (SafeCast: never a silent wrap).
        (p.collateral, p.inSlowLiquidation) = ((p.collateral + returned).toUint120(), false);
        _totalCollateral = (_totalCollateral + returned).toUint128();
        emit SlowLiquidationCured(id, returned, cash);

        // Interactions
        if (cash > 0) loanToken.safeTransfer(borrower, cash);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IRedeemToRepayMarket
    function slowLiquidation(uint256 id) external view returns (SlowLiquidation memory) {
        Slow storage s = _slowLiquidation(id);
        return SlowLiquidation(s.borrower, s.keeper, s.requestId, s.collateral, s.proceeds, s.closed);
    }

    /// @inheritdoc IRedeemToRepayMarket
    function slowLiquidationCount() external view returns (uint256) {
        return _slow.length;
    }

    /// @inheritdoc IRedeemToRepayMarket
    function slowLiquidationOf(address borrower) external view returns (bool active, uint256 id) {
        uint256 n = _openSlow[borrower];
        if (n != 0) (active, id) = (true, n - 1);
    }

    /// @inheritdoc IRedeemToRepayMarket
    function provisionalShortfall(uint256 id) external view returns (uint256) {
        Slow storage s = _slowLiquidation(id);
        if (s.closed) return 0;
        IRwaVault vault = _vault();
        (uint256 pending, uint256 claimable) = vault.redeemStatus(s.requestId);
        (uint256 nav,,) = vault.navInfo();
        return debtOf(s.borrower).zeroFloorSub(pending.mulWadDown(nav) + claimable);
    }

    // ---------------------------------------------------------------- internals

    function _vault() internal view returns (IRwaVault) {
        return IRwaVault(address(collateralToken));
    }

    /// @dev Splits proceeds: the keeper's fee is a share of what repays debt. g = debt / (1 − fee)
    ///      clears the debt and its fee; what is beyond g is the borrower's.
    function _split(uint256 received, uint256 debt)
        internal
        view
        returns (uint256 repaid, uint256 fee, uint256 surplus)
    {
        uint256 keeperFee = _config.keeperFee;
        uint256 gross = debt.divWadUp(WAD - keeperFee);
        if (received >= gross) return (debt, gross - debt, received - gross);
        fee = received.mulWadDown(keeperFee);
        repaid = (received - fee).min(debt);
        surplus = received - fee - repaid;
    }

    function _slowLiquidation(uint256 id) internal view returns (Slow storage) {
        if (id >= _slow.length) revert MarketUnknownSlowLiquidation(id);
        return _slow[id];
    }

    function _openSlowLiquidation(uint256 id) internal view returns (Slow storage s) {
        s = _slowLiquidation(id);
        if (s.closed) revert MarketSlowLiquidationClosed(id);
    }

    /// @inheritdoc LendingMarket
    /// @dev The lock is the position's own flag (the slot every caller reads anyway); the id is
    ///      looked up only to revert with it.
    function _checkUnlocked(address borrower, Position storage p) internal view override {
        if (p.inSlowLiquidation) revert MarketInSlowLiquidation(borrower, _openSlow[borrower] - 1);
    }

    /// @inheritdoc LendingMarket
    function _checkFastLiquidation(address borrower, Position storage p, bool confirmedOnly)
        internal
        view
        override
    {
        if (confirmedOnly) revert MarketFastLiquidationHalted();
        _checkUnlocked(borrower, p);
    }
}
