//! `breakwater bot`: run the liquidation bot against a deployment on any RPC until Ctrl-C: the
//! market of a single-world manifest, or the senior-tranche market of a basket manifest.

use std::{path::PathBuf, time::Duration};

use alloy::primitives::U256;
use anyhow::{Context, Result};
use breakwater_agents::{
    CancellationToken, LiquidationBot, SharedMetrics,
    liquidation::{CollateralPolicy, LiquidationConfig, MarketAddresses},
    redemption::{LIQUIDATOR_COST_OF_CAPITAL, LIQUIDATOR_RISK_PREMIUM, RedemptionTerms},
};
use breakwater_chain::{
    BasketDeployment, Chain, Deployment, SignerSource,
    bindings::RwaVault,
    check_code,
    units::{Wad, from_wad},
};
use clap::{Args, ValueEnum};
use tracing::info;

use crate::out::outln;

/// What the bot does with seized collateral.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum SeizedCollateral {
    /// Sell it on the AMM within --max-slippage of spot.
    Sell,
    /// Keep it.
    Hold,
    /// Per lot, sell it (within --max-slippage) when the pool pays at least what redeeming it
    /// at NAV is worth after the vault's notice, epoch and queue, --cost-of-capital and
    /// --risk-premium; otherwise queue it for redemption and claim the cash once settled.
    SellOrRedeem,
}

/// Arguments of `breakwater bot`.
#[derive(Debug, Args)]
pub(crate) struct BotArgs {
    /// JSON-RPC endpoint (http, https, ws, wss).
    #[arg(long, value_name = "URL")]
    rpc: String,

    /// Deployment manifest written by `breakwater deploy` (or script/Deploy.s.sol); with a
    /// basket manifest (`deploy --basket`), the bot watches the senior-tranche market.
    #[arg(long, value_name = "FILE")]
    deployment: PathBuf,

    /// Environment variable holding the liquidator's hex private key. Without it, an Anvil
    /// node's first unlocked account liquidates.
    #[arg(long, value_name = "VAR")]
    key_env: Option<String>,

    /// Sell seized collateral on the AMM, hold it, or choose per lot between selling and
    /// redeeming it through the vault.
    #[arg(long, value_enum, default_value_t = SeizedCollateral::Sell)]
    strategy: SeizedCollateral,

    /// Worst average sale price below spot, fee included (when selling): a fraction (0.05) or
    /// a percentage (5%).
    #[arg(long, value_name = "FRACTION", default_value = "0.05", value_parser = fraction)]
    max_slippage: Wad,

    /// With --strategy sell-or-redeem: the yearly return the bot's capital must earn while a
    /// redemption is pending (the lab's default).
    #[arg(long, value_name = "FRACTION", default_value_t = LIQUIDATOR_COST_OF_CAPITAL, value_parser = rate)]
    cost_of_capital: f64,

    /// With --strategy sell-or-redeem: the extra discount to NAV it demands because the NAV
    /// may be stale or wrong (0 for none).
    #[arg(long, value_name = "FRACTION", default_value_t = LIQUIDATOR_RISK_PREMIUM, value_parser = rate_or_zero)]
    risk_premium: f64,

    /// Most stablecoin to spend on repayments [default: the whole balance].
    #[arg(long, value_name = "AMOUNT")]
    inventory: Option<Wad>,

    /// Skip liquidations expected to earn less than this, gas included.
    #[arg(long, value_name = "AMOUNT", default_value = "0")]
    min_profit: Wad,

    /// Price of the native coin in stablecoin, to count gas in the profit.
    #[arg(long, value_name = "PRICE", default_value = "3000", value_parser = positive)]
    native_price: Wad,

    /// Never use the slow redeem-to-repay path.
    #[arg(long)]
    no_slow_path: bool,

    /// First block to index [default: the manifest's block].
    #[arg(long, value_name = "N")]
    from_block: Option<u64>,

    /// How often to ask the node for a new block, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 100)]
    poll_ms: u64,
}

/// A fraction strictly between 0 and 1, typed as a decimal (`0.05`) or a percentage (`5%`).
/// Errors quote what was typed, never the contracts' 1e18 fixed point.
fn fraction(typed: &str) -> Result<Wad, String> {
    let (number, percent) = match typed.trim().strip_suffix('%') {
        Some(n) => (n.trim(), true),
        None => (typed.trim(), false),
    };
    let value: Wad = number.parse().map_err(|_| {
        format!("`{typed}` is not a fraction: write a decimal such as 0.05, or a percentage (5%)")
    })?;
    let value = if percent { Wad::from_raw(value.raw() / U256::from(100)) } else { value };
    if value == Wad::ZERO || value >= Wad::ONE {
        return Err(if percent {
            format!("`{typed}` must be above 0% and below 100%")
        } else {
            format!("`{typed}` must be above 0 and below 1: a fraction (0.05) or a percentage (5%)")
        });
    }
    Ok(value)
}

/// A fraction as [`fraction`] reads it, as a rate.
fn rate(typed: &str) -> Result<f64, String> {
    fraction(typed).map(|w| from_wad(w.raw()))
}

/// A rate, or zero.
fn rate_or_zero(typed: &str) -> Result<f64, String> {
    match typed.trim().trim_end_matches('%').trim().parse::<Wad>() {
        Ok(zero) if zero == Wad::ZERO => Ok(0.0),
        _ => rate(typed),
    }
}

/// A positive amount (`3000`, `0.5`).
fn positive(typed: &str) -> Result<Wad, String> {
    let value: Wad = typed.parse()?;
    if value == Wad::ZERO {
        return Err(format!("`{typed}` must be above 0"));
    }
    Ok(value)
}

/// The market a manifest points the bot at.
enum Target {
    World(Deployment),
    Basket(BasketDeployment),
}

impl Target {
    /// Reads either kind of manifest: a basket manifest is the one with a `tranche` object.
    fn load(path: &std::path::Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| breakwater_chain::Error::Io { path: path.to_path_buf(), source })?;
        let file = path.display().to_string();
        let is_basket = serde_json::from_str::<serde_json::Value>(&text)
            .is_ok_and(|v| v.get("tranche").is_some_and(serde_json::Value::is_object));
        Ok(if is_basket {
            Self::Basket(BasketDeployment::from_json(&text, &file)?)
        } else {
            Self::World(Deployment::from_json(&text, &file)?)
        })
    }

    fn addresses(&self) -> MarketAddresses {
        match self {
            Self::World(d) => d.market_addresses(),
            Self::Basket(b) => b.senior_market_addresses(),
        }
    }

    fn block(&self) -> u64 {
        match self {
            Self::World(d) => d.block,
            Self::Basket(b) => b.block,
        }
    }

    async fn check_code(&self, chain: &Chain) -> Result<()> {
        match self {
            Self::World(d) => check_code(chain, d).await?,
            Self::Basket(b) => b.check_code(chain).await?,
        }
        Ok(())
    }

    /// How the start line names the market.
    fn describe(&self) -> String {
        match self {
            Self::World(d) => format!("{} market ({})", d.policy, d.contracts.market),
            Self::Basket(b) => format!("{} senior-tranche market ({})", b.policy, b.tranche.market),
        }
    }
}

pub(crate) async fn run(args: BotArgs) -> Result<()> {
    // The file first: a bad manifest fails before any connection is tried.
    let target = Target::load(&args.deployment)?;
    let chain =
        Chain::connect(&args.rpc, args.key_env.clone().map(SignerSource::PrivateKeyEnv)).await?;
    target.check_code(&chain).await?;

    let max_slippage = args.max_slippage.raw();
    let collateral = match args.strategy {
        SeizedCollateral::Sell => CollateralPolicy::Sell { max_slippage },
        SeizedCollateral::Hold => CollateralPolicy::Hold,
        SeizedCollateral::SellOrRedeem => {
            let terms = redemption_terms(&chain, &target, &args).await?;
            info!(wait_s = terms.redemption, epoch_s = terms.epoch, "redemption terms");
            CollateralPolicy::SellOrRedeem { max_slippage, terms }
        }
    };
    let config = LiquidationConfig {
        collateral,
        inventory: args.inventory.map(Wad::raw),
        min_profit: args.min_profit.raw(),
        native_price: args.native_price.raw(),
        slow_path: !args.no_slow_path,
        ..LiquidationConfig::new(chain.sender())
    };
    let start = args.from_block.unwrap_or(target.block());
    let bot = LiquidationBot::new(chain.provider().clone(), target.addresses(), start, config)
        .poll_interval(Duration::from_millis(args.poll_ms.max(1)));
    let metrics = bot.metrics();

    let cancel = CancellationToken::new();
    let on_signal = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            info!("Ctrl-C: stopping");
        }
        on_signal.cancel();
    });
    let status =
        tokio::spawn(report_every(metrics.clone(), Duration::from_secs(30), cancel.clone()));

    info!(
        liquidator = %chain.sender(), market = %target.describe(), from_block = start, strategy = ?args.strategy, "starting the liquidation bot"
    );
    let result = bot.run(cancel.clone()).await.context("liquidation bot");
    cancel.cancel();
    let _ = status.await;
    // The summary even after a failure: what was done by then.
    let printed = outln!("{}", summary(&metrics));
    result.and(printed)
}

/// What the bot demands of a redemption: its return test's rates, and the vault's wait (notice
/// plus one epoch with an empty queue) read from the chain.
async fn redemption_terms(
    chain: &Chain,
    target: &Target,
    args: &BotArgs,
) -> Result<RedemptionTerms> {
    let Target::World(d) = target else {
        anyhow::bail!(
            "--strategy sell-or-redeem: the senior tranche of a basket is not redeemable through a \
             vault; use --strategy sell or hold"
        );
    };
    let vault = RwaVault::new(d.contracts.vault, chain.provider().clone());
    let notice = vault.noticePeriod().call().await.context("vault.noticePeriod()")?;
    let epoch = vault.epochLength().call().await.context("vault.epochLength()")?;
    Ok(RedemptionTerms {
        cost_of_capital: args.cost_of_capital,
        risk_premium: args.risk_premium,
        redemption: notice + epoch,
        epoch,
    })
}

/// Logs a status line every `period` until cancelled.
async fn report_every(metrics: SharedMetrics, period: Duration, cancel: CancellationToken) {
    loop {
        tokio::select! {
            () = cancel.cancelled() => return,
            () = tokio::time::sleep(period) => info!("{}", summary(&metrics)),
        }
    }
}

/// One line: what the bot has done.
fn summary(metrics: &SharedMetrics) -> String {
    let m = metrics.get();
    let a = m.agent;
    format!(
        "block {}: {} liquidations ({} slow, {} slow settled), {} sales, {} redemptions ({} claims), \
         {} mined, {} races lost, {} reverts, {} failed; {} reconnects, {} nonce resyncs",
        m.last_block,
        a.liquidations,
        a.slow_liquidations,
        a.slow_settlements,
        a.sales,
        a.redemptions,
        a.claims,
        a.mined,
        a.lost_races,
        a.reverts,
        a.failures,
        m.reconnects,
        m.nonce_resyncs
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractions_are_read_and_refused_as_typed() {
        assert_eq!(fraction("0.05"), Ok("0.05".parse().expect("decimal")));
        assert_eq!(fraction("5%"), Ok("0.05".parse().expect("decimal")));
        assert_eq!(fraction("12.5 %"), Ok("0.125".parse().expect("decimal")));
        let e = fraction("5").expect_err("5 is 500%");
        assert!(e.starts_with("`5` must be above 0 and below 1") && !e.contains("000000"), "{e}");
        let e = fraction("150%").expect_err("above 100%");
        assert_eq!(e, "`150%` must be above 0% and below 100%");
        assert!(fraction("0").is_err() && fraction("abc").is_err() && fraction("-1").is_err());
        assert!(positive("0").is_err() && positive("3000").is_ok());
        assert_eq!(rate_or_zero("0"), Ok(0.0));
        assert_eq!(rate_or_zero("0%"), Ok(0.0));
        assert_eq!(rate_or_zero("2%"), Ok(0.02));
        assert_eq!(rate("0.15"), Ok(0.15));
        assert!(rate_or_zero("-1").is_err() && rate_or_zero("1").is_err());
    }
}
