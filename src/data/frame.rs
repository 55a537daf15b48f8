//! A table of per-bar features, aligned with the bars' times, closes and next closes.

use ndarray::Array2;

use super::candles::Candles;
use super::time::format_timestamp;
use crate::error::{AtbError, Result};

/// Features of consecutive bars, one row per bar, after the warm-up bars were dropped.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureFrame {
    /// Column names, one per column of `values`.
    pub names: Vec<String>,
    /// `[rows, names.len()]`, all finite.
    pub values: Array2<f64>,
    /// Open time of each row's bar, epoch ms.
    pub time_ms: Vec<i64>,
    /// Close of each row's bar.
    pub close: Vec<f64>,
    /// The target: close of the bar after each row's bar; `None` on the last bar.
    pub next_close: Vec<Option<f64>>,
    /// Index in the candles of row 0 (= number of warm-up bars dropped).
    pub first_candle: usize,
}

impl FeatureFrame {
    /// Builds the frame from full-length columns (one value per candle), keeping candles
    /// `first_candle..`. Every kept value must be finite.
    pub(crate) fn from_columns(
        candles: &Candles,
        first_candle: usize,
        columns: Vec<(String, Vec<f64>)>,
    ) -> Result<Self> {
        let n = candles.len();
        if n <= first_candle {
            return Err(AtbError::Data {
                file: candles.source.clone(),
                line: None,
                column: None,
                message: format!(
                    "features need more than {first_candle} bars of history, the data has {n}"
                ),
            });
        }
        let rows = n - first_candle;
        let mut values = Array2::zeros((rows, columns.len()));
        for (c, (name, column)) in columns.iter().enumerate() {
            for r in 0..rows {
                let v = column[first_candle + r];
                if !v.is_finite() {
                    return Err(AtbError::Data {
                        file: candles.source.clone(),
                        line: None,
                        column: Some(name.clone()),
                        message: format!(
                            "feature is {v} at {}",
                            format_timestamp(candles.time_ms[first_candle + r])
                        ),
                    });
                }
                values[[r, c]] = v;
            }
        }
        Ok(Self {
            names: columns.into_iter().map(|(name, _)| name).collect(),
            values,
            time_ms: candles.time_ms[first_candle..].to_vec(),
            close: candles.close[first_candle..].to_vec(),
            next_close: (first_candle..n)
                .map(|i| candles.close.get(i + 1).copied())
                .collect(),
            first_candle,
        })
    }

    /// Number of rows (bars).
    pub fn rows(&self) -> usize {
        self.values.nrows()
    }
}
