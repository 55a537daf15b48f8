//! The `atb-gpu` command line: one module per subcommand.

pub mod benchmark;
pub mod device_args;
pub mod devices;
pub mod explain;
pub mod export;
pub mod gap_args;
pub mod models;
pub mod predict;
pub mod profile;
pub mod train;
pub mod tune;

use std::time::Instant;

use clap::{Parser, Subcommand};

pub use device_args::DeviceArgs;
pub use gap_args::GapArgs;

/// atb-gpu: train, evaluate, explain and export price-forecasting models on any GPU.
#[derive(Debug, Parser)]
#[command(name = "atb-gpu", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every GPU adapter and say which one `--device auto` would pick.
    Devices(devices::DevicesArgs),
    /// Train a model and save it as a new registry version.
    #[command(subcommand)]
    Train(train::TrainCommand),
    /// List and inspect saved model versions.
    #[command(subcommand)]
    Models(models::ModelsCommand),
    /// Forecast the next bar (or every window of the data) with a saved model of any type.
    Predict(predict::PredictArgs),
    /// Serve a saved version without retraining: cold start, latency, throughput, memory and
    /// the guide's production targets.
    Profile(profile::ProfileArgs),
    /// Train every model on one split and print the comparison table.
    Benchmark(benchmark::BenchmarkArgs),
    /// Attention weights of a saved attention model over the latest window (heatmap PNG).
    Explain(explain::ExplainArgs),
    /// Grid-search hyperparameters with walk-forward folds (sharded with --shard K/N and
    /// `tune merge DIR`), then retrain the best, test it once and save it.
    Tune(tune::TuneArgs),
    /// Write a saved version as an ONNX file, checked against our own predictions.
    Export(export::ExportArgs),
}

impl Command {
    /// The `--threads` of a computing subcommand (`None`: every core).
    fn threads(&self) -> Option<usize> {
        match self {
            Command::Train(train::TrainCommand::Model(args)) => args.device.threads,
            Command::Predict(args) => args.device.threads,
            Command::Profile(args) => args.device.threads,
            Command::Benchmark(args) => args.device.threads,
            Command::Explain(args) => args.threads,
            Command::Tune(args) => args.threads(),
            Command::Export(args) => args.threads,
            Command::Devices(_) | Command::Models(_) => None,
        }
    }
}

/// Runs the parsed command line; `process_start` is when `main` began (profile's cold start is
/// measured from it). The error is printed by `main`.
pub fn run(cli: Cli, process_start: Instant) -> crate::Result<()> {
    crate::cpu::fast::threads::configure(cli.command.threads())?;
    match cli.command {
        Command::Devices(args) => devices::run(&args),
        Command::Train(command) => train::run(&command),
        Command::Models(command) => models::run(&command),
        Command::Predict(args) => predict::run(&args),
        Command::Profile(args) => profile::run(&args, process_start),
        Command::Benchmark(args) => benchmark::run(&args),
        Command::Explain(args) => explain::run(&args),
        Command::Tune(args) => tune::run(&args),
        Command::Export(args) => export::run(&args),
    }
}
