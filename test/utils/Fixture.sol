// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import {Stablecoin} from "../../contracts/mocks/Stablecoin.sol";
import {RwaVault} from "../../contracts/RwaVault.sol";
import {ConstantProductPool} from "../../contracts/ConstantProductPool.sol";
import {LendingMarket} from "../../contracts/LendingMarket.sol";
import {RedeemToRepayMarket} from "../../contracts/RedeemToRepayMarket.sol";
import {KinkedRateModel} from "../../contracts/KinkedRateModel.sol";
import {MarketParams} from "../../contracts/interfaces/ILendingMarket.sol";
import {MockOracle, MockBreaker} from "./Mocks.sol";
import {Defaults} from "../../script/Defaults.sol";

/// @dev A contract that its guardian pauses (RwaVault, TrancheVault).
interface IGuardianPausable {
    function GUARDIAN_ROLE() external view returns (bytes32);
    function paused() external view returns (bool);
    function pause() external;
    function unpause() external;
}

/// @notice The local world with mock oracle and breaker, and named actors. `market` is the base
///         LendingMarket (fast liquidation only); RedeemToRepayMarket tests deploy their own.
abstract contract Fixture is Test {
    address internal admin = makeAddr("admin");
    address internal reporter = makeAddr("reporter");
    address internal confirmer = makeAddr("confirmer");
    address internal guardian = makeAddr("guardian");
    address internal custodian = makeAddr("custodian");
    address internal lender = makeAddr("lender");
    address internal borrower = makeAddr("borrower");
    address internal liquidator = makeAddr("liquidator");
    address internal keeper = makeAddr("keeper");
    address internal bob = makeAddr("bob");
    address internal trader = makeAddr("trader");

    uint64 internal constant NOTICE = Defaults.NOTICE_PERIOD;
    uint64 internal constant EPOCH = Defaults.EPOCH_LENGTH;
    uint256 internal constant GATE = Defaults.GATE;
    uint256 internal constant MAX_MOVE = Defaults.MAX_NAV_MOVE;
    /// @dev The pool's ring, as Deploy.s.sol builds it (see Defaults).
    uint32 internal constant OBSERVATION_PERIOD = Defaults.OBSERVATION_PERIOD;
    uint16 internal constant OBSERVATION_CARDINALITY = Defaults.OBSERVATION_CARDINALITY;

    Stablecoin internal usd;
    RwaVault internal vault;
    ConstantProductPool internal pool;
    LendingMarket internal market;
    KinkedRateModel internal rates;
    MockOracle internal oracle;
    MockBreaker internal breaker;

    function setUp() public virtual {
        vm.warp(1_700_000_000);
        usd = new Stablecoin(Defaults.STABLECOIN_NAME, Defaults.STABLECOIN_SYMBOL, admin);
        vault = new RwaVault(
            Defaults.VAULT_NAME,
            Defaults.VAULT_SYMBOL,
            address(usd),
            admin,
            custodian,
            Defaults.INITIAL_NAV,
            NOTICE,
            EPOCH,
            GATE,
            MAX_MOVE
        );
        vm.startPrank(admin);
        vault.grantRole(vault.NAV_REPORTER_ROLE(), reporter);
        vault.grantRole(vault.NAV_CONFIRMER_ROLE(), confirmer);
        vault.grantRole(vault.GUARDIAN_ROLE(), guardian);
        vm.stopPrank();
        pool = new ConstantProductPool(
            address(vault),
            address(usd),
            Defaults.LP_NAME,
            Defaults.LP_SYMBOL,
            OBSERVATION_PERIOD,
            OBSERVATION_CARDINALITY
        );
        oracle = new MockOracle(1e18);
        breaker = new MockBreaker();
        rates = new KinkedRateModel(Defaults.BASE_RATE, Defaults.SLOPE1, Defaults.SLOPE2, Defaults.KINK);
        market = new LendingMarket(usd, vault, oracle, breaker, rates, admin, defaultParams());
    }

    function defaultParams() internal pure returns (MarketParams memory) {
        return Defaults.marketParams(1e30);
    }

    function mintUsd(address to, uint256 amount) internal {
        vm.prank(admin);
        usd.mint(to, amount);
    }

    /// @dev Subscribes at the current NAV so `to` holds vault shares.
    function mintShares(address to, uint256 assets) internal returns (uint256 shares) {
        mintUsd(to, assets);
        vm.startPrank(to);
        usd.approve(address(vault), assets);
        shares = vault.subscribe(assets, to);
        vm.stopPrank();
    }

    function supplyLiquidity(address who, uint256 assets) internal {
        supplyLiquidityOn(market, who, assets);
    }

    function supplyLiquidityOn(LendingMarket m, address who, uint256 assets) internal {
        mintUsd(who, assets);
        vm.startPrank(who);
        usd.approve(address(m), type(uint256).max);
        m.supply(assets, who);
        vm.stopPrank();
    }

    /// @dev Posts `collateral` shares and borrows `debt` for `who`.
    function openPosition(address who, uint256 collateral, uint256 debt) internal {
        openPositionOn(market, who, collateral, debt);
    }

    function openPositionOn(LendingMarket m, address who, uint256 collateral, uint256 debt) internal {
        mintShares(who, collateral);
        vm.startPrank(who);
        vault.approve(address(m), type(uint256).max);
        usd.approve(address(m), type(uint256).max);
        m.supplyCollateral(collateral, who);
        if (debt > 0) m.borrow(debt, who);
        vm.stopPrank();
    }

    /// @dev Gives `who` both tokens and approves the pool, for trading.
    function fundTrader(address who, uint256 amount) internal {
        mintShares(who, amount);
        mintUsd(who, amount);
        vm.startPrank(who);
        vault.approve(address(pool), type(uint256).max);
        usd.approve(address(pool), type(uint256).max);
        vm.stopPrank();
    }

    /// @dev The custodian returns `assets` of cash to the vault's redemption buffer.
    function refillVault(uint256 assets) internal {
        refillVaultOf(vault, assets);
    }

    /// @dev The same for any vault `v` whose custodian is the fixture's.
    function refillVaultOf(RwaVault v, uint256 assets) internal {
        mintUsd(custodian, assets);
        vm.startPrank(custodian);
        usd.approve(address(v), assets);
        v.refillBuffer(assets);
        vm.stopPrank();
    }

    function seedPool(uint256 shares, uint256 quote) internal {
        address lp = makeAddr("seedLp");
        mintShares(lp, shares);
        mintUsd(lp, quote);
        vm.startPrank(lp);
        vault.approve(address(pool), shares);
        usd.approve(address(pool), quote);
        pool.addLiquidity(shares, quote, 0, lp, block.timestamp);
        vm.stopPrank();
    }

    /// @dev A slow-path market over the fixture's modules, with `liquidity` supplied by the lender.
    function deploySlowPathMarket(uint256 liquidity) internal returns (RedeemToRepayMarket m) {
        m = new RedeemToRepayMarket(usd, vault, oracle, breaker, rates, admin, defaultParams());
        supplyLiquidityOn(m, lender, liquidity);
    }

    /// @dev The gas rows' shape on `m`: 1M supplied, the borrower and the keeper each with 1,000
    ///      shares of collateral against 700 borrowed, a funded liquidator, then a day of interest.
    function openGasShape(LendingMarket m) internal {
        supplyLiquidityOn(m, lender, 1_000_000e18);
        openPositionOn(m, borrower, 1000e18, 700e18);
        openPositionOn(m, keeper, 1000e18, 700e18);
        mintUsd(liquidator, 1_000_000e18);
        vm.prank(liquidator);
        usd.approve(address(m), type(uint256).max);
        vm.warp(block.timestamp + 1 days); // interest to accrue, a new block for the pool
    }

    /// @dev One dust trade by `who` in every block of `blockTime` seconds for `duration`, sides
    ///      alternating from `baseIn`; returns the side the next trade would take.
    function dustTrades(address who, uint256 duration, uint256 blockTime, bool baseIn)
        internal
        returns (bool)
    {
        uint256 end = block.timestamp + duration;
        vm.startPrank(who);
        while (block.timestamp < end) {
            vm.warp(block.timestamp + blockTime);
            pool.swap(baseIn ? address(vault) : address(usd), 1e15, 0, who, block.timestamp);
            baseIn = !baseIn;
        }
        vm.stopPrank();
        return baseIn;
    }

    /// @dev Marks the fixture's shared contracts cold (stablecoin, vault, pool, rate model); a gas
    ///      test cools its market and the market's modules beside them.
    function coolShared() internal {
        vm.cool(address(usd));
        vm.cool(address(vault));
        vm.cool(address(pool));
        vm.cool(address(rates));
    }

    /// @dev Expects the next call to revert with a `*ParameterOutOfBounds(name, value, min, max)`.
    function expectOutOfBounds(bytes4 selector, bytes32 name, uint256 value, uint256 min, uint256 max)
        internal
    {
        vm.expectRevert(abi.encodeWithSelector(selector, name, value, min, max));
    }

    /// @dev Only the guardian pauses and unpauses `target`: `stranger` can do neither.
    function checkOnlyGuardianPauses(IGuardianPausable target, address stranger) internal {
        bytes32 role = target.GUARDIAN_ROLE();
        expectUnauthorized(stranger, role);
        vm.prank(stranger);
        target.pause();
        vm.prank(guardian);
        target.pause();
        expectUnauthorized(stranger, role);
        vm.prank(stranger);
        target.unpause();
        assertTrue(target.paused(), "the stranger's unpause changed nothing");
        vm.prank(guardian);
        target.unpause();
        assertFalse(target.paused());
    }

    /// @dev Expects the next call to revert because `account` lacks `role`.
    function expectUnauthorized(address account, bytes32 role) internal {
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, account, role)
        );
    }
}
