// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Fixture} from "./Fixture.sol";
import {RwaVault} from "../../contracts/RwaVault.sol";
import {TrancheVault} from "../../contracts/TrancheVault.sol";
import {ConstantProductPool} from "../../contracts/ConstantProductPool.sol";
import {ConservativeOracle} from "../../contracts/ConservativeOracle.sol";
import {SeniorTrancheOracle} from "../../contracts/oracles/SeniorTrancheOracle.sol";
import {ICollateralOracle} from "../../contracts/interfaces/ICollateralOracle.sol";
import {NavStatus} from "../../contracts/interfaces/IRwaVault.sol";
import {Constituent, ITrancheToken, Tranche} from "../../contracts/interfaces/ITrancheVault.sol";
import {WadMath} from "../../contracts/libraries/WadMath.sol";
import {Defaults} from "../../script/Defaults.sol";

/// @notice The RWA² world: three RwaVaults (a treasury fund, the fixture's credit fund, a property
///         fund), all at NAV 1, and a TrancheVault over them. One basket unit is 0.5 treasury +
///         0.3 credit + 0.2 property shares, worth 1 at par. Subordination 20%, stale after 45 days.
abstract contract TrancheFixture is Fixture {
    using WadMath for uint256;

    uint96 internal constant W_TBILL = 0.5e18;
    uint96 internal constant W_CREDIT = 0.3e18;
    uint96 internal constant W_PROPERTY = 0.2e18;
    uint256 internal constant SUBORDINATION = 0.2e18;
    uint64 internal constant NAV_AGE = 45 days;
    /// @dev The senior oracle's stress and review haircut (the Rust `TrancheConfig` defaults).
    uint256 internal constant STRESS = 0.1e18;
    uint256 internal constant REVIEW_HAIRCUT = 0.3e18;

    address internal alice = makeAddr("alice");

    RwaVault internal tbill;
    RwaVault internal credit;
    RwaVault internal property;
    RwaVault[] internal constituentVaults;
    TrancheVault internal tranche;
    ITrancheToken internal senior;
    ITrancheToken internal junior;

    /// @dev Filled by `deployPools`: one seeded pool and one conservative oracle per constituent.
    ConstantProductPool[] internal pools;
    ConservativeOracle[] internal cOracles;

    function setUp() public virtual override {
        super.setUp();
        credit = vault;
        tbill = newConstituent("Treasury Fund", "TBILL");
        property = newConstituent("Property Fund", "PROP");
        constituentVaults.push(tbill);
        constituentVaults.push(credit);
        constituentVaults.push(property);
        tranche = new TrancheVault("Breakwater RWA2", "RWA2", basket(), admin, SUBORDINATION, NAV_AGE);
        senior = tranche.seniorToken();
        junior = tranche.juniorToken();
        vm.startPrank(admin);
        tranche.grantRole(tranche.GUARDIAN_ROLE(), guardian);
        vm.stopPrank();
    }

    function newConstituent(string memory name, string memory symbol) internal returns (RwaVault v) {
        v = new RwaVault(name, symbol, address(usd), admin, custodian, 1e18, NOTICE, EPOCH, GATE, MAX_MOVE);
        vm.startPrank(admin);
        v.grantRole(v.NAV_REPORTER_ROLE(), reporter);
        v.grantRole(v.NAV_CONFIRMER_ROLE(), confirmer);
        v.grantRole(v.GUARDIAN_ROLE(), guardian);
        vm.stopPrank();
    }

    /// @dev The three constituents valued at NAV.
    function basket() internal view returns (Constituent[] memory cs) {
        cs = new Constituent[](3);
        cs[0] = Constituent(tbill, W_TBILL, ICollateralOracle(address(0)));
        cs[1] = Constituent(credit, W_CREDIT, ICollateralOracle(address(0)));
        cs[2] = Constituent(property, W_PROPERTY, ICollateralOracle(address(0)));
    }

    /// @dev Subscribes `who` to enough of each constituent for `units` basket units and approves the
    ///      tranche vault. Constituents must not be under review.
    function mintBasket(address who, uint256 units) internal {
        uint256[] memory shares = tranche.sharesForUnits(units);
        for (uint256 i; i < constituentVaults.length; ++i) {
            RwaVault v = constituentVaults[i];
            (uint256 nav,,) = v.navInfo();
            uint256 assets = shares[i].mulWadUp(nav);
            mintUsd(who, assets);
            vm.startPrank(who);
            usd.approve(address(v), assets);
            v.subscribe(assets, who);
            v.approve(address(tranche), type(uint256).max);
            vm.stopPrank();
        }
    }

    function depositAs(address who, Tranche t, uint256 units) internal returns (uint256 minted) {
        mintBasket(who, units);
        vm.prank(who);
        minted = tranche.deposit(t, units, who, 0);
    }

    /// @dev A NAV report of any size on `v`, struck now (one second later if now is taken).
    function reportNavOf(RwaVault v, uint256 nav) internal {
        (, uint64 asOf,) = v.navInfo();
        if (asOf >= block.timestamp) vm.warp(block.timestamp + 1);
        vm.prank(reporter);
        v.reportNav(nav, uint64(block.timestamp));
        if (v.pendingNav() != 0) {
            vm.prank(confirmer);
            v.confirmNav();
        }
    }

    function setReview(RwaVault v, bool underReview) internal {
        vm.prank(guardian);
        v.setNavStatus(underReview ? NavStatus.UnderReview : NavStatus.Normal, "test");
    }

    /// @dev Fresh NAV on every constituent, at its current value.
    function refreshNavs() internal {
        for (uint256 i; i < constituentVaults.length; ++i) {
            (uint256 nav,,) = constituentVaults[i].navInfo();
            reportNavOf(constituentVaults[i], nav);
        }
    }

    function seniorClaim() internal view returns (uint256 claim) {
        (, claim,) = tranche.waterfall();
    }

    function juniorClaim() internal view returns (uint256 claim) {
        (,, claim) = tranche.waterfall();
    }

    /// @dev A seeded pool per constituent at price 1 (a day of observations) and a conservative
    ///      oracle on each, with the default parameters.
    function deployPools() internal {
        address lp = makeAddr("tranchePoolLp");
        for (uint256 i; i < constituentVaults.length; ++i) {
            RwaVault v = constituentVaults[i];
            ConstantProductPool p = new ConstantProductPool(
                address(v), address(usd), "LP", "LP", OBSERVATION_PERIOD, OBSERVATION_CARDINALITY
            );
            mintUsd(lp, 2_000_000e18);
            vm.startPrank(lp);
            usd.approve(address(v), 1_000_000e18);
            v.subscribe(1_000_000e18, lp);
            v.approve(address(p), type(uint256).max);
            usd.approve(address(p), type(uint256).max);
            p.addLiquidity(1_000_000e18, 1_000_000e18, 0, lp, block.timestamp);
            vm.stopPrank();
            pools.push(p);
        }
        vm.warp(block.timestamp + 1 days);
        refreshNavs();
        for (uint256 i; i < constituentVaults.length; ++i) {
            cOracles.push(
                new ConservativeOracle(constituentVaults[i], pools[i], admin, Defaults.oracleParams())
            );
        }
    }

    function conservativeOracles() internal view returns (ICollateralOracle[] memory os) {
        os = new ICollateralOracle[](cOracles.length);
        for (uint256 i; i < cOracles.length; ++i) {
            os[i] = cOracles[i];
        }
    }

    /// @dev A senior oracle over `os` with the default stress and review haircut.
    function seniorOracleOver(ICollateralOracle[] memory os) internal returns (SeniorTrancheOracle) {
        return new SeniorTrancheOracle(tranche, os, STRESS, REVIEW_HAIRCUT);
    }
}
