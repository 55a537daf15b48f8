//! Loading a neural registry version back (`config.json`, `model.safetensors`, `scaler.json`)
//! and forecasting from windows of candles.

use std::ops::Range;
use std::path::Path;

use super::forecast::{Forecast, PreparedWindows};
use super::saved_config::SavedConfig;
use crate::data::{Candles, FeatureSet, Scalers, engineer_features, fill_gaps};
use crate::device::ComputeDevice;
use crate::models::Model;
use crate::registry::{Registry, VersionInfo, read_tensors};
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
        let mut model = Model::build(&config.model, config.training.seed, device)?;
        let weights: Vec<(String, Vec<f32>)> =
            read_tensors(&version.path.join("model.safetensors"))?
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

    /// Every window of `candles` (gaps filled as in training), scaled as in training.
    pub fn prepare(&self, candles: &Candles) -> Result<PreparedWindows> {
        let (filled, _) = fill_gaps(candles)?;
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

    /// Forecasts the close after the last of `candles` (gaps are filled as in training).
    pub fn forecast_next(&self, candles: &Candles) -> Result<Forecast> {
        let windows = self.prepare(candles)?;
        let last = windows.len() - 1;
        let mut forecasts = self.forecast_windows(&windows, last..last + 1)?;
        forecasts.pop().ok_or_else(|| {
            AtbError::Config("the model gave no forecast for the last window".into())
        })
    }
}
