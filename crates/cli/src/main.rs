//! `breakwater`: deploy the world to an embedded Anvil or any RPC (and, as the other crates
//! land, run the bot, the demo and the scenario lab).
//!
//! Each subcommand lives in its own module with its own clap `Args`; logs go to stderr through
//! `tracing` (`RUST_LOG` filters them), results to stdout.

mod bench;
mod bot;
mod deploy;
mod lab;

use std::io::IsTerminal as _;

use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

/// Breakwater: safe RWA collateral in DeFi.
#[derive(Debug, Parser)]
#[command(name = "breakwater", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Deploy and wire the whole world for a policy, and write the deployment manifest.
    Deploy(deploy::DeployArgs),
    /// Run the liquidation bot against a deployment until Ctrl-C.
    Bot(bot::BotArgs),
    /// Benchmarks on an embedded Anvil (`bench bot`: the liquidation bot at 10,000 positions;
    /// `bench sim`: the scenario engine beside raw Anvil transfers).
    Bench(bench::BenchArgs),
    /// The README's main command: every shipped scenario under every policy, and the sweeps,
    /// each on its own embedded Anvil; writes reports/demo/.
    Demo(lab::MatrixArgs),
    /// One scenario under one policy.
    Run(lab::RunArgs),
    /// Scenarios × policies.
    Matrix(lab::MatrixArgs),
    /// A scenario's `[sweep]` under each policy.
    Sweep(lab::SweepArgs),
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    // The lab runs dozens of deployments: their step-by-step logs would drown the progress.
    let quiet = match &cli.command {
        Command::Demo(_) | Command::Run(_) | Command::Matrix(_) | Command::Sweep(_) => true,
        Command::Bench(b) => b.runs_scenarios(),
        _ => false,
    };
    let default = if quiet { "warn" } else { "info" };
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default)),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let result = match cli.command {
        Command::Deploy(args) => deploy::run(args).await,
        Command::Bot(args) => bot::run(args).await,
        Command::Bench(args) => bench::run(args).await,
        Command::Demo(args) => lab::demo(args).await,
        Command::Run(args) => lab::run(args).await,
        Command::Matrix(args) => lab::matrix_cmd(args).await,
        Command::Sweep(args) => lab::sweep_cmd(args).await,
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // `{:#}` keeps the whole context chain on one line per cause.
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
