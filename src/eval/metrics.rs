//! Error and direction metrics of next-close forecasts, in price units.

use serde::{Deserialize, Serialize};

use super::binomial::binomial_upper_tail_half;
use crate::error::{AtbError, Result};

/// How well predicted next closes match the actual ones.
///
/// Fields that are undefined for the data are `None` (serialised as `null`): `r2` for a constant
/// actual series, `mape_pct` when every actual close is zero, the direction fields when no
/// actual close moved (or for the naive baseline, which never predicts a direction).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Number of forecasts scored.
    pub n: usize,
    /// Root mean squared error.
    pub rmse: f64,
    /// Mean absolute error.
    pub mae: f64,
    /// Mean absolute percentage error over the samples whose actual close is not zero.
    pub mape_pct: Option<f64>,
    /// Samples left out of MAPE because their actual close is zero.
    pub mape_zero_actuals: usize,
    /// Coefficient of determination, 1 − SS_res / SS_tot.
    pub r2: Option<f64>,
    /// Share of moves whose direction was predicted, in percent.
    pub directional_accuracy_pct: Option<f64>,
    /// One-sided exact binomial p-value of `direction_hits` out of `direction_trials` against
    /// a fair coin.
    pub da_p_value: Option<f64>,
    /// Moves whose direction was predicted (sign(pred − prev) == sign(actual − prev)).
    pub direction_hits: usize,
    /// Samples where the actual close moved (actual ≠ prev); a flat prediction is a miss.
    pub direction_trials: usize,
    /// Samples left out of directional accuracy because actual == prev.
    pub direction_ties: usize,
}

/// Scores `predicted` next closes against `actual` ones, with `previous` the last known close
/// of each sample (it defines the direction of a move). All three must have the same non-zero
/// length and hold finite values.
pub fn compute_metrics(predicted: &[f64], actual: &[f64], previous: &[f64]) -> Result<Metrics> {
    check_inputs(predicted, actual, previous)?;
    let n = actual.len();
    let nf = n as f64;

    let mut sq = 0.0;
    let mut abs = 0.0;
    let mut ape = 0.0;
    let mut mape_zero_actuals = 0;
    for (&p, &a) in predicted.iter().zip(actual) {
        let e = p - a;
        sq += e * e;
        abs += e.abs();
        if a == 0.0 {
            mape_zero_actuals += 1;
        } else {
            ape += (e / a).abs();
        }
    }
    let mape_count = n - mape_zero_actuals;
    let mape_pct = (mape_count > 0).then(|| 100.0 * ape / mape_count as f64);

    let mean = actual.iter().sum::<f64>() / nf;
    let ss_tot: f64 = actual.iter().map(|a| (a - mean) * (a - mean)).sum();
    let r2 = (ss_tot > 0.0).then(|| 1.0 - sq / ss_tot);

    let mut direction_hits = 0;
    let mut direction_ties = 0;
    for ((&p, &a), &prev) in predicted.iter().zip(actual).zip(previous) {
        if a == prev {
            direction_ties += 1;
        } else if direction(p - prev) == direction(a - prev) {
            direction_hits += 1;
        }
    }
    let direction_trials = n - direction_ties;
    let has_moves = direction_trials > 0;

    let metrics = Metrics {
        n,
        rmse: (sq / nf).sqrt(),
        mae: abs / nf,
        mape_pct,
        mape_zero_actuals,
        r2,
        directional_accuracy_pct: has_moves
            .then(|| 100.0 * direction_hits as f64 / direction_trials as f64),
        da_p_value: has_moves.then(|| binomial_upper_tail_half(direction_hits, direction_trials)),
        direction_hits,
        direction_trials,
        direction_ties,
    };
    for (name, value) in [
        ("RMSE", Some(metrics.rmse)),
        ("MAE", Some(metrics.mae)),
        ("MAPE", metrics.mape_pct),
        ("R²", metrics.r2),
    ] {
        if let Some(v) = value.filter(|v| !v.is_finite()) {
            return Err(AtbError::NonFinite(format!(
                "the forecasts' {name} is {v} over {n} samples (forecasts too far from the closes \
                 to score)"
            )));
        }
    }
    Ok(metrics)
}

/// −1, 0 or +1.
fn direction(delta: f64) -> i8 {
    if delta > 0.0 {
        1
    } else if delta < 0.0 {
        -1
    } else {
        0
    }
}

fn check_inputs(predicted: &[f64], actual: &[f64], previous: &[f64]) -> Result<()> {
    let n = actual.len();
    if n == 0 {
        return Err(AtbError::Evaluation("no samples to score".into()));
    }
    if predicted.len() != n || previous.len() != n {
        return Err(AtbError::Evaluation(format!(
            "length mismatch: {} predicted, {} actual, {} previous closes",
            predicted.len(),
            n,
            previous.len()
        )));
    }
    for (name, values) in [
        ("predicted", predicted),
        ("actual", actual),
        ("previous", previous),
    ] {
        if let Some(i) = values.iter().position(|v| !v.is_finite()) {
            return Err(AtbError::Evaluation(format!(
                "{name} close at index {i} is not finite ({})",
                values[i]
            )));
        }
    }
    Ok(())
}
