//! The neural job of `atb-gpu train model`: features and windows, the model factory, the
//! compiled fit loop, test metrics beside persistence, and the registry version.

use std::time::Instant;

use super::candles::load_candles;
use super::outcome::TrainOutcome;
use super::request::TrainRequest;
use super::saved_config::{DataSummary, SavedConfig, TrainingSettings};
use crate::data::time::format_timestamp;
use crate::data::{
    Dataset, FeatureSet, SplitFractions, SplitRanges, WindowConfig, WindowSet, chronological_split,
    engineer_features, make_windows_on,
};
use crate::device::ComputeDevice;
use crate::error::warn;
use crate::eval::Comparison;
use crate::models::Model;
use crate::ops::AdamConfig;
use crate::plots::{TrainingCurves, history_png};
use crate::registry::{PendingVersion, Registry, VersionInfo};
use crate::train::{
    CheckpointPlan, DeviceDataset, EpochMetrics, FitConfig, fit, get_model_callbacks, predict,
};
use crate::{AtbError, Result};

/// Gradient-norm clip of every neural fit.
const CLIP_NORM: f32 = 1.0;

/// What the networks predict.
pub const TARGET: &str =
    "next-bar log return ln(close[t+1]/close[t]), standardised with training-split mean and std";

/// Uploads one split.
pub(crate) fn device_windows(device: &ComputeDevice, set: &WindowSet) -> Result<DeviceDataset> {
    let shape = set.x.shape();
    let sample = [shape[1], shape[2]];
    let x: Vec<f32> = set.x.iter().copied().collect();
    let y: Vec<f32> = set.y.iter().copied().collect();
    DeviceDataset::new(device, x, y, &sample)
}

/// Predicted next closes (price units) of a split.
pub(crate) fn price_forecasts(
    model: &Model,
    data: &Dataset,
    set: &WindowSet,
    on: &DeviceDataset,
) -> Result<Vec<f64>> {
    let scaled = predict(&model.network, &model.params, on)?;
    Ok(scaled
        .iter()
        .zip(&set.prev_close)
        .map(|(&p, &prev)| data.scalers.target.inverse(f64::from(p), prev))
        .collect())
}

/// A trained neural model with everything needed to evaluate and save it.
pub struct TrainedNeural {
    /// The model with its best weights.
    pub model: Model,
    /// The windows it was trained and tested on (with the scalers).
    pub data: Dataset,
    /// The test split on the model's device.
    pub test_set: DeviceDataset,
    /// Test metrics in price units beside persistence.
    pub comparison: Comparison,
    /// The `config.json` to save.
    pub saved: SavedConfig,
    /// Per-epoch metrics.
    pub history: crate::train::History,
    /// Seconds of training.
    pub train_seconds: f64,
}

/// Trains a neural model as `request` says, reports every epoch to `on_epoch`, evaluates on
/// the test split beside persistence and saves a registry version.
pub fn train_neural(
    request: &TrainRequest,
    on_epoch: impl FnMut(usize, &EpochMetrics),
) -> Result<TrainOutcome> {
    request.validate()?;
    request.check_destination()?;
    let trained = fit_neural(request, on_epoch)?;
    let version = save_neural(request, &trained)?;
    if let Some(checkpoint) = &request.checkpoint {
        // The run is saved: its checkpoint has served.
        for dir in [
            checkpoint.dir.clone(),
            checkpoint.dir.with_extension("old"),
            checkpoint.dir.with_extension("new"),
        ] {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
    Ok(TrainOutcome {
        version,
        comparison: trained.comparison,
        train_seconds: trained.train_seconds,
        device: trained.saved.device,
    })
}

/// f32 values in the windows of every split of `rows` bars cut into windows of `t` bars of
/// `features` values (0 when the splits are too short: `make_windows` reports that).
fn window_values(rows: usize, t: usize, features: usize) -> Option<u64> {
    let Ok(ranges) = chronological_split(rows, WindowConfig::default().split) else {
        return Some(0);
    };
    [ranges.train, ranges.validation, ranges.test]
        .iter()
        .try_fold(0u64, |total, range| {
            let windows = range.len().saturating_sub(t) as u64;
            total.checked_add(
                windows
                    .checked_mul(t as u64)?
                    .checked_mul(features as u64)?,
            )
        })
}

/// The training and evaluation half of [`train_neural`]. The pre-flight runs first: the
/// request's settings and the model's memory (before the device opens), the adapter's limits,
/// then — once the candles are read — the memory of the windows, all before features are
/// computed, a model is built or an epoch runs.
pub fn fit_neural(
    request: &TrainRequest,
    on_epoch: impl FnMut(usize, &EpochMetrics),
) -> Result<TrainedNeural> {
    request.validate()?;
    let device = ComputeDevice::open(&request.device)?;
    let split = |rows| chronological_split(rows, SplitFractions::default());
    fit_neural_split(request, &device, &split, on_epoch)
}

/// [`fit_neural`] on an open `device`, with `split` choosing the train / validation / test rows
/// of the feature frame from its row count (the default split, or one walk-forward fold).
pub fn fit_neural_split(
    request: &TrainRequest,
    device: &ComputeDevice,
    split: &dyn Fn(usize) -> Result<SplitRanges>,
    mut on_epoch: impl FnMut(usize, &EpochMetrics),
) -> Result<TrainedNeural> {
    // The config is built once, from the price features; the data's sentiment columns join it
    // when the model asks for them (cnn_lstm with has_sentiment).
    let config = request.neural_config()?;
    request.memory_estimate(&config, 0)?.check_here(device)?;
    let model_type = config.model_type();
    let loaded = load_candles(request)?;
    let sentiment_columns = if config.has_sentiment() {
        loaded.candles.extra.len()
    } else {
        0
    };
    if config.has_sentiment() && sentiment_columns == 0 {
        warn(&format!(
            "has_sentiment=true but {} has no extra numeric columns: the model is trained \
             without a sentiment branch",
            loaded.source
        ));
    }
    let config = config.with_sentiment_columns(sentiment_columns)?;
    let window_values = window_values(
        loaded.candles.len(),
        request.sequence_length,
        config.features(),
    )
    .ok_or_else(|| {
        AtbError::Config(format!(
            "--sequence-length {}: the windows of {} bars overflow 64-bit arithmetic",
            request.sequence_length,
            loaded.candles.len()
        ))
    })?;
    request
        .memory_estimate(&config, window_values)?
        .check_here(device)?;
    let wants_extra = sentiment_columns > 0;
    let feature_set = if wants_extra {
        FeatureSet::PriceAndExtra
    } else {
        FeatureSet::Price
    };
    let frame = engineer_features(&loaded.candles, feature_set)?;
    if frame.names.len() != config.features() {
        return Err(AtbError::Config(format!(
            "{} engineered features, but the model was configured for {}",
            frame.names.len(),
            config.features()
        )));
    }
    let data = make_windows_on(&frame, split(frame.rows())?, request.sequence_length)?;
    if data.train.len() < request.batch_size {
        return Err(AtbError::Config(format!(
            "--batch-size {} is more than the {} training windows; use a smaller batch or more \
             data (--days)",
            request.batch_size,
            data.train.len()
        )));
    }
    let mut model = Model::build(&config, request.seed, device)?;
    let (train_set, val_set, test_set) = (
        device_windows(device, &data.train)?,
        device_windows(device, &data.validation)?,
        device_windows(device, &data.test)?,
    );
    let learning_rate = request.learning_rate.unwrap_or(1e-3);
    let fit_config = FitConfig {
        epochs: request.epochs,
        batch_size: request.batch_size,
        adam: AdamConfig {
            learning_rate: learning_rate as f32,
            ..AdamConfig::default()
        },
        clip_norm: Some(CLIP_NORM),
        seed: request.seed,
        callbacks: get_model_callbacks(model_type.name(), request.patience),
        checkpoint: request.checkpoint.as_ref().map(|c| CheckpointPlan {
            dir: c.dir.clone(),
            resume: c.resume,
            key: request.checkpoint_key(&loaded.candles.fingerprint()),
        }),
    };
    let started = Instant::now();
    let outcome = fit(
        &model.network,
        &mut model.params,
        &train_set,
        &val_set,
        &fit_config,
        &mut on_epoch,
    )?;
    let train_seconds = started.elapsed().as_secs_f64();
    let forecasts = price_forecasts(&model, &data, &data.test, &test_set)?;
    let comparison = Comparison::new(&forecasts, &data.test.next_close, &data.test.prev_close)?;

    let candles = &loaded.candles;
    let saved = SavedConfig {
        atb_gpu_version: env!("CARGO_PKG_VERSION").to_string(),
        symbol: request.symbol.clone(),
        model: config,
        features: frame.names.clone(),
        uses_extra_columns: wants_extra,
        sequence_length: request.sequence_length,
        target: TARGET.to_string(),
        training: TrainingSettings {
            epochs: request.epochs,
            epochs_run: outcome.history.epochs.len(),
            best_epoch: outcome.best_epoch.map(|e| e + 1),
            batch_size: request.batch_size,
            learning_rate,
            patience: request.patience,
            clip_norm: CLIP_NORM,
            seed: request.seed,
        },
        data: DataSummary {
            source: loaded.source.clone(),
            first: candles
                .time_ms
                .first()
                .map_or_else(String::new, |&t| format_timestamp(t)),
            last: candles
                .time_ms
                .last()
                .map_or_else(String::new, |&t| format_timestamp(t)),
            bars: candles.len(),
            fingerprint: candles.fingerprint(),
            days: request.days,
            gaps: loaded.gaps.to_string(),
            samples: [data.train.len(), data.validation.len(), data.test.len()],
        },
        device: device.describe(),
    };
    Ok(TrainedNeural {
        model,
        data,
        test_set,
        comparison,
        saved,
        history: outcome.history,
        train_seconds,
    })
}

/// Saves a trained model as a new registry version: weights, config, scalers, metrics,
/// history (CSV and PNG). Written to a temporary folder and renamed into place.
pub fn save_neural(request: &TrainRequest, trained: &TrainedNeural) -> Result<VersionInfo> {
    stage_neural(request, trained)?.commit()
}

/// The files of [`save_neural`] in a pending version, for a caller that adds its own before
/// committing.
pub fn stage_neural(request: &TrainRequest, trained: &TrainedNeural) -> Result<PendingVersion> {
    let TrainedNeural {
        model,
        data,
        comparison,
        saved,
        history,
        ..
    } = trained;
    let registry = Registry::open(&request.models_dir)?;
    let pending = registry.begin(&request.symbol)?;
    let weights = model.params.to_host()?;
    let named: Vec<(&str, &[usize], &[f32])> = weights
        .iter()
        .map(|w| (w.name.as_str(), w.shape.as_slice(), w.values.as_slice()))
        .collect();
    pending.write_tensors("model.safetensors", &named)?;
    pending.write_json("config.json", saved)?;
    pending.write_bytes("scaler.json", data.scalers.to_json()?.as_bytes())?;
    pending.write_json("metrics.json", comparison)?;
    pending.write_bytes("history.csv", history.to_csv().as_bytes())?;
    let column = |f: fn(&EpochMetrics) -> f64| history.epochs.iter().map(f).collect::<Vec<f64>>();
    let (loss, val_loss, rmse, val_rmse) = (
        column(|m| m.loss),
        column(|m| m.val_loss),
        column(|m| m.rmse),
        column(|m| m.val_rmse),
    );
    history_png(
        &pending.file_path("history.png")?,
        &TrainingCurves {
            loss: &loss,
            val_loss: &val_loss,
            rmse: &rmse,
            val_rmse: &val_rmse,
        },
    )?;
    Ok(pending)
}
