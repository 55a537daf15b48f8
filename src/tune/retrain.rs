//! The end of a tuning run: the best configuration retrained the way `train model` trains
//! (default split, early stopping on validation), evaluated once on the test span that tuning
//! never read, and saved as a registry version that also holds `tuning.csv` and `tuning.json`.

use std::path::Path;

use super::summary::TuningSummary;
use crate::data::{SplitFractions, chronological_split};
use crate::device::{ComputeDevice, DeviceRequest};
use crate::pipeline::{
    TrainOutcome, fit_lightgbm_split, fit_neural_split, stage_lightgbm, stage_neural,
};
use crate::{AtbError, Result};

/// Retrains `summary`'s best configuration on `device`, records its test comparison (with the
/// Diebold–Mariano test against persistence) in `summary.test`, and saves the version under
/// `models_dir`.
pub fn retrain_best(
    summary: &mut TuningSummary,
    device: &ComputeDevice,
    device_request: DeviceRequest,
    models_dir: &Path,
) -> Result<TrainOutcome> {
    let best = summary.best.clone().ok_or_else(|| {
        AtbError::Evaluation(format!(
            "no configuration could be ranked by {}: every one has a fold where it is undefined",
            summary.settings.metric.name()
        ))
    })?;
    let settings = &summary.settings;
    let request = settings.request(&best.parameters, device_request, models_dir)?;
    let split = |rows| chronological_split(rows, SplitFractions::default());
    let (pending, comparison, train_seconds, device_name) = if settings.is_boosting() {
        let trained = fit_lightgbm_split(&request, device, &split)?;
        let pending = stage_lightgbm(&request, &trained)?;
        (
            pending,
            trained.comparison,
            trained.train_seconds,
            trained.device,
        )
    } else {
        let trained = fit_neural_split(&request, device, &split, |_, _| {})?;
        let pending = stage_neural(&request, &trained)?;
        (
            pending,
            trained.comparison,
            trained.train_seconds,
            trained.saved.device,
        )
    };
    summary.test = Some(comparison.clone());
    pending.write_bytes("tuning.csv", summary.csv()?.as_bytes())?;
    pending.write_bytes("tuning.json", summary.json()?.as_bytes())?;
    Ok(TrainOutcome {
        version: pending.commit()?,
        comparison,
        train_seconds,
        device: device_name,
    })
}
