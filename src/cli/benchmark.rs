//! `atb-gpu benchmark`: the guide's comparison table on one split.

use std::path::PathBuf;

use clap::Args;

use super::device_args::DeviceArgs;
use super::gap_args::GapArgs;
use crate::device::DeviceRequest;
use crate::pipeline::{TrainRequest, benchmark, check_writable_file};
use crate::{AtbError, Result};

/// Arguments of `atb-gpu benchmark`.
#[derive(Debug, Args)]
pub struct BenchmarkArgs {
    /// Trading pair (BTCUSDT uses the embedded data).
    #[arg(default_value = "BTCUSDT")]
    pub symbol: String,
    /// Comma-separated model types.
    #[arg(
        long,
        default_value = "cnn_lstm,attention_lstm,tcn,tcn_attention,lightgbm",
        value_delimiter = ','
    )]
    pub models: Vec<String>,
    /// Variant of every model.
    #[arg(long, default_value = "default")]
    pub variant: String,
    /// Last N days of data.
    #[arg(long, default_value_t = 365)]
    pub days: usize,
    /// Maximum epochs per model.
    #[arg(long, default_value_t = 10)]
    pub epochs: usize,
    /// Samples per step.
    #[arg(long, default_value_t = 32)]
    pub batch_size: usize,
    /// Bars per window.
    #[arg(long, default_value_t = 60)]
    pub sequence_length: usize,
    /// Early-stopping patience.
    #[arg(long, default_value_t = 5)]
    pub patience: usize,
    /// Seed.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Device flags.
    #[command(flatten)]
    pub device: DeviceArgs,
    /// OHLCV CSV instead of the embedded data.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Gap-filling bound.
    #[command(flatten)]
    pub gaps: GapArgs,
    /// Also write the numbers as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
}

/// Runs `atb-gpu benchmark`.
pub fn run(args: &BenchmarkArgs) -> Result<()> {
    let base = TrainRequest {
        symbol: args.symbol.clone(),
        model_type: String::new(),
        variant: args.variant.clone(),
        days: Some(args.days),
        epochs: args.epochs,
        batch_size: args.batch_size,
        sequence_length: args.sequence_length,
        learning_rate: None,
        patience: args.patience,
        seed: args.seed,
        device: DeviceRequest::from_env(args.device.device, args.device.backend),
        data: args.data.clone(),
        max_gap_bars: args.gaps.max_gap_bars,
        models_dir: PathBuf::new(),
        overrides: Vec::new(),
        checkpoint: None,
    };
    if let Some(path) = &args.json {
        check_writable_file(path, "--json")?;
    }
    let report = benchmark(&base, &args.models, |m| println!("training {m} ..."))?;
    println!("{report}");
    if let Some(path) = &args.json {
        let text = serde_json::to_string_pretty(&report)
            .map_err(|e| AtbError::Config(format!("serialising the report: {e}")))?;
        std::fs::write(path, text).map_err(|source| AtbError::Io {
            path: path.clone(),
            source,
        })?;
        println!("wrote {}", path.display());
    }
    Ok(())
}
