// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MarketParams} from "../interfaces/ILendingMarket.sol";
import {OracleParams} from "../interfaces/IConservativeOracle.sol";
import {BreakerParams} from "../interfaces/ICircuitBreakerAdmin.sol";
import {Defaults} from "../../script/Defaults.sol";

/// @title DefaultsProbe
/// @notice Test only, never deployed by the scripts: returns `script/Defaults.sol` as the deploy
///         script uses it, so a Rust test can compare the Rust configuration's defaults with it
///         field by field (`crates/chain/tests/defaults.rs`).
contract DefaultsProbe {
    struct World {
        string stablecoinName;
        string stablecoinSymbol;
        string vaultName;
        string vaultSymbol;
        string lpName;
        string lpSymbol;
        uint256 initialNav;
        uint64 noticePeriod;
        uint64 epochLength;
        uint256 gate;
        uint256 maxNavMove;
        uint32 observationPeriod;
        uint16 observationCardinality;
        uint256 baseRate;
        uint256 slope1;
        uint256 slope2;
        uint256 kink;
        uint256 seedLiquidity;
        uint256 capsPerSeed;
    }

    /// @notice The tokens' names and the vault's, pool's and rate model's constructor arguments.
    function world() external pure returns (World memory) {
        return World(
            Defaults.STABLECOIN_NAME,
            Defaults.STABLECOIN_SYMBOL,
            Defaults.VAULT_NAME,
            Defaults.VAULT_SYMBOL,
            Defaults.LP_NAME,
            Defaults.LP_SYMBOL,
            Defaults.INITIAL_NAV,
            Defaults.NOTICE_PERIOD,
            Defaults.EPOCH_LENGTH,
            Defaults.GATE,
            Defaults.MAX_NAV_MOVE,
            Defaults.OBSERVATION_PERIOD,
            Defaults.OBSERVATION_CARDINALITY,
            Defaults.BASE_RATE,
            Defaults.SLOPE1,
            Defaults.SLOPE2,
            Defaults.KINK,
            Defaults.SEED_LIQUIDITY,
            Defaults.CAPS_PER_SEED
        );
    }

    /// @notice The market's parameters as Deploy.s.sol sets them for the default seed.
    function marketParams() external pure returns (MarketParams memory) {
        return Defaults.marketParams(Defaults.SEED_LIQUIDITY * Defaults.CAPS_PER_SEED);
    }

    function oracleParams() external pure returns (OracleParams memory) {
        return Defaults.oracleParams();
    }

    function breakerParams() external pure returns (BreakerParams memory) {
        return Defaults.breakerParams();
    }
}
