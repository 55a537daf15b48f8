//! `atb-gpu train model SYMBOL ...`: trains, evaluates beside persistence, saves a version.

use std::io::Write as _;
use std::path::PathBuf;
use std::time::Instant;

use clap::{Args, Subcommand};

use super::device_args::DeviceArgs;
use super::gap_args::GapArgs;
use crate::Result;
use crate::device::DeviceRequest;
use crate::pipeline::{
    CheckpointRequest, TrainOutcome, TrainRequest, train_lightgbm, train_neural,
};
use crate::train::EpochMetrics;

/// What to train.
#[derive(Debug, Subcommand)]
pub enum TrainCommand {
    /// Train a price-forecasting model for SYMBOL (next-hour close).
    Model(TrainModelArgs),
}

/// Arguments of `atb-gpu train model`.
#[derive(Debug, Args)]
pub struct TrainModelArgs {
    /// Trading pair, e.g. BTCUSDT (the embedded data set) or any symbol with --data.
    pub symbol: String,
    /// cnn_lstm (alias adaptive), attention_lstm, tcn, tcn_attention or lightgbm.
    #[arg(long, default_value = "cnn_lstm")]
    pub model_type: String,
    /// lightweight, default or deep.
    #[arg(long, default_value = "default")]
    pub variant: String,
    /// Train on the last N days only.
    #[arg(long)]
    pub days: Option<usize>,
    /// Maximum epochs.
    #[arg(long, default_value_t = 100)]
    pub epochs: usize,
    /// Samples per training step.
    #[arg(long, default_value_t = 32)]
    pub batch_size: usize,
    /// Bars per input window.
    #[arg(long, default_value_t = 60)]
    pub sequence_length: usize,
    /// Initial learning rate (default 1e-3 for neural models, 0.05 shrinkage for boosting).
    #[arg(long)]
    pub learning_rate: Option<f64>,
    /// Early-stopping patience in epochs.
    #[arg(long, default_value_t = 15)]
    pub patience: usize,
    /// Seed of initialisation, shuffling, dropout and sampling.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Device flags.
    #[command(flatten)]
    pub device: DeviceArgs,
    /// OHLCV CSV file (header with date or open_time, or Binance's 12-column kline dump).
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Gap-filling bound.
    #[command(flatten)]
    pub gaps: GapArgs,
    /// Registry root.
    #[arg(long, default_value = crate::registry::DEFAULT_ROOT)]
    pub models_dir: PathBuf,
    /// Override a hyperparameter, e.g. --set lstm_units=[256,128] --set dropout=0.3.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub overrides: Vec<String>,
    /// Continue an interrupted neural run from its checkpoint (MODELS/SYMBOL/checkpoint-TYPE,
    /// written after every epoch); the settings must be the same, --epochs may grow.
    #[arg(long)]
    pub resume: bool,
}

impl TrainModelArgs {
    /// The job as plain data.
    pub fn request(&self) -> TrainRequest {
        TrainRequest {
            symbol: self.symbol.clone(),
            model_type: self.model_type.clone(),
            variant: self.variant.clone(),
            days: self.days,
            epochs: self.epochs,
            batch_size: self.batch_size,
            sequence_length: self.sequence_length,
            learning_rate: self.learning_rate,
            patience: self.patience,
            seed: self.seed,
            device: DeviceRequest::from_env(self.device.device, self.device.backend),
            data: self.data.clone(),
            max_gap_bars: self.gaps.max_gap_bars,
            models_dir: self.models_dir.clone(),
            overrides: self.overrides.clone(),
            checkpoint: Some(CheckpointRequest::under(
                &self.models_dir,
                &self.symbol,
                &self.model_type,
                self.resume,
            )),
        }
    }
}

/// One progress line per epoch: loss, val_loss, time and the ETA of the remaining epochs.
fn progress(epochs: usize) -> impl FnMut(usize, &EpochMetrics) {
    let started = Instant::now();
    move |epoch, m| {
        let done = epoch + 1;
        let per_epoch = started.elapsed().as_secs_f64() / done as f64;
        let eta = per_epoch * epochs.saturating_sub(done) as f64;
        println!(
            "epoch {done:>3}/{epochs} [{}{}] loss {:.5} val_loss {:.5} rmse {:.4} val_rmse {:.4} lr {:.1e} {:.1}s (ETA {:.0}s at most)",
            "#".repeat(20 * done / epochs.max(1)),
            ".".repeat(20 - 20 * done / epochs.max(1)),
            m.loss,
            m.val_loss,
            m.rmse,
            m.val_rmse,
            m.learning_rate,
            m.seconds,
            eta
        );
        let _ = std::io::stdout().flush();
    }
}

/// Runs `atb-gpu train ...`.
pub fn run(command: &TrainCommand) -> Result<()> {
    let TrainCommand::Model(args) = command;
    let request = args.request();
    println!(
        "training {} ({}) for {} on {} ...",
        request.model_type,
        request.variant,
        request.symbol,
        request
            .data
            .as_ref()
            .map_or("the embedded data".to_string(), |p| p.display().to_string())
    );
    let outcome: TrainOutcome = if request.is_boosting() {
        train_lightgbm(&request)?
    } else {
        train_neural(&request, progress(request.epochs))?
    };
    println!("{outcome}");
    Ok(())
}
