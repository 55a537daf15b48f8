//! `atb-gpu predict SYMBOL [--version latest] [--data FILE] [--json] [--all --out FILE]`: the
//! next-bar forecast of a saved model (any type) from the latest candles, as a line or one
//! JSON object; with `--all`, a forecast for every window of the data as CSV (a backtest's
//! input).

use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

use super::device_args::DeviceArgs;
use super::gap_args::GapArgs;
use crate::data::load_symbol;
use crate::device::{ComputeDevice, DeviceRequest};
use crate::eval::significant;
use crate::pipeline::{Forecast, SavedForecaster, forecasts_csv, load_forecaster};
use crate::{AtbError, Result};

/// Arguments of `atb-gpu predict`.
#[derive(Debug, Args)]
pub struct PredictArgs {
    /// Trading pair.
    pub symbol: String,
    /// `latest` (the newest complete version), a version name or `vN`.
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
    /// Print one JSON object (symbol, version, model_type, last_bar_time, last_close,
    /// forecast, change_percent) instead of a sentence.
    #[arg(long)]
    pub json: bool,
    /// Forecast every window of the data and write them to --out as CSV
    /// (time, close, forecast, change_pct).
    #[arg(long, requires = "out")]
    pub all: bool,
    /// The CSV file of --all.
    #[arg(long, requires = "all")]
    pub out: Option<PathBuf>,
    /// Device flags.
    #[command(flatten)]
    pub device: DeviceArgs,
}

/// Significant digits of printed prices: a coin at 0.17 and one at 117,000 both show the
/// forecast's change.
const PRICE_DIGITS: usize = 8;

/// What `predict --json` prints.
#[derive(Debug, Serialize)]
struct PredictionJson<'a> {
    symbol: &'a str,
    version: &'a str,
    model_type: &'a str,
    last_bar_time: &'a str,
    last_close: f64,
    forecast: f64,
    change_percent: f64,
}

/// Prints the forecast after the last bar as a sentence or as JSON.
fn print_forecast(saved: &SavedForecaster, forecast: &Forecast, json: bool) -> Result<()> {
    let version = saved.version();
    if json {
        let line = serde_json::to_string(&PredictionJson {
            symbol: &version.symbol,
            version: &version.name,
            model_type: saved.model_type(),
            last_bar_time: &forecast.last_bar,
            last_close: forecast.last_close,
            forecast: forecast.next_close,
            change_percent: forecast.change_percent(),
        })
        .map_err(|e| AtbError::Config(format!("cannot encode the forecast as JSON: {e}")))?;
        println!("{line}");
    } else {
        println!(
            "{} {} ({}): last close {} at {}; next-bar forecast {} ({:+.3}%)",
            version.symbol,
            version.name,
            saved.model_type(),
            significant(forecast.last_close, PRICE_DIGITS),
            forecast.last_bar,
            significant(forecast.next_close, PRICE_DIGITS),
            forecast.change_percent()
        );
    }
    Ok(())
}

/// Runs `atb-gpu predict`.
pub fn run(args: &PredictArgs) -> Result<()> {
    let device = ComputeDevice::open(&DeviceRequest::from_env(
        args.device.device,
        args.device.backend,
    ))?;
    let saved = load_forecaster(&args.models_dir, &args.symbol, &args.version, &device)?;
    let candles = load_symbol(&args.symbol, args.data.as_deref())?;
    let Some(out) = args.out.as_ref().filter(|_| args.all) else {
        return print_forecast(
            &saved,
            &saved.forecast_next(&candles, args.gaps.max_gap_bars)?,
            args.json,
        );
    };
    let forecasts = saved.forecast_all(&candles, args.gaps.max_gap_bars)?;
    std::fs::write(out, forecasts_csv(&forecasts)).map_err(|source| AtbError::Io {
        path: out.clone(),
        source,
    })?;
    let last = forecasts
        .last()
        .ok_or_else(|| AtbError::Config("the data gives no window to forecast from".into()))?;
    if !args.json {
        println!(
            "wrote {} forecasts (one per window) to {}",
            forecasts.len(),
            out.display()
        );
    }
    print_forecast(&saved, last, args.json)
}
