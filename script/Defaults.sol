// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MarketParams} from "../contracts/interfaces/ILendingMarket.sol";
import {OracleParams} from "../contracts/interfaces/IConservativeOracle.sol";
import {BreakerParams} from "../contracts/interfaces/ICircuitBreakerAdmin.sol";

/// @title Defaults
/// @notice The default parameters, in one place for the deploy script and the tests. The README's
///         parameter table gives each value's reason. The Rust configuration's defaults
///         (`crates/chain/src/config.rs`) and that table are checked against these values by
///         `crates/chain/tests/defaults.rs`, through `contracts/test/DefaultsProbe.sol`.
library Defaults {
    // ---------------------------------------------------------------- names (local test world)
    string internal constant STABLECOIN_NAME = "Breakwater USD";
    string internal constant STABLECOIN_SYMBOL = "bwUSD";
    string internal constant VAULT_NAME = "RWA Credit Fund";
    string internal constant VAULT_SYMBOL = "RWAC";
    string internal constant LP_NAME = "RWAC/bwUSD LP";
    string internal constant LP_SYMBOL = "RWAC-LP";

    // ---------------------------------------------------------------- vault: a monthly-NAV fund
    uint256 internal constant INITIAL_NAV = 1e18;
    uint64 internal constant NOTICE_PERIOD = 30 days;
    uint64 internal constant EPOCH_LENGTH = 1 days;
    uint256 internal constant GATE = 0.1e18; // of supply per epoch
    uint256 internal constant MAX_NAV_MOVE = 0.1e18; // per signature

    // ---------------------------------------------------------------- pool's observation ring
    /// @dev A ring slot a minute at most, 1,536 slots: every window up to 1,535 min (≈ 25.6 h)
    ///      stays answerable whatever the trade rate, covering the oracle's longest (24 h).
    uint32 internal constant OBSERVATION_PERIOD = 60;
    uint16 internal constant OBSERVATION_CARDINALITY = 1536;

    // ---------------------------------------------------------------- kinked rate model, per year
    uint256 internal constant BASE_RATE = 0.02e18;
    uint256 internal constant SLOPE1 = 0.08e18;
    uint256 internal constant SLOPE2 = 1e18;
    uint256 internal constant KINK = 0.8e18;

    // ---------------------------------------------------------------- seed liquidity and caps
    /// @dev Stablecoin seeded into the AMM (with as many shares) and supplied to the market.
    uint256 internal constant SEED_LIQUIDITY = 1_000_000e18;
    /// @dev The market's supply, borrow and collateral caps, as a multiple of the seed.
    uint256 internal constant CAPS_PER_SEED = 100;

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
