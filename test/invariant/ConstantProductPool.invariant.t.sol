// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Fixture} from "../utils/Fixture.sol";
import {PoolHandler} from "./handlers/PoolHandler.sol";
import {ConstantProductPool} from "../../contracts/ConstantProductPool.sol";

contract ConstantProductPoolInvariantTest is Fixture {
    /// @dev A short ring (8 one-minute slots, growable to 48) so runs wrap it many times.
    uint32 internal constant PERIOD = 60;
    uint16 internal constant SLOTS = 8;
    uint16 internal constant MAX_SLOTS = 48;

    PoolHandler internal handler;

    function setUp() public override {
        super.setUp();
        pool =
            new ConstantProductPool(address(vault), address(usd), "RWAC/bwUSD LP", "RWAC-LP", PERIOD, SLOTS);
        address[] memory actors = new address[](3);
        for (uint256 i; i < 3; ++i) {
            actors[i] = makeAddr(string.concat("poolActor", vm.toString(i)));
            mintShares(actors[i], 1_000_000e18);
            mintUsd(actors[i], 1_000_000e18);
        }
        handler = new PoolHandler(pool, usd, vault, actors, MAX_SLOTS);
        seedPool(100_000e18, 100_000e18);
        targetContract(address(handler));
    }

    function invariant_kNeverDecreasesAcrossSwaps() public view {
        assertEq(handler.ghostKDecreases(), 0);
    }

    function invariant_reservesMatchBalances() public view {
        (uint256 rb, uint256 rq,) = pool.getReserves();
        assertEq(vault.balanceOf(address(pool)), rb);
        assertEq(usd.balanceOf(address(pool)), rq);
    }

    function invariant_lpSupplyEqualsHolders() public {
        uint256 held = pool.balanceOf(address(0xdead)) + pool.balanceOf(makeAddr("seedLp"));
        for (uint256 i; i < handler.actorCount(); ++i) {
            held += pool.balanceOf(handler.actor(i));
        }
        assertEq(pool.totalSupply(), held);
    }

    function invariant_cumulativePriceNeverDecreases() public view {
        assertEq(handler.ghostCumulativeDecreases(), 0);
    }

    /// @dev Any window up to observationSpan() answers once the pool is that old, whatever the
    ///      trade rate: the longest such window reaches the oldest slot the guarantee needs.
    function invariant_spanAnswerableOnceOldEnough() public view {
        uint256 age = block.timestamp - handler.createdAt();
        uint256 window = pool.observationSpan() < age ? pool.observationSpan() : age;
        if (window == 0) return;
        (uint256 twap,) = pool.consult(uint32(window));
        assertGt(twap, 0);
    }

    function invariant_spanBetweenInitialRingAndCardinality() public view {
        uint256 span = pool.observationSpan();
        assertGe(span, (SLOTS - 1) * PERIOD);
        assertLe(span, (uint256(pool.observationCardinality()) - 1) * PERIOD);
    }
}
