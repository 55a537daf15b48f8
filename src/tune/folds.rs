//! Walk-forward (rolling-origin) folds inside the train + validation span of the default split.
//! The test span after it is never read while tuning.
//!
//! With `S` the rows of that span and `K` folds, the second half of the span is cut into `K`
//! score blocks of `B = ⌊S / 2K⌋` rows, ending at `S`. Fold `k` scores on its block and fits on
//! every row before it — the first `70 / 85` of them for training, the rest for early stopping,
//! the same proportions as the default split — so each later fold's origin rolls one block
//! forward and no fold ever sees a row after the ones it is scored on.

use crate::data::{SplitFractions, SplitRanges, chronological_split};
use crate::{AtbError, Result};

/// The rows tuning may use out of `rows`: those before the default split's test span.
pub fn tuning_span(rows: usize) -> Result<usize> {
    Ok(chronological_split(rows, SplitFractions::default())?
        .validation
        .end)
}

/// The train / validation / score rows of fold `fold` (0-based) of `folds`, out of `rows`.
pub fn fold_split(rows: usize, fold: usize, folds: usize) -> Result<SplitRanges> {
    if folds == 0 || fold >= folds {
        return Err(AtbError::Config(format!(
            "fold {} of {folds}: there must be at least one fold",
            fold + 1
        )));
    }
    let span = tuning_span(rows)?;
    let block = span / (2 * folds);
    if block == 0 {
        return Err(AtbError::Config(format!(
            "{folds} folds need at least {} rows before the test span; the data has {span} \
             (use more --days or fewer --folds)",
            2 * folds
        )));
    }
    let score_start = span - (folds - fold) * block;
    let fractions = SplitFractions::default();
    let stop_share = fractions.validation / (fractions.train + fractions.validation);
    let validation_start = score_start - (score_start as f64 * stop_share).floor() as usize;
    Ok(SplitRanges {
        train: 0..validation_start,
        validation: validation_start..score_start,
        test: score_start..score_start + block,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_roll_forward_inside_the_tuning_span() {
        let rows = 1000;
        let span = tuning_span(rows).unwrap();
        assert_eq!(span, 850);
        let folds: Vec<SplitRanges> = (0..3).map(|k| fold_split(rows, k, 3).unwrap()).collect();
        assert_eq!(folds[0].test, 427..568);
        assert_eq!(
            folds[2].test.end, span,
            "the last block ends where the test span starts"
        );
        for pair in folds.windows(2) {
            assert_eq!(
                pair[0].test.end, pair[1].test.start,
                "blocks tile the second half"
            );
        }
        for f in &folds {
            assert_eq!(f.train.start, 0);
            assert_eq!(f.train.end, f.validation.start);
            assert_eq!(f.validation.end, f.test.start);
            let stop = f.validation.len() as f64 / f.test.start as f64;
            assert!((stop - 0.15 / 0.85).abs() < 0.01, "{f:?}");
        }
    }

    #[test]
    fn too_little_data_or_no_fold_is_an_error() {
        assert!(
            fold_split(1000, 0, 0)
                .unwrap_err()
                .to_string()
                .contains("at least one")
        );
        let err = fold_split(5, 0, 3).unwrap_err().to_string();
        assert!(err.contains("3 folds need at least 6 rows"), "{err}");
    }
}
