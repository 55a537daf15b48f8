//! Every window of some candles made ready for a saved model — the inputs of `predict`,
//! `predict --all` and `profile` — and the forecast of one window.

use std::ops::Range;

use ndarray::{Array2, s};

use crate::data::time::format_timestamp;
use crate::gbdt::FeatureMatrix;
use crate::{AtbError, Result, Tensor};

/// A forecast of the bar after a window's last bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Forecast {
    /// Open time of the window's last bar (UTC).
    pub last_bar: String,
    /// Its close.
    pub last_close: f64,
    /// Forecast close of the next bar.
    pub next_close: f64,
}

impl Forecast {
    /// The forecast change from the last close, in percent.
    pub fn change_percent(&self) -> f64 {
        100.0 * (self.next_close / self.last_close - 1.0)
    }
}

/// `forecasts` as CSV, one row per window: `time` (open time of the window's last bar, UTC),
/// `close` (its close), `forecast` (the next bar's forecast close), `change_pct`.
pub fn forecasts_csv(forecasts: &[Forecast]) -> String {
    let mut csv = String::from("time,close,forecast,change_pct\n");
    for f in forecasts {
        csv.push_str(&format!(
            "{},{},{},{}\n",
            f.last_bar,
            f.last_close,
            f.next_close,
            f.change_percent()
        ));
    }
    csv
}

/// What the model reads for each window.
#[derive(Debug, Clone)]
enum WindowInputs {
    /// Scaled feature rows `[rows, F]`; window `i` is rows `i .. i + sequence_length`.
    Sequences {
        scaled: Array2<f32>,
        sequence_length: usize,
    },
    /// One tabular feature row per window.
    Rows(FeatureMatrix),
}

/// Every window of some candles, oldest first: window `i` ends at bar `time_ms[i]` and
/// forecasts the bar after it (the last window forecasts the bar after the data).
#[derive(Debug, Clone)]
pub struct PreparedWindows {
    /// Open time of each window's last bar, epoch ms.
    pub time_ms: Vec<i64>,
    /// Close of each window's last bar.
    pub close: Vec<f64>,
    inputs: WindowInputs,
}

impl PreparedWindows {
    /// Windows of `sequence_length` scaled rows over `scaled` [rows, F], with each row's bar
    /// time and close.
    pub(crate) fn sequences(
        scaled: Array2<f32>,
        sequence_length: usize,
        time_ms: &[i64],
        close: &[f64],
    ) -> Result<Self> {
        let rows = scaled.nrows();
        if sequence_length == 0 || rows < sequence_length {
            return Err(AtbError::InvalidSetting {
                name: "sequence length",
                message: format!(
                    "a window of {sequence_length} bars needs that many rows of features; the data gives {rows}"
                ),
            });
        }
        let first = sequence_length - 1;
        Ok(Self {
            time_ms: time_ms[first..].to_vec(),
            close: close[first..].to_vec(),
            inputs: WindowInputs::Sequences {
                scaled,
                sequence_length,
            },
        })
    }

    /// One window per row of `x`, with each row's bar time and close.
    pub(crate) fn rows(x: FeatureMatrix, time_ms: &[i64], close: &[f64]) -> Self {
        Self {
            time_ms: time_ms.to_vec(),
            close: close.to_vec(),
            inputs: WindowInputs::Rows(x),
        }
    }

    /// Number of windows.
    pub fn len(&self) -> usize {
        self.time_ms.len()
    }

    /// True when there is no window.
    pub fn is_empty(&self) -> bool {
        self.time_ms.is_empty()
    }

    /// Windows `range` as one `[len, T, F]` tensor (sequence models only).
    pub(crate) fn sequence_batch(&self, range: Range<usize>) -> Result<Tensor> {
        let WindowInputs::Sequences {
            scaled,
            sequence_length,
        } = &self.inputs
        else {
            return Err(AtbError::Config(
                "these windows are tabular rows, not sequences".into(),
            ));
        };
        let (t, f) = (*sequence_length, scaled.ncols());
        let mut values = Vec::with_capacity(range.len() * t * f);
        for i in range.clone() {
            values.extend(scaled.slice(s![i..i + t, ..]).iter().copied());
        }
        Tensor::from_vec(&[range.len(), t, f], values)
    }

    /// Windows `range` as feature rows (tabular models only).
    pub(crate) fn row_batch(&self, range: Range<usize>) -> Result<FeatureMatrix> {
        let WindowInputs::Rows(x) = &self.inputs else {
            return Err(AtbError::Config(
                "these windows are sequences, not tabular rows".into(),
            ));
        };
        let cols = x.cols();
        FeatureMatrix::new(
            range.len(),
            cols,
            x.values()[range.start * cols..range.end * cols].to_vec(),
            x.names().to_vec(),
        )
    }

    /// The forecasts of windows `range` from their next closes; a non-finite one is an error
    /// naming its window.
    pub(crate) fn forecasts(&self, range: Range<usize>, next: &[f64]) -> Result<Vec<Forecast>> {
        range
            .zip(next)
            .map(|(i, &next_close)| {
                let last_bar = format_timestamp(self.time_ms[i]);
                if !next_close.is_finite() {
                    return Err(AtbError::NonFinite(format!(
                        "the forecast after the bar of {last_bar} is {next_close}, not a price: \
                         the model's weights, model file or scaler.json do not fit these candles"
                    )));
                }
                Ok(Forecast {
                    last_bar,
                    last_close: self.close[i],
                    next_close,
                })
            })
            .collect()
    }
}
