//! `atb-gpu profile SYMBOL [--version V] [--data FILE] [--runs N] [--json FILE]`: serves a
//! saved version without retraining and reports cold start, latency, throughput, memory and
//! the guide's production targets.

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;

use super::device_args::DeviceArgs;
use super::gap_args::GapArgs;
use crate::device::DeviceRequest;
use crate::pipeline::{ProfileRequest, profile};
use crate::{AtbError, Result};

/// Arguments of `atb-gpu profile`.
#[derive(Debug, Args)]
pub struct ProfileArgs {
    /// Trading pair.
    pub symbol: String,
    /// `latest` (the newest complete version), a version name or `vN`.
    #[arg(long, default_value = "latest")]
    pub version: String,
    /// Candles whose windows are forecast (default: the embedded BTCUSDT data).
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Registry root.
    #[arg(long, default_value = crate::registry::DEFAULT_ROOT)]
    pub models_dir: PathBuf,
    /// Measured single-window forecasts (after 10 warm-up ones).
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u64).range(1..))]
    pub runs: u64,
    /// Also write the report as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Device flags.
    #[command(flatten)]
    pub device: DeviceArgs,
    /// Gap-filling bound.
    #[command(flatten)]
    pub gaps: GapArgs,
}

/// Runs `atb-gpu profile`; `process_start` is when the process started.
pub fn run(args: &ProfileArgs, process_start: Instant) -> Result<()> {
    let report = profile(&ProfileRequest {
        models_dir: args.models_dir.clone(),
        symbol: args.symbol.clone(),
        version: args.version.clone(),
        data: args.data.clone(),
        device: DeviceRequest::from_env(args.device.device, args.device.backend),
        runs: usize::try_from(args.runs).unwrap_or(usize::MAX),
        max_gap_bars: args.gaps.max_gap_bars,
        process_start,
    })?;
    print!("{report}");
    if let Some(path) = &args.json {
        let mut json = serde_json::to_vec_pretty(&report)
            .map_err(|e| AtbError::Config(format!("cannot encode the profile as JSON: {e}")))?;
        json.push(b'\n');
        std::fs::write(path, json).map_err(|source| AtbError::Io {
            path: path.clone(),
            source,
        })?;
        println!("report: {}", path.display());
    }
    Ok(())
}
