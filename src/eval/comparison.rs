//! A model's metrics beside the naive persistence forecast's, with the model's skill.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::metrics::{Metrics, compute_metrics};
use super::naive::naive_persistence_metrics;
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
}

impl Comparison {
    /// Scores `predicted` and the persistence forecast against `actual`, `previous` being the
    /// last known close of each sample.
    pub fn new(predicted: &[f64], actual: &[f64], previous: &[f64]) -> Result<Self> {
        let model = compute_metrics(predicted, actual, previous)?;
        let naive = naive_persistence_metrics(actual, previous)?;
        let skill = (naive.rmse > 0.0).then(|| 1.0 - model.rmse / naive.rmse);
        Ok(Self {
            model,
            naive,
            skill,
        })
    }

    /// Whether the model's RMSE is below persistence's.
    pub fn beats_naive(&self) -> bool {
        self.skill.is_some_and(|s| s > 0.0)
    }
}

/// A value or "n/a".
fn opt(value: Option<f64>, decimals: usize) -> String {
    value.map_or_else(|| "n/a".to_string(), |v| format!("{v:.decimals$}"))
}

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
        writeln!(
            f,
            "{:<8}{:>24}{:>24}",
            "metric", "model", "naive (persistence)"
        )?;
        writeln!(f, "{:<8}{:>24.4}{:>24.4}", "RMSE", m.rmse, n.rmse)?;
        writeln!(f, "{:<8}{:>24.4}{:>24.4}", "MAE", m.mae, n.mae)?;
        writeln!(
            f,
            "{:<8}{:>24}{:>24}",
            "MAPE %",
            opt(m.mape_pct, 4),
            opt(n.mape_pct, 4)
        )?;
        writeln!(f, "{:<8}{:>24}{:>24}", "R²", opt(m.r2, 4), opt(n.r2, 4))?;
        writeln!(
            f,
            "{:<8}{:>24}{:>24}",
            "DA %",
            directional(m),
            directional(n)
        )?;
        let verdict = match self.skill {
            Some(s) if s > 0.0 => "beats persistence",
            Some(_) => "does NOT beat persistence",
            None => "persistence is exact",
        };
        writeln!(
            f,
            "skill   {:>24}  (1 − RMSE_model / RMSE_naive: {verdict})",
            opt(self.skill, 4)
        )?;
        write!(
            f,
            "{} samples; DA over {} moves, {} unchanged closes excluded",
            m.n, m.direction_trials, m.direction_ties
        )
    }
}
