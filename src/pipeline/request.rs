//! `TrainRequest`: everything `atb-gpu train model` (or one row of `benchmark`) was asked to
//! do, as plain data, and its pre-flight: every setting, the model's size and memory, and the
//! destination, checked before any data is loaded into a model or any epoch runs.

use std::path::PathBuf;

use super::memory::MemoryEstimate;
use super::writable::check_writable_dir;
use crate::data::PRICE_FEATURES;
use crate::device::{ComputeDevice, DeviceRequest};
use crate::models::{ModelConfig, ModelType, Overrides, Variant};
use crate::registry::Registry;
use crate::{AtbError, Result};

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
    /// Checkpoint every epoch (neural models), and whether to continue from the checkpoint.
    pub checkpoint: Option<CheckpointRequest>,
}

/// Where a neural fit checkpoints, and whether it continues from the checkpoint there
/// (`train ... --resume`).
#[derive(Debug, Clone, PartialEq)]
pub struct CheckpointRequest {
    /// The checkpoint folder.
    pub dir: PathBuf,
    /// Continue an interrupted run from it.
    pub resume: bool,
}

impl CheckpointRequest {
    /// The checkpoint folder of `symbol`'s `model_type` runs under the registry root
    /// (`MODELS/SYMBOL/checkpoint-MODEL_TYPE`, beside the versions).
    pub fn under(
        models_dir: &std::path::Path,
        symbol: &str,
        model_type: &str,
        resume: bool,
    ) -> Self {
        CheckpointRequest {
            dir: models_dir
                .join(symbol)
                .join(format!("checkpoint-{}", model_type.to_ascii_lowercase())),
            resume,
        }
    }
}

/// What a symbol may look like: 2 to 20 characters, uppercase ASCII letters and digits, with
/// `-` or `_` allowed between them (`BTCUSDT`, `1000PEPEUSDT`, `BTC-USD`). It names a
/// registry folder, so nothing else (no `/`, `.` or lowercase twin of another symbol) passes.
pub const SYMBOL_PATTERN: &str = "^[A-Z0-9][A-Z0-9_-]{0,18}[A-Z0-9]$";

/// Fails unless `symbol` matches [`SYMBOL_PATTERN`].
pub fn check_symbol(symbol: &str) -> Result<()> {
    let b = symbol.as_bytes();
    let edge = |c: &u8| c.is_ascii_uppercase() || c.is_ascii_digit();
    let ok = (2..=20).contains(&b.len())
        && b.first().is_some_and(edge)
        && b.last().is_some_and(edge)
        && b.iter().all(|c| edge(c) || *c == b'-' || *c == b'_');
    if ok {
        return Ok(());
    }
    let hint = if symbol.to_ascii_uppercase() != symbol
        && check_symbol(&symbol.to_ascii_uppercase()).is_ok()
    {
        format!(" (did you mean {}?)", symbol.to_ascii_uppercase())
    } else {
        String::new()
    };
    Err(AtbError::Config(format!(
        "invalid symbol {symbol:?}: use 2 to 20 uppercase letters and digits, '-' or '_' between \
         them ({SYMBOL_PATTERN}){hint}"
    )))
}

/// A setting that must be at least 1.
fn at_least_one(flag: &str, value: usize) -> Result<()> {
    if value == 0 {
        return Err(AtbError::Config(format!(
            "{flag} must be at least 1, got 0"
        )));
    }
    Ok(())
}

impl TrainRequest {
    /// True for the boosting job (`lightgbm`), false for the neural ones.
    pub fn is_boosting(&self) -> bool {
        self.model_type.eq_ignore_ascii_case("lightgbm")
    }

    /// The pre-flight that needs neither data nor a device, run before anything is loaded:
    /// the symbol, `--days`, `--learning-rate`; for neural models also `--epochs`,
    /// `--batch-size`, `--sequence-length`, the model type, variant, every override and the
    /// model's size (see [`neural_config`](Self::neural_config)), and the memory the model and
    /// one batch need against the host's. (The boosting job checks its overrides in
    /// `boosting_params`, also before loading data.)
    pub fn validate(&self) -> Result<()> {
        check_symbol(&self.symbol)?;
        if let Some(days) = self.days {
            at_least_one("--days", days)?;
        }
        if let Some(lr) = self
            .learning_rate
            .filter(|lr| !(lr.is_finite() && *lr > 0.0))
        {
            return Err(AtbError::Config(format!(
                "--learning-rate must be a positive number, got {lr}"
            )));
        }
        if self.is_boosting() {
            if self.checkpoint.as_ref().is_some_and(|c| c.resume) {
                return Err(AtbError::Config(
                    "--resume continues a neural model's fit; lightgbm trains in one go".into(),
                ));
            }
            return Ok(());
        }
        at_least_one("--epochs", self.epochs)?;
        at_least_one("--batch-size", self.batch_size)?;
        at_least_one("--sequence-length", self.sequence_length)?;
        let config = self.neural_config()?;
        self.memory_estimate(&config, 0)?
            .check_here(&ComputeDevice::Cpu)
    }

    /// The neural model's config over the price features (the data's sentiment columns join
    /// it later, when the model asks for them): type, variant and overrides validated, widths
    /// bounded and sizes computed with checked arithmetic.
    pub fn neural_config(&self) -> Result<ModelConfig> {
        let overrides = Overrides::parse(&self.overrides)?;
        ModelConfig::new(
            ModelType::parse(&self.model_type)?,
            (self.sequence_length, PRICE_FEATURES.len()),
            Variant::parse(&self.variant)?,
            &overrides,
        )
    }

    /// The memory a fit of `config` with this request's batch and window length needs, with
    /// `window_values` f32 values of windows over all splits.
    pub fn memory_estimate(
        &self,
        config: &ModelConfig,
        window_values: u64,
    ) -> Result<MemoryEstimate> {
        let t = self.sequence_length;
        let footprint = config.footprint(t).map_err(|_| {
            AtbError::Config(format!(
                "--sequence-length {t}: the model's activations over windows of {t} bars \
                 overflow 64-bit arithmetic"
            ))
        })?;
        MemoryEstimate::of_training(&footprint, self.batch_size, window_values).ok_or_else(|| {
            AtbError::Config(format!(
                "--batch-size {} with --sequence-length {t}: the memory estimate overflows \
                 64-bit arithmetic",
                self.batch_size
            ))
        })
    }

    /// What identifies a run for its checkpoint: every setting but `--epochs` (a resumed run
    /// may go on for more epochs) and the data's fingerprint.
    pub fn checkpoint_key(&self, data_fingerprint: &str) -> String {
        format!(
            "{}|{}|{:?}|{}|{}|{:?}|{}|{}|{}|{:?}|{data_fingerprint}",
            self.model_type.to_ascii_lowercase(),
            self.variant.to_ascii_lowercase(),
            self.days,
            self.batch_size,
            self.sequence_length,
            self.learning_rate,
            self.patience,
            self.seed,
            self.max_gap_bars,
            self.overrides
        )
    }

    /// Where the new version goes, checked before training: `--models-dir` must take files
    /// (a probe file, removed again) and the symbol must have a version number left.
    pub fn check_destination(&self) -> Result<()> {
        check_writable_dir(&self.models_dir, "--models-dir")?;
        let versions = Registry::open(&self.models_dir)?.list(Some(&self.symbol))?;
        if let Some(last) = versions.iter().find(|v| v.number == u32::MAX) {
            return Err(AtbError::Registry(format!(
                "{}: version numbers of {} are exhausted (the last is v{})",
                last.path.display(),
                self.symbol,
                u32::MAX
            )));
        }
        Ok(())
    }
}
