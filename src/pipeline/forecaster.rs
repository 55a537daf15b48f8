//! Any saved version — neural or boosting — loaded for forecasting: what `predict` and
//! `profile` use.

use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::forecast::{Forecast, PreparedWindows};
use super::saved_booster::SavedBooster;
use super::saved_model::SavedModel;
use crate::data::Candles;
use crate::device::ComputeDevice;
use crate::registry::{Registry, VersionInfo};
use crate::{AtbError, Result};

/// Windows forecast per call by [`SavedForecaster::forecast_all`].
pub const FORECAST_BATCH: usize = 256;

/// A saved version ready to forecast.
pub enum SavedForecaster {
    /// A neural network (cnn_lstm, attention_lstm, tcn, tcn_attention).
    Neural(Box<SavedModel>),
    /// The gradient-boosted trees (lightgbm).
    Boosting(Box<SavedBooster>),
}

/// The top-level `model_type` boosting versions write (neural ones nest it in `model`).
#[derive(Deserialize)]
struct TopLevelType {
    model_type: Option<String>,
}

/// Loads `symbol`'s `version` (`latest`: the newest complete one, a full name or `vN`) from
/// the registry at `models_dir`, to forecast on `device`.
pub fn load_forecaster(
    models_dir: &Path,
    symbol: &str,
    version: &str,
    device: &ComputeDevice,
) -> Result<SavedForecaster> {
    let version = Registry::open(models_dir)?.resolve(symbol, version)?;
    let config_path = version.path.join("config.json");
    let text = std::fs::read_to_string(&config_path).map_err(|source| AtbError::Io {
        path: config_path.clone(),
        source,
    })?;
    let kind: TopLevelType = serde_json::from_str(&text)
        .map_err(|e| AtbError::Registry(format!("{}: not JSON ({e})", config_path.display())))?;
    if kind.model_type.as_deref() == Some("lightgbm") {
        Ok(SavedForecaster::Boosting(Box::new(SavedBooster::load(
            version, device,
        )?)))
    } else {
        Ok(SavedForecaster::Neural(Box::new(SavedModel::load(
            version, device,
        )?)))
    }
}

impl SavedForecaster {
    /// The version it came from.
    pub fn version(&self) -> &VersionInfo {
        match self {
            SavedForecaster::Neural(m) => &m.version,
            SavedForecaster::Boosting(b) => &b.version,
        }
    }

    /// The model type's name, e.g. `tcn` or `lightgbm`.
    pub fn model_type(&self) -> &str {
        match self {
            SavedForecaster::Neural(m) => m.config.model.model_type().name(),
            SavedForecaster::Boosting(b) => &b.config.model_type,
        }
    }

    /// The file the model's parameters are loaded from.
    pub fn model_file(&self) -> PathBuf {
        match self {
            SavedForecaster::Neural(m) => m.version.path.join("model.safetensors"),
            SavedForecaster::Boosting(b) => b.version.path.join("model.txt"),
        }
    }

    /// Every window of `candles` (gaps of at most `max_gap_bars` filled), as this model reads
    /// them.
    pub fn prepare(&self, candles: &Candles, max_gap_bars: usize) -> Result<PreparedWindows> {
        match self {
            SavedForecaster::Neural(m) => m.prepare(candles, max_gap_bars),
            SavedForecaster::Boosting(b) => b.prepare(candles, max_gap_bars),
        }
    }

    /// The forecasts of windows `range` of `windows`, in one call to the model.
    pub fn forecast_windows(
        &self,
        windows: &PreparedWindows,
        range: Range<usize>,
    ) -> Result<Vec<Forecast>> {
        if range.start > range.end || range.end > windows.len() {
            return Err(AtbError::InvalidInput {
                context: "forecast_windows".into(),
                detail: format!("windows {range:?} of {}", windows.len()),
            });
        }
        match self {
            SavedForecaster::Neural(m) => m.forecast_windows(windows, range),
            SavedForecaster::Boosting(b) => b.forecast_windows(windows, range),
        }
    }

    /// The forecast of the bar after the last of `candles`.
    pub fn forecast_next(&self, candles: &Candles, max_gap_bars: usize) -> Result<Forecast> {
        let windows = self.prepare(candles, max_gap_bars)?;
        let last = windows
            .len()
            .checked_sub(1)
            .ok_or_else(|| AtbError::Config("the data gives no window to forecast from".into()))?;
        self.forecast_windows(&windows, last..last + 1)?
            .pop()
            .ok_or_else(|| AtbError::Config("the model gave no forecast".into()))
    }

    /// The forecast of every window of `candles`, oldest first, in batches of
    /// [`FORECAST_BATCH`].
    pub fn forecast_all(&self, candles: &Candles, max_gap_bars: usize) -> Result<Vec<Forecast>> {
        let windows = self.prepare(candles, max_gap_bars)?;
        let mut out = Vec::with_capacity(windows.len());
        let mut start = 0;
        while start < windows.len() {
            let end = (start + FORECAST_BATCH).min(windows.len());
            out.extend(self.forecast_windows(&windows, start..end)?);
            start = end;
        }
        Ok(out)
    }
}
