//! Sliding windows of scaled features with their scaled next-bar targets, per split.
//!
//! A sample ending at row `r` holds rows `r − T + 1 ..= r` and predicts the close of row
//! `r + 1`. Rows are split chronologically first; a sample belongs to a split only when its
//! window and its target row both lie inside it, so no window straddles a boundary (each split
//! loses `T` rows of samples at its start and end). Scalers are fit on the training rows only.
//! With `sequence_length = 1` the windows are plain rows, as the gradient-boosting model wants.

use std::ops::Range;

use ndarray::{Array1, Array2, Array3, s};

use super::frame::FeatureFrame;
use super::scaler::{FeatureScaler, Scalers, TargetScaler};
use super::split::{SplitFractions, SplitRanges, chronological_split};
use crate::error::{AtbError, Result};

/// How to cut a feature frame into samples.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WindowConfig {
    /// Bars per window (`T`), 60 by default.
    pub sequence_length: usize,
    /// Train / validation fractions, 70 / 15 by default (test gets the rest).
    pub split: SplitFractions,
}

impl Default for WindowConfig {
    fn default() -> Self {
        Self {
            sequence_length: 60,
            split: SplitFractions::default(),
        }
    }
}

/// The samples of one split.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowSet {
    /// Scaled features, `[N, T, F]`.
    pub x: Array3<f32>,
    /// Scaled target (standardised next-bar log return), `[N]`.
    pub y: Array1<f32>,
    /// Close of the last bar of each window (the persistence forecast), price units.
    pub prev_close: Vec<f64>,
    /// The true next close, price units.
    pub next_close: Vec<f64>,
    /// Open time of the predicted bar, epoch ms.
    pub target_time_ms: Vec<i64>,
}

impl WindowSet {
    /// Number of samples.
    pub fn len(&self) -> usize {
        self.y.len()
    }

    /// True when there are no samples.
    pub fn is_empty(&self) -> bool {
        self.y.is_empty()
    }
}

/// Train, validation and test samples with the scalers fit on train.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// Training samples (oldest).
    pub train: WindowSet,
    /// Validation samples.
    pub validation: WindowSet,
    /// Test samples (newest).
    pub test: WindowSet,
    /// Feature and target scalers, fit on the training split only.
    pub scalers: Scalers,
    /// The frame rows of each split.
    pub ranges: SplitRanges,
    /// Bars per window.
    pub sequence_length: usize,
}

/// Splits the frame, fits the scalers on train, and cuts every split into windows.
pub fn make_windows(frame: &FeatureFrame, config: &WindowConfig) -> Result<Dataset> {
    let ranges = chronological_split(frame.rows(), config.split)?;
    make_windows_on(frame, ranges, config.sequence_length)
}

/// [`make_windows`] on explicit row ranges (e.g. one walk-forward fold): in time order, inside
/// the frame, not necessarily covering it. Scalers are fit on `ranges.train`.
pub fn make_windows_on(frame: &FeatureFrame, ranges: SplitRanges, t: usize) -> Result<Dataset> {
    if t == 0 {
        return Err(AtbError::InvalidSetting {
            name: "sequence length",
            message: "must be at least 1".into(),
        });
    }
    let rows = frame.rows();
    if frame.close.len() != rows
        || frame.time_ms.len() != rows
        || frame.names.len() != frame.values.ncols()
    {
        return Err(AtbError::Shape {
            op: "make_windows",
            detail: format!(
                "the frame has {rows} rows of {} values but {} closes, {} times and {} names",
                frame.values.ncols(),
                frame.close.len(),
                frame.time_ms.len(),
                frame.names.len()
            ),
        });
    }
    if ranges.train.end > ranges.validation.start
        || ranges.validation.end > ranges.test.start
        || ranges.test.end > rows
    {
        return Err(AtbError::InvalidSetting {
            name: "split ranges",
            message: format!(
                "train {:?}, validation {:?} and test {:?} must follow each other inside the \
                 frame's {rows} rows",
                ranges.train, ranges.validation, ranges.test
            ),
        });
    }
    for (name, range) in [
        ("train", &ranges.train),
        ("validation", &ranges.validation),
        ("test", &ranges.test),
    ] {
        if range.len() <= t {
            return Err(AtbError::InvalidSetting {
                name: "sequence length",
                message: format!(
                    "the {name} split has {} bars but a window of {t} bars and its target need \
                     {}; use more data (--days) or a shorter sequence",
                    range.len(),
                    t.saturating_add(1)
                ),
            });
        }
    }
    let features = FeatureScaler::fit(
        &frame.names,
        frame.values.slice(s![ranges.train.clone(), ..]),
    );
    let train_returns: Vec<f64> = sample_rows(&ranges.train, t)
        .map(|r| (frame.close[r + 1] / frame.close[r]).ln())
        .collect();
    let scalers = Scalers {
        features,
        target: TargetScaler::fit(&train_returns),
    };
    let scaled = scalers.features.transform(frame.values.view())?;
    let cut = |range: &Range<usize>| cut_windows(frame, &scaled, &scalers.target, range, t);
    Ok(Dataset {
        train: cut(&ranges.train),
        validation: cut(&ranges.validation),
        test: cut(&ranges.test),
        scalers,
        ranges,
        sequence_length: t,
    })
}

/// The last `sequence_length` rows of the frame, scaled, as one `[1, T, F]` input: the window
/// that forecasts the bar after the data.
pub fn latest_window(
    frame: &FeatureFrame,
    scalers: &Scalers,
    sequence_length: usize,
) -> Result<Array3<f32>> {
    let rows = frame.rows();
    if sequence_length == 0 || rows < sequence_length {
        return Err(AtbError::InvalidSetting {
            name: "sequence length",
            message: format!(
                "a window of {sequence_length} bars needs that many; the data has {rows}"
            ),
        });
    }
    if scalers.features.names != frame.names {
        return Err(AtbError::Shape {
            op: "latest_window",
            detail: format!(
                "the model was trained on features [{}], the data has [{}]",
                scalers.features.names.join(", "),
                frame.names.join(", ")
            ),
        });
    }
    let last = frame.values.slice(s![rows - sequence_length.., ..]);
    let scaled = scalers.features.transform(last)?;
    Ok(scaled.insert_axis(ndarray::Axis(0)))
}

/// Rows `r` of samples inside `range`: the window `r − T + 1 ..= r` and target row `r + 1`.
fn sample_rows(range: &Range<usize>, t: usize) -> Range<usize> {
    (range.start + t - 1)..(range.end - 1)
}

fn cut_windows(
    frame: &FeatureFrame,
    scaled: &Array2<f32>,
    target: &TargetScaler,
    range: &Range<usize>,
    t: usize,
) -> WindowSet {
    let rows = sample_rows(range, t);
    let (n, f) = (rows.len(), scaled.ncols());
    let mut set = WindowSet {
        x: Array3::zeros((n, t, f)),
        y: Array1::zeros(n),
        prev_close: Vec::with_capacity(n),
        next_close: Vec::with_capacity(n),
        target_time_ms: Vec::with_capacity(n),
    };
    for (i, r) in rows.enumerate() {
        set.x
            .slice_mut(s![i, .., ..])
            .assign(&scaled.slice(s![r + 1 - t..=r, ..]));
        let (prev, next) = (frame.close[r], frame.close[r + 1]);
        set.y[i] = target.scale(prev, next) as f32;
        set.prev_close.push(prev);
        set.next_close.push(next);
        set.target_time_ms.push(frame.time_ms[r + 1]);
    }
    set
}
