//! How far an exported model's outputs are from our own predictions, and the bound they must
//! stay within.

use crate::{AtbError, Result};

/// The largest relative difference an export may show: `max |ours − theirs| / max |ours|`.
pub const RELATIVE_BOUND: f64 = 1e-4;

/// The differences over one batch of inputs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Agreement {
    /// Inputs compared.
    pub samples: usize,
    /// `max |ours − theirs|`.
    pub max_abs: f64,
    /// `max_abs / max |ours|`: relative to the largest prediction, because a per-sample ratio
    /// is meaningless where a prediction crosses zero.
    pub max_rel: f64,
}

impl Agreement {
    /// Compares `theirs` with `ours`, sample by sample.
    pub fn measure(ours: &[f64], theirs: &[f32]) -> Result<Agreement> {
        if ours.len() != theirs.len() || ours.is_empty() {
            return Err(AtbError::Export(format!(
                "{} outputs from the export for {} of our predictions",
                theirs.len(),
                ours.len()
            )));
        }
        let mut max_abs = 0.0f64;
        for (&a, &b) in ours.iter().zip(theirs) {
            let diff = (a - f64::from(b)).abs();
            if !diff.is_finite() {
                return Err(AtbError::Export(format!(
                    "the export returned {b} where we predict {a}"
                )));
            }
            max_abs = max_abs.max(diff);
        }
        let scale = ours.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        Ok(Agreement {
            samples: ours.len(),
            max_abs,
            max_rel: if scale > 0.0 {
                max_abs / scale
            } else {
                max_abs
            },
        })
    }

    /// Whether the relative difference is within [`RELATIVE_BOUND`].
    pub fn within_bound(&self) -> bool {
        self.max_rel <= RELATIVE_BOUND
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_to_the_largest_prediction() {
        let a = Agreement::measure(&[2.0, -4.0, 0.0], &[2.0, -4.0004, 0.0001]).unwrap();
        assert_eq!(a.samples, 3);
        assert!((a.max_abs - 0.0004).abs() < 1e-6);
        assert!((a.max_rel - 1e-4).abs() < 1e-6);
        assert!(Agreement::measure(&[1.0], &[f32::NAN]).is_err());
        assert!(Agreement::measure(&[1.0, 2.0], &[1.0]).is_err());
        assert!(!Agreement::measure(&[1.0], &[1.001]).unwrap().within_bound());
    }
}
