//! The default data set shipped inside the binary, symbol lookup, and the `--days` window.
//!
//! `data/BTCUSDT-1h.csv.gz` holds real Binance BTCUSDT 1h candles (2022-07-16 07:00 to
//! 2025-07-15 06:00 UTC, 26,279 bars, one missing bar on 2023-03-24 13:00), compressed with
//! `gzip -9n`, so `atb-gpu train model BTCUSDT` works offline on a fresh machine.

use std::io::Read;
use std::path::Path;

use super::candles::Candles;
use super::csv::{load_csv, parse_csv};
use super::gaps::infer_interval;
use super::time::{DAY_MS, format_interval};
use crate::error::{AtbError, Result};

/// The symbol whose candles are embedded.
pub const EMBEDDED_SYMBOL: &str = "BTCUSDT";

/// Name used for the embedded data in messages.
const EMBEDDED_SOURCE: &str = "<embedded BTCUSDT-1h.csv.gz>";

/// The gzip-compressed CSV.
const EMBEDDED_BTCUSDT_1H: &[u8] = include_bytes!("../../data/BTCUSDT-1h.csv.gz");

/// The embedded BTCUSDT 1h candles, decompressed and validated (gaps not filled).
pub fn embedded_candles() -> Result<Candles> {
    let mut text = Vec::new();
    flate2::read::GzDecoder::new(EMBEDDED_BTCUSDT_1H)
        .read_to_end(&mut text)
        .map_err(|e| AtbError::Data {
            file: EMBEDDED_SOURCE.to_string(),
            line: None,
            column: None,
            message: format!("could not decompress the embedded data: {e}"),
        })?;
    parse_csv(EMBEDDED_SOURCE, &text)
}

/// Candles for `symbol`: from `data` when given, else the embedded set for
/// [`EMBEDDED_SYMBOL`]; any other symbol without a file is an error saying how to pass one.
pub fn load_symbol(symbol: &str, data: Option<&Path>) -> Result<Candles> {
    match data {
        Some(path) => load_csv(path),
        None if symbol.eq_ignore_ascii_case(EMBEDDED_SYMBOL) => embedded_candles(),
        None => Err(AtbError::Data {
            file: symbol.to_string(),
            line: None,
            column: None,
            message: format!(
                "no data is built in (only {EMBEDDED_SYMBOL} is); pass a CSV with \
                 --data FILE (columns date,open,high,low,close,volume or a Binance kline dump)"
            ),
        }),
    }
}

/// The last `days` days of bars: `⌈days × 1 day / interval⌉` bars (24 per day for 1h, 96 for
/// 15m), with the interval inferred from the data. Asking for more than the data holds is an
/// error naming both numbers.
pub fn last_days(candles: &Candles, days: usize) -> Result<Candles> {
    let interval = infer_interval(candles)?;
    let error = |message: String| AtbError::Data {
        file: candles.source.clone(),
        line: None,
        column: None,
        message,
    };
    if days == 0 {
        return Err(error("--days must be at least 1".into()));
    }
    let interval = i128::from(interval);
    let wanted = (days as i128 * i128::from(DAY_MS) + interval - 1) / interval;
    if wanted > candles.len() as i128 {
        return Err(error(format!(
            "--days {days} needs {wanted} bars of {} but the data holds only {} bars ({} days)",
            format_interval(interval as i64),
            candles.len(),
            candles.len() as i128 * interval / i128::from(DAY_MS)
        )));
    }
    let wanted = wanted as usize;
    Ok(candles.slice(candles.len() - wanted..candles.len()))
}
