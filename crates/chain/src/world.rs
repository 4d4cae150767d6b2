//! Typed handles on a deployed world, for the bot and the lab.

use alloy::providers::Provider;
use breakwater_bindings::{
    CircuitBreaker, ConservativeOracle, ConstantProductPool, ICircuitBreaker, ICollateralOracle,
    IConstantProductPool, ILendingMarket, IRwaVault, KinkedRateModel, LendingMarket,
    RedeemToRepayMarket, RwaVault, Stablecoin,
};

use crate::{
    Addresses, Deployment, MarketAddresses,
    policy::{BreakerKind, MarketKind, OracleKind},
};

/// Contract instances bound to a provider, one per manifest address. The oracle and the breaker
/// are bound through their interfaces (every policy has them); [`World::conservative_oracle`] and
/// [`World::circuit_breaker`] give the full contracts when the policy deployed them.
#[derive(Debug, Clone)]
pub struct World<P> {
    /// The loan asset.
    pub stablecoin: Stablecoin::StablecoinInstance<P>,
    /// The collateral: the RWA vault share.
    pub vault: RwaVault::RwaVaultInstance<P>,
    /// The AMM.
    pub pool: ConstantProductPool::ConstantProductPoolInstance<P>,
    /// The market's rate model.
    pub rate_model: KinkedRateModel::KinkedRateModelInstance<P>,
    /// The market's oracle, whatever the policy.
    pub oracle: ICollateralOracle::ICollateralOracleInstance<P>,
    /// The market's breaker, whatever the policy.
    pub breaker: ICircuitBreaker::ICircuitBreakerInstance<P>,
    /// The lending market.
    pub market: LendingMarket::LendingMarketInstance<P>,
    oracle_kind: OracleKind,
    breaker_kind: BreakerKind,
    market_kind: MarketKind,
}

impl<P: Provider + Clone> World<P> {
    /// Binds every contract of `deployment` to `provider`.
    pub fn new(deployment: &Deployment, provider: P) -> Self {
        let policy = deployment.policy;
        let kinds = (policy.oracle(), policy.breaker(), policy.market());
        Self::bind(&deployment.contracts, kinds, provider)
    }

    /// Binds the contracts at `c` to `provider`; `kinds` say which full contracts the oracle,
    /// the breaker and the market are.
    fn bind(c: &Addresses, kinds: (OracleKind, BreakerKind, MarketKind), provider: P) -> Self {
        let (oracle_kind, breaker_kind, market_kind) = kinds;
        Self {
            stablecoin: Stablecoin::new(c.stablecoin, provider.clone()),
            vault: RwaVault::new(c.vault, provider.clone()),
            pool: ConstantProductPool::new(c.pool, provider.clone()),
            rate_model: KinkedRateModel::new(c.rate_model, provider.clone()),
            oracle: ICollateralOracle::new(c.oracle, provider.clone()),
            breaker: ICircuitBreaker::new(c.breaker, provider.clone()),
            market: LendingMarket::new(c.market, provider),
            oracle_kind,
            breaker_kind,
            market_kind,
        }
    }

    /// Where the market and its neighbours are, for the bot and the lab's liquidators.
    pub fn market_addresses(&self) -> MarketAddresses {
        MarketAddresses {
            market: *self.market.address(),
            oracle: *self.oracle.address(),
            breaker: *self.breaker.address(),
            pool: *self.pool.address(),
            stablecoin: *self.stablecoin.address(),
            vault: *self.vault.address(),
            slow_path: self.market_kind == MarketKind::RedeemToRepay,
        }
    }

    /// The market through its interface, whose calls name their return values
    /// (`totals().call().await?.totalBorrowAssets`); the concrete binding numbers them (`_2`).
    pub fn market_interface(&self) -> ILendingMarket::ILendingMarketInstance<P> {
        ILendingMarket::new(*self.market.address(), self.market.provider().clone())
    }

    /// The vault through its interface (named return values, e.g. `navInfo().navPerShare`).
    pub fn vault_interface(&self) -> IRwaVault::IRwaVaultInstance<P> {
        IRwaVault::new(*self.vault.address(), self.vault.provider().clone())
    }

    /// The pool through its interface (named return values, e.g. `getReserves().reserveBase`).
    pub fn pool_interface(&self) -> IConstantProductPool::IConstantProductPoolInstance<P> {
        IConstantProductPool::new(*self.pool.address(), self.pool.provider().clone())
    }

    /// The conservative oracle (poke, state, params), if the policy deployed it.
    pub fn conservative_oracle(&self) -> Option<ConservativeOracle::ConservativeOracleInstance<P>> {
        (self.oracle_kind == OracleKind::Conservative).then(|| {
            ConservativeOracle::new(*self.oracle.address(), self.oracle.provider().clone())
        })
    }

    /// The market with its redeem-to-repay slow path, if the policy deployed that kind.
    pub fn slow_path_market(&self) -> Option<RedeemToRepayMarket::RedeemToRepayMarketInstance<P>> {
        (self.market_kind == MarketKind::RedeemToRepay).then(|| {
            RedeemToRepayMarket::new(*self.market.address(), self.market.provider().clone())
        })
    }

    /// The circuit breaker (poke, level, trip), if the policy deployed it.
    pub fn circuit_breaker(&self) -> Option<CircuitBreaker::CircuitBreakerInstance<P>> {
        matches!(self.breaker_kind, BreakerKind::Circuit)
            .then(|| CircuitBreaker::new(*self.breaker.address(), self.breaker.provider().clone()))
    }
}

impl crate::BasketDeployment {
    /// The senior-tranche market as a [`World`]: `vault` is the senior token (bind it for its
    /// ERC20 functions only), `pool` the senior pool. Its oracle and breaker are bound through
    /// their interfaces only: neither is a `ConservativeOracle` nor a `CircuitBreaker`, so
    /// [`World::conservative_oracle`] and [`World::circuit_breaker`] give `None`.
    pub fn senior_world<P: Provider + Clone>(&self, provider: P) -> World<P> {
        let t = &self.tranche;
        let contracts = Addresses {
            stablecoin: self.stablecoin,
            vault: t.senior,
            pool: t.pool,
            rate_model: t.rate_model,
            oracle: t.oracle,
            breaker: t.breaker,
            market: t.market,
        };
        let kinds = (OracleKind::Nav, BreakerKind::Permissive, MarketKind::FastOnly);
        World::bind(&contracts, kinds, provider)
    }

    /// Where the senior-tranche market is: its collateral is the senior token, which has no
    /// redemption queue, so the market is fast-only.
    pub fn senior_market_addresses(&self) -> MarketAddresses {
        let t = &self.tranche;
        MarketAddresses {
            market: t.market,
            oracle: t.oracle,
            breaker: t.breaker,
            pool: t.pool,
            stablecoin: self.stablecoin,
            vault: t.senior,
            slow_path: false,
        }
    }
}

impl Deployment {
    /// Binds every contract to `provider` (see [`World`]).
    pub fn world<P: Provider + Clone>(&self, provider: P) -> World<P> {
        World::new(self, provider)
    }

    /// Where the market and its neighbours are (see [`World::market_addresses`]).
    pub fn market_addresses(&self) -> MarketAddresses {
        let c = &self.contracts;
        MarketAddresses {
            market: c.market,
            oracle: c.oracle,
            breaker: c.breaker,
            pool: c.pool,
            stablecoin: c.stablecoin,
            vault: c.vault,
            slow_path: self.policy.market() == MarketKind::RedeemToRepay,
        }
    }
}
