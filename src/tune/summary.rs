//! `tuning.json` and the ranking every run prints: each configuration's scores averaged over its
//! folds, the best one by the chosen metric, the settings and grid that produced them, the
//! rows with their fit times and, once the best configuration has been retrained, its one
//! evaluation on the test span beside persistence (with the Diebold–Mariano test).

use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::grid::Grid;
use super::settings::TuneSettings;
use super::shard::Shard;
use super::table::{TuningRow, tuning_csv};
use crate::eval::{Comparison, significant};
use crate::{AtbError, Result};

/// One configuration's scores, averaged over its folds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfigurationScore {
    /// Configuration index in grid order, 1-based.
    pub configuration: usize,
    /// `(key, value)` of every grid axis.
    pub parameters: Vec<(String, String)>,
    /// Folds scored.
    pub folds: usize,
    /// Mean RMSE over the folds, price units.
    pub mean_rmse: f64,
    /// Mean MAE over the folds, price units.
    pub mean_mae: f64,
    /// Mean directional accuracy in percent (`None` if some fold had no move).
    pub mean_da_pct: Option<f64>,
    /// Persistence's mean RMSE on the same folds.
    pub mean_naive_rmse: f64,
    /// The ranking metric's mean (`None`: not rankable).
    pub score: Option<f64>,
}

/// Everything a tuning run (or one shard of it) found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TuningSummary {
    /// The atb-gpu version that tuned.
    pub atb_gpu_version: String,
    /// Settings shared by every configuration.
    pub settings: TuneSettings,
    /// The whole grid (of every shard).
    pub grid: Grid,
    /// The slice this summary covers (`None`: the whole grid).
    pub shard: Option<Shard>,
    /// Fingerprint of the candles every fold was cut from.
    pub data_fingerprint: String,
    /// Scores of each configuration covered, in grid order.
    pub configurations: Vec<ConfigurationScore>,
    /// The best of them by the settings' metric (ties: the earliest).
    pub best: Option<ConfigurationScore>,
    /// One row per configuration and fold.
    pub rows: Vec<TuningRow>,
    /// The best configuration retrained on the default split and evaluated once on its test
    /// span (absent in shards until `tune merge`).
    pub test: Option<Comparison>,
}

/// Mean of `values`, or `None` if any is missing.
fn mean_of(values: impl Iterator<Item = Option<f64>>) -> Option<f64> {
    let values: Vec<f64> = values.collect::<Option<Vec<f64>>>()?;
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

impl TuningSummary {
    /// Scores and ranks `rows` (in any order; they are sorted by configuration, then fold).
    pub fn from_rows(
        settings: TuneSettings,
        grid: Grid,
        shard: Option<Shard>,
        data_fingerprint: String,
        mut rows: Vec<TuningRow>,
    ) -> TuningSummary {
        rows.sort_by_key(|r| (r.configuration, r.fold));
        let mut configurations: Vec<ConfigurationScore> = Vec::new();
        for group in rows.chunk_by(|a, b| a.configuration == b.configuration) {
            let metric = settings.metric;
            configurations.push(ConfigurationScore {
                configuration: group[0].configuration,
                parameters: group[0].parameters.clone(),
                folds: group.len(),
                mean_rmse: mean_of(group.iter().map(|r| Some(r.rmse))).unwrap_or(f64::NAN),
                mean_mae: mean_of(group.iter().map(|r| Some(r.mae))).unwrap_or(f64::NAN),
                mean_da_pct: mean_of(group.iter().map(|r| r.da_pct)),
                mean_naive_rmse: mean_of(group.iter().map(|r| Some(r.naive_rmse)))
                    .unwrap_or(f64::NAN),
                score: mean_of(group.iter().map(|r| metric.of(r))),
            });
        }
        let best = best_of(&configurations, &settings);
        TuningSummary {
            atb_gpu_version: env!("CARGO_PKG_VERSION").to_string(),
            settings,
            grid,
            shard,
            data_fingerprint,
            configurations,
            best,
            rows,
            test: None,
        }
    }

    /// Writes `tuning.csv` and `tuning.json` into `dir` (created if missing).
    pub fn write_files(&self, dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir).map_err(|source| AtbError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        for (name, text) in [("tuning.csv", self.csv()?), ("tuning.json", self.json()?)] {
            let path = dir.join(name);
            std::fs::write(&path, text).map_err(|source| AtbError::Io { path, source })?;
        }
        Ok(())
    }

    /// The text of `tuning.csv`.
    pub fn csv(&self) -> Result<String> {
        tuning_csv(&self.grid.keys(), &self.rows)
    }

    /// The text of `tuning.json`.
    pub fn json(&self) -> Result<String> {
        serde_json::to_string_pretty(self)
            .map_err(|e| AtbError::Config(format!("writing tuning.json: {e}")))
    }

    /// Reads a `tuning.json` (the error names the file).
    pub fn read(path: &Path) -> Result<TuningSummary> {
        let text = std::fs::read_to_string(path).map_err(|source| AtbError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        serde_json::from_str(&text)
            .map_err(|e| AtbError::Config(format!("{}: not a tuning.json ({e})", path.display())))
    }
}

/// The best-scoring configuration (strictly better replaces, so ties keep grid order).
pub fn best_of(
    configurations: &[ConfigurationScore],
    settings: &TuneSettings,
) -> Option<ConfigurationScore> {
    let mut best: Option<&ConfigurationScore> = None;
    for c in configurations {
        let Some(score) = c.score.filter(|s| s.is_finite()) else {
            continue;
        };
        if best
            .and_then(|b| b.score)
            .is_none_or(|b| settings.metric.better(score, b))
        {
            best = Some(c);
        }
    }
    best.cloned()
}

/// Significant digits of the ranking's numbers: two configurations of a coin at 0.17 differ on
/// screen as visibly as two of one at 117,000.
const DIGITS: usize = 6;

fn number(value: Option<f64>) -> String {
    value.map_or_else(|| "n/a".to_string(), |v| significant(v, DIGITS))
}

impl fmt::Display for TuningSummary {
    /// The ranking: one line per configuration, mean scores over the folds, the best marked `*`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys = self.grid.keys();
        let widths: Vec<usize> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| {
                self.configurations
                    .iter()
                    .map(|c| c.parameters.get(i).map_or(0, |(_, v)| v.len()))
                    .chain([k.len()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let best = self.best.as_ref().map(|b| b.configuration);
        write!(f, "{:>6}", "config")?;
        for (k, w) in keys.iter().zip(&widths) {
            write!(f, "  {k:<w$}")?;
        }
        writeln!(
            f,
            "  {:>14} {:>14} {:>10} {:>16}",
            "mean RMSE", "mean MAE", "mean DA %", "persistence RMSE"
        )?;
        for c in &self.configurations {
            let mark = if Some(c.configuration) == best {
                "*"
            } else {
                " "
            };
            write!(f, "{mark}{:>5}", c.configuration)?;
            for ((_, v), w) in c.parameters.iter().zip(&widths) {
                write!(f, "  {v:<w$}")?;
            }
            writeln!(
                f,
                "  {:>14} {:>14} {:>10} {:>16}",
                number(Some(c.mean_rmse)),
                number(Some(c.mean_mae)),
                c.mean_da_pct
                    .map_or_else(|| "n/a".into(), |d| format!("{d:.2}")),
                number(Some(c.mean_naive_rmse)),
            )?;
        }
        match &self.best {
            Some(b) => write!(
                f,
                "best ({} over {} folds): configuration {} ({}) with {}",
                self.settings.metric.name(),
                b.folds,
                b.configuration,
                b.parameters
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(" "),
                number(b.score)
            ),
            None => write!(f, "no configuration could be ranked"),
        }
    }
}
