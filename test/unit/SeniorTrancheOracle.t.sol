// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TrancheFixture} from "../utils/TrancheFixture.sol";
import {SeniorTrancheOracle} from "../../contracts/oracles/SeniorTrancheOracle.sol";
import {NavOracle} from "../../contracts/oracles/NavOracle.sol";
import {SpotOracle} from "../../contracts/oracles/SpotOracle.sol";
import {TrancheVault} from "../../contracts/TrancheVault.sol";
import {ICollateralOracle} from "../../contracts/interfaces/ICollateralOracle.sol";
import {ISeniorTrancheOracle} from "../../contracts/interfaces/ISeniorTrancheOracle.sol";
import {ITrancheVault, Tranche} from "../../contracts/interfaces/ITrancheVault.sol";

/// @notice The senior oracle over a 250 junior / 1000 senior tranche (junior exactly at the 20%
///         subordination), with naive, stressed and conservative constituent oracles.
contract SeniorTrancheOracleTest is TrancheFixture {
    SeniorTrancheOracle internal naive; // NAV per constituent, no stress, no haircut
    SeniorTrancheOracle internal stressed; // NAV per constituent, stress and review haircut
    SeniorTrancheOracle internal conservative; // ConservativeOracle per constituent, stress and haircut

    function setUp() public override {
        super.setUp();
        depositAs(alice, Tranche.Junior, 250e18);
        depositAs(bob, Tranche.Senior, 1000e18);
        deployPools();
        naive = new SeniorTrancheOracle(tranche, navOracles(), 0, 0);
        stressed = seniorOracleOver(navOracles());
        conservative = seniorOracleOver(conservativeOracles());
    }

    function navOracles() internal returns (ICollateralOracle[] memory os) {
        os = new ICollateralOracle[](3);
        for (uint256 i; i < 3; ++i) {
            os[i] = new NavOracle(constituentVaults[i]);
        }
    }

    // ---------------------------------------------------------------- construction

    function test_constructor_setsState() public view {
        assertEq(address(stressed.tranche()), address(tranche));
        assertEq(stressed.stress(), STRESS);
        assertEq(stressed.reviewHaircut(), REVIEW_HAIRCUT);
        assertEq(address(conservative.constituentOracle(1)), address(cOracles[1]));
    }

    function test_constructor_revertsOnZeroAddress() public {
        ICollateralOracle[] memory os = navOracles();
        vm.expectRevert(ISeniorTrancheOracle.SeniorOracleZeroAddress.selector);
        new SeniorTrancheOracle(ITrancheVault(address(0)), os, 0, 0);
        os[1] = ICollateralOracle(address(0));
        vm.expectRevert(ISeniorTrancheOracle.SeniorOracleZeroAddress.selector);
        new SeniorTrancheOracle(tranche, os, 0, 0);
    }

    function test_constructor_revertsOnConstituentMismatch() public {
        vm.expectRevert(
            abi.encodeWithSelector(ISeniorTrancheOracle.SeniorOracleConstituentMismatch.selector, 2, 3)
        );
        new SeniorTrancheOracle(tranche, new ICollateralOracle[](2), 0, 0);
    }

    function test_constructor_revertsOnParametersOutOfBounds() public {
        ICollateralOracle[] memory os = navOracles();
        expectOutOfBounds(
            ISeniorTrancheOracle.SeniorOracleParameterOutOfBounds.selector,
            bytes32("stress"),
            0.5e18 + 1,
            0,
            0.5e18
        );
        new SeniorTrancheOracle(tranche, os, 0.5e18 + 1, 0);
        expectOutOfBounds(
            ISeniorTrancheOracle.SeniorOracleParameterOutOfBounds.selector,
            bytes32("reviewHaircut"),
            1e18 + 1,
            0,
            1e18
        );
        new SeniorTrancheOracle(tranche, os, 0, 1e18 + 1);
    }

    // ---------------------------------------------------------------- naive: the claim at NAV

    function test_naive_isTheSeniorClaimAtNav() public {
        assertEq(naive.borrowPrice(), 1e18);
        assertEq(naive.liquidationPrice(), 1e18);
        reportNavOf(credit, 0.5e18); // basket 1062.5: the junior absorbs it
        assertEq(naive.liquidationPrice(), 1e18);
        reportNavOf(credit, 0.1e18); // basket 912.5: the senior loses 8.75%
        assertEq(naive.liquidationPrice(), 0.9125e18);
        assertEq(naive.borrowPrice(), seniorClaim() * 1e18 / tranche.seniorPrincipal());
        (uint256 basketValue, uint256 stressedValue, uint256 principal, uint256 price) =
            naive.valuation(false);
        assertEq(basketValue, 912.5e18);
        assertEq(stressedValue, 912.5e18);
        assertEq(principal, 1000e18);
        assertEq(price, 0.9125e18);
    }

    function test_naive_ignoresReview() public {
        setReview(property, true);
        assertEq(naive.liquidationPrice(), 1e18);
    }

    // ---------------------------------------------------------------- stress and review haircut

    function test_stress_takesParBeforeTheJuniorIsGone() public {
        assertEq(stressed.liquidationPrice(), 1e18, "1250 x 0.9 = 1125 covers 1000");
        reportNavOf(credit, 0.5e18); // basket 1062.5, junior still 62.5
        assertEq(naive.liquidationPrice(), 1e18);
        assertEq(stressed.liquidationPrice(), 0.95625e18, "1062.5 x 0.9 / 1000");
    }

    function test_reviewHaircut_cutsOnlyTheReviewedConstituent() public {
        reportNavOf(credit, 0.5e18);
        setReview(property, true); // property 250 -> 175
        (uint256 basketValue, uint256 stressedValue,, uint256 price) = stressed.valuation(false);
        assertEq(basketValue, 625e18 + 187.5e18 + 175e18);
        assertEq(stressedValue, 888.75e18);
        assertEq(price, 0.88875e18);
        assertEq(stressed.borrowPrice(), 0.88875e18);
        setReview(property, false);
        assertEq(stressed.liquidationPrice(), 0.95625e18);
    }

    function test_reviewHaircut_fullHaircutDropsTheConstituent() public {
        SeniorTrancheOracle full = new SeniorTrancheOracle(tranche, navOracles(), 0, 1e18);
        setReview(tbill, true);
        setReview(credit, true);
        (uint256 basketValue,,, uint256 price) = full.valuation(true);
        assertEq(basketValue, 250e18);
        assertEq(price, 0.25e18);
    }

    function test_price_withoutSenior() public {
        TrancheVault t = new TrancheVault("x", "x", basket(), admin, SUBORDINATION, NAV_AGE);
        SeniorTrancheOracle o = new SeniorTrancheOracle(t, navOracles(), STRESS, 0);
        assertEq(o.liquidationPrice(), 0, "nothing in the basket");
        mintBasket(alice, 10e18);
        vm.startPrank(alice);
        for (uint256 i; i < 3; ++i) {
            constituentVaults[i].approve(address(t), type(uint256).max);
        }
        t.deposit(Tranche.Junior, 10e18, alice, 0);
        vm.stopPrank();
        assertEq(o.liquidationPrice(), 1e18, "a marginal senior token is covered");
    }

    // ---------------------------------------------------------------- conservative constituents

    function test_conservative_atParIsPar() public view {
        assertEq(conservative.borrowPrice(), 1e18);
        assertEq(conservative.liquidationPrice(), 1e18);
    }

    function test_conservative_reviewClosesTheConstituentForBorrowing() public {
        setReview(property, true);
        // The property oracle's borrowPrice is zero: basket 1000, stressed 900.
        assertEq(conservative.borrowPrice(), 0.9e18);
        // Its liquidationPrice stays on the NAV anchor, cut by the review haircut: 1175 x 0.9.
        assertEq(conservative.liquidationPrice(), 1e18);
        reportNavOf(credit, 0.8e18); // 625 + 300 + 175 = 1100, x 0.9 = 990
        assertEq(conservative.liquidationPrice(), 0.99e18);
    }

    function test_conservative_followsAFreshMarkdownAtOnce() public {
        reportNavOf(credit, 0.5e18);
        assertEq(conservative.liquidationPrice(), 0.95625e18);
        assertEq(conservative.borrowPrice(), 0.95625e18);
    }

    function test_conservative_haircutsStaleNav() public {
        vm.warp(block.timestamp + 75 days); // 40 days past the 35-day heartbeat: a 20% haircut
        (uint256 basketValue,,, uint256 price) = conservative.valuation(false);
        assertEq(basketValue, 1000e18, "every constituent at NAV x 0.8");
        assertEq(price, 0.9e18);
        assertEq(conservative.borrowPrice(), 0, "every NAV too old to borrow against");
    }

    // ---------------------------------------------------------------- spot constituents

    function test_spot_followsACrashInOnePool() public {
        ICollateralOracle[] memory os = new ICollateralOracle[](3);
        for (uint256 i; i < 3; ++i) {
            os[i] = new SpotOracle(pools[i]);
        }
        SeniorTrancheOracle spot = new SeniorTrancheOracle(tranche, os, 0, 0);
        assertEq(spot.liquidationPrice(), 1e18);
        // Dump a million credit shares into the credit pool: spot 1 -> ~0.25.
        mintUsd(trader, 1_000_000e18);
        vm.startPrank(trader);
        usd.approve(address(credit), type(uint256).max);
        credit.subscribe(1_000_000e18, trader);
        credit.approve(address(pools[1]), type(uint256).max);
        pools[1].swap(address(credit), 1_000_000e18, 0, trader, block.timestamp);
        vm.stopPrank();
        uint256 creditSpot = pools[1].spotPrice();
        assertLt(creditSpot, 0.26e18);
        uint256 unitValue = 0.5e18 + uint256(0.3e18) * creditSpot / 1e18 + 0.2e18;
        uint256 expected = uint256(1250e18) * unitValue / 1e18 * 1e18 / 1000e18;
        assertEq(spot.liquidationPrice(), expected);
        assertLt(spot.liquidationPrice(), 0.97e18);
        assertEq(conservative.liquidationPrice(), 1e18, "the conservative oracle waits for confirmation");
    }
}
