// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TrancheFixture} from "../utils/TrancheFixture.sol";
import {SeniorTrancheOracle} from "../../contracts/oracles/SeniorTrancheOracle.sol";
import {NavOracle} from "../../contracts/oracles/NavOracle.sol";
import {ICollateralOracle} from "../../contracts/interfaces/ICollateralOracle.sol";
import {Tranche} from "../../contracts/interfaces/ITrancheVault.sol";

/// @notice Gas of the tranche vault's hot paths over a three-constituent basket, one call per test
///         on cold storage, written to snapshots/tranche.json. Holders already hold both tranches,
///         so the numbers are the steady state (no first-balance writes).
contract TrancheGasTest is TrancheFixture {
    SeniorTrancheOracle internal navSenior;
    SeniorTrancheOracle internal conservativeSenior;

    function setUp() public override {
        super.setUp();
        depositAs(alice, Tranche.Junior, 100_000e18);
        depositAs(bob, Tranche.Senior, 300_000e18);
        depositAs(bob, Tranche.Junior, 1000e18);
        deployPools();
        ICollateralOracle[] memory os = new ICollateralOracle[](3);
        for (uint256 i; i < 3; ++i) {
            os[i] = new NavOracle(constituentVaults[i]);
        }
        navSenior = seniorOracleOver(os);
        conservativeSenior = seniorOracleOver(conservativeOracles());
        mintBasket(bob, 2000e18);
    }

    function test_gas_tranche_depositSenior() public {
        _measure(Tranche.Senior, true, 1000e18, "deposit_senior");
    }

    function test_gas_tranche_depositJunior() public {
        _measure(Tranche.Junior, true, 1000e18, "deposit_junior");
    }

    function test_gas_tranche_redeemSenior() public {
        _measure(Tranche.Senior, false, 1000e18, "redeem_senior");
    }

    function test_gas_tranche_redeemJunior() public {
        _measure(Tranche.Junior, false, 500e18, "redeem_junior");
    }

    function test_gas_tranche_seniorOracle_nav() public {
        _cool();
        navSenior.liquidationPrice();
        vm.snapshotGasLastCall("tranche", "seniorOracle_liquidationPrice_nav");
    }

    function test_gas_tranche_seniorOracle_conservative() public {
        _cool();
        conservativeSenior.liquidationPrice();
        vm.snapshotGasLastCall("tranche", "seniorOracle_liquidationPrice_conservative");
        _cool();
        conservativeSenior.borrowPrice();
        vm.snapshotGasLastCall("tranche", "seniorOracle_borrowPrice_conservative");
    }

    /// @dev Bob's deposit (or redemption) of `units` of tranche `t` on cold storage, measured as `row`.
    function _measure(Tranche t, bool deposit, uint256 units, string memory row) internal {
        _cool();
        vm.prank(bob);
        if (deposit) tranche.deposit(t, units, bob, 0);
        else tranche.redeem(t, units, bob, 0);
        vm.snapshotGasLastCall("tranche", row);
    }

    /// @dev Marks every contract's storage cold, as at the start of a real transaction.
    function _cool() internal {
        vm.cool(address(usd));
        vm.cool(address(tranche));
        vm.cool(address(senior));
        vm.cool(address(junior));
        vm.cool(address(navSenior));
        vm.cool(address(conservativeSenior));
        for (uint256 i; i < constituentVaults.length; ++i) {
            vm.cool(address(constituentVaults[i]));
            vm.cool(address(pools[i]));
            vm.cool(address(cOracles[i]));
            vm.cool(address(navSenior.constituentOracle(i)));
        }
    }
}
