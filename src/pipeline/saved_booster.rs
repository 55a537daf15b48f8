//! Loading a boosting registry version back (`config.json`, `model.txt`) and forecasting from
//! the tabular features of candles.

use std::ops::Range;

use serde::Deserialize;

use super::forecast::{Forecast, PreparedWindows};
use crate::data::{Candles, engineer_features_for_lgb, fill_gaps};
use crate::device::ComputeDevice;
use crate::gbdt::{FeatureMatrix, LightGbmModel, load_model_txt, predict};
use crate::registry::VersionInfo;
use crate::{AtbError, Result};

/// The fields of a boosting version's `config.json` that loading needs.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct BoostingConfig {
    /// Trading pair.
    pub symbol: String,
    /// Always `lightgbm`.
    pub model_type: String,
    /// Feature names, in column order.
    pub features: Vec<String>,
}

/// A boosting model restored from the registry.
pub struct SavedBooster {
    /// The version it came from.
    pub version: VersionInfo,
    /// Its `config.json`.
    pub config: BoostingConfig,
    /// The trees, read from `model.txt`.
    pub model: LightGbmModel,
    /// Where predictions run (the GPU walks binned rows; the CPU sums raw ones exactly).
    pub device: ComputeDevice,
}

impl SavedBooster {
    /// Loads the boosting registry version `version`, to predict on `device`.
    pub fn load(version: VersionInfo, device: &ComputeDevice) -> Result<SavedBooster> {
        let config_path = version.path.join("config.json");
        let text = std::fs::read_to_string(&config_path).map_err(|source| AtbError::Io {
            path: config_path.clone(),
            source,
        })?;
        let config: BoostingConfig = serde_json::from_str(&text).map_err(|e| {
            AtbError::Registry(format!(
                "{}: not a boosting model's config.json ({e})",
                config_path.display()
            ))
        })?;
        let model = load_model_txt(&version.path.join("model.txt"))?;
        if model.feature_names() != config.features.as_slice() {
            return Err(AtbError::Registry(format!(
                "{}: model.txt's features {:?} differ from config.json's {:?}",
                version.path.display(),
                model.feature_names(),
                config.features
            )));
        }
        Ok(SavedBooster {
            version,
            config,
            model,
            device: device.clone(),
        })
    }

    /// One window (feature row) per bar of `candles` after the warm-up (gaps of at most
    /// `max_gap_bars` filled as in training).
    pub fn prepare(&self, candles: &Candles, max_gap_bars: usize) -> Result<PreparedWindows> {
        let (filled, _) = fill_gaps(candles, max_gap_bars)?;
        let (frame, names) = engineer_features_for_lgb(&filled)?;
        if names != self.config.features {
            return Err(AtbError::Config(format!(
                "the data's features {names:?} differ from the model's {:?} (extra columns must match training)",
                self.config.features
            )));
        }
        let values = frame.values.iter().map(|&v| v as f32).collect();
        let x = FeatureMatrix::new(frame.rows(), names.len(), values, names)?;
        Ok(PreparedWindows::rows(x, &frame.time_ms, &frame.close))
    }

    /// The forecasts of windows `range` of `windows`: close × exp(predicted log return).
    pub fn forecast_windows(
        &self,
        windows: &PreparedWindows,
        range: Range<usize>,
    ) -> Result<Vec<Forecast>> {
        let returns = predict(
            &self.model,
            &windows.row_batch(range.clone())?,
            &self.device,
        )?;
        let next: Vec<f64> = range
            .clone()
            .zip(&returns)
            .map(|(i, r)| windows.close[i] * r.exp())
            .collect();
        windows.forecasts(range, &next)
    }
}
