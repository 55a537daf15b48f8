//! `atb-gpu predict SYMBOL [--version latest] [--data FILE]`: the next-bar forecast of a saved
//! neural model from the latest candles.

use std::path::PathBuf;

use clap::Args;

use super::device_args::DeviceArgs;
use super::gap_args::GapArgs;
use crate::Result;
use crate::data::load_symbol;
use crate::device::{ComputeDevice, DeviceRequest};
use crate::eval::significant;
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
    /// Gap-filling bound.
    #[command(flatten)]
    pub gaps: GapArgs,
    /// Registry root.
    #[arg(long, default_value = crate::registry::DEFAULT_ROOT)]
    pub models_dir: PathBuf,
    /// Device flags.
    #[command(flatten)]
    pub device: DeviceArgs,
}

/// Significant digits of printed prices: a coin at 0.17 and one at 117,000 both show the
/// forecast's change.
const PRICE_DIGITS: usize = 8;

/// Runs `atb-gpu predict`.
pub fn run(args: &PredictArgs) -> Result<()> {
    let device = ComputeDevice::open(&DeviceRequest::from_env(
        args.device.device,
        args.device.backend,
    ))?;
    let saved = load_saved_model(&args.models_dir, &args.symbol, &args.version, &device)?;
    let candles = load_symbol(&args.symbol, args.data.as_deref())?;
    let forecast = saved.forecast_next(&candles, args.gaps.max_gap_bars)?;
    let change = 100.0 * (forecast.next_close / forecast.last_close - 1.0);
    println!(
        "{} {} ({}): last close {} at {}; next-bar forecast {} ({change:+.3}%)",
        saved.version.symbol,
        saved.version.name,
        saved.config.model.model_type().name(),
        significant(forecast.last_close, PRICE_DIGITS),
        forecast.last_bar,
        significant(forecast.next_close, PRICE_DIGITS)
    );
    Ok(())
}
