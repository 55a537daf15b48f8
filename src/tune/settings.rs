//! `TuneSettings`: what every configuration of one tuning run shares, saved in `tuning.json`
//! so that shards run elsewhere can be checked against each other before they are merged.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::metric::Metric;
use crate::data::DEFAULT_MAX_GAP_BARS;
use crate::device::DeviceRequest;
use crate::pipeline::TrainRequest;
use crate::{AtbError, Result};

/// The grid key of neural models that sets the optimiser, not the network.
pub const LEARNING_RATE: &str = "learning_rate";

/// The settings of a tuning run (everything but the grid).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TuneSettings {
    /// Trading pair.
    pub symbol: String,
    /// Model type (`lightgbm` or a neural type).
    pub model_type: String,
    /// Size preset the grid's values apply to.
    pub variant: String,
    /// Only the last N days of candles.
    pub days: Option<usize>,
    /// A CSV file instead of the embedded data.
    pub data: Option<PathBuf>,
    /// Maximum epochs of every neural fit.
    pub epochs: usize,
    /// Samples per step (neural models).
    pub batch_size: usize,
    /// Window length in bars (neural models).
    pub sequence_length: usize,
    /// Early-stopping patience (epochs, or rounds for boosting).
    pub patience: usize,
    /// Seed of every fit.
    pub seed: u64,
    /// Walk-forward folds per configuration.
    pub folds: usize,
    /// What ranks the configurations.
    pub metric: Metric,
}

impl TuneSettings {
    /// True for the boosting model.
    pub fn is_boosting(&self) -> bool {
        self.model_type.eq_ignore_ascii_case("lightgbm")
    }

    /// The training request of one configuration: neural models take `learning_rate` as the
    /// optimiser's rate and every other key as a `--set` override; boosting takes them all as
    /// overrides.
    pub fn request(
        &self,
        parameters: &[(String, String)],
        device: DeviceRequest,
        models_dir: &Path,
    ) -> Result<TrainRequest> {
        let mut learning_rate = None;
        let mut overrides = Vec::with_capacity(parameters.len());
        for (key, value) in parameters {
            if key == LEARNING_RATE && !self.is_boosting() {
                learning_rate = Some(positive_number(key, value)?);
            } else {
                overrides.push(format!("{key}={value}"));
            }
        }
        Ok(TrainRequest {
            symbol: self.symbol.clone(),
            model_type: self.model_type.clone(),
            variant: self.variant.clone(),
            days: self.days,
            epochs: self.epochs,
            batch_size: self.batch_size,
            sequence_length: self.sequence_length,
            learning_rate,
            patience: self.patience,
            seed: self.seed,
            max_gap_bars: DEFAULT_MAX_GAP_BARS,
            device,
            data: self.data.clone(),
            models_dir: models_dir.to_path_buf(),
            overrides,
            checkpoint: None,
        })
    }
}

/// A finite number above zero, or an error naming the key.
fn positive_number(key: &str, value: &str) -> Result<f64> {
    match value.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        _ => Err(AtbError::Config(format!(
            "invalid value for '{key}': '{value}' (expected a positive number)"
        ))),
    }
}
