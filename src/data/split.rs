//! Chronological train / validation / test split of consecutive rows.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::error::{AtbError, Result};

/// Fractions of the rows given to training and validation; the test split gets the rest.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SplitFractions {
    /// Fraction for training (the oldest rows).
    pub train: f64,
    /// Fraction for validation (the rows after training).
    pub validation: f64,
}

impl Default for SplitFractions {
    /// 70 % train, 15 % validation, 15 % test.
    fn default() -> Self {
        Self {
            train: 0.70,
            validation: 0.15,
        }
    }
}

/// Row ranges of the three splits: contiguous, in time order, covering all rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitRanges {
    /// Training rows (oldest).
    pub train: Range<usize>,
    /// Validation rows.
    pub validation: Range<usize>,
    /// Test rows (newest).
    pub test: Range<usize>,
}

/// Splits `rows` consecutive rows by `fractions`: train gets `floor(rows·train)` rows,
/// validation up to `floor(rows·(train + validation))`, test the rest. Each fraction must be
/// positive, with train + validation < 1.
pub fn chronological_split(rows: usize, fractions: SplitFractions) -> Result<SplitRanges> {
    let SplitFractions { train, validation } = fractions;
    if !(train > 0.0 && validation > 0.0 && train + validation < 1.0) {
        return Err(AtbError::InvalidSetting {
            name: "split fractions",
            message: format!(
                "train {train} and validation {validation} must be positive and leave a \
                 positive test fraction (train + validation < 1)"
            ),
        });
    }
    let train_end = (rows as f64 * train).floor() as usize;
    let validation_end = ((rows as f64 * (train + validation)).floor() as usize).max(train_end);
    Ok(SplitRanges {
        train: 0..train_end,
        validation: train_end..validation_end,
        test: validation_end..rows,
    })
}
