//! Loading a neural registry version back (`config.json`, `model.safetensors`, `scaler.json`)
//! and forecasting from windows of candles.

use std::ops::Range;
use std::path::Path;

use super::forecast::{Forecast, PreparedWindows};
use super::memory::MemoryEstimate;
use super::saved_config::SavedConfig;
use crate::data::time::{format_interval, parse_timestamp};
use crate::data::{
    Candles, FeatureSet, PRICE_FEATURES, Scalers, engineer_features, fill_gaps, infer_interval,
};
use crate::device::ComputeDevice;
use crate::error::warn;
use crate::models::Model;
use crate::nn::ParamEntry;
use crate::registry::{OwnedTensor, Registry, VersionInfo, read_tensors};
use crate::{AtbError, Result, Tensor};

/// A model restored from the registry.
pub struct SavedModel {
    /// The version it came from.
    pub version: VersionInfo,
    /// Its `config.json`.
    pub config: SavedConfig,
    /// The network with the saved weights.
    pub model: Model,
    /// Feature and target scalers fit on its training split.
    pub scalers: Scalers,
}

fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|source| AtbError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Loads `symbol`'s `version` (`latest`, a full name or `vN`) from the registry at
/// `models_dir` onto `device`.
pub fn load_saved_model(
    models_dir: &Path,
    symbol: &str,
    version: &str,
    device: &ComputeDevice,
) -> Result<SavedModel> {
    let version = Registry::open(models_dir)?.resolve(symbol, version)?;
    SavedModel::load(version, device)
}

/// The parts of a `config.json` that must agree with each other and with `scaler.json`: the
/// feature list, the model's input width, the window length and the extra-column flag.
fn check_config(config: &SavedConfig, scalers: &Scalers) -> std::result::Result<(), String> {
    if config.sequence_length == 0 {
        return Err("sequence_length is 0; a window needs at least one bar".into());
    }
    if config.features.len() != config.model.features() {
        return Err(format!(
            "{} features are listed but the model takes {} per bar",
            config.features.len(),
            config.model.features()
        ));
    }
    let extra = config.features.len() > PRICE_FEATURES.len();
    if config.uses_extra_columns != extra {
        return Err(format!(
            "uses_extra_columns is {} but {} features are listed ({} are price features)",
            config.uses_extra_columns,
            config.features.len(),
            PRICE_FEATURES.len()
        ));
    }
    if scalers.features.names != config.features {
        return Err(format!(
            "the features [{}] differ from scaler.json's [{}]",
            config.features.join(", "),
            scalers.features.names.join(", ")
        ));
    }
    Ok(())
}

/// Every tensor of the file against the model's parameters: the same names (none missing,
/// none extra), the same shapes, finite values. (The dtype, F32, is checked when reading.)
fn check_tensors(
    expected: &[ParamEntry],
    found: &[OwnedTensor],
) -> std::result::Result<(), String> {
    for entry in expected {
        let Some((_, shape, values)) = found.iter().find(|(name, _, _)| *name == entry.name) else {
            return Err(format!("tensor '{}' is missing", entry.name));
        };
        if *shape != entry.shape {
            return Err(format!(
                "tensor '{}' has shape {shape:?}, the model needs {:?}",
                entry.name, entry.shape
            ));
        }
        if let Some(i) = values.iter().position(|v| !v.is_finite()) {
            return Err(format!(
                "tensor '{}' holds {} at flat index {i}; weights must be finite numbers",
                entry.name, values[i]
            ));
        }
    }
    let extra: Vec<&str> = found
        .iter()
        .map(|(name, _, _)| name.as_str())
        .filter(|name| !expected.iter().any(|e| e.name == *name))
        .collect();
    if !extra.is_empty() {
        return Err(format!(
            "tensor(s) {} are not parameters of the model",
            extra.join(", ")
        ));
    }
    Ok(())
}

impl SavedModel {
    /// Loads the neural registry version `version` onto `device`.
    pub fn load(version: VersionInfo, device: &ComputeDevice) -> Result<SavedModel> {
        let config_path = version.path.join("config.json");
        let config = SavedConfig::from_json(&read_text(&config_path)?).map_err(|e| {
            AtbError::Registry(format!(
                "{}: not a neural model's config.json ({e}); lightgbm versions hold trees, not a network",
                config_path.display()
            ))
        })?;
        let scaler_path = version.path.join("scaler.json");
        let scalers = Scalers::from_json(
            &scaler_path.display().to_string(),
            &read_text(&scaler_path)?,
        )?;
        check_config(&config, &scalers).map_err(|message| {
            AtbError::Registry(format!("{}: {message}", config_path.display()))
        })?;
        let too_large = |e: AtbError| AtbError::Registry(format!("{}: {e}", config_path.display()));
        MemoryEstimate::of_inference(
            &config
                .model
                .footprint(config.sequence_length)
                .map_err(too_large)?,
        )
        .ok_or_else(|| {
            AtbError::Registry(format!(
                "{}: the model's size overflows 64-bit arithmetic",
                config_path.display()
            ))
        })?
        .check_here(device)
        .map_err(too_large)?;
        let mut model = Model::build(&config.model, config.training.seed, device)?;
        let weights_path = version.path.join("model.safetensors");
        let tensors = read_tensors(&weights_path)?;
        check_tensors(model.params.entries(), &tensors).map_err(|message| {
            AtbError::Registry(format!(
                "{}: {message} (config.json describes a {} model)",
                weights_path.display(),
                config.model.model_type().name()
            ))
        })?;
        let weights: Vec<(String, Vec<f32>)> = tensors
            .into_iter()
            .map(|(name, _, values)| (name, values))
            .collect();
        model.params.load(&weights)?;
        Ok(SavedModel {
            version,
            config,
            model,
            scalers,
        })
    }

    /// Scaled predictions for windows `x` [N, T, F] (already standardised).
    pub fn predict_scaled(&self, x: &Tensor) -> Result<Vec<f32>> {
        self.model.predict(x)
    }

    /// The bar interval the model was trained on, from its data summary (the first and last
    /// of its gap-filled bars and their count); `None` when the summary cannot tell.
    fn training_interval(&self) -> Option<i64> {
        let data = &self.config.data;
        let first = parse_timestamp(&data.first).ok()?;
        let last = parse_timestamp(&data.last).ok()?;
        let steps = i64::try_from(data.bars.checked_sub(1)?)
            .ok()
            .filter(|&s| s > 0)?;
        Some((last - first) / steps)
    }

    /// Warns when `candles` come at another bar interval than the training data: the model
    /// then forecasts one of its own bars ahead from windows it was not trained on.
    pub(super) fn warn_on_another_interval(&self, candles: &Candles) {
        if let (Some(trained), Ok(given)) = (self.training_interval(), infer_interval(candles))
            && trained != given
        {
            warn(&format!(
                "{} holds {} bars but {} {} was trained on {} bars; its windows and forecast \
                 assume {} bars",
                candles.source,
                format_interval(given),
                self.version.symbol,
                self.version.name,
                format_interval(trained),
                format_interval(trained)
            ));
        }
    }

    /// Every window of `candles` (gaps of at most `max_gap_bars` filled as in training),
    /// scaled as in training; warns when their interval is not the training data's.
    pub fn prepare(&self, candles: &Candles, max_gap_bars: usize) -> Result<PreparedWindows> {
        self.warn_on_another_interval(candles);
        let (filled, _) = fill_gaps(candles, max_gap_bars)?;
        let set = if self.config.uses_extra_columns {
            FeatureSet::PriceAndExtra
        } else {
            FeatureSet::Price
        };
        let frame = engineer_features(&filled, set)?;
        if frame.names != self.config.features || frame.names != self.scalers.features.names {
            return Err(AtbError::Config(format!(
                "the data's features {:?} differ from the model's {:?} (extra columns must match training)",
                frame.names, self.config.features
            )));
        }
        let scaled = self.scalers.features.transform(frame.values.view())?;
        PreparedWindows::sequences(
            scaled,
            self.config.sequence_length,
            &frame.time_ms,
            &frame.close,
        )
    }

    /// The forecasts of windows `range` of `windows` (one upload, forward and readback).
    pub fn forecast_windows(
        &self,
        windows: &PreparedWindows,
        range: Range<usize>,
    ) -> Result<Vec<Forecast>> {
        let scaled = self.predict_scaled(&windows.sequence_batch(range.clone())?)?;
        let next: Vec<f64> = range
            .clone()
            .zip(&scaled)
            .map(|(i, &p)| self.scalers.target.inverse(f64::from(p), windows.close[i]))
            .collect();
        windows.forecasts(range, &next)
    }

    /// Forecasts the close after the last of `candles` (gaps of at most `max_gap_bars` are
    /// filled as in training).
    pub fn forecast_next(&self, candles: &Candles, max_gap_bars: usize) -> Result<Forecast> {
        let windows = self.prepare(candles, max_gap_bars)?;
        let last = windows.len() - 1;
        let mut forecasts = self.forecast_windows(&windows, last..last + 1)?;
        forecasts.pop().ok_or_else(|| {
            AtbError::Config("the model gave no forecast for the last window".into())
        })
    }
}
