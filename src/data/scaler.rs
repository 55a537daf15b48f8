//! Standardisation fit on the training split only, saved beside a model as `scaler.json`.
//!
//! Features: `(x − mean) / std` per column. Target: the next bar's log return
//! `ln(next_close / close)`, standardised the same way; [`TargetScaler::inverse`] maps a scaled
//! prediction back to a price. Standard deviations are population ones (divide by n); a
//! column with std below 1e-12 (constant on train) gets std 1 so it scales to `x − mean`.

use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::error::{AtbError, Result};

/// Smallest standard deviation used as is; below it, 1 is used.
const MIN_STD: f64 = 1e-12;

/// Per-column mean and standard deviation of the features.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureScaler {
    /// Feature names, in column order.
    pub names: Vec<String>,
    /// Column means on the training rows.
    pub mean: Vec<f64>,
    /// Column standard deviations on the training rows (1 where constant).
    pub std: Vec<f64>,
}

impl FeatureScaler {
    /// Fits on `rows × names.len()` training values.
    pub fn fit(names: &[String], train: ArrayView2<f64>) -> Self {
        let n = train.nrows().max(1) as f64;
        let mean: Vec<f64> = train.columns().into_iter().map(|c| c.sum() / n).collect();
        let std = train
            .columns()
            .into_iter()
            .zip(&mean)
            .map(|(c, m)| {
                let sd = (c.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / n).sqrt();
                if sd < MIN_STD { 1.0 } else { sd }
            })
            .collect();
        Self {
            names: names.to_vec(),
            mean,
            std,
        }
    }

    /// Standardises `values` (same columns as the fit) into f32.
    pub fn transform(&self, values: ArrayView2<f64>) -> Result<Array2<f32>> {
        if values.ncols() != self.mean.len() {
            return Err(AtbError::Shape {
                op: "FeatureScaler::transform",
                detail: format!(
                    "the scaler has {} features, the data {}",
                    self.mean.len(),
                    values.ncols()
                ),
            });
        }
        let mut out = Array2::zeros(values.raw_dim());
        for ((r, c), v) in values.indexed_iter() {
            let scaled = ((v - self.mean[c]) / self.std[c]) as f32;
            if !scaled.is_finite() {
                return Err(AtbError::NonFinite(format!(
                    "feature '{}' = {v} scales to {scaled} with mean {:e} and std {:e} \
                     (a scaler that does not fit this data)",
                    self.names.get(c).map_or("?", String::as_str),
                    self.mean[c],
                    self.std[c]
                )));
            }
            out[[r, c]] = scaled;
        }
        Ok(out)
    }
}

/// Mean and standard deviation of the next-bar log return on the training samples.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TargetScaler {
    /// Mean log return.
    pub mean: f64,
    /// Standard deviation of the log return (1 where constant).
    pub std: f64,
}

impl TargetScaler {
    /// Fits on training log returns.
    pub fn fit(log_returns: &[f64]) -> Self {
        let n = log_returns.len().max(1) as f64;
        let mean = log_returns.iter().sum::<f64>() / n;
        let sd = (log_returns
            .iter()
            .map(|v| (v - mean) * (v - mean))
            .sum::<f64>()
            / n)
            .sqrt();
        Self {
            mean,
            std: if sd < MIN_STD { 1.0 } else { sd },
        }
    }

    /// The scaled target of a move from `prev_close` to `next_close`.
    pub fn scale(&self, prev_close: f64, next_close: f64) -> f64 {
        ((next_close / prev_close).ln() - self.mean) / self.std
    }

    /// The price a scaled prediction stands for: `prev_close · exp(scaled·std + mean)`.
    pub fn inverse(&self, scaled: f64, prev_close: f64) -> f64 {
        prev_close * (scaled * self.std + self.mean).exp()
    }
}

/// Everything needed to scale inputs and unscale outputs of a trained model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scalers {
    /// Feature standardisation.
    pub features: FeatureScaler,
    /// Target standardisation.
    pub target: TargetScaler,
}

impl Scalers {
    /// Pretty JSON (the content of `scaler.json`); numbers round-trip exactly.
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self).map_err(|e| AtbError::Data {
            file: "scaler.json".into(),
            line: None,
            column: None,
            message: format!("could not serialise the scalers: {e}"),
        })
    }

    /// Reads scalers back from JSON; `source` names the text in errors.
    pub fn from_json(source: &str, text: &str) -> Result<Self> {
        let error = |line: Option<usize>, message: String| AtbError::Data {
            file: source.to_string(),
            line,
            column: None,
            message,
        };
        let scalers: Self =
            serde_json::from_str(text).map_err(|e| error(Some(e.line()), e.to_string()))?;
        let f = &scalers.features;
        if f.mean.len() != f.names.len() || f.std.len() != f.names.len() {
            return Err(error(
                None,
                format!(
                    "{} feature names but {} means and {} standard deviations",
                    f.names.len(),
                    f.mean.len(),
                    f.std.len()
                ),
            ));
        }
        let all_std = f.std.iter().chain([&scalers.target.std]);
        if all_std.into_iter().any(|s| !(s.is_finite() && *s > 0.0)) {
            return Err(error(None, "standard deviations must be positive".into()));
        }
        Ok(scalers)
    }
}
