// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";

import {IGuardianPausable} from "../utils/Fixture.sol";
import {TrancheFixture} from "../utils/TrancheFixture.sol";
import {MockOracle} from "../utils/Mocks.sol";
import {RwaVault} from "../../contracts/RwaVault.sol";
import {TrancheVault} from "../../contracts/TrancheVault.sol";
import {Stablecoin} from "../../contracts/mocks/Stablecoin.sol";
import {
    BasketStatus,
    Constituent,
    ITrancheToken,
    ITrancheVault,
    Tranche
} from "../../contracts/interfaces/ITrancheVault.sol";

contract TrancheVaultTest is TrancheFixture {
    // ---------------------------------------------------------------- constructor

    function test_constructor_setsState() public view {
        assertEq(tranche.constituentCount(), 3);
        Constituent memory c = tranche.constituent(1);
        assertEq(address(c.vault), address(credit));
        assertEq(c.unitShares, W_CREDIT);
        assertEq(address(c.priceSource), address(0));
        assertEq(tranche.minJuniorRatio(), SUBORDINATION);
        assertEq(tranche.maxNavAge(), NAV_AGE);
        assertEq(senior.name(), "Breakwater RWA2 Senior");
        assertEq(senior.symbol(), "RWA2-S");
        assertEq(junior.name(), "Breakwater RWA2 Junior");
        assertEq(junior.symbol(), "RWA2-J");
        assertEq(senior.vault(), address(tranche));
        assertEq(junior.vault(), address(tranche));
        assertTrue(tranche.hasRole(tranche.DEFAULT_ADMIN_ROLE(), admin));
        (uint256 basketValue, uint256 s, uint256 j) = tranche.waterfall();
        assertEq(basketValue + s + j, 0);
    }

    function test_constructor_revertsOnZeroAddress() public {
        vm.expectRevert(ITrancheVault.TrancheZeroAddress.selector);
        new TrancheVault("x", "x", basket(), address(0), SUBORDINATION, NAV_AGE);
        Constituent[] memory cs = basket();
        cs[2].vault = RwaVault(address(0));
        vm.expectRevert(ITrancheVault.TrancheZeroAddress.selector);
        new TrancheVault("x", "x", cs, admin, SUBORDINATION, NAV_AGE);
    }

    function test_constructor_revertsOnConstituentCount() public {
        vm.expectRevert(abi.encodeWithSelector(ITrancheVault.TrancheConstituentCount.selector, 0, 8));
        new TrancheVault("x", "x", new Constituent[](0), admin, SUBORDINATION, NAV_AGE);
        Constituent[] memory cs = new Constituent[](9);
        vm.expectRevert(abi.encodeWithSelector(ITrancheVault.TrancheConstituentCount.selector, 9, 8));
        new TrancheVault("x", "x", cs, admin, SUBORDINATION, NAV_AGE);
    }

    function test_constructor_revertsOnDuplicate() public {
        Constituent[] memory cs = basket();
        cs[2].vault = tbill;
        vm.expectRevert(
            abi.encodeWithSelector(ITrancheVault.TrancheDuplicateConstituent.selector, 2, address(tbill))
        );
        new TrancheVault("x", "x", cs, admin, SUBORDINATION, NAV_AGE);
    }

    function test_constructor_revertsOnUnitSharesOutOfBounds() public {
        Constituent[] memory cs = basket();
        cs[1].unitShares = 0;
        expectOutOfBounds(
            ITrancheVault.TrancheParameterOutOfBounds.selector, bytes32("unitShares"), 0, 1, 1e27
        );
        new TrancheVault("x", "x", cs, admin, SUBORDINATION, NAV_AGE);
        cs[1].unitShares = 1e27 + 1;
        expectOutOfBounds(
            ITrancheVault.TrancheParameterOutOfBounds.selector, bytes32("unitShares"), 1e27 + 1, 1, 1e27
        );
        new TrancheVault("x", "x", cs, admin, SUBORDINATION, NAV_AGE);
    }

    function test_constructor_revertsOnAssetMismatch() public {
        Stablecoin other = new Stablecoin("Other USD", "oUSD", admin);
        RwaVault foreign = new RwaVault(
            "Euro Fund", "EUR", address(other), admin, custodian, 1e18, NOTICE, EPOCH, GATE, MAX_MOVE
        );
        Constituent[] memory cs = basket();
        cs[2].vault = foreign;
        vm.expectRevert(
            abi.encodeWithSelector(
                ITrancheVault.TrancheAssetMismatch.selector, 2, address(other), address(usd)
            )
        );
        new TrancheVault("x", "x", cs, admin, SUBORDINATION, NAV_AGE);
    }

    function test_constructor_revertsOnParametersOutOfBounds() public {
        expectOutOfBounds(
            ITrancheVault.TrancheParameterOutOfBounds.selector,
            bytes32("minJuniorRatio"),
            0.95e18,
            0.01e18,
            0.9e18
        );
        new TrancheVault("x", "x", basket(), admin, 0.95e18, NAV_AGE);
        expectOutOfBounds(
            ITrancheVault.TrancheParameterOutOfBounds.selector,
            bytes32("maxNavAge"),
            1 hours,
            1 days,
            365 days
        );
        new TrancheVault("x", "x", basket(), admin, SUBORDINATION, 1 hours);
    }

    // ---------------------------------------------------------------- deposit

    function test_deposit_juniorMintsAtParAndPullsShares() public {
        mintBasket(alice, 100e18);
        vm.expectEmit(address(tranche));
        emit ITrancheVault.Deposited(alice, bob, Tranche.Junior, 100e18, 100e18);
        vm.prank(alice);
        uint256 minted = tranche.deposit(Tranche.Junior, 100e18, bob, 100e18);
        assertEq(minted, 100e18);
        assertEq(junior.balanceOf(bob), 100e18);
        assertEq(tranche.totalUnits(), 100e18);
        assertEq(tbill.balanceOf(address(tranche)), 50e18);
        assertEq(credit.balanceOf(address(tranche)), 30e18);
        assertEq(property.balanceOf(address(tranche)), 20e18);
        assertEq(tranche.heldShares(0), 50e18);
        assertEq(juniorClaim(), 100e18);
    }

    function test_deposit_seniorMintsOneTokenPerUnitOfValue() public {
        depositAs(alice, Tranche.Junior, 250e18);
        reportNavOf(tbill, 1.04e18); // unit value 1.02
        mintBasket(bob, 100e18);
        vm.expectEmit(address(tranche));
        emit ITrancheVault.Deposited(bob, bob, Tranche.Senior, 100e18, 102e18);
        vm.prank(bob);
        assertEq(tranche.deposit(Tranche.Senior, 100e18, bob, 0), 102e18);
        assertEq(tranche.seniorPrincipal(), 102e18);
        assertEq(seniorClaim(), 102e18);
        assertEq(juniorClaim(), 255e18, "the junior kept its gain");
    }

    function test_deposit_juniorAfterGainMintsFewerTokens() public {
        depositAs(alice, Tranche.Junior, 100e18);
        depositAs(bob, Tranche.Senior, 300e18);
        reportNavOf(tbill, 1.08e18); // basket 416: junior 116 for 100 tokens
        uint256 minted = depositAs(bob, Tranche.Junior, 29e18); // value 29 × 1.04 = 30.16
        assertEq(minted, uint256(30.16e18) * (100e18 + 1) / (116e18 + 1));
        assertApproxEqAbs(junior.balanceOf(bob) * juniorClaim() / junior.totalSupply(), 30.16e18, 10);
    }

    function test_deposit_seniorUpToSubordination() public {
        depositAs(alice, Tranche.Junior, 250e18);
        depositAs(bob, Tranche.Senior, 1000e18); // junior is exactly 20% of 1250
        (uint256 basketValue,, uint256 j) = tranche.waterfall();
        assertEq(j * 5, basketValue);
    }

    function test_deposit_revertsBeyondSubordination() public {
        depositAs(alice, Tranche.Junior, 250e18);
        mintBasket(bob, 1000e18 + 1);
        vm.prank(bob);
        _expectSubordinationBreached(250e18, 250e18 + 1);
        tranche.deposit(Tranche.Senior, 1000e18 + 1, bob, 0);
    }

    function test_deposit_seniorRevertsWithoutJunior() public {
        mintBasket(bob, 1e18);
        vm.prank(bob);
        _expectSubordinationBreached(0, 0.2e18);
        tranche.deposit(Tranche.Senior, 1e18, bob, 0);
    }

    function test_deposit_juniorRevertsWhenSeniorImpaired() public {
        _impairSenior(); // basket 1250 × 0.73 = 912.5 < 1000
        mintBasket(alice, 10e18);
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(ITrancheVault.TrancheSeniorImpaired.selector, 912.5e18, 1000e18)
        );
        tranche.deposit(Tranche.Junior, 10e18, alice, 0);
    }

    function test_depositAndRedeem_revertOnZeroInput() public {
        vm.expectRevert(ITrancheVault.TrancheZeroAmount.selector);
        tranche.deposit(Tranche.Junior, 0, alice, 0);
        vm.expectRevert(ITrancheVault.TrancheZeroAddress.selector);
        tranche.deposit(Tranche.Junior, 1e18, address(0), 0);
        vm.expectRevert(ITrancheVault.TrancheZeroAmount.selector);
        tranche.redeem(Tranche.Senior, 0, alice, 0);
        vm.expectRevert(ITrancheVault.TrancheZeroAddress.selector);
        tranche.redeem(Tranche.Senior, 1, address(0), 0);
    }

    function test_deposit_revertsOnDust() public {
        // One wei of a unit worth less than one is nothing once rounded down.
        reportNavOf(credit, 0.95e18);
        mintBasket(alice, 1);
        vm.prank(alice);
        vm.expectRevert(ITrancheVault.TrancheZeroAmount.selector);
        tranche.deposit(Tranche.Junior, 1, alice, 0);
    }

    function test_deposit_revertsOnSlippage() public {
        mintBasket(alice, 10e18);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(ITrancheVault.TrancheSlippage.selector, 10e18, 10e18 + 1));
        tranche.deposit(Tranche.Junior, 10e18, alice, 10e18 + 1);
    }

    function test_deposit_revertsUnderReview() public {
        mintBasket(alice, 10e18);
        setReview(property, true);
        _expectBasketNotNormalAsAlice(BasketStatus.UnderReview, 4, 0);
        tranche.deposit(Tranche.Junior, 10e18, alice, 0);
    }

    function test_deposit_revertsWhenStale() public {
        mintBasket(alice, 10e18);
        vm.warp(block.timestamp + NAV_AGE + 1);
        reportNavOf(credit, 1e18); // credit fresh, the other two stale
        _expectBasketNotNormalAsAlice(BasketStatus.Stale, 0, 5);
        tranche.deposit(Tranche.Junior, 10e18, alice, 0);
    }

    function test_deposit_revertsWhenPaused() public {
        vm.prank(guardian);
        tranche.pause();
        vm.expectRevert(Pausable.EnforcedPause.selector);
        tranche.deposit(Tranche.Junior, 1e18, alice, 0);
    }

    function test_deposit_revertsWithoutShares() public {
        vm.startPrank(alice);
        tbill.approve(address(tranche), type(uint256).max);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientBalance.selector, alice, 0, 0.5e18)
        );
        tranche.deposit(Tranche.Junior, 1e18, alice, 0);
        vm.stopPrank();
    }

    function test_deposit_revertsWhenEveryPriceIsZero() public {
        MockOracle zero = new MockOracle(0);
        Constituent[] memory cs = new Constituent[](1);
        cs[0] = Constituent(tbill, 1e18, zero);
        TrancheVault t = new TrancheVault("x", "x", cs, admin, SUBORDINATION, NAV_AGE);
        vm.expectRevert(ITrancheVault.TrancheZeroValue.selector);
        t.deposit(Tranche.Junior, 1e18, alice, 0);
    }

    // ---------------------------------------------------------------- redeem

    function test_redeem_seniorAtParDeliversUnitsInKind() public {
        depositAs(alice, Tranche.Junior, 250e18);
        depositAs(bob, Tranche.Senior, 1000e18);
        reportNavOf(credit, 0.5e18); // basket 1062.5: the junior absorbs the loss
        assertEq(seniorClaim(), 1000e18);
        assertEq(juniorClaim(), 62.5e18);
        // 100 of value at a unit value of 0.85: 117.647… units.
        uint256 expected = uint256(100e18) * 1e18 / 0.85e18;
        vm.expectEmit(address(tranche));
        emit ITrancheVault.Redeemed(bob, bob, Tranche.Senior, 100e18, expected);
        vm.prank(bob);
        uint256 units = tranche.redeem(Tranche.Senior, 100e18, bob, expected);
        assertEq(units, expected);
        assertEq(senior.balanceOf(bob), 900e18);
        assertEq(tbill.balanceOf(bob), expected / 2);
        assertEq(credit.balanceOf(bob), expected * 3 / 10);
        assertEq(property.balanceOf(bob), expected / 5);
        assertEq(tranche.totalUnits(), 1250e18 - expected);
        assertApproxEqAbs(juniorClaim(), 62.5e18, 5, "a senior exit leaves the junior whole");
    }

    function test_redeem_seniorImpairedIsPaidProRata() public {
        _impairSenior(); // basket 912.5 < principal 1000
        assertEq(juniorClaim(), 0);
        vm.prank(bob);
        assertEq(
            tranche.redeem(Tranche.Senior, 100e18, bob, 0),
            125e18,
            "a tenth of the senior, a tenth of the basket"
        );
        assertEq(seniorClaim(), 821.25e18);
    }

    function test_redeem_juniorWithinSubordination() public {
        depositAs(alice, Tranche.Junior, 250e18);
        depositAs(bob, Tranche.Senior, 500e18);
        vm.prank(alice);
        assertEq(tranche.redeem(Tranche.Junior, 125e18, alice, 0), 125e18);
        (uint256 basketValue,, uint256 j) = tranche.waterfall();
        assertEq(j * 5, basketValue, "exactly at the subordination");
    }

    function test_redeem_juniorRevertsBeyondSubordination() public {
        depositAs(alice, Tranche.Junior, 250e18);
        depositAs(bob, Tranche.Senior, 500e18);
        vm.prank(alice);
        _expectSubordinationBreached(125e18 - 1, 125e18);
        tranche.redeem(Tranche.Junior, 125e18 + 1, alice, 0);
    }

    function test_redeem_juniorAllWithoutSenior() public {
        depositAs(alice, Tranche.Junior, 100e18);
        vm.prank(alice);
        uint256 units = tranche.redeem(Tranche.Junior, 100e18, alice, 0);
        assertEq(units, 100e18);
        assertEq(junior.totalSupply(), 0);
    }

    function test_redeem_revertsBeyondSupply() public {
        depositAs(alice, Tranche.Junior, 10e18);
        vm.expectRevert(
            abi.encodeWithSelector(ITrancheVault.TrancheExceedsSupply.selector, Tranche.Senior, 1, 0)
        );
        tranche.redeem(Tranche.Senior, 1, alice, 0);
    }

    function test_redeem_revertsBeyondBalance() public {
        depositAs(alice, Tranche.Junior, 10e18);
        depositAs(bob, Tranche.Junior, 10e18);
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientBalance.selector, alice, 10e18, 11e18)
        );
        tranche.redeem(Tranche.Junior, 11e18, alice, 0);
    }

    function test_redeem_revertsOnSlippage() public {
        depositAs(alice, Tranche.Junior, 10e18);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(ITrancheVault.TrancheSlippage.selector, 5e18, 6e18));
        tranche.redeem(Tranche.Junior, 5e18, alice, 6e18);
    }

    function test_redeem_juniorRevertsWhenSeniorImpaired() public {
        _impairSenior();
        vm.prank(alice);
        _expectSubordinationBreached(0, 182.5e18);
        tranche.redeem(Tranche.Junior, 250e18, alice, 0);
    }

    function test_redeem_revertsOnDust() public {
        depositAs(alice, Tranche.Junior, 10e18);
        reportNavOf(tbill, 1.08e18); // a unit is worth 1.04: one wei of value buys no unit
        vm.prank(alice);
        vm.expectRevert(ITrancheVault.TrancheZeroAmount.selector);
        tranche.redeem(Tranche.Junior, 1, alice, 0);
    }

    function test_redeem_revertsUnderReviewAndStale() public {
        depositAs(alice, Tranche.Junior, 10e18);
        setReview(tbill, true);
        _expectBasketNotNormalAsAlice(BasketStatus.UnderReview, 1, 0);
        tranche.redeem(Tranche.Junior, 1e18, alice, 0);
        setReview(tbill, false);
        vm.warp(block.timestamp + NAV_AGE + 1);
        _expectBasketNotNormalAsAlice(BasketStatus.Stale, 0, 7);
        tranche.redeem(Tranche.Junior, 1e18, alice, 0);
        refreshNavs();
        vm.prank(alice);
        tranche.redeem(Tranche.Junior, 1e18, alice, 0);
    }

    function test_redeem_revertsWhenPaused() public {
        depositAs(alice, Tranche.Junior, 10e18);
        vm.prank(guardian);
        tranche.pause();
        vm.prank(alice);
        vm.expectRevert(Pausable.EnforcedPause.selector);
        tranche.redeem(Tranche.Junior, 1e18, alice, 0);
        vm.prank(guardian);
        tranche.unpause();
        vm.prank(alice);
        tranche.redeem(Tranche.Junior, 1e18, alice, 0);
    }

    function test_redeem_deliveredSharesRedeemSlowlyInTheConstituent() public {
        depositAs(alice, Tranche.Junior, 100e18);
        vm.prank(alice);
        tranche.redeem(Tranche.Junior, 50e18, alice, 0);
        // The holder now queues the credit shares in the credit fund's own slow redemption.
        vm.prank(alice);
        uint256 id = credit.requestRedeem(15e18, alice, alice);
        vm.warp(block.timestamp + EPOCH + NOTICE);
        refillVault(100e18);
        credit.settle();
        vm.prank(alice);
        assertEq(credit.claim(id, alice), 3e18, "gated at 10% of the credit supply");
    }

    // ---------------------------------------------------------------- previews and views

    function test_previews_matchActions() public {
        depositAs(alice, Tranche.Junior, 300e18);
        reportNavOf(property, 1.07e18);
        mintBasket(bob, 700e18);
        uint256 preview = tranche.previewDeposit(Tranche.Senior, 700e18);
        vm.prank(bob);
        assertEq(tranche.deposit(Tranche.Senior, 700e18, bob, 0), preview);
        preview = tranche.previewRedeem(Tranche.Senior, 123e18);
        vm.prank(bob);
        assertEq(tranche.redeem(Tranche.Senior, 123e18, bob, 0), preview);
        preview = tranche.previewRedeem(Tranche.Junior, 11e18);
        vm.prank(alice);
        assertEq(tranche.redeem(Tranche.Junior, 11e18, alice, 0), preview);
        vm.expectRevert(
            abi.encodeWithSelector(ITrancheVault.TrancheExceedsSupply.selector, Tranche.Junior, 1e30, 289e18)
        );
        tranche.previewRedeem(Tranche.Junior, 1e30);
    }

    function test_sharesForUnits_roundsUp() public view {
        uint256[] memory shares = tranche.sharesForUnits(3);
        assertEq(shares[0], 2);
        assertEq(shares[1], 1);
        assertEq(shares[2], 1);
    }

    function test_waterfall_juniorAbsorbsFirst() public {
        depositAs(alice, Tranche.Junior, 250e18);
        depositAs(bob, Tranche.Senior, 1000e18);
        reportNavOf(property, 0.5e18); // −125: junior 125
        _assertWaterfall(1125e18, 1000e18, 125e18);
        reportNavOf(credit, 0.5e18); // −187.5 more: junior gone, senior −62.5
        _assertWaterfall(937.5e18, 937.5e18, 0);
        reportNavOf(tbill, 1.2e18); // +125: the junior is back first
        _assertWaterfall(1062.5e18, 1000e18, 62.5e18);
    }

    function test_waterfall_ignoresDonations() public {
        depositAs(alice, Tranche.Junior, 100e18);
        mintBasket(bob, 50e18);
        vm.prank(bob);
        tbill.transfer(address(tranche), 25e18);
        assertEq(juniorClaim(), 100e18);
        assertEq(tranche.heldShares(0), 50e18);
    }

    function test_basketStatus_masksEachConstituent() public {
        (BasketStatus status, uint256 review, uint256 stale) = tranche.basketStatus();
        assertEq(uint8(status), uint8(BasketStatus.Normal));
        assertEq(review | stale, 0);
        vm.warp(block.timestamp + NAV_AGE + 1);
        reportNavOf(tbill, 1e18);
        (status, review, stale) = tranche.basketStatus();
        assertEq(uint8(status), uint8(BasketStatus.Stale));
        assertEq(review, 0);
        assertEq(stale, 6);
        setReview(property, true);
        (status, review, stale) = tranche.basketStatus();
        assertEq(uint8(status), uint8(BasketStatus.UnderReview));
        assertEq(review, 4);
        assertEq(stale, 6, "review and staleness are reported separately");
    }

    function test_constituentPrice_usesPriceSourceOrNav() public {
        MockOracle o = new MockOracle(0.9e18);
        o.setPrices(0.5e18, 0.8e18);
        Constituent[] memory cs = basket();
        cs[1].priceSource = o;
        TrancheVault t = new TrancheVault("x", "x", cs, admin, SUBORDINATION, NAV_AGE);
        assertEq(t.constituentPrice(0), 1e18);
        assertEq(t.constituentPrice(1), 0.8e18, "the source's liquidation price, not its borrow price");
    }

    function test_views_revertOnUnknownConstituent() public {
        vm.expectRevert(abi.encodeWithSelector(ITrancheVault.TrancheUnknownConstituent.selector, 3, 3));
        tranche.constituent(3);
        vm.expectRevert(abi.encodeWithSelector(ITrancheVault.TrancheUnknownConstituent.selector, 3, 3));
        tranche.heldShares(3);
        vm.expectRevert(abi.encodeWithSelector(ITrancheVault.TrancheUnknownConstituent.selector, 3, 3));
        tranche.constituentPrice(3);
    }

    // ---------------------------------------------------------------- admin

    function test_setMinJuniorRatio_boundsAndEmits() public {
        vm.expectEmit(address(tranche));
        emit ITrancheVault.ParameterSet("minJuniorRatio", 0.3e18);
        vm.prank(admin);
        tranche.setMinJuniorRatio(0.3e18);
        assertEq(tranche.minJuniorRatio(), 0.3e18);
        vm.prank(admin);
        expectOutOfBounds(
            ITrancheVault.TrancheParameterOutOfBounds.selector, bytes32("minJuniorRatio"), 0, 0.01e18, 0.9e18
        );
        tranche.setMinJuniorRatio(0);
        expectUnauthorized(alice, tranche.DEFAULT_ADMIN_ROLE());
        vm.prank(alice);
        tranche.setMinJuniorRatio(0.3e18);
    }

    function test_setMaxNavAge_boundsAndEmits() public {
        vm.expectEmit(address(tranche));
        emit ITrancheVault.ParameterSet("maxNavAge", 60 days);
        vm.prank(admin);
        tranche.setMaxNavAge(60 days);
        assertEq(tranche.maxNavAge(), 60 days);
        vm.prank(admin);
        expectOutOfBounds(
            ITrancheVault.TrancheParameterOutOfBounds.selector,
            bytes32("maxNavAge"),
            366 days,
            1 days,
            365 days
        );
        tranche.setMaxNavAge(366 days);
        expectUnauthorized(alice, tranche.DEFAULT_ADMIN_ROLE());
        vm.prank(alice);
        tranche.setMaxNavAge(60 days);
    }

    function test_pause_onlyGuardian() public {
        checkOnlyGuardianPauses(IGuardianPausable(address(tranche)), alice);
    }

    // ---------------------------------------------------------------- tranche tokens

    function test_trancheToken_onlyVaultMintsAndBurns() public {
        vm.expectRevert(abi.encodeWithSelector(ITrancheToken.TrancheTokenOnlyVault.selector, alice));
        vm.prank(alice);
        senior.mint(alice, 1);
        vm.expectRevert(abi.encodeWithSelector(ITrancheToken.TrancheTokenOnlyVault.selector, alice));
        vm.prank(alice);
        junior.burn(alice, 0);
    }

    function test_trancheToken_transfersFreely() public {
        depositAs(alice, Tranche.Junior, 10e18);
        setReview(credit, true);
        vm.prank(guardian);
        tranche.pause();
        vm.prank(alice);
        junior.transfer(bob, 4e18);
        assertEq(junior.balanceOf(bob), 4e18);
    }

    function _assertWaterfall(uint256 basketValue, uint256 s, uint256 j) internal view {
        (uint256 b_, uint256 s_, uint256 j_) = tranche.waterfall();
        assertEq(b_, basketValue, "basket");
        assertEq(s_, s, "senior");
        assertEq(j_, j, "junior");
    }

    function _expectSubordinationBreached(uint256 juniorValue, uint256 required) internal {
        vm.expectRevert(
            abi.encodeWithSelector(ITrancheVault.TrancheSubordinationBreached.selector, juniorValue, required)
        );
    }

    /// @dev Alice holds 250 junior, bob 1,000 senior, then credit's NAV falls to 0.1: the basket
    ///      (1,250 × 0.73 = 912.5) no longer covers the senior.
    function _impairSenior() internal {
        depositAs(alice, Tranche.Junior, 250e18);
        depositAs(bob, Tranche.Senior, 1000e18);
        reportNavOf(credit, 0.1e18);
    }

    /// @dev Expects alice's next call to revert: the basket is `status`, with the constituents of
    ///      `underReviewMask` under review and those of `staleMask` stale.
    function _expectBasketNotNormalAsAlice(BasketStatus status, uint256 underReviewMask, uint256 staleMask)
        internal
    {
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(
                ITrancheVault.TrancheBasketNotNormal.selector, status, underReviewMask, staleMask
            )
        );
    }
}
