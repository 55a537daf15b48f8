//! The naive persistence forecast: the next close equals the last known close.

use super::metrics::{Metrics, compute_metrics};
use crate::error::Result;

/// Scores the persistence forecast (prediction = `previous`) against `actual`.
///
/// Persistence never predicts a direction, so its direction fields are `None` and its
/// `direction_hits` is 0 (the bar a model's directional accuracy must clear is the coin, which
/// its p-value tests); `direction_trials` and `direction_ties` still count the moves.
pub fn naive_persistence_metrics(actual: &[f64], previous: &[f64]) -> Result<Metrics> {
    let mut metrics = compute_metrics(previous, actual, previous)?;
    metrics.directional_accuracy_pct = None;
    metrics.da_p_value = None;
    Ok(metrics)
}
