// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Fixture} from "./Fixture.sol";
import {ConservativeOracle} from "../../contracts/ConservativeOracle.sol";
import {CircuitBreaker} from "../../contracts/CircuitBreaker.sol";
import {LendingMarket} from "../../contracts/LendingMarket.sol";
import {RedeemToRepayMarket} from "../../contracts/RedeemToRepayMarket.sol";
import {OracleParams} from "../../contracts/interfaces/IConservativeOracle.sol";
import {BreakerParams} from "../../contracts/interfaces/ICircuitBreakerAdmin.sol";
import {ICollateralOracle} from "../../contracts/interfaces/ICollateralOracle.sol";
import {Defaults} from "../../script/Defaults.sol";

/// @notice The world with the real safeguards: conservative oracle and circuit breaker over the
///         real vault and pool, a market with the slow path wired to both (the `safeguarded`
///         policy), and a pool with a day of observations.
abstract contract SafeguardedFixture is Fixture {
    ConservativeOracle internal cOracle;
    CircuitBreaker internal cBreaker;
    RedeemToRepayMarket internal safeMarket;

    function setUp() public virtual override {
        super.setUp();
        seedPool(1_000_000e18, 1_000_000e18);
        fundTrader(trader, 2_000_000e18);
        vm.warp(block.timestamp + 1 days); // a day of history at NAV for the TWAPs
        cOracle = new ConservativeOracle(vault, pool, admin, oracleParams());
        cBreaker = deployBreaker(cOracle);
        safeMarket = new RedeemToRepayMarket(usd, vault, cOracle, cBreaker, rates, admin, defaultParams());
        vm.prank(admin);
        cBreaker.setMarket(address(safeMarket));
    }

    function deployBreaker(ICollateralOracle o) internal returns (CircuitBreaker b) {
        b = new CircuitBreaker(o, vault, pool, admin, breakerParams());
        vm.startPrank(admin);
        b.grantRole(b.GUARDIAN_ROLE(), guardian);
        vm.stopPrank();
    }

    /// @dev The `no-slow-path` market: the base market under the conservative oracle and a breaker
    ///      of its own, with 1M supplied by the lender.
    function deployFastOnlyMarket() internal returns (CircuitBreaker b, LendingMarket base) {
        b = deployBreaker(cOracle);
        base = new LendingMarket(usd, vault, cOracle, b, rates, admin, defaultParams());
        vm.prank(admin);
        b.setMarket(address(base));
        supplyLiquidityOn(base, lender, 1_000_000e18);
    }

    function oracleParams() internal pure returns (OracleParams memory) {
        return Defaults.oracleParams();
    }

    function breakerParams() internal pure returns (BreakerParams memory) {
        return Defaults.breakerParams();
    }

    /// @dev A NAV report of any size (the confirmer signs off large ones).
    function reportNav(uint256 nav) internal {
        vm.prank(reporter);
        vault.reportNav(nav, uint64(block.timestamp));
        if (vault.pendingNav() != 0) {
            vm.prank(confirmer);
            vault.confirmNav();
        }
    }

    function sellShares(uint256 amount) internal {
        vm.prank(trader);
        pool.swap(address(vault), amount, 0, trader, block.timestamp);
    }

    /// @dev What the lab's keeper does every block: the breaker only knows peaks it has seen.
    function _keeperPokes() internal {
        cOracle.poke();
        cBreaker.poke();
    }

    /// @dev Marks every contract's storage cold, as at the start of a real transaction.
    function _cool() internal {
        coolShared();
        vm.cool(address(safeMarket));
        vm.cool(address(cOracle));
        vm.cool(address(cBreaker));
    }
}
