// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TrancheFixture} from "../utils/TrancheFixture.sol";
import {TrancheHandler} from "./handlers/TrancheHandler.sol";
import {SeniorTrancheOracle} from "../../contracts/oracles/SeniorTrancheOracle.sol";
import {NavOracle} from "../../contracts/oracles/NavOracle.sol";
import {ICollateralOracle} from "../../contracts/interfaces/ICollateralOracle.sol";
import {WadMath} from "../../contracts/libraries/WadMath.sol";

/// @notice The tranche vault under random deposits, redemptions, cycles, transfers, NAV marks,
///         reviews and time, with a naive and a stressed senior oracle watching it.
contract TrancheVaultInvariantTest is TrancheFixture {
    using WadMath for uint256;

    TrancheHandler internal handler;
    SeniorTrancheOracle internal naive;
    SeniorTrancheOracle internal stressed;

    function setUp() public override {
        super.setUp();
        handler = new TrancheHandler(tranche, constituentVaults, usd, reporter, confirmer, guardian);
        vm.startPrank(admin);
        usd.grantRole(usd.MINTER_ROLE(), address(handler));
        vm.stopPrank();
        ICollateralOracle[] memory os = new ICollateralOracle[](3);
        for (uint256 i; i < 3; ++i) {
            os[i] = new NavOracle(constituentVaults[i]);
        }
        naive = new SeniorTrancheOracle(tranche, os, 0, 0);
        stressed = new SeniorTrancheOracle(tranche, os, 0.1e18, 0.3e18);
        // A standing position, so that prices, the oracle and the subordination bite from the start.
        handler.depositJunior(0, 100_000e18);
        handler.depositSenior(1, 300_000e18);
        targetContract(address(handler));
    }

    /// @dev senior claim + junior claim == basket value, and the senior's is min(basket, principal).
    function invariant_waterfallConservation() public view {
        (uint256 b, uint256 s, uint256 j) = tranche.waterfall();
        assertEq(s + j, b, "senior + junior = basket");
        assertEq(s, b.min(tranche.seniorPrincipal()), "senior = min(basket, principal)");
    }

    /// @dev The junior is worth nothing before the senior loses anything, at every state and across
    ///      every markdown.
    function invariant_juniorLosesFirst() public view {
        (, uint256 s, uint256 j) = tranche.waterfall();
        if (s < tranche.seniorPrincipal()) assertEq(j, 0, "senior short while junior has value");
        assertEq(handler.ghostSeniorLossBeforeJunior(), 0, "a markdown hit the senior first");
    }

    /// @dev The oracle never prices the senior above its claim per token at the vault's valuation.
    function invariant_seniorPriceNeverAboveWaterfall() public view {
        uint256 principal = tranche.seniorPrincipal();
        if (principal == 0) return;
        (, uint256 s,) = tranche.waterfall();
        uint256 claimPerToken = s.divWadDown(principal);
        assertEq(naive.liquidationPrice(), claimPerToken, "naive = claim per token");
        assertLe(stressed.liquidationPrice(), claimPerToken, "liquidation price above the waterfall");
        assertLe(stressed.borrowPrice(), claimPerToken, "borrow price above the waterfall");
        assertLe(claimPerToken, 1e18, "never above par");
    }

    /// @dev No deposit/redeem cycle returns more than it brought, and no action lowers anyone
    ///      else's claim per token; units on account are exactly what came in minus what went out.
    function invariant_noValueCreated() public view {
        assertEq(handler.ghostCycleProfits(), 0, "a cycle returned more units than it brought");
        assertEq(handler.ghostValueTransfers(), 0, "an action moved value between holders");
        assertEq(tranche.totalUnits(), handler.ghostUnitsIn() - handler.ghostUnitsOut(), "units in - out");
        assertEq(handler.ghostDeliveryMismatches(), 0, "delivered shares != units x unitShares");
    }

    /// @dev The shares held always cover totalUnits × unitShares of each constituent.
    function invariant_sharesCoverUnits() public view {
        for (uint256 i; i < 3; ++i) {
            assertGe(constituentVaults[i].balanceOf(address(tranche)), tranche.heldShares(i));
        }
    }

    function invariant_subordinationAtIssuanceAndJuniorExit() public view {
        assertEq(handler.ghostSubordinationViolations(), 0);
    }

    function invariant_supplyEqualsHolders() public view {
        uint256 s;
        uint256 j;
        for (uint256 i; i < handler.actorCount(); ++i) {
            s += senior.balanceOf(handler.actors(i));
            j += junior.balanceOf(handler.actors(i));
        }
        assertEq(senior.totalSupply(), s, "senior supply");
        assertEq(junior.totalSupply(), j, "junior supply");
    }
}
