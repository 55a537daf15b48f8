//! `atb-gpu predict SYMBOL [--version latest] [--data FILE]`: the next-bar forecast of a saved
//! neural model from the latest candles.

use std::path::PathBuf;

use clap::Args;

use super::device_args::DeviceArgs;
use crate::Result;
use crate::data::load_symbol;
use crate::device::{ComputeDevice, DeviceRequest};
use crate::pipeline::load_saved_model;

/// Arguments of `atb-gpu predict`.
#[derive(Debug, Args)]
pub struct PredictArgs {
    /// Trading pair.
    pub symbol: String,
    /// `latest`, a version name or `vN`.
    #[arg(long, default_value = "latest")]
    pub version: String,
    /// Candles to forecast from (default: the embedded BTCUSDT data).
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Registry root.
    #[arg(long, default_value = crate::registry::DEFAULT_ROOT)]
    pub models_dir: PathBuf,
    /// Device flags.
    #[command(flatten)]
    pub device: DeviceArgs,
}

/// Runs `atb-gpu predict`.
pub fn run(args: &PredictArgs) -> Result<()> {
    let device = ComputeDevice::open(&DeviceRequest::from_env(
        args.device.device,
        args.device.backend,
    ))?;
    let saved = load_saved_model(&args.models_dir, &args.symbol, &args.version, &device)?;
    let candles = load_symbol(&args.symbol, args.data.as_deref())?;
    let forecast = saved.forecast_next(&candles)?;
    let change = 100.0 * (forecast.next_close / forecast.last_close - 1.0);
    println!(
        "{} {} ({}): last close {:.2} at {}; next-bar forecast {:.2} ({change:+.3}%)",
        saved.version.symbol,
        saved.version.name,
        saved.config.model.model_type().name(),
        forecast.last_close,
        forecast.last_bar,
        forecast.next_close
    );
    Ok(())
}
