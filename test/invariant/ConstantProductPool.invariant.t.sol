// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Fixture} from "../utils/Fixture.sol";
import {PoolHandler} from "./handlers/PoolHandler.sol";

contract ConstantProductPoolInvariantTest is Fixture {
    PoolHandler internal handler;

    function setUp() public override {
        super.setUp();
        address[] memory actors = new address[](3);
        for (uint256 i; i < 3; ++i) {
            actors[i] = makeAddr(string.concat("poolActor", vm.toString(i)));
            mintShares(actors[i], 1_000_000e18);
            mintUsd(actors[i], 1_000_000e18);
        }
        handler = new PoolHandler(pool, usd, vault, actors);
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
            held += pool.balanceOf(handler.actors(i));
        }
        assertEq(pool.totalSupply(), held);
    }

    function invariant_cumulativePriceNeverDecreases() public view {
        assertEq(handler.ghostCumulativeDecreases(), 0);
    }
}
