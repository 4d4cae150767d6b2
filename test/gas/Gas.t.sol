// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Fixture} from "../utils/Fixture.sol";
import {RedeemToRepayMarket} from "../../contracts/RedeemToRepayMarket.sol";
import {NavOracle} from "../../contracts/oracles/NavOracle.sol";
import {PermissiveBreaker} from "../../contracts/breakers/PermissiveBreaker.sol";
import {MarketParams} from "../../contracts/interfaces/ILendingMarket.sol";

/// @notice Gas of each hot path, one call per test on a warmed, realistic state, written to
///         snapshots/*.json by `forge test` and kept in the repo so every change shows its cost.
///         The market here is the naive one (NAV oracle, permissive breaker), a RedeemToRepayMarket
///         as Deploy.s.sol builds it for the naive policies.
contract GasTest is Fixture {
    RedeemToRepayMarket internal naive;
    address internal trader = makeAddr("trader");

    function setUp() public override {
        super.setUp();
        naive = new RedeemToRepayMarket(
            usd, vault, new NavOracle(vault), new PermissiveBreaker(), rates, admin, defaultParams()
        );
        seedPool(1_000_000e18, 1_000_000e18);
        fundTrader(trader, 10_000e18);
        supplyLiquidityOn(naive, lender, 1_000_000e18);
        openPositionOn(naive, borrower, 1000e18, 700e18);
        openPositionOn(naive, keeper, 1000e18, 700e18);
        mintUsd(liquidator, 1_000_000e18);
        vm.prank(liquidator);
        usd.approve(address(naive), type(uint256).max);
        vm.warp(block.timestamp + 1 days); // interest to accrue, a new block for the pool
    }

    function test_gas_vault_subscribe() public {
        mintUsd(trader, 1000e18);
        vm.startPrank(trader);
        usd.approve(address(vault), 1000e18);
        _cool();
        vault.subscribe(1000e18, trader);
        vm.snapshotGasLastCall("vault", "subscribe");
        vm.stopPrank();
    }

    function test_gas_vault_requestSettleClaim() public {
        _cool();
        vm.prank(trader);
        uint256 id = vault.requestRedeem(100e18, trader, trader);
        vm.snapshotGasLastCall("vault", "requestRedeem");
        vm.warp(block.timestamp + EPOCH + NOTICE);
        refillVault(1000e18);
        _cool();
        vault.settle();
        vm.snapshotGasLastCall("vault", "settle");
        _cool();
        vm.prank(trader);
        vault.claim(id, trader);
        vm.snapshotGasLastCall("vault", "claim");
    }

    function test_gas_pool_swap() public {
        _cool();
        vm.prank(trader);
        pool.swap(address(vault), 100e18, 0, trader, block.timestamp);
        vm.snapshotGasLastCall("pool", "swap");
    }

    function test_gas_pool_consult() public {
        vm.prank(trader);
        pool.swap(address(vault), 100e18, 0, trader, block.timestamp);
        vm.warp(block.timestamp + 1 hours);
        _cool();
        pool.consult(30 minutes);
        vm.snapshotGasLastCall("pool", "consult");
    }

    function test_gas_market_supply() public {
        mintUsd(lender, 1000e18);
        vm.startPrank(lender);
        usd.approve(address(naive), 1000e18);
        _cool();
        naive.supply(1000e18, lender);
        vm.snapshotGasLastCall("market", "supply");
        vm.stopPrank();
    }

    function test_gas_market_withdraw() public {
        _cool();
        vm.prank(lender);
        naive.withdraw(1000e18, 0, lender);
        vm.snapshotGasLastCall("market", "withdraw");
    }

    function test_gas_market_supplyCollateral() public {
        mintShares(borrower, 100e18);
        vm.startPrank(borrower);
        vault.approve(address(naive), 100e18);
        _cool();
        naive.supplyCollateral(100e18, borrower);
        vm.snapshotGasLastCall("market", "supplyCollateral");
        vm.stopPrank();
    }

    function test_gas_market_borrow() public {
        openPositionOn(naive, trader, 1000e18, 0);
        _cool();
        vm.prank(trader);
        naive.borrow(500e18, trader);
        vm.snapshotGasLastCall("market", "borrow");
    }

    function test_gas_market_repay() public {
        mintUsd(borrower, 100e18);
        vm.startPrank(borrower);
        usd.approve(address(naive), 100e18);
        _cool();
        naive.repay(100e18, 0, borrower);
        vm.snapshotGasLastCall("market", "repay");
        vm.stopPrank();
    }

    function test_gas_market_liquidate_partial_naive() public {
        _markDown(0.8e18);
        _cool();
        vm.prank(liquidator);
        naive.liquidate(borrower, 300e18, 0);
        vm.snapshotGasLastCall("market", "liquidate_partial_naive");
    }

    function test_gas_market_liquidate_badDebt_naive() public {
        MarketParams memory p = defaultParams();
        p.closeFactor = 1e18;
        vm.prank(admin);
        naive.setParams(p); // accrues: let interest build again so liquidate accrues as elsewhere
        vm.warp(block.timestamp + 1 hours);
        _markDown(0.5e18);
        _cool();
        vm.prank(liquidator);
        naive.liquidate(borrower, 10_000e18, 0);
        vm.snapshotGasLastCall("market", "liquidate_badDebt_naive");
    }

    /// @dev Marks every contract's storage cold, as at the start of a real transaction.
    function _cool() internal {
        vm.cool(address(usd));
        vm.cool(address(vault));
        vm.cool(address(pool));
        vm.cool(address(naive));
        vm.cool(address(naive.oracle()));
        vm.cool(address(naive.breaker()));
        vm.cool(address(rates));
    }

    function _markDown(uint256 nav) internal {
        vm.startPrank(admin);
        vault.setMaxNavMove(0.5e18);
        vm.stopPrank();
        vm.prank(reporter);
        vault.reportNav(nav, uint64(block.timestamp));
    }
}
