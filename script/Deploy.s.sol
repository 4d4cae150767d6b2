// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Script, console2} from "forge-std/Script.sol";

import {Stablecoin} from "../contracts/mocks/Stablecoin.sol";
import {RwaVault} from "../contracts/RwaVault.sol";
import {ConstantProductPool} from "../contracts/ConstantProductPool.sol";
import {LendingMarket} from "../contracts/LendingMarket.sol";
import {RedeemToRepayMarket} from "../contracts/RedeemToRepayMarket.sol";
import {KinkedRateModel} from "../contracts/KinkedRateModel.sol";
import {SpotOracle} from "../contracts/oracles/SpotOracle.sol";
import {NavOracle} from "../contracts/oracles/NavOracle.sol";
import {PermissiveBreaker} from "../contracts/breakers/PermissiveBreaker.sol";
import {ConservativeOracle} from "../contracts/ConservativeOracle.sol";
import {CircuitBreaker} from "../contracts/CircuitBreaker.sol";
import {BreakerParams} from "../contracts/interfaces/ICircuitBreakerAdmin.sol";
import {MarketParams} from "../contracts/interfaces/ILendingMarket.sol";
import {ICollateralOracle} from "../contracts/interfaces/ICollateralOracle.sol";
import {ICircuitBreaker} from "../contracts/interfaces/ICircuitBreaker.sol";
import {Defaults} from "./Defaults.sol";

/// @notice Deploys and wires the whole world to any chain, then writes the addresses as JSON.
/// @dev Environment:
///      PRIVATE_KEY      deployer (admin, NAV reporter, guardian, custodian on a local chain)
///      POLICY           naive-spot | naive-nav | safeguarded | oracle-only | breaker-only |
///                       no-slow-path (default safeguarded)
///      DEPLOYMENT_OUT   where to write the manifest (default deployments/local.json)
///      SEED_LIQUIDITY   stablecoin to seed the AMM and the market with (default
///                       Defaults.SEED_LIQUIDITY); the market's caps are CAPS_PER_SEED times it
///      The stablecoin is the local test token: on a real chain, lend a real one instead.
contract Deploy is Script {
    struct World {
        Stablecoin usd;
        RwaVault vault;
        ConstantProductPool pool;
        KinkedRateModel rates;
        ICollateralOracle oracle;
        ICircuitBreaker breaker;
        LendingMarket market;
    }

    /// @dev The broadcaster: in a script, msg.sender is not it.
    address internal deployer;

    function run() external returns (World memory w) {
        uint256 key = vm.envUint("PRIVATE_KEY");
        deployer = vm.addr(key);
        string memory policy = vm.envOr("POLICY", string("safeguarded"));
        uint256 seed = vm.envOr("SEED_LIQUIDITY", Defaults.SEED_LIQUIDITY);

        vm.startBroadcast(key);
        w.usd = new Stablecoin(Defaults.STABLECOIN_NAME, Defaults.STABLECOIN_SYMBOL, deployer);
        // Monthly NAV, 30-day notice, daily epochs, 10% gate per epoch, 10% single-move bound.
        w.vault = new RwaVault(
            Defaults.VAULT_NAME,
            Defaults.VAULT_SYMBOL,
            address(w.usd),
            deployer,
            deployer,
            Defaults.INITIAL_NAV,
            Defaults.NOTICE_PERIOD,
            Defaults.EPOCH_LENGTH,
            Defaults.GATE,
            Defaults.MAX_NAV_MOVE
        );
        w.vault.grantRole(w.vault.NAV_REPORTER_ROLE(), deployer);
        w.vault.grantRole(w.vault.NAV_CONFIRMER_ROLE(), deployer);
        w.vault.grantRole(w.vault.GUARDIAN_ROLE(), deployer);
        // The ring (Defaults.OBSERVATION_*): pre-writing a slot costs ~45k gas, so it grows in
        // steps of 128 that each fit a block.
        w.pool = new ConstantProductPool(
            address(w.vault),
            address(w.usd),
            Defaults.LP_NAME,
            Defaults.LP_SYMBOL,
            Defaults.OBSERVATION_PERIOD,
            64
        );
        for (uint16 n = 64; n < Defaults.OBSERVATION_CARDINALITY;) {
            n = n + 128 < Defaults.OBSERVATION_CARDINALITY ? n + 128 : Defaults.OBSERVATION_CARDINALITY;
            w.pool.increaseObservationCardinality(n);
        }
        w.rates = new KinkedRateModel(Defaults.BASE_RATE, Defaults.SLOPE1, Defaults.SLOPE2, Defaults.KINK);
        (w.oracle, w.breaker) = _modules(policy, w);
        w.market = _market(policy, w, Defaults.marketParams(seed * Defaults.CAPS_PER_SEED));
        if (_isCircuitBreaker(policy)) CircuitBreaker(address(w.breaker)).setMarket(address(w.market));
        _seed(w, deployer, seed);
        vm.stopBroadcast();

        _write(w, policy);
    }

    /// @dev A policy is a choice of oracle and breaker (and, for `no-slow-path`, of the base market
    ///      without the slow path). The ablations take one safeguard away at a time so the lab can
    ///      say what each one buys.
    function _modules(string memory policy, World memory w)
        internal
        returns (ICollateralOracle o, ICircuitBreaker b)
    {
        bytes32 p = keccak256(bytes(policy));
        if (p == keccak256("naive-spot")) return (new SpotOracle(w.pool), new PermissiveBreaker());
        if (p == keccak256("naive-nav")) return (new NavOracle(w.vault), new PermissiveBreaker());
        if (p == keccak256("oracle-only")) return (_conservative(w), new PermissiveBreaker());
        if (p == keccak256("breaker-only")) {
            o = new NavOracle(w.vault);
            return (o, _breaker(w, o));
        }
        if (p == keccak256("safeguarded") || p == keccak256("no-slow-path")) {
            o = _conservative(w);
            return (o, _breaker(w, o));
        }
        revert(
            string.concat(
                "Deploy: POLICY '",
                policy,
                "' is not one of naive-spot, naive-nav, safeguarded, oracle-only, breaker-only, no-slow-path"
            )
        );
    }

    /// @dev The slow path exists by construction: every policy but `no-slow-path` lists the vault
    ///      in a RedeemToRepayMarket (under a PermissiveBreaker its slow path never opens).
    function _market(string memory policy, World memory w, MarketParams memory params)
        internal
        returns (LendingMarket)
    {
        if (keccak256(bytes(policy)) == keccak256("no-slow-path")) {
            return new LendingMarket(w.usd, w.vault, w.oracle, w.breaker, w.rates, deployer, params);
        }
        return new RedeemToRepayMarket(w.usd, w.vault, w.oracle, w.breaker, w.rates, deployer, params);
    }

    function _isCircuitBreaker(string memory policy) internal pure returns (bool) {
        bytes32 p = keccak256(bytes(policy));
        return
            p == keccak256("safeguarded") || p == keccak256("no-slow-path") || p == keccak256("breaker-only");
    }

    function _conservative(World memory w) internal returns (ICollateralOracle) {
        return new ConservativeOracle(w.vault, w.pool, deployer, Defaults.oracleParams());
    }

    function _breaker(World memory w, ICollateralOracle o) internal returns (ICircuitBreaker b) {
        CircuitBreaker cb = new CircuitBreaker(o, w.vault, w.pool, deployer, Defaults.breakerParams());
        cb.grantRole(cb.GUARDIAN_ROLE(), deployer);
        return cb;
    }

    /// @dev Seeds the AMM at NAV and the market's liquidity, so the world is usable at once.
    function _seed(World memory w, address deployer, uint256 seed) internal {
        w.usd.mint(deployer, seed * 3);
        w.usd.approve(address(w.vault), seed);
        w.vault.subscribe(seed, deployer);
        w.vault.approve(address(w.pool), seed);
        w.usd.approve(address(w.pool), seed);
        w.pool.addLiquidity(seed, seed, 0, deployer, block.timestamp + 1 hours);
        w.usd.approve(address(w.market), seed);
        w.market.supply(seed, deployer);
    }

    function _write(World memory w, string memory policy) internal {
        string memory out = vm.envOr("DEPLOYMENT_OUT", string("deployments/local.json"));
        string memory k = "contracts";
        vm.serializeAddress(k, "stablecoin", address(w.usd));
        vm.serializeAddress(k, "vault", address(w.vault));
        vm.serializeAddress(k, "pool", address(w.pool));
        vm.serializeAddress(k, "rateModel", address(w.rates));
        vm.serializeAddress(k, "oracle", address(w.oracle));
        vm.serializeAddress(k, "breaker", address(w.breaker));
        string memory contracts = vm.serializeAddress(k, "market", address(w.market));
        string memory root = "root";
        vm.serializeUint(root, "chainId", block.chainid);
        vm.serializeUint(root, "block", block.number);
        vm.serializeString(root, "policy", policy);
        string memory json = vm.serializeString(root, "contracts", contracts);
        vm.writeJson(json, out);
        console2.log("deployment manifest written to", out);
    }
}
