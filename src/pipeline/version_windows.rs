//! The test windows of a saved neural version, rebuilt from the data it was trained on: the
//! same candles (checked by fingerprint), gap filling, `--days` window, features, split and
//! scalers as training, so the windows are exactly the ones its test metrics were computed on.

use std::path::Path;

use super::saved_model::SavedModel;
use crate::data::{
    DEFAULT_MAX_GAP_BARS, EMBEDDED_SYMBOL, FeatureSet, WindowConfig, WindowSet, engineer_features,
    fill_gaps, last_days, load_symbol, make_windows,
};
use crate::{AtbError, Result};

/// The test split of `saved`, from `data` when given, else from the file (or the embedded
/// set) recorded in its `config.json`.
pub fn version_test_windows(saved: &SavedModel, data: Option<&Path>) -> Result<WindowSet> {
    let recorded = &saved.config.data;
    let embedded = recorded.source.starts_with('<');
    let path = match data {
        Some(path) => Some(path.to_path_buf()),
        None if embedded && saved.config.symbol.eq_ignore_ascii_case(EMBEDDED_SYMBOL) => None,
        None => Some(recorded.source.clone().into()),
    };
    let raw = load_symbol(&saved.config.symbol, path.as_deref())?;
    // config.json does not record training's --max-gap-bars; data filled under a larger bound
    // fails here with the gap named, never silently differs (the fingerprint check follows).
    let (filled, _) = fill_gaps(&raw, DEFAULT_MAX_GAP_BARS)?;
    let candles = match recorded.days {
        Some(days) => last_days(&filled, days)?,
        None => filled,
    };
    if candles.fingerprint() != recorded.fingerprint {
        return Err(AtbError::Config(format!(
            "{}: these {} bars are not the data {} {} was trained on ({} bars from {} to {}, \
             fingerprint {}); pass that file with --data",
            raw.source,
            candles.len(),
            saved.version.symbol,
            saved.version.name,
            recorded.bars,
            recorded.first,
            recorded.last,
            recorded.fingerprint
        )));
    }
    let set = if saved.config.uses_extra_columns {
        FeatureSet::PriceAndExtra
    } else {
        FeatureSet::Price
    };
    let frame = engineer_features(&candles, set)?;
    let dataset = make_windows(
        &frame,
        &WindowConfig {
            sequence_length: saved.config.sequence_length,
            ..WindowConfig::default()
        },
    )?;
    if dataset.scalers != saved.scalers {
        return Err(AtbError::Config(format!(
            "{}: the scalers fit on this data differ from the version's scaler.json",
            raw.source
        )));
    }
    Ok(dataset.test)
}
