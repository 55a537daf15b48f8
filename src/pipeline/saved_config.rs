//! `config.json` of a neural registry version: everything needed to rebuild the model and
//! its inputs, and to know where it came from.

use serde::{Deserialize, Serialize};

use crate::models::ModelConfig;

/// How the model was trained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingSettings {
    /// Maximum epochs asked for.
    pub epochs: usize,
    /// Epochs actually run.
    pub epochs_run: usize,
    /// Epoch (1-based) whose weights were kept.
    pub best_epoch: Option<usize>,
    /// Samples per step.
    pub batch_size: usize,
    /// Initial learning rate.
    pub learning_rate: f64,
    /// Early-stopping patience.
    pub patience: usize,
    /// Global gradient-norm clip.
    pub clip_norm: f32,
    /// Seed of initialisation, shuffling and dropout.
    pub seed: u64,
}

/// Where the data came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataSummary {
    /// File path or the embedded set.
    pub source: String,
    /// First bar (UTC).
    pub first: String,
    /// Last bar (UTC).
    pub last: String,
    /// Bars after gap filling and the days window.
    pub bars: usize,
    /// Fingerprint of those bars (`Candles::fingerprint`).
    pub fingerprint: String,
    /// `--days`, if given.
    pub days: Option<usize>,
    /// Gaps found and filled (flat bars at the previous close, volume 0).
    pub gaps: String,
    /// Samples in the train / validation / test splits.
    pub samples: [usize; 3],
}

/// The whole `config.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedConfig {
    /// The atb-gpu version that wrote it.
    pub atb_gpu_version: String,
    /// Trading pair.
    pub symbol: String,
    /// Architecture and its hyperparameters (only its own).
    pub model: ModelConfig,
    /// Feature names, in input order.
    pub features: Vec<String>,
    /// True when extra (sentiment) columns were used as features.
    pub uses_extra_columns: bool,
    /// Window length (bars); the model config does not repeat it.
    pub sequence_length: usize,
    /// What the network predicts.
    pub target: String,
    /// Training settings.
    pub training: TrainingSettings,
    /// The data.
    pub data: DataSummary,
    /// The device that trained it.
    pub device: String,
}
