//! A model's metrics beside the naive persistence forecast's, with the model's skill.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::diebold_mariano::{DieboldMariano, Verdict, verdict_of};
use super::metrics::{Metrics, compute_metrics};
use super::naive::naive_persistence_metrics;
use super::significant::significant;
use crate::error::Result;

/// The model against persistence on the same samples.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// The model's metrics.
    pub model: Metrics,
    /// The persistence forecast's metrics.
    pub naive: Metrics,
    /// 1 − RMSE_model / RMSE_naive: positive when the model beats persistence; `None` when
    /// persistence is exact (RMSE 0).
    pub skill: Option<f64>,
    /// Diebold–Mariano test of the squared errors against persistence's (`None` when undefined,
    /// and in metrics written before the test existed).
    #[serde(default)]
    pub diebold_mariano: Option<DieboldMariano>,
}

impl Comparison {
    /// Scores `predicted` and the persistence forecast against `actual`, `previous` being the
    /// last known close of each sample.
    pub fn new(predicted: &[f64], actual: &[f64], previous: &[f64]) -> Result<Self> {
        let model = compute_metrics(predicted, actual, previous)?;
        let naive = naive_persistence_metrics(actual, previous)?;
        let skill = (naive.rmse > 0.0).then(|| 1.0 - model.rmse / naive.rmse);
        let errors = |forecast: &[f64]| -> Vec<f64> {
            forecast.iter().zip(actual).map(|(f, a)| f - a).collect()
        };
        let diebold_mariano = DieboldMariano::test(&errors(predicted), &errors(previous))?;
        Ok(Self {
            model,
            naive,
            skill,
            diebold_mariano,
        })
    }

    /// What the Diebold–Mariano test allows a summary to say against persistence.
    pub fn verdict(&self) -> Verdict {
        verdict_of(self.diebold_mariano.as_ref())
    }
}

/// A value with [`SIGNIFICANT_DIGITS`] significant digits, or "n/a".
fn opt(value: Option<f64>) -> String {
    value.map_or_else(|| "n/a".to_string(), |v| significant(v, SIGNIFICANT_DIGITS))
}

/// Significant digits of every number in the table: enough to tell two errors apart at any
/// price scale (a coin at 0.17 and one at 117,000 alike).
const SIGNIFICANT_DIGITS: usize = 6;

/// A p-value readable at any magnitude.
fn p_value(p: f64) -> String {
    if p != 0.0 && p < 1e-4 {
        format!("{p:.2e}")
    } else {
        format!("{p:.4}")
    }
}

fn directional(m: &Metrics) -> String {
    match (m.directional_accuracy_pct, m.da_p_value) {
        (Some(da), Some(p)) => format!("{da:.2} (p={})", p_value(p)),
        _ => "n/a".to_string(),
    }
}

impl fmt::Display for Comparison {
    /// A side-by-side table, e.g.
    /// ```text
    /// metric                   model           naive
    /// RMSE                  123.4567        130.0000
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (m, n) = (&self.model, &self.naive);
        let row = |f: &mut fmt::Formatter<'_>, label: &str, model: String, naive: String| {
            writeln!(f, "{label:<8}{model:>24}{naive:>24}")
        };
        row(f, "metric", "model".into(), "naive (persistence)".into())?;
        row(f, "RMSE", opt(Some(m.rmse)), opt(Some(n.rmse)))?;
        row(f, "MAE", opt(Some(m.mae)), opt(Some(n.mae)))?;
        row(f, "MAPE %", opt(m.mape_pct), opt(n.mape_pct))?;
        row(f, "R²", opt(m.r2), opt(n.r2))?;
        row(f, "DA %", directional(m), directional(n))?;
        writeln!(
            f,
            "skill   {:>24}  (1 − RMSE_model / RMSE_naive)",
            opt(self.skill)
        )?;
        match &self.diebold_mariano {
            Some(dm) => writeln!(
                f,
                "DM test {:>24}  (p={}, Diebold–Mariano with HLN correction on squared errors): {}",
                significant(dm.statistic, 4),
                p_value(dm.p_value),
                self.verdict().phrase()
            )?,
            None => writeln!(
                f,
                "DM test {:>24}  (the loss difference has no variance): {}",
                "n/a",
                self.verdict().phrase()
            )?,
        }
        write!(
            f,
            "{} samples; DA over {} moves, {} unchanged closes excluded",
            m.n, m.direction_trials, m.direction_ties
        )
    }
}
