//! `breakwater`: deploy the world to an embedded Anvil or any RPC, run the liquidation bot, the
//! benchmarks, and the scenario lab (`demo`, `run`, `matrix`, `sweep`, and Monte Carlo: `risk`,
//! `merge`).
//!
//! Each subcommand lives in its own module with its own clap `Args`. Results go to stdout
//! ([`out`]: a reader that leaves early ends the command quietly), logs and progress to stderr:
//! logs through `tracing` (`RUST_LOG`, or `-v`/`-q`), progress through [`progress`].

mod bench;
mod bot;
mod deploy;
mod out;
mod progress;
mod risk;
mod scenarios;
mod table;

use std::io::IsTerminal as _;

use breakwater_chain::Policy;
use clap::{ArgAction, Parser, Subcommand, builder::TypedValueParser};
use tracing_subscriber::EnvFilter;

/// Breakwater: safe RWA collateral in DeFi.
#[derive(Debug, Parser)]
#[command(name = "breakwater", version, about, propagate_version = true)]
struct Cli {
    /// More logs on stderr, repeatable (-v: the lab's deployment steps, the other commands'
    /// debug logs; -vv, -vvv: deeper). Overrides RUST_LOG.
    #[arg(short, long, global = true, action = ArgAction::Count, conflicts_with = "quiet")]
    verbose: u8,

    /// No progress, and only errors in the logs: stdout gets the result alone.
    #[arg(short, long, global = true)]
    quiet: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Deploy and wire the whole world for a policy, and write the deployment manifest.
    Deploy(deploy::DeployArgs),
    /// Run the liquidation bot against a deployment until Ctrl-C.
    Bot(bot::BotArgs),
    /// Benchmarks (`bench bot`: the liquidation bot at 10,000 positions on an embedded Anvil;
    /// `bench sim`: one lab path on both backends, beside raw Anvil transfers).
    Bench(bench::BenchArgs),
    /// The README's main command: every shipped scenario under every policy, and the sweeps,
    /// each world deployed on its own embedded Anvil and run on `--backend`, then a Monte Carlo
    /// study of every scenario and policy (`--paths`); writes reports/demo/ (risk/ the study).
    Demo(scenarios::DemoArgs),
    /// One scenario under one policy; writes reports/run/<scenario>/<policy>-seed<seed>/.
    Run(scenarios::RunArgs),
    /// Scenarios × policies.
    Matrix(scenarios::MatrixArgs),
    /// A scenario's `[sweep]` under each policy.
    Sweep(scenarios::SweepArgs),
    /// Monte Carlo: paths of each scenario under each policy on common random numbers (path k
    /// is the same world for every policy), in process; writes each path's figures as it
    /// finishes and the risk summary (VaR, expected shortfall, intervals) to reports/risk/.
    /// `--shard K/N` runs a share of the paths, for a scheduler's array of tasks.
    Risk(risk::RiskArgs),
    /// The shards of a `risk` study into the summary one process would have written.
    Merge(risk::MergeArgs),
}

/// The `--policy`/`--policies` parser: the names of `Policy::ALL`, which `--help` lists and an
/// error repeats.
pub(crate) fn policy_parser() -> impl TypedValueParser<Value = Policy> {
    clap::builder::PossibleValuesParser::new(Policy::ALL.map(Policy::name))
        .try_map(|name| name.parse::<Policy>())
}

/// Log levels, quietest first; `-v` moves one step right, `-q` to the first.
const LEVELS: [&str; 5] = ["error", "warn", "info", "debug", "trace"];

/// The tracing filter for a level: from debug on, only Breakwater's own crates go that deep
/// (alloy's and hyper's debug logs would bury them).
fn filter(level: usize) -> String {
    match level {
        0..=2 => LEVELS[level].to_string(),
        3 => "info,breakwater=debug".to_string(),
        _ => "debug,breakwater=trace".to_string(),
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    // The lab runs dozens of deployments: their step-by-step logs would drown the progress.
    let lab = match &cli.command {
        Command::Demo(_)
        | Command::Run(_)
        | Command::Matrix(_)
        | Command::Sweep(_)
        | Command::Risk(_) => true,
        Command::Bench(b) => b.runs_scenarios(),
        _ => false,
    };
    let default = if lab { 1 } else { 2 };
    let env_filter = if cli.quiet || cli.verbose > 0 {
        let level = if cli.quiet { 0 } else { default + usize::from(cli.verbose) };
        EnvFilter::new(filter(level))
    } else {
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(LEVELS[default]))
    };
    tracing_subscriber::fmt()
        .with_env_filter(env_filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let ui = progress::Ui { quiet: cli.quiet };
    let result = match cli.command {
        Command::Deploy(args) => deploy::run(args).await,
        Command::Bot(args) => bot::run(args).await,
        Command::Bench(args) => bench::run(args, ui).await,
        Command::Demo(args) => scenarios::demo(args, ui).await,
        Command::Run(args) => scenarios::run(args, ui).await,
        Command::Matrix(args) => scenarios::matrix_cmd(args, ui).await,
        Command::Sweep(args) => scenarios::sweep_cmd(args, ui).await,
        Command::Risk(args) => risk::risk(args, ui).await,
        Command::Merge(args) => risk::merge(args).await,
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        // `… | head`: the reader has what it wanted.
        Err(e) if out::is_closed_stdout(&e) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // `{:#}` keeps the whole context chain on one line per cause.
            out::note(&format!("error: {e:#}"));
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_parse_and_set_the_level() {
        let cli = Cli::try_parse_from(["breakwater", "run", "x.toml", "-vv"]).expect("parses");
        assert_eq!(cli.verbose, 2);
        assert_eq!(filter(1 + 2), "info,breakwater=debug");
        assert!(Cli::try_parse_from(["breakwater", "-q", "-v", "run", "x.toml"]).is_err());
        let cli = Cli::try_parse_from(["breakwater", "-q", "matrix"]).expect("parses");
        assert!(cli.quiet);
        assert_eq!(filter(9), "debug,breakwater=trace");
    }

    #[test]
    fn policies_parse_by_name_and_the_report_lists_them_in_order() {
        let cli =
            Cli::try_parse_from(["breakwater", "matrix", "--policies", "naive-nav,no-slow-path"]);
        assert!(cli.is_ok());
        assert!(Cli::try_parse_from(["breakwater", "run", "x.toml", "--policy", "yolo"]).is_err());
        // The report crate has no dependency on the chain crate: its list is checked here.
        let names: Vec<&str> = breakwater_report::POLICIES.iter().map(|p| p.0).collect();
        assert_eq!(names, Policy::ALL.map(Policy::name));
    }
}
