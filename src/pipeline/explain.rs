//! Attention weights of a saved model for the latest window (the guide's
//! `extract_attention_weights`), as a [T, T] matrix averaged over heads and a heatmap PNG.

use std::path::Path;

use ndarray::Array2;

use super::saved_model::SavedModel;
use crate::data::{Candles, FeatureSet, engineer_features, fill_gaps, latest_window};
use crate::plots::heatmap_png;
use crate::{AtbError, Result, Tensor};

/// Attention over the latest window: `weights[q][k]` is how much query step q attends to key
/// step k, averaged over heads (rows sum to 1).
#[derive(Debug, Clone, PartialEq)]
pub struct AttentionMap {
    /// [T, T], averaged over heads.
    pub weights: Array2<f32>,
    /// Number of heads averaged.
    pub heads: usize,
}

impl AttentionMap {
    /// The key steps the last query attends to most, as (steps before the last bar, weight),
    /// strongest first.
    pub fn strongest_for_last_step(&self, count: usize) -> Vec<(usize, f32)> {
        let t = self.weights.nrows();
        let last = self.weights.row(t.saturating_sub(1));
        let mut order: Vec<(usize, f32)> = last
            .iter()
            .enumerate()
            .map(|(k, &w)| (t - 1 - k, w))
            .collect();
        order.sort_by(|a, b| b.1.total_cmp(&a.1));
        order.truncate(count);
        order
    }
}

/// The attention map of `saved` for the latest window of `candles` (gaps of at most
/// `max_gap_bars` filled); an error for architectures without attention.
pub fn attention_map(
    saved: &SavedModel,
    candles: &Candles,
    max_gap_bars: usize,
) -> Result<AttentionMap> {
    saved.warn_on_another_interval(candles);
    let (filled, _) = fill_gaps(candles, max_gap_bars)?;
    let set = if saved.config.uses_extra_columns {
        FeatureSet::PriceAndExtra
    } else {
        FeatureSet::Price
    };
    let frame = engineer_features(&filled, set)?;
    let window = latest_window(&frame, &saved.scalers, saved.config.sequence_length)?;
    let x = Tensor::from_vec(window.shape(), window.iter().copied().collect())?;
    let Some(weights) = saved
        .model
        .network
        .attention_weights(&saved.model.params, &x)?
    else {
        return Err(AtbError::Config(format!(
            "{} has no attention layer; attention maps exist for attention_lstm and tcn_attention",
            saved.config.model.model_type().name()
        )));
    };
    let shape = weights.shape().to_vec();
    let (heads, t) = (shape[1], shape[2]);
    let values = weights.to_vec()?;
    if let Some(bad) = values.iter().find(|v| !v.is_finite()) {
        return Err(AtbError::NonFinite(format!(
            "{}: an attention weight is {bad}; the saved weights are not usable",
            saved.version.path.display()
        )));
    }
    let mut mean = Array2::<f32>::zeros((t, t));
    for h in 0..heads {
        for q in 0..t {
            for k in 0..t {
                mean[[q, k]] += values[(h * t + q) * t + k] / heads as f32;
            }
        }
    }
    Ok(AttentionMap {
        weights: mean,
        heads,
    })
}

/// Writes the map as a heatmap PNG.
pub fn attention_png(map: &AttentionMap, path: &Path) -> Result<()> {
    heatmap_png(
        path,
        map.weights.view(),
        "key time step (0 = oldest bar of the window)",
        "query time step",
        &format!("Attention weights, mean of {} heads", map.heads),
    )
}
