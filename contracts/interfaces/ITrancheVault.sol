// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";

import {ICollateralOracle} from "./ICollateralOracle.sol";
import {IRwaVault} from "./IRwaVault.sol";

/// @notice The two claims on the basket: the senior is paid first, the junior takes the first loss.
enum Tranche {
    Senior,
    Junior
}

/// @notice Whether the basket's valuation can be relied on: the worst status of its constituents.
enum BasketStatus {
    Normal,
    Stale, // a constituent's NAV is older than maxNavAge
    UnderReview // a constituent's NAV is under review
}

/// @notice One constituent of the basket.
struct Constituent {
    IRwaVault vault; // an RwaVault share; every constituent settles in the same asset
    uint96 unitShares; // constituent shares per basket unit, 1e18-scaled
    ICollateralOracle priceSource; // its liquidationPrice values a share; address(0): the vault's NAV
}

/// @title ITrancheToken
/// @notice A tranche's ERC20: only its TrancheVault mints and burns.
interface ITrancheToken is IERC20Metadata {
    error TrancheTokenOnlyVault(address caller);

    /// @notice The TrancheVault that mints and burns this token.
    function vault() external view returns (address);
    function mint(address to, uint256 amount) external;
    function burn(address from, uint256 amount) external;
}

/// @title ITrancheVault
/// @notice RWA²: a basket of RwaVault shares held in fixed weights (one basket unit = `unitShares`
///         of each constituent), split into a senior and a junior tranche by a loss waterfall.
///         Each senior token is one unit of the loan asset of principal and carries no coupon:
///           seniorClaim = min(basketValue, seniorPrincipal),  juniorClaim = basketValue − seniorClaim,
///         so the junior absorbs every loss until it is worth nothing, and keeps every gain.
///         Deposits and redemptions are in kind, in basket units: redemption hands over constituent
///         shares, whose own slow redemption (request, notice, gated settlement) the holder then runs.
///         Senior issuance keeps juniorClaim ≥ minJuniorRatio × basketValue, and so does every junior
///         redemption while senior tokens exist. Amounts of units are 1e18-scaled; values are in the
///         constituents' common asset, 1e18-scaled.
interface ITrancheVault {
    // ---------------------------------------------------------------- events
    event Deposited(
        address indexed caller,
        address indexed receiver,
        Tranche indexed tranche,
        uint256 units,
        uint256 minted
    );
    event Redeemed(
        address indexed caller,
        address indexed receiver,
        Tranche indexed tranche,
        uint256 burned,
        uint256 units
    );
    event ParameterSet(bytes32 indexed name, uint256 value);

    // ---------------------------------------------------------------- errors
    error TrancheZeroAmount();
    error TrancheZeroAddress();
    error TrancheConstituentCount(uint256 count, uint256 max);
    error TrancheDuplicateConstituent(uint256 index, address vault);
    error TrancheAssetMismatch(uint256 index, address asset, address expected);
    error TrancheUnknownConstituent(uint256 index, uint256 count);
    error TrancheParameterOutOfBounds(bytes32 name, uint256 value, uint256 min, uint256 max);
    /// @notice Deposits and redemptions move value between tranches at the basket's valuation, so
    ///         they wait while any constituent's NAV is under review or stale.
    error TrancheBasketNotNormal(BasketStatus status, uint256 underReviewMask, uint256 staleMask);
    /// @notice Every constituent is priced at zero: units cannot be valued.
    error TrancheZeroValue();
    /// @notice After the action the junior would cover less than minJuniorRatio of the basket.
    error TrancheSubordinationBreached(uint256 juniorValue, uint256 required);
    /// @notice The basket is worth less than the senior principal: new junior money would only
    ///         refill the senior's loss.
    error TrancheSeniorImpaired(uint256 basketValue, uint256 seniorPrincipal);
    error TrancheExceedsSupply(Tranche tranche, uint256 amount, uint256 supply);
    error TrancheSlippage(uint256 amount, uint256 minimum);

    // ---------------------------------------------------------------- deposit and redeem
    /// @notice Pulls `units` basket units from the caller (`unitShares × units` of each constituent,
    ///         rounded up) and mints `tranche` tokens to `receiver`: senior at one token per unit of
    ///         value, junior at the junior's value per token. Reverts unless the basket is Normal;
    ///         senior issuance must keep the subordination; junior issuance needs an unimpaired senior.
    function deposit(Tranche tranche, uint256 units, address receiver, uint256 minMinted)
        external
        returns (uint256 minted);

    /// @notice Burns `amount` of the caller's `tranche` tokens and delivers their claim in kind: basket
    ///         units (`unitShares × units` of each constituent, rounded down) to `receiver`. The senior
    ///         is paid per waterfall (pro rata of the loss when impaired); a junior redemption must
    ///         keep the subordination while senior tokens exist. Reverts unless the basket is Normal.
    function redeem(Tranche tranche, uint256 amount, address receiver, uint256 minUnits)
        external
        returns (uint256 units);

    /// @notice Tokens `deposit` would mint now; reverts as it would.
    function previewDeposit(Tranche tranche, uint256 units) external view returns (uint256 minted);
    /// @notice Basket units `redeem` would deliver now; reverts as it would.
    function previewRedeem(Tranche tranche, uint256 amount) external view returns (uint256 units);
    /// @notice Constituent shares that `units` basket units are (rounded up, as `deposit` pulls them).
    function sharesForUnits(uint256 units) external view returns (uint256[] memory shares);

    // ---------------------------------------------------------------- admin
    function setMinJuniorRatio(uint256 value) external;
    function setMaxNavAge(uint64 value) external;

    // ---------------------------------------------------------------- views
    function seniorToken() external view returns (ITrancheToken);
    function juniorToken() external view returns (ITrancheToken);
    /// @notice The junior's minimum share of basket value after a senior deposit or junior redemption.
    function minJuniorRatio() external view returns (uint256);
    /// @notice NAV age beyond which a constituent counts as stale.
    function maxNavAge() external view returns (uint64);
    function constituentCount() external view returns (uint256);
    function constituent(uint256 index) external view returns (Constituent memory);
    /// @notice Basket units on account (donations are ignored).
    function totalUnits() external view returns (uint256);
    /// @notice Constituent shares on account: totalUnits × unitShares, rounded down.
    function heldShares(uint256 index) external view returns (uint256);
    /// @notice The value of one constituent share: its price source's liquidationPrice, or its NAV.
    function constituentPrice(uint256 index) external view returns (uint256);
    /// @notice The value of one basket unit: Σ unitShares × constituentPrice (each term rounded down).
    function unitValue() external view returns (uint256);
    /// @notice Senior principal outstanding: one loan-asset unit per senior token.
    function seniorPrincipal() external view returns (uint256);
    /// @notice The basket's value, totalUnits × unitValue (Σ heldShares × constituentPrice, rounded
    ///         once), and its split by the waterfall.
    function waterfall() external view returns (uint256 basketValue, uint256 seniorClaim, uint256 juniorClaim);
    /// @notice The worst constituent status, and bit i set for constituent i under review or stale.
    function basketStatus()
        external
        view
        returns (BasketStatus status, uint256 underReviewMask, uint256 staleMask);
}
