// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MarketParams} from "../contracts/interfaces/ILendingMarket.sol";
import {OracleParams} from "../contracts/interfaces/IConservativeOracle.sol";
import {BreakerParams} from "../contracts/interfaces/ICircuitBreakerAdmin.sol";

/// @title Defaults
/// @notice The default risk parameters, in one place for the deploy script and the tests. The
///         README's parameter table gives each value's reason.
library Defaults {
    function marketParams(uint256 cap) internal pure returns (MarketParams memory) {
        return MarketParams({
            maxLtv: 0.7e18,
            lltv: 0.8e18,
            closeFactor: 0.5e18,
            reserveFactor: 0.1e18,
            keeperFee: 0.01e18,
            dustDebt: 1e18,
            supplyCap: cap,
            borrowCap: cap,
            collateralCap: cap
        });
    }

    function oracleParams() internal pure returns (OracleParams memory) {
        return OracleParams({
            shortTwapWindow: 30 minutes,
            longTwapWindow: 6 hours,
            heartbeat: 35 days,
            maxNavAge: 45 days,
            haircutPerDay: 0.005e18,
            maxHaircut: 0.25e18,
            divergenceTolerance: 0.03e18,
            baseConfirmation: 24 hours,
            minConfirmation: 1 hours,
            maxDropPerHour: 0.02e18,
            maxRisePerHour: 0.01e18
        });
    }

    function breakerParams() internal pure returns (BreakerParams memory) {
        return BreakerParams({
            window: 1 hours,
            level1Decline: 0.07e18,
            level2Decline: 0.13e18,
            level3Decline: 0.2e18,
            divergenceBound: 0.15e18,
            divergenceWindow: 30 minutes,
            slippage: 0.02e18,
            refillPeriod: 1 hours,
            maxHalt: 6 hours,
            gracePeriod: 1 hours,
            cooldown: 24 hours
        });
    }
}
