//! The Diebold–Mariano test of equal forecast accuracy, with the Harvey–Leybourne–Newbold
//! small-sample correction, for one-step-ahead forecasts under squared-error loss.
//!
//! With d_t = e_model,t² − e_naive,t², d̄ its mean and γ₀ = (1/n) Σ (d_t − d̄)², the statistic for
//! horizon h = 1 is DM = d̄ / √(γ₀ / n) (no autocovariance lags enter at h = 1). HLN multiply it
//! by √((n + 1 − 2h + h(h − 1)/n) / n) = √((n − 1)/n) and compare it with Student's t with n − 1
//! degrees of freedom; the p-value is two-sided.

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, StudentsT};

use crate::error::{AtbError, Result};

/// The significance level the verdicts use.
pub const SIGNIFICANCE_LEVEL: f64 = 0.05;

/// The outcome of the test on one set of forecasts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DieboldMariano {
    /// Mean loss differential d̄ (model minus persistence; negative when the model's squared
    /// errors are smaller).
    pub mean_loss_difference: f64,
    /// The HLN-corrected statistic.
    pub statistic: f64,
    /// Two-sided p-value from Student's t with n − 1 degrees of freedom.
    pub p_value: f64,
    /// Number of paired forecasts.
    pub n: usize,
}

/// What the test allows a summary to say about a model against persistence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Lower squared error and p < 0.05.
    Beats,
    /// Higher squared error and p < 0.05.
    Worse,
    /// Anything else, including an undefined statistic.
    NotDistinguishable,
}

impl Verdict {
    /// The words a summary prints.
    pub fn phrase(self) -> &'static str {
        match self {
            Verdict::Beats => "beats persistence",
            Verdict::Worse => "worse than persistence",
            Verdict::NotDistinguishable => "not distinguishable from persistence",
        }
    }
}

impl DieboldMariano {
    /// Tests `model_errors` against `naive_errors` (forecast minus actual, same samples).
    ///
    /// Returns `Ok(None)` when the statistic is undefined: fewer than two samples, or a loss
    /// differential with no variance (e.g. identical forecasts).
    pub fn test(model_errors: &[f64], naive_errors: &[f64]) -> Result<Option<Self>> {
        if model_errors.len() != naive_errors.len() {
            return Err(AtbError::Config(format!(
                "Diebold–Mariano test: {} model errors but {} persistence errors",
                model_errors.len(),
                naive_errors.len()
            )));
        }
        let n = model_errors.len();
        if n < 2 {
            return Ok(None);
        }
        let d: Vec<f64> = model_errors
            .iter()
            .zip(naive_errors)
            .map(|(m, p)| m * m - p * p)
            .collect();
        let nf = n as f64;
        let mean = d.iter().sum::<f64>() / nf;
        let gamma0 = d.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / nf;
        if gamma0.is_nan() || gamma0 <= 0.0 || !mean.is_finite() {
            return Ok(None);
        }
        let dm = mean / (gamma0 / nf).sqrt();
        let statistic = dm * ((nf - 1.0) / nf).sqrt();
        let t = StudentsT::new(0.0, 1.0, nf - 1.0)
            .map_err(|e| AtbError::Config(format!("Student's t with {} dof: {e}", n - 1)))?;
        let p_value = (2.0 * t.sf(statistic.abs())).min(1.0);
        Ok(Some(Self {
            mean_loss_difference: mean,
            statistic,
            p_value,
            n,
        }))
    }

    /// The verdict at [`SIGNIFICANCE_LEVEL`].
    pub fn verdict(&self) -> Verdict {
        if self.p_value >= SIGNIFICANCE_LEVEL {
            Verdict::NotDistinguishable
        } else if self.mean_loss_difference < 0.0 {
            Verdict::Beats
        } else {
            Verdict::Worse
        }
    }
}

/// The verdict of an optional test (an undefined statistic distinguishes nothing).
pub fn verdict_of(test: Option<&DieboldMariano>) -> Verdict {
    test.map_or(Verdict::NotDistinguishable, DieboldMariano::verdict)
}
