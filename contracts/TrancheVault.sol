// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

import {
    BasketStatus,
    Constituent,
    ITrancheToken,
    ITrancheVault,
    Tranche
} from "./interfaces/ITrancheVault.sol";
import {ICollateralOracle} from "./interfaces/ICollateralOracle.sol";
import {NavStatus} from "./interfaces/IRwaVault.sol";
import {TrancheToken} from "./TrancheToken.sol";
import {WadMath} from "./libraries/WadMath.sol";

/// @title TrancheVault
/// @notice A senior/junior split of a basket of RwaVault shares, with a loss waterfall.
/// @dev Constructor: (name, symbol, constituents, admin, minJuniorRatio, maxNavAge). It deploys the
///      two TrancheTokens ("<name> Senior" / "<symbol>-S", "<name> Junior" / "<symbol>-J").
///      Roles: DEFAULT_ADMIN_ROLE (parameters), GUARDIAN_ROLE (pause).
///
///      Design:
///      - In kind, in fixed weights. A deposit brings whole basket units and a redemption returns
///        whole basket units, so the basket never drifts from its weights and no swap or price is
///        needed to rebalance it. The account is kept in units (`totalUnits`), not balances: shares
///        sent to the vault directly are ignored, which leaves nothing to inflate.
///      - Redemption delivers constituent shares, not cash. The tranche's own redemption cannot be
///        faster than its constituents'; handing over the shares lets the holder queue them in each
///        vault (or sell them) at once, instead of this vault owning N request queues per holder and
///        distributing cash as they settle. The slowness is inherited, not hidden.
///      - Senior principal is one loan-asset unit per token, no coupon: every gain and every loss
///        goes to the junior first. A coupon would need a rate and an accrual index and would move
///        value to the senior over time; it is left out to keep the waterfall a pure function of
///        basket value.
///      - Valuation is each constituent's price source (its liquidationPrice: the source's best
///        estimate, not borrowPrice's deliberately low bound, which is zero under review and would
///        hand the junior's value to redeeming seniors), or its NAV. Deposits and redemptions wait
///        while any constituent is under review or stale: they split value between the tranches at
///        that valuation, and a valuation in doubt lets one side leave at the other's expense.
///      - Pause stops deposits and redemptions, never token transfers.
contract TrancheVault is ITrancheVault, AccessControl, Pausable, ReentrancyGuard {
    using SafeERC20 for IERC20;
    using WadMath for uint256;

    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");

    uint256 public constant MAX_CONSTITUENTS = 8;
    uint256 public constant MAX_UNIT_SHARES = 1e27;
    uint256 public constant MIN_JUNIOR_RATIO = 0.01e18;
    uint256 public constant MAX_JUNIOR_RATIO = 0.9e18;
    uint64 public constant MIN_NAV_AGE = 1 days;
    uint64 public constant MAX_NAV_AGE = 365 days;

    /// @inheritdoc ITrancheVault
    ITrancheToken public immutable seniorToken;
    /// @inheritdoc ITrancheVault
    ITrancheToken public immutable juniorToken;

    Constituent[] internal _constituents;

    /// @inheritdoc ITrancheVault
    uint256 public totalUnits;
    /// @inheritdoc ITrancheVault
    uint256 public minJuniorRatio;
    /// @inheritdoc ITrancheVault
    uint64 public maxNavAge;

    constructor(
        string memory name_,
        string memory symbol_,
        Constituent[] memory constituents_,
        address admin,
        uint256 minJuniorRatio_,
        uint64 maxNavAge_
    ) {
        if (admin == address(0)) revert TrancheZeroAddress();
        uint256 n = constituents_.length;
        if (n == 0 || n > MAX_CONSTITUENTS) revert TrancheConstituentCount(n, MAX_CONSTITUENTS);
        address asset;
        for (uint256 i; i < n; ++i) {
            Constituent memory c = constituents_[i];
            if (address(c.vault) == address(0)) revert TrancheZeroAddress();
            _bound("unitShares", c.unitShares, 1, MAX_UNIT_SHARES);
            for (uint256 j; j < i; ++j) {
                if (constituents_[j].vault == c.vault) {
                    revert TrancheDuplicateConstituent(i, address(c.vault));
                }
            }
            // Values are only comparable in one asset: a basket across stablecoins would carry a peg
            // risk that no constituent's NAV shows.
            address a = c.vault.asset();
            if (i == 0) asset = a;
            else if (a != asset) revert TrancheAssetMismatch(i, a, asset);
            _constituents.push(c);
        }
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setMinJuniorRatio(minJuniorRatio_);
        _setMaxNavAge(maxNavAge_);
        seniorToken = new TrancheToken(string.concat(name_, " Senior"), string.concat(symbol_, "-S"));
        juniorToken = new TrancheToken(string.concat(name_, " Junior"), string.concat(symbol_, "-J"));
    }

    // ---------------------------------------------------------------- deposit and redeem

    /// @inheritdoc ITrancheVault
    function deposit(Tranche tranche, uint256 units, address receiver, uint256 minMinted)
        external
        nonReentrant
        whenNotPaused
        returns (uint256 minted)
    {
        // Checks
        if (units == 0) revert TrancheZeroAmount();
        if (receiver == address(0)) revert TrancheZeroAddress();
        Constituent[] memory cs = _constituents;
        minted = _previewDeposit(tranche, units, _normalUnitValue(cs));
        if (minted == 0) revert TrancheZeroAmount();
        if (minted < minMinted) revert TrancheSlippage(minted, minMinted);
        // Effects
        totalUnits += units;
        _token(tranche).mint(receiver, minted);
        // Interactions: rounded up, so the shares held always cover totalUnits × unitShares.
        for (uint256 i; i < cs.length; ++i) {
            IERC20(address(cs[i].vault))
                .safeTransferFrom(msg.sender, address(this), units.mulWadUp(cs[i].unitShares));
        }
        emit Deposited(msg.sender, receiver, tranche, units, minted);
    }

    /// @inheritdoc ITrancheVault
    function redeem(Tranche tranche, uint256 amount, address receiver, uint256 minUnits)
        external
        nonReentrant
        whenNotPaused
        returns (uint256 units)
    {
        // Checks
        if (amount == 0) revert TrancheZeroAmount();
        if (receiver == address(0)) revert TrancheZeroAddress();
        Constituent[] memory cs = _constituents;
        units = _previewRedeem(tranche, amount, _normalUnitValue(cs));
        if (units == 0) revert TrancheZeroAmount();
        if (units < minUnits) revert TrancheSlippage(units, minUnits);
        // Effects: the burn reverts first if the caller holds less than `amount`.
        _token(tranche).burn(msg.sender, amount);
        totalUnits -= units;
        // Interactions: rounded down, the counterpart of the deposit's rounding up.
        for (uint256 i; i < cs.length; ++i) {
            uint256 shares = units.mulWadDown(cs[i].unitShares);
            if (shares > 0) IERC20(address(cs[i].vault)).safeTransfer(receiver, shares);
        }
        emit Redeemed(msg.sender, receiver, tranche, amount, units);
    }

    /// @inheritdoc ITrancheVault
    function previewDeposit(Tranche tranche, uint256 units) external view returns (uint256) {
        return _previewDeposit(tranche, units, _normalUnitValue(_constituents));
    }

    /// @inheritdoc ITrancheVault
    function previewRedeem(Tranche tranche, uint256 amount) external view returns (uint256) {
        return _previewRedeem(tranche, amount, _normalUnitValue(_constituents));
    }

    /// @inheritdoc ITrancheVault
    function sharesForUnits(uint256 units) external view returns (uint256[] memory shares) {
        uint256 n = _constituents.length;
        shares = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            shares[i] = units.mulWadUp(_constituents[i].unitShares);
        }
    }

    // ---------------------------------------------------------------- admin

    function pause() external onlyRole(GUARDIAN_ROLE) {
        _pause();
    }

    function unpause() external onlyRole(GUARDIAN_ROLE) {
        _unpause();
    }

    /// @inheritdoc ITrancheVault
    function setMinJuniorRatio(uint256 value) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setMinJuniorRatio(value);
    }

    /// @inheritdoc ITrancheVault
    function setMaxNavAge(uint64 value) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setMaxNavAge(value);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc ITrancheVault
    function constituentCount() external view returns (uint256) {
        return _constituents.length;
    }

    /// @inheritdoc ITrancheVault
    function constituent(uint256 index) public view returns (Constituent memory) {
        if (index >= _constituents.length) revert TrancheUnknownConstituent(index, _constituents.length);
        return _constituents[index];
    }

    /// @inheritdoc ITrancheVault
    function heldShares(uint256 index) external view returns (uint256) {
        return totalUnits.mulWadDown(constituent(index).unitShares);
    }

    /// @inheritdoc ITrancheVault
    function constituentPrice(uint256 index) external view returns (uint256) {
        return _price(constituent(index));
    }

    /// @inheritdoc ITrancheVault
    function unitValue() public view returns (uint256 value) {
        uint256 n = _constituents.length;
        for (uint256 i; i < n; ++i) {
            Constituent memory c = _constituents[i];
            value += uint256(c.unitShares).mulWadDown(_price(c));
        }
    }

    /// @inheritdoc ITrancheVault
    function seniorPrincipal() public view returns (uint256) {
        return seniorToken.totalSupply();
    }

    /// @inheritdoc ITrancheVault
    function waterfall()
        external
        view
        returns (uint256 basketValue, uint256 seniorClaim, uint256 juniorClaim)
    {
        basketValue = totalUnits.mulWadDown(unitValue());
        seniorClaim = basketValue.min(seniorPrincipal());
        juniorClaim = basketValue - seniorClaim;
    }

    /// @inheritdoc ITrancheVault
    function basketStatus()
        public
        view
        returns (BasketStatus status, uint256 underReviewMask, uint256 staleMask)
    {
        uint256 n = _constituents.length;
        for (uint256 i; i < n; ++i) {
            (, uint64 asOf, NavStatus s) = _constituents[i].vault.navInfo();
            if (s == NavStatus.UnderReview) underReviewMask |= 1 << i;
            if (uint256(block.timestamp).zeroFloorSub(asOf) > maxNavAge) staleMask |= 1 << i;
        }
        if (underReviewMask != 0) status = BasketStatus.UnderReview;
        else if (staleMask != 0) status = BasketStatus.Stale;
    }

    // ---------------------------------------------------------------- internals

    /// @dev Senior: one token per unit of value brought, if the junior still covers minJuniorRatio of
    ///      the larger basket. Junior: the junior's value per token, with one virtual token and one
    ///      virtual unit of value (OpenZeppelin's ERC4626 at offset 0; donations do not count, so there
    ///      is no inflation attack to price in). Either way the basket grows by at least `value`, so a
    ///      deposit never dilutes anyone.
    function _previewDeposit(Tranche tranche, uint256 units, uint256 unitValue_)
        internal
        view
        returns (uint256)
    {
        uint256 value = units.mulWadDown(unitValue_);
        uint256 principal = seniorPrincipal();
        if (tranche == Tranche.Senior) {
            _checkSubordination((totalUnits + units).mulWadDown(unitValue_), principal + value);
            return value;
        }
        uint256 basket = totalUnits.mulWadDown(unitValue_);
        if (basket < principal) revert TrancheSeniorImpaired(basket, principal);
        return value.mulDivDown(juniorToken.totalSupply() + 1, basket - principal + 1);
    }

    /// @dev The claim of `amount` tokens per waterfall, in units rounded down: the basket shrinks by at
    ///      most the claim, so an exit never takes value from those who stay. A senior exit never
    ///      lowers the junior's share of the basket (it takes principal and basket down together, or
    ///      the junior is already worth nothing), so only a junior exit is checked.
    function _previewRedeem(Tranche tranche, uint256 amount, uint256 unitValue_)
        internal
        view
        returns (uint256 units)
    {
        uint256 supply = _token(tranche).totalSupply();
        if (amount > supply) revert TrancheExceedsSupply(tranche, amount, supply);
        uint256 basket = totalUnits.mulWadDown(unitValue_);
        uint256 principal = seniorPrincipal();
        uint256 seniorClaim = basket.min(principal);
        uint256 value = tranche == Tranche.Senior
            ? amount.mulDivDown(seniorClaim, principal)
            : amount.mulDivDown(basket - seniorClaim + 1, supply + 1);
        units = value.divWadDown(unitValue_);
        if (tranche == Tranche.Junior && principal > 0) {
            _checkSubordination((totalUnits - units).mulWadDown(unitValue_), principal);
        }
    }

    function _checkSubordination(uint256 basket, uint256 principal) internal view {
        uint256 junior = basket.zeroFloorSub(principal);
        uint256 required = basket.mulWadUp(minJuniorRatio);
        if (junior < required) revert TrancheSubordinationBreached(junior, required);
    }

    /// @dev The unit value for a deposit or redemption, in one pass over the constituents' NAV
    ///      reports: only on a Normal basket with a nonzero value.
    function _normalUnitValue(Constituent[] memory cs) internal view returns (uint256 value) {
        (uint256 underReview, uint256 stale) = (0, 0);
        for (uint256 i; i < cs.length; ++i) {
            (uint256 nav, uint64 asOf, NavStatus s) = cs[i].vault.navInfo();
            if (s == NavStatus.UnderReview) underReview |= 1 << i;
            if (uint256(block.timestamp).zeroFloorSub(asOf) > maxNavAge) stale |= 1 << i;
            ICollateralOracle source = cs[i].priceSource;
            uint256 price = address(source) == address(0) ? nav : source.liquidationPrice();
            value += uint256(cs[i].unitShares).mulWadDown(price);
        }
        if (underReview != 0) revert TrancheBasketNotNormal(BasketStatus.UnderReview, underReview, stale);
        if (stale != 0) revert TrancheBasketNotNormal(BasketStatus.Stale, underReview, stale);
        if (value == 0) revert TrancheZeroValue();
    }

    function _price(Constituent memory c) internal view returns (uint256 price) {
        if (address(c.priceSource) != address(0)) return c.priceSource.liquidationPrice();
        (price,,) = c.vault.navInfo();
    }

    function _token(Tranche tranche) internal view returns (ITrancheToken) {
        return tranche == Tranche.Senior ? seniorToken : juniorToken;
    }

    function _setMinJuniorRatio(uint256 value) internal {
        _bound("minJuniorRatio", value, MIN_JUNIOR_RATIO, MAX_JUNIOR_RATIO);
        minJuniorRatio = value;
        emit ParameterSet("minJuniorRatio", value);
    }

    function _setMaxNavAge(uint64 value) internal {
        _bound("maxNavAge", value, MIN_NAV_AGE, MAX_NAV_AGE);
        maxNavAge = value;
        emit ParameterSet("maxNavAge", value);
    }

    function _bound(bytes32 name, uint256 value, uint256 min, uint256 max) internal pure {
        if (value < min || value > max) revert TrancheParameterOutOfBounds(name, value, min, max);
    }
}
