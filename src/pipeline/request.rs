//! `TrainRequest`: everything `atb-gpu train model` was asked to do, as plain data.

use std::path::PathBuf;

use crate::device::DeviceRequest;

/// A training job.
#[derive(Debug, Clone)]
pub struct TrainRequest {
    /// Trading pair, e.g. `BTCUSDT` (names the registry folder).
    pub symbol: String,
    /// `cnn_lstm`, `adaptive`, `attention_lstm`, `tcn`, `tcn_attention` or `lightgbm`.
    pub model_type: String,
    /// `lightweight`, `default` or `deep`.
    pub variant: String,
    /// Only the last N days of candles.
    pub days: Option<usize>,
    /// Maximum epochs (neural models).
    pub epochs: usize,
    /// Samples per step (neural models).
    pub batch_size: usize,
    /// Window length in bars (neural models).
    pub sequence_length: usize,
    /// Initial learning rate (Adam for neural models, shrinkage for boosting).
    pub learning_rate: Option<f64>,
    /// Early-stopping patience in epochs (rounds for boosting).
    pub patience: usize,
    /// Seed of initialisation, shuffling, dropout and sampling.
    pub seed: u64,
    /// Device choice.
    pub device: DeviceRequest,
    /// A CSV file instead of the embedded data.
    pub data: Option<PathBuf>,
    /// Longest run of missing bars gap filling may invent (`--max-gap-bars`).
    pub max_gap_bars: usize,
    /// Registry root.
    pub models_dir: PathBuf,
    /// `key=value` overrides of model hyperparameters.
    pub overrides: Vec<String>,
}
