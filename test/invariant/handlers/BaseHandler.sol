// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {console2} from "forge-std/console2.sol";

/// @notice One base for every invariant handler (after Liquity v2's BaseHandler): a fixed set of
///         named actors, and a log of every call with its bounded arguments, so that a failing
///         sequence can be read and replayed from forge's output.
/// @dev Suites run with `fail_on_revert = true`: a handler bounds its inputs to calls that must
///      succeed and returns early (logging why) where there is nothing valid to do, instead of
///      wrapping calls in try/catch. Every prank is a single-call `vm.prank` or a start/stop pair
///      with no early return between them.
abstract contract BaseHandler is Test {
    address[] internal _actors;
    /// @notice Calls made per handler function, for the suites' coverage checks.
    mapping(string => uint256) public calls;
    uint256 public callCount;

    function _addActors(string memory prefix, uint256 n) internal {
        for (uint256 i; i < n; ++i) {
            _actors.push(makeAddr(string.concat(prefix, vm.toString(i))));
        }
    }

    function actorCount() external view returns (uint256) {
        return _actors.length;
    }

    function actor(uint256 i) external view returns (address) {
        return _actors[i];
    }

    /// @dev The actor a fuzzed seed picks.
    function _actor(uint256 seed) internal view returns (address) {
        return _actors[seed % _actors.length];
    }

    /// @dev Records one call: `what` names the function and its bounded arguments.
    function _log(string memory name, string memory what) internal {
        ++calls[name];
        ++callCount;
        console2.log(string.concat("[", vm.toString(callCount), "] ", name, " ", what));
    }

    /// @dev Records a call that found nothing valid to do (not a failure; counted apart).
    function _skip(string memory name, string memory why) internal {
        ++calls[string.concat(name, ".skipped")];
        console2.log(string.concat("[-] ", name, " skipped: ", why));
    }
}
