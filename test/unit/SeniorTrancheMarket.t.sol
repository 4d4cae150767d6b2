// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TrancheFixture} from "../utils/TrancheFixture.sol";
import {LendingMarket} from "../../contracts/LendingMarket.sol";
import {PermissiveBreaker} from "../../contracts/breakers/PermissiveBreaker.sol";
import {SeniorTrancheOracle} from "../../contracts/oracles/SeniorTrancheOracle.sol";
import {ILendingMarket} from "../../contracts/interfaces/ILendingMarket.sol";
import {Tranche} from "../../contracts/interfaces/ITrancheVault.sol";

/// @notice RWA² as collateral: the senior token listed in its own LendingMarket, priced by a
///         SeniorTrancheOracle over a ConservativeOracle per constituent (stress 10%, review
///         haircut 30%). The senior token has no redemption queue of its own, so it is listed in
///         the base LendingMarket, which takes any ERC20 and has no slow path.
contract SeniorTrancheMarketTest is TrancheFixture {
    SeniorTrancheOracle internal seniorOracle;
    LendingMarket internal seniorMarket;

    function setUp() public override {
        super.setUp();
        depositAs(alice, Tranche.Junior, 250e18);
        depositAs(borrower, Tranche.Senior, 1000e18);
        deployPools();
        seniorOracle = seniorOracleOver(conservativeOracles());
        seniorMarket = new LendingMarket(
            usd, senior, seniorOracle, new PermissiveBreaker(), rates, admin, defaultParams()
        );
        supplyLiquidityOn(seniorMarket, lender, 1_000_000e18);
        vm.startPrank(borrower);
        senior.approve(address(seniorMarket), type(uint256).max);
        seniorMarket.supplyCollateral(1000e18, borrower);
        seniorMarket.borrow(690e18, borrower); // maxLtv 70% of 1000 at par
        vm.stopPrank();
        mintUsd(liquidator, 1_000_000e18);
        vm.prank(liquidator);
        usd.approve(address(seniorMarket), type(uint256).max);
    }

    function test_seniorCollateral_borrowMarkdownLiquidate() public {
        assertEq(seniorOracle.borrowPrice(), 1e18);
        vm.prank(liquidator);
        vm.expectRevert(
            abi.encodeWithSelector(
                ILendingMarket.MarketPositionHealthy.selector, borrower, 1159420289855072463
            )
        );
        seniorMarket.liquidate(borrower, 100e18, 0);

        // A property markdown the junior absorbs moves nothing: 1250 -> 1175, x 0.9 = 1057.5.
        reportNavOf(property, 0.7e18);
        assertEq(seniorOracle.liquidationPrice(), 1e18);
        // The credit fund is written down 90%: basket 837.5, stressed 753.75.
        reportNavOf(credit, 0.1e18);
        assertEq(
            seniorOracle.liquidationPrice(), 0.75375e18, "the conservative oracle takes a fresh NAV at once"
        );
        assertEq(seniorOracle.borrowPrice(), 0.75375e18);

        // No new debt against the marked-down senior.
        vm.prank(borrower);
        vm.expectPartialRevert(ILendingMarket.MarketInsufficientCollateral.selector);
        seniorMarket.borrow(1e18, borrower);

        // Fast liquidation at the senior's price; there is no slow path for this collateral.
        uint256 debt = seniorMarket.debtOf(borrower);
        uint256 repay = debt / 2;
        uint256 seized = repay * seniorMarket.liquidationIncentiveFactor() / 1e18 * 1e18 / 0.75375e18;
        vm.prank(liquidator);
        (uint256 repaid, uint256 seizedOut) = seniorMarket.liquidate(borrower, type(uint256).max, 0);
        assertApproxEqAbs(repaid, repay, 1);
        assertApproxEqAbs(seizedOut, seized, 2);
        assertEq(senior.balanceOf(liquidator), seizedOut);
        (bool hasSlowPath,) =
            address(seniorMarket).call(abi.encodeWithSignature("slowLiquidate(address)", borrower));
        assertFalse(hasSlowPath, "the base market has no slow path");

        // The liquidator exits through the tranche: pro rata of the impaired senior, in kind.
        uint256 expectedUnits = tranche.previewRedeem(Tranche.Senior, seizedOut);
        vm.prank(liquidator);
        uint256 units = tranche.redeem(Tranche.Senior, seizedOut, liquidator, 0);
        assertEq(units, expectedUnits);
        assertApproxEqAbs(
            units, seizedOut * 1250e18 / 1000e18, 2, "impaired: a token is 1.25 units, whatever their value"
        );
        assertEq(credit.balanceOf(liquidator), units * 3 / 10);
    }
}
