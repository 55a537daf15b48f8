//! Loading the candles of a job: file or embedded data, gap filling, the `--days` window.

use std::fmt::Write as _;

use super::request::TrainRequest;
use crate::Result;
use crate::data::{Candles, GapReport, fill_gaps, last_days, load_symbol};

/// Candles ready for feature engineering, with what happened to them on the way.
#[derive(Debug, Clone)]
pub struct LoadedCandles {
    /// Gap-filled candles, cut to the requested days.
    pub candles: Candles,
    /// The gaps found and filled.
    pub gaps: GapReport,
    /// Where the data came from (file path or the embedded set).
    pub source: String,
}

impl LoadedCandles {
    /// One or two lines for the user: source, bars, range, gaps.
    pub fn describe(&self) -> String {
        let mut out = String::new();
        let c = &self.candles;
        let (first, last) = (
            c.time_ms.first().copied().unwrap_or(0),
            c.time_ms.last().copied().unwrap_or(0),
        );
        let _ = write!(
            out,
            "data: {} — {} bars from {} to {}; {}",
            self.source,
            c.len(),
            crate::data::time::format_timestamp(first),
            crate::data::time::format_timestamp(last),
            self.gaps
        );
        out
    }
}

/// Loads the request's candles: `--data FILE` or the embedded set, gaps of at most
/// `--max-gap-bars` filled (each missing bar becomes a flat bar at the previous close with zero
/// volume), then the last `--days`.
pub fn load_candles(request: &TrainRequest) -> Result<LoadedCandles> {
    let raw = load_symbol(&request.symbol, request.data.as_deref())?;
    let source = raw.source.clone();
    let (filled, gaps) = fill_gaps(&raw, request.max_gap_bars)?;
    let candles = match request.days {
        Some(days) => last_days(&filled, days)?,
        None => filled,
    };
    Ok(LoadedCandles {
        candles,
        gaps,
        source,
    })
}
