// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICollateralOracle} from "../interfaces/ICollateralOracle.sol";
import {ISeniorTrancheOracle} from "../interfaces/ISeniorTrancheOracle.sol";
import {ITrancheVault} from "../interfaces/ITrancheVault.sol";
import {WAD, WadMath} from "../libraries/WadMath.sol";

/// @title SeniorTrancheOracle
/// @notice The senior token's two prices, each built the same way from the matching price of every
///         constituent's oracle:
///           basket   = totalUnits × Σ unitShares_i × price_i × (1 − reviewHaircut if i is under review)
///           stressed = basket × (1 − stress)
///           price    = min(1, stressed / seniorPrincipal)
///         so the senior is never priced above what the waterfall gives it at its constituents'
///         prices, and it falls below par once losses (plus the stress) exceed the junior buffer.
/// @dev Constructor: (tranche, constituentOracles, stress, reviewHaircut), all immutable: a pricing
///      policy is chosen at deploy time, as the market's own modules are.
///      - With a ConservativeOracle per constituent it inherits their safeguards: a constituent
///        under review or too stale adds nothing to the borrow price (its borrowPrice is zero), and
///        the liquidation price follows each constituent's rate-limited, NAV-anchored price.
///      - With NavOracle or SpotOracle per constituent, stress 0 and no review haircut, it is the naive
///        senior oracle: the senior's claim at NAV or at spot.
///      - The review haircut exists because a naive constituent oracle keeps quoting NAV while that
///        NAV is in doubt; the stress because the junior buffer is the senior's only protection and
///        prices lag (a monthly NAV), so the senior should lose par before the buffer is used up.
///      The basket is valued exactly as the vault values it (totalUnits × unit value), so with the
///      vault's own prices, no stress and no haircut the two agree to the wei.
///      Cost: one call to each constituent's oracle, `basketStatus` (a `navInfo` per constituent),
///      `totalUnits` and `seniorPrincipal`; the weights are copied at construction (they are fixed).
contract SeniorTrancheOracle is ISeniorTrancheOracle {
    using WadMath for uint256;

    uint256 public constant MAX_STRESS = 0.5e18;

    /// @inheritdoc ISeniorTrancheOracle
    ITrancheVault public immutable tranche;
    /// @inheritdoc ISeniorTrancheOracle
    uint256 public immutable stress;
    /// @inheritdoc ISeniorTrancheOracle
    uint256 public immutable reviewHaircut;

    ICollateralOracle[] internal _oracles;
    uint256[] internal _unitShares;

    constructor(
        ITrancheVault tranche_,
        ICollateralOracle[] memory oracles_,
        uint256 stress_,
        uint256 reviewHaircut_
    ) {
        if (address(tranche_) == address(0)) revert SeniorOracleZeroAddress();
        uint256 n = tranche_.constituentCount();
        if (oracles_.length != n) revert SeniorOracleConstituentMismatch(oracles_.length, n);
        for (uint256 i; i < n; ++i) {
            if (address(oracles_[i]) == address(0)) revert SeniorOracleZeroAddress();
            _unitShares.push(tranche_.constituent(i).unitShares);
        }
        _bound("stress", stress_, 0, MAX_STRESS);
        _bound("reviewHaircut", reviewHaircut_, 0, WAD);
        tranche = tranche_;
        stress = stress_;
        reviewHaircut = reviewHaircut_;
        _oracles = oracles_;
    }

    /// @inheritdoc ICollateralOracle
    function borrowPrice() external view returns (uint256 price) {
        (,,, price) = _valuation(Price.Borrow);
    }

    /// @inheritdoc ICollateralOracle
    function liquidationPrice() external view returns (uint256 price) {
        (,,, price) = _valuation(Price.Liquidation);
    }

    /// @inheritdoc ICollateralOracle
    /// @dev The waterfall over the constituents' anchors (NAV-based, no market following).
    function anchorPrice() external view returns (uint256 price) {
        (,,, price) = _valuation(Price.Anchor);
    }

    /// @inheritdoc ISeniorTrancheOracle
    function constituentOracle(uint256 index) external view returns (ICollateralOracle) {
        return _oracles[index];
    }

    /// @inheritdoc ISeniorTrancheOracle
    function valuation(bool forBorrow)
        public
        view
        returns (uint256 basketValue, uint256 stressedValue, uint256 seniorPrincipal, uint256 price)
    {
        return _valuation(forBorrow ? Price.Borrow : Price.Liquidation);
    }

    /// @dev Which of the constituents' prices a valuation reads.
    enum Price {
        Borrow,
        Liquidation,
        Anchor
    }

    function _valuation(Price which)
        internal
        view
        returns (uint256 basketValue, uint256 stressedValue, uint256 seniorPrincipal, uint256 price)
    {
        (, uint256 underReview,) = tranche.basketStatus();
        uint256 n = _oracles.length;
        uint256 unitValue;
        for (uint256 i; i < n; ++i) {
            ICollateralOracle o = _oracles[i];
            uint256 p = which == Price.Borrow
                ? o.borrowPrice()
                : which == Price.Liquidation ? o.liquidationPrice() : o.anchorPrice();
            if (underReview & (1 << i) != 0) p = p.mulWadDown(WAD - reviewHaircut);
            unitValue += _unitShares[i].mulWadDown(p);
        }
        basketValue = tranche.totalUnits().mulWadDown(unitValue);
        stressedValue = basketValue.mulWadDown(WAD - stress);
        seniorPrincipal = tranche.seniorPrincipal();
        // No senior outstanding: a marginal token is covered in full by any value at all.
        if (seniorPrincipal == 0) return (basketValue, stressedValue, 0, stressedValue > 0 ? WAD : 0);
        // One token is one unit of principal, so the per-token claim is stressed / principal, capped at par.
        price = stressedValue.min(seniorPrincipal).divWadDown(seniorPrincipal);
    }

    function _bound(bytes32 name, uint256 value, uint256 min, uint256 max) internal pure {
        if (value < min || value > max) revert SeniorOracleParameterOutOfBounds(name, value, min, max);
    }
}
