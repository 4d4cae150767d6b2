// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {BaseHandler} from "./BaseHandler.sol";
import {Stablecoin} from "../../../contracts/mocks/Stablecoin.sol";
import {RwaVault} from "../../../contracts/RwaVault.sol";
import {ConstantProductPool} from "../../../contracts/ConstantProductPool.sol";
import {LendingMarket} from "../../../contracts/LendingMarket.sol";
import {RedeemToRepayMarket} from "../../../contracts/RedeemToRepayMarket.sol";
import {ConservativeOracle} from "../../../contracts/ConservativeOracle.sol";
import {CircuitBreaker} from "../../../contracts/CircuitBreaker.sol";
import {ILendingMarket} from "../../../contracts/interfaces/ILendingMarket.sol";
import {IRedeemToRepayMarket} from "../../../contracts/interfaces/IRedeemToRepayMarket.sol";
import {NavStatus} from "../../../contracts/interfaces/IRwaVault.sol";
import {WAD, WadMath} from "../../../contracts/libraries/WadMath.sol";
import {SharesMath} from "../../../contracts/libraries/SharesMath.sol";

/// @notice Drives the safeguarded world: borrowers, a trader moving the pool, NAV reports and
///         reviews, keepers poking (always, never, or only after gaps), fast and slow liquidations,
///         settlements, cures, lenders and time. Every call is bounded to what must succeed, or
///         made under the revert the market owes (`vm.expectRevert`): a healthy position, a halt,
///         a spent throttle, a position in the slow path. Repay is never expected to revert.
///         Ghosts count breaches of the breaker's promises seen from outside.
contract SafeguardedHandler is BaseHandler {
    using WadMath for uint256;
    using SharesMath for uint256;

    enum Keepers {
        EveryCall, // the lab's keeper: pokes whenever asked
        Never, // nobody pokes: the market's own calls are all the breaker sees
        AfterGaps // pokes only after hours without one
    }

    struct World {
        Stablecoin usd;
        RwaVault vault;
        ConstantProductPool pool;
        LendingMarket market;
        ConservativeOracle oracle;
        CircuitBreaker breaker;
        address admin;
        address reporter;
        address confirmer;
        address guardian;
    }

    uint256 internal constant KEEPER_GAP = 4 hours;

    World internal w;
    /// @dev The same market seen with its slow path; zero when the market has none.
    RedeemToRepayMarket internal rtr;
    Keepers public immutable keepers;
    address public trader = makeAddr("h.trader");
    address public liquidator = makeAddr("h.liquidator");
    address public keeper = makeAddr("h.keeper");
    address public lender = makeAddr("h.lender");
    uint256 internal _lastPoke;

    uint256[] internal _slowIds;

    uint256 public ghostFastLiquidations;
    uint256 public ghostSlowLiquidations;
    uint256 public ghostSlowClosed;
    uint256 public ghostCures;
    /// @dev Fast liquidations during a halt or grace (the base market: confirmed losses only).
    uint256 public ghostFastOfConfirmedLoss;
    /// @dev Fast liquidations during a halt or grace that the market should have refused.
    uint256 public ghostFastWhileConfirmedOnly;
    uint256 public ghostThrottleBreaches;
    /// @dev Slow-path write-offs while the borrower still held collateral.
    uint256 public ghostWriteOffWithCollateral;

    constructor(World memory world, bool slowPath, Keepers keepers_) {
        w = world;
        if (slowPath) rtr = RedeemToRepayMarket(address(world.market));
        keepers = keepers_;
        _addActors("h.borrower", 4);
        for (uint256 i; i < _actors.length; ++i) {
            _approveAll(_actors[i]);
        }
        _approveAll(trader);
        _approveAll(liquidator);
        _approveAll(lender);
    }

    function _approveAll(address a) internal {
        vm.startPrank(a);
        w.usd.approve(address(w.market), type(uint256).max);
        w.usd.approve(address(w.pool), type(uint256).max);
        w.usd.approve(address(w.vault), type(uint256).max);
        w.vault.approve(address(w.market), type(uint256).max);
        w.vault.approve(address(w.pool), type(uint256).max);
        vm.stopPrank();
    }

    // ---------------------------------------------------------------- borrowers

    function supplyCollateral(uint256 seed, uint256 assets) external {
        address a = _actor(seed);
        if (_underReview()) return _skip("supplyCollateral", "no subscriptions under review");
        assets = bound(assets, 100e18, 50_000e18);
        uint256 shares = w.vault.previewSubscribe(assets);
        _mint(a, assets);
        vm.startPrank(a);
        w.vault.subscribe(assets, a);
        w.market.supplyCollateral(shares, a);
        vm.stopPrank();
        _log("supplyCollateral", string.concat(vm.toString(a), " ", vm.toString(shares)));
    }

    function borrow(uint256 seed, uint256 pct) external {
        address a = _actor(seed);
        if (_locked(a)) return _skip("borrow", "in slow liquidation");
        if (!w.breaker.previewBorrowAllowed()) return _skip("borrow", "borrows closed");
        (,, uint256 c) = w.market.position(a);
        uint256 maxDebt = c.mulWadDown(w.oracle.borrowPrice()).mulWadDown(w.market.params().maxLtv);
        uint256 debt = w.market.debtOf(a);
        if (maxDebt <= debt + 1e18) return _skip("borrow", "no room");
        (uint256 supplied,, uint256 borrowed,, uint256 reserves) = w.market.totals();
        uint256 amount =
            ((maxDebt - debt - 1e18) * bound(pct, 1, 100) / 100).min(supplied + reserves - borrowed);
        if (amount == 0) return _skip("borrow", "no liquidity");
        vm.prank(a);
        w.market.borrow(amount, a);
        _log("borrow", string.concat(vm.toString(a), " ", vm.toString(amount)));
    }

    /// @dev Collateral and a loan near the limit (80-100% of the room) in one go, as the lab's
    ///      leveraged borrowers open: positions a markdown can push over.
    function open(uint256 seed, uint256 assets, uint256 pct) external {
        this.supplyCollateral(seed, assets);
        this.borrow(seed, bound(pct, 80, 100));
    }

    /// @dev Never blocked, at any level, in the slow path or not: a revert fails the run.
    function repay(uint256 seed, uint256 pct) external {
        address a = _actor(seed);
        uint256 debt = w.market.debtOf(a);
        if (debt == 0) return _skip("repay", "no debt");
        pct = bound(pct, 1, 100);
        uint256 amount = pct == 100 ? debt : (debt * pct / 100).max(1e12);
        _mint(a, amount);
        vm.prank(a);
        w.market.repay(amount, 0, a);
        _log("repay", string.concat(vm.toString(a), " ", vm.toString(amount)));
    }

    function withdrawCollateral(uint256 seed, uint256 pct) external {
        address a = _actor(seed);
        if (_locked(a)) return _skip("withdrawCollateral", "in slow liquidation");
        (,, uint256 c) = w.market.position(a);
        uint256 debt = w.market.debtOf(a);
        uint256 keep;
        if (debt > 0) {
            uint256 price = w.oracle.borrowPrice();
            if (price == 0 || !w.breaker.previewBorrowAllowed()) {
                return _skip("withdrawCollateral", "borrows closed");
            }
            keep = (debt + 1e18).divWadUp(w.market.params().maxLtv).divWadUp(price);
        }
        if (keep >= c) return _skip("withdrawCollateral", "nothing free");
        uint256 amount = (c - keep) * bound(pct, 1, 100) / 100;
        if (amount == 0) return _skip("withdrawCollateral", "dust");
        vm.prank(a);
        w.market.withdrawCollateral(amount, a);
        _log("withdrawCollateral", string.concat(vm.toString(a), " ", vm.toString(amount)));
    }

    // ---------------------------------------------------------------- lenders

    function lenderSupply(uint256 assets) external {
        assets = bound(assets, 1e18, 1_000_000e18);
        _mint(lender, assets);
        vm.prank(lender);
        w.market.supply(assets, lender);
        _log("lenderSupply", vm.toString(assets));
    }

    /// @dev Idle liquidity is always withdrawable, whatever the breaker says.
    function lenderWithdraw(uint256 pct) external {
        (uint256 shares,,) = w.market.position(lender);
        (uint256 supplied, uint256 supplyShares, uint256 borrowed,, uint256 reserves) = w.market.totals();
        uint256 owned = shares.toAssetsDown(supplied, supplyShares);
        uint256 amount = owned.min(supplied + reserves - borrowed) * bound(pct, 1, 100) / 100;
        if (amount == 0) return _skip("lenderWithdraw", "nothing idle");
        vm.prank(lender);
        w.market.withdraw(amount, 0, lender);
        _log("lenderWithdraw", vm.toString(amount));
    }

    // ---------------------------------------------------------------- market and NAV

    function trade(uint256 amount, bool sell) external {
        amount = bound(amount, 1e18, 150_000e18);
        if (sell && _underReview()) return _skip("trade", "no subscriptions under review");
        _mint(trader, amount);
        vm.startPrank(trader);
        if (sell) {
            w.pool.swap(address(w.vault), w.vault.subscribe(amount, trader), 0, trader, block.timestamp);
        } else {
            w.pool.swap(address(w.usd), amount, 0, trader, block.timestamp);
        }
        vm.stopPrank();
        _log("trade", string.concat(sell ? "sell " : "buy ", vm.toString(amount)));
    }

    function reportNav(uint256 pct) external {
        (uint256 nav, uint64 asOf,) = w.vault.navInfo();
        if (asOf >= block.timestamp) return _skip("reportNav", "already reported this second");
        uint256 next = (nav * bound(pct, 70, 105) / 100).max(0.2e18).min(2e18);
        vm.prank(w.reporter);
        w.vault.reportNav(next, uint64(block.timestamp));
        if (w.vault.pendingNav() != 0) {
            vm.prank(w.confirmer);
            w.vault.confirmNav();
        }
        _log("reportNav", vm.toString(next));
    }

    function toggleReview(bool on) external {
        vm.prank(w.guardian);
        w.vault.setNavStatus(on ? NavStatus.UnderReview : NavStatus.Normal, "handler");
        _log("toggleReview", on ? "on" : "off");
    }

    function keeperPoke() external {
        if (keepers == Keepers.Never) return _skip("keeperPoke", "no keepers");
        if (keepers == Keepers.AfterGaps && block.timestamp < _lastPoke + KEEPER_GAP) {
            return _skip("keeperPoke", "keeper asleep");
        }
        _lastPoke = block.timestamp;
        w.oracle.poke();
        w.breaker.poke();
        _log("keeperPoke", "");
    }

    function warp(uint256 secs) external {
        secs = bound(secs, 1 minutes, 8 hours);
        vm.warp(block.timestamp + secs);
        _log("warp", vm.toString(secs));
    }

    /// @dev Long enough for redemptions to mature (the notice is 30 days).
    function skipDays(uint256 d) external {
        d = bound(d, 1, 12);
        vm.warp(block.timestamp + d * 1 days);
        _log("skipDays", vm.toString(d));
    }

    // ---------------------------------------------------------------- fast liquidation

    function liquidate(uint256 seed, uint256 pct) external {
        (uint256 seizable, bool confirmedOnly) = w.breaker.previewLiquidationAllowance();
        address b = _pickUnhealthy(seed, _priceFor(confirmedOnly));
        uint256 debt = w.market.debtOf(b);
        if (debt == 0) return _skip("liquidate", "no debt");
        if (address(rtr) != address(0)) {
            if (confirmedOnly) {
                vm.expectRevert(IRedeemToRepayMarket.MarketFastLiquidationHalted.selector);
                return _liquidate(b, debt, "halted");
            }
            (bool active, uint256 id) = rtr.slowLiquidationOf(b);
            if (active) {
                vm.expectRevert(
                    abi.encodeWithSelector(IRedeemToRepayMarket.MarketInSlowLiquidation.selector, b, id)
                );
                return _liquidate(b, debt, "locked");
            }
        }
        uint256 price = _priceFor(confirmedOnly);
        if (price == 0) return _skip("liquidate", "zero price");
        (,, uint256 c) = w.market.position(b);
        if (_healthFactor(c, debt, price) >= WAD) {
            vm.expectPartialRevert(ILendingMarket.MarketPositionHealthy.selector);
            return _liquidate(b, debt, "healthy");
        }
        uint256 repayAmount = (_maxRepay(debt) * bound(pct, 1, 100) / 100).max(1);
        (uint256 repaid, uint256 seized) = _previewLiquidation(b, repayAmount, price);
        if (seized > seizable) {
            if (pct % 2 == 0) {
                vm.expectPartialRevert(ILendingMarket.MarketLiquidationThrottled.selector);
                return _liquidate(b, repayAmount, "throttled");
            }
            repayAmount = seizable.mulWadDown(price).divWadDown(w.market.liquidationIncentiveFactor());
            if (repayAmount == 0) return _skip("liquidate", "throttle spent");
            (repaid, seized) = _previewLiquidation(b, repayAmount, price);
        }
        _mint(liquidator, repaid);
        vm.prank(liquidator);
        (uint256 repaidOut, uint256 seizedOut) = w.market.liquidate(b, repayAmount, 0);
        assertEq(repaidOut, repaid, "repaid as previewed");
        assertEq(seizedOut, seized, "seized as previewed");
        ++ghostFastLiquidations;
        if (confirmedOnly) ++ghostFastOfConfirmedLoss;
        if (seizedOut > seizable) ++ghostThrottleBreaches;
        if (
            confirmedOnly
                && (address(rtr) != address(0) || _healthFactor(c, debt, w.oracle.anchorPrice()) >= WAD)
        ) {
            ++ghostFastWhileConfirmedOnly;
        }
        _log(
            "liquidate",
            string.concat(
                vm.toString(b), " repaid ", vm.toString(repaidOut), " seized ", vm.toString(seizedOut)
            )
        );
    }

    /// @dev A call made under an expected revert: the market must refuse it, for `why`.
    function _liquidate(address b, uint256 amount, string memory why) internal {
        vm.prank(liquidator);
        w.market.liquidate(b, amount, 0);
        _log(string.concat("liquidate.refused.", why), vm.toString(b));
    }

    // ---------------------------------------------------------------- slow path

    function slowLiquidate(uint256 seed) external {
        if (address(rtr) == address(0)) return _skip("slowLiquidate", "no slow path");
        (uint256 seizable, bool confirmedOnly) = w.breaker.previewLiquidationAllowance();
        address b = _pickUnhealthy(seed, _priceFor(confirmedOnly));
        (bool active, uint256 openId) = rtr.slowLiquidationOf(b);
        uint256 debt = w.market.debtOf(b);
        (,, uint256 c) = w.market.position(b);
        string memory why;
        if (seizable == type(uint256).max && !confirmedOnly) {
            why = "closed";
            vm.expectRevert(IRedeemToRepayMarket.MarketSlowPathClosed.selector);
        } else if (active) {
            why = "locked";
            vm.expectRevert(
                abi.encodeWithSelector(IRedeemToRepayMarket.MarketInSlowLiquidation.selector, b, openId)
            );
        } else if (debt == 0) {
            why = "noDebt";
            vm.expectRevert(abi.encodeWithSelector(ILendingMarket.MarketNoDebt.selector, b));
        } else if (_healthFactor(c, debt, _priceFor(confirmedOnly)) >= WAD) {
            why = "healthy";
            vm.expectPartialRevert(ILendingMarket.MarketPositionHealthy.selector);
        } else {
            vm.prank(keeper);
            uint256 id = rtr.slowLiquidate(b);
            _slowIds.push(id);
            ++ghostSlowLiquidations;
            return _log("slowLiquidate", string.concat(vm.toString(b), " id ", vm.toString(id)));
        }
        vm.prank(keeper);
        rtr.slowLiquidate(b);
        _log(string.concat("slowLiquidate.refused.", why), vm.toString(b));
    }

    /// @dev The custodian refills the buffer, the vault settles what matured, and one open slow
    ///      liquidation takes its proceeds. A keeper that finds the request immature waits for it.
    function settleSlow(uint256 index, uint256 refill) external {
        (bool found, uint256 id) = _openSlowId(index);
        if (!found) return _skip("settleSlow", "no open slow liquidation");
        uint256 matures = w.vault.maturity(w.vault.redeemRequest(rtr.slowLiquidation(id).requestId).epoch);
        if (block.timestamp < matures) vm.warp(matures);
        refill = bound(refill, 0, 200_000e18);
        if (refill > 0) {
            _mint(address(this), refill);
            w.usd.approve(address(w.vault), refill);
            w.vault.refillBuffer(refill);
        }
        if (!_underReview()) w.vault.settle();
        _settleOne(id);
        _log("settleSlow", vm.toString(id));
    }

    /// @dev Settles `id` and checks that a write-off never leaves the borrower holding collateral.
    function _settleOne(uint256 id) internal {
        address b = rtr.slowLiquidation(id).borrower;
        uint256 badBefore = w.market.totalBadDebt();
        rtr.settleSlowLiquidation(id);
        if (rtr.slowLiquidation(id).closed) ++ghostSlowClosed;
        (,, uint256 c) = w.market.position(b);
        if (w.market.totalBadDebt() > badBefore && c > 0) ++ghostWriteOffWithCollateral;
    }

    /// @dev The borrower repays in full and takes the collateral back.
    function cure(uint256 index) external {
        (bool found, uint256 id) = _openSlowId(index);
        if (!found) return _skip("cure", "no open slow liquidation");
        address b = rtr.slowLiquidation(id).borrower;
        (, uint256 shares,) = w.market.position(b);
        if (shares > 0) {
            _mint(b, w.market.debtOf(b));
            vm.prank(b);
            w.market.repay(0, shares, b);
        }
        vm.prank(b);
        rtr.cureSlowLiquidation(id);
        ++ghostCures;
        _log("cure", vm.toString(id));
    }

    // ---------------------------------------------------------------- views for the suites

    function slowIds() external view returns (uint256[] memory) {
        return _slowIds;
    }

    function hasSlowPath() external view returns (bool) {
        return address(rtr) != address(0);
    }

    // ---------------------------------------------------------------- internals

    function _openSlowId(uint256 index) internal view returns (bool, uint256) {
        uint256 n = _slowIds.length;
        for (uint256 k; k < n; ++k) {
            uint256 id = _slowIds[(index % n + k) % n];
            if (!rtr.slowLiquidation(id).closed) return (true, id);
        }
        return (false, 0);
    }

    /// @dev From `seed` on, the first borrower with debt unhealthy at `price` (else the seed's own),
    ///      so liquidations find the positions a markdown pushed over.
    function _pickUnhealthy(uint256 seed, uint256 price) internal view returns (address) {
        uint256 n = _actors.length;
        for (uint256 k; k < n; ++k) {
            address a = _actors[(seed % n + k) % n];
            uint256 debt = w.market.debtOf(a);
            if (debt == 0 || _locked(a)) continue;
            (,, uint256 c) = w.market.position(a);
            if (_healthFactor(c, debt, price) < WAD) return a;
        }
        return _actor(seed);
    }

    function _locked(address a) internal view returns (bool active) {
        if (address(rtr) != address(0)) (active,) = rtr.slowLiquidationOf(a);
    }

    function _underReview() internal view returns (bool) {
        (,, NavStatus status) = w.vault.navInfo();
        return status == NavStatus.UnderReview;
    }

    /// @dev The price the market liquidates at, as it computes it.
    function _priceFor(bool confirmedOnly) internal view returns (uint256 price) {
        price = w.oracle.liquidationPrice();
        if (confirmedOnly) price = price.max(w.oracle.anchorPrice());
    }

    function _healthFactor(uint256 c, uint256 debt, uint256 price) internal view returns (uint256) {
        return c.mulWadDown(price).mulWadDown(w.market.params().lltv).divWadDown(debt);
    }

    function _maxRepay(uint256 debt) internal view returns (uint256 maxRepay) {
        maxRepay = debt.mulWadUp(w.market.params().closeFactor);
        if (debt - maxRepay.min(debt) < w.market.params().dustDebt) maxRepay = debt;
    }

    /// @dev The market's liquidation amounts, computed independently from its views.
    function _previewLiquidation(address b, uint256 amount, uint256 price)
        internal
        view
        returns (uint256 repaid, uint256 seized)
    {
        (,, uint256 borrowed, uint256 borrowShares,) = w.market.totals();
        (, uint256 shares, uint256 c) = w.market.position(b);
        uint256 debt = shares.toAssetsUp(borrowed, borrowShares);
        uint256 lif = w.market.liquidationIncentiveFactor();
        repaid = amount.min(_maxRepay(debt));
        seized = repaid.mulWadDown(lif).divWadDown(price);
        if (seized >= c) {
            seized = c;
            repaid = seized.mulWadUp(price).divWadUp(lif).min(repaid);
        }
        uint256 repaidShares = repaid >= debt ? shares : repaid.toSharesDown(borrowed, borrowShares);
        repaid = repaidShares.toAssetsUp(borrowed, borrowShares);
    }

    function _mint(address to, uint256 amount) internal {
        vm.prank(w.admin);
        w.usd.mint(to, amount);
    }
}
