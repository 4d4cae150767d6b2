// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TrancheFixture} from "../utils/TrancheFixture.sol";
import {SeniorTrancheOracle} from "../../contracts/oracles/SeniorTrancheOracle.sol";
import {NavOracle} from "../../contracts/oracles/NavOracle.sol";
import {ICollateralOracle} from "../../contracts/interfaces/ICollateralOracle.sol";
import {ITrancheVault, Tranche} from "../../contracts/interfaces/ITrancheVault.sol";
import {WadMath} from "../../contracts/libraries/WadMath.sol";

contract TrancheVaultFuzzTest is TrancheFixture {
    using WadMath for uint256;

    address internal mallory = makeAddr("mallory");

    // ---------------------------------------------------------------- waterfall

    function testFuzz_waterfall_conservesAndJuniorLosesFirst(
        uint256 juniorUnits,
        uint256 seniorUnits,
        uint256[3] memory navs
    ) public {
        _open(juniorUnits, seniorUnits);
        _moveNavs(navs, 0.01e18, 3e18);
        (uint256 b, uint256 s, uint256 j) = tranche.waterfall();
        uint256 principal = tranche.seniorPrincipal();
        assertEq(s + j, b, "senior + junior = basket");
        assertEq(s, b.min(principal), "senior = min(basket, principal)");
        if (s < principal) assertEq(j, 0, "the senior loses nothing while the junior has value");
        // The basket is its held shares at NAV, rounded once.
        uint256 expected;
        uint256 exact;
        for (uint256 i; i < 3; ++i) {
            (uint256 nav,,) = constituentVaults[i].navInfo();
            expected += uint256(tranche.constituent(i).unitShares).mulWadDown(nav);
            exact += tranche.heldShares(i).mulWadDown(nav);
        }
        // Rounding the unit value once loses under a wei per constituent per unit.
        assertApproxEqAbs(
            b, exact, 3 + 3 * tranche.totalUnits() / 1e18, "basket = sum of held shares x price"
        );
        expected = tranche.totalUnits().mulWadDown(expected);
        assertEq(b, expected, "basket = sum of held shares x price");
    }

    // ---------------------------------------------------------------- deposits and redemptions

    function testFuzz_depositRedeemCycle_createsNoValue(
        bool seniorSide,
        uint256 units,
        uint256[3] memory navs
    ) public {
        _open(1000e18, 2000e18);
        _moveNavs(navs, 0.3e18, 2e18);
        units = bound(units, 1, 5000e18); // around the basket, so both tranches get through often
        Tranche t = seniorSide ? Tranche.Senior : Tranche.Junior;
        (, uint256 seniorBefore, uint256 juniorBefore) = tranche.waterfall();
        try tranche.previewDeposit(t, units) returns (uint256 preview) {
            if (preview == 0) return; // dust
        } catch {
            return; // subordination or an impaired senior: nothing to cycle
        }
        uint256 minted = depositAs(mallory, t, units);
        try tranche.previewRedeem(t, minted) returns (uint256 preview) {
            if (preview == 0) return;
        } catch {
            return; // the junior's exit would breach the subordination
        }
        vm.prank(mallory);
        uint256 unitsOut = tranche.redeem(t, minted, mallory, 0);
        assertLe(unitsOut, units, "no more units out than in");
        (, uint256 seniorAfter, uint256 juniorAfter) = tranche.waterfall();
        assertGe(seniorAfter, seniorBefore, "the senior holders lost nothing");
        assertGe(juniorAfter, juniorBefore, "the junior holders lost nothing");
    }

    function testFuzz_seniorDeposit_keepsSubordination(
        uint256 juniorUnits,
        uint256 seniorUnits,
        uint256 extra,
        uint256[3] memory navs
    ) public {
        _open(juniorUnits, seniorUnits);
        _moveNavs(navs, 0.5e18, 1.5e18);
        extra = bound(extra, 1e18, 1e25);
        mintBasket(mallory, extra);
        vm.prank(mallory);
        try tranche.deposit(Tranche.Senior, extra, mallory, 0) {
            (uint256 b,, uint256 j) = tranche.waterfall();
            assertGe(j, b.mulWadUp(SUBORDINATION), "junior >= 20% of the basket after a senior deposit");
        } catch (bytes memory reason) {
            assertEq(bytes4(reason), ITrancheVault.TrancheSubordinationBreached.selector);
        }
    }

    function testFuzz_juniorRedeem_keepsSubordination(uint256 amount, uint256[3] memory navs) public {
        _open(1000e18, 3000e18);
        _moveNavs(navs, 0.8e18, 1.5e18);
        amount = bound(amount, 1, junior.balanceOf(alice));
        vm.prank(alice);
        try tranche.redeem(Tranche.Junior, amount, alice, 0) {
            (uint256 b,, uint256 j) = tranche.waterfall();
            assertGe(j, b.mulWadUp(SUBORDINATION), "junior >= 20% of the basket after a junior exit");
        } catch (bytes memory reason) {
            bytes4 selector = bytes4(reason);
            assertTrue(
                selector == ITrancheVault.TrancheSubordinationBreached.selector
                    || selector == ITrancheVault.TrancheZeroAmount.selector,
                "only the subordination or dust stops a junior exit"
            );
        }
    }

    function testFuzz_seniorRedeem_neverThinsTheBuffer(uint256 amount, uint256[3] memory navs) public {
        _open(1000e18, 3000e18);
        _moveNavs(navs, 0.3e18, 1.5e18);
        (uint256 b0,, uint256 j0) = tranche.waterfall();
        amount = bound(amount, 1e18, senior.balanceOf(bob));
        vm.prank(bob);
        try tranche.redeem(Tranche.Senior, amount, bob, 0) {}
        catch (bytes memory reason) {
            assertEq(bytes4(reason), ITrancheVault.TrancheZeroAmount.selector);
            return;
        }
        (uint256 b1,, uint256 j1) = tranche.waterfall();
        assertGe(j1, j0, "the junior's value is untouched");
        // j1 / b1 >= j0 / b0, cross-multiplied.
        assertGe(j1 * b0, j0 * b1, "the junior's share of the basket never falls");
    }

    // ---------------------------------------------------------------- oracle

    function testFuzz_seniorOracle_neverAboveWaterfall(
        uint256 juniorUnits,
        uint256 seniorUnits,
        uint256[3] memory navs,
        uint256 stress,
        uint256 haircut,
        uint8 reviewMask
    ) public {
        _open(juniorUnits, seniorUnits);
        _moveNavs(navs, 0.01e18, 3e18);
        stress = bound(stress, 0, 0.5e18);
        haircut = bound(haircut, 0, 1e18);
        ICollateralOracle[] memory os = new ICollateralOracle[](3);
        for (uint256 i; i < 3; ++i) {
            os[i] = new NavOracle(constituentVaults[i]);
            if (reviewMask & (1 << i) != 0) setReview(constituentVaults[i], true);
        }
        SeniorTrancheOracle naive = new SeniorTrancheOracle(tranche, os, 0, 0);
        SeniorTrancheOracle stressed = new SeniorTrancheOracle(tranche, os, stress, haircut);
        (, uint256 s,) = tranche.waterfall();
        uint256 principal = tranche.seniorPrincipal();
        uint256 claimPerToken = s.divWadDown(principal);
        assertEq(naive.liquidationPrice(), claimPerToken, "naive = the senior's claim per token at NAV");
        assertEq(naive.borrowPrice(), claimPerToken);
        uint256 price = stressed.liquidationPrice();
        assertLe(price, claimPerToken, "never above the waterfall");
        assertLe(price, 1e18, "never above par");
        (uint256 basketValue,,,) = stressed.valuation(false);
        assertLe(price, basketValue.mulWadDown(1e18 - stress).divWadDown(principal), "the stress applies");
    }

    // ---------------------------------------------------------------- helpers

    /// @dev A junior and a senior within the 20% subordination at par.
    function _open(uint256 juniorUnits, uint256 seniorUnits) internal {
        juniorUnits = bound(juniorUnits, 1e18, 1e24);
        seniorUnits = bound(seniorUnits, 1e18, juniorUnits * 4);
        depositAs(alice, Tranche.Junior, juniorUnits);
        depositAs(bob, Tranche.Senior, seniorUnits);
    }

    function _moveNavs(uint256[3] memory navs, uint256 lo, uint256 hi) internal {
        for (uint256 i; i < 3; ++i) {
            reportNavOf(constituentVaults[i], bound(navs[i], lo, hi));
        }
    }
}
