//! The `atb-gpu` command line: one module per subcommand.

pub mod benchmark;
pub mod device_args;
pub mod devices;
pub mod explain;
pub mod export;
pub mod models;
pub mod predict;
pub mod train;

use clap::{Parser, Subcommand};

pub use device_args::DeviceArgs;

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
    /// Forecast the next bar with a saved model.
    Predict(predict::PredictArgs),
    /// Train every model on one split and print the comparison table.
    Benchmark(benchmark::BenchmarkArgs),
    /// Attention weights of a saved attention model over the latest window (heatmap PNG).
    Explain(explain::ExplainArgs),
    /// Write a saved version as an ONNX file, checked against our own predictions.
    Export(export::ExportArgs),
}

impl Command {
    /// The `--threads` of a computing subcommand (`None`: every core).
    fn threads(&self) -> Option<usize> {
        match self {
            Command::Train(train::TrainCommand::Model(args)) => args.device.threads,
            Command::Predict(args) => args.device.threads,
            Command::Benchmark(args) => args.device.threads,
            Command::Explain(args) => args.threads,
            Command::Export(args) => args.threads,
            Command::Devices(_) | Command::Models(_) => None,
        }
    }
}

/// Runs the parsed command line; the error is printed by `main`.
pub fn run(cli: Cli) -> crate::Result<()> {
    crate::cpu::fast::threads::configure(cli.command.threads())?;
    match cli.command {
        Command::Devices(args) => devices::run(&args),
        Command::Train(command) => train::run(&command),
        Command::Models(command) => models::run(&command),
        Command::Predict(args) => predict::run(&args),
        Command::Benchmark(args) => benchmark::run(&args),
        Command::Explain(args) => explain::run(&args),
        Command::Export(args) => export::run(&args),
    }
}
