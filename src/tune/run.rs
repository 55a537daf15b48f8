//! Scoring configurations × folds: one fit per pair on the fold's rows, on one open device,
//! reported after each fit as a progress line (configuration k/n, fold, best so far, ETA).

use std::fmt;
use std::path::Path;
use std::time::Instant;

use super::folds::fold_split;
use super::grid::{Configuration, Grid};
use super::settings::TuneSettings;
use super::summary::{ConfigurationScore, TuningSummary};
use super::table::TuningRow;
use crate::data::time::format_timestamp;
use crate::device::{ComputeDevice, DeviceRequest};
use crate::eval::{Comparison, significant};
use crate::pipeline::{fit_lightgbm_split, fit_neural_split};
use crate::{AtbError, Result};

/// Where a run stands after one fit.
#[derive(Debug, Clone)]
pub struct Progress {
    /// Position of the configuration in this run, 1-based.
    pub position: usize,
    /// Configurations in this run (a shard's share, or the whole grid).
    pub configurations: usize,
    /// Configurations in the whole grid.
    pub grid_size: usize,
    /// The row just scored.
    pub row: TuningRow,
    /// Folds per configuration.
    pub folds: usize,
    /// The metric's name and value on this fold.
    pub metric: (&'static str, Option<f64>),
    /// The best configuration among those with every fold done.
    pub best: Option<ConfigurationScore>,
    /// Seconds since the run started.
    pub elapsed: f64,
    /// Estimated seconds left (mean fit time × fits left).
    pub eta: f64,
}

/// `83s`, `12m05s`, `2h07m`.
fn clock(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m{:02}s", s / 60, s % 60),
        _ => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
    }
}

fn value(v: Option<f64>) -> String {
    v.map_or_else(|| "n/a".to_string(), |v| significant(v, 6))
}

impl fmt::Display for Progress {
    /// `configuration 2/6 (#4 of 18) fold 3/3: rmse 412.345 (persistence 410.112) | best so
    /// far #2 rmse 400.118 | 35s elapsed, ETA 1m10s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (name, score) = self.metric;
        write!(
            f,
            "configuration {}/{} (#{} of {}) fold {}/{}: {name} {} (persistence rmse {}) | ",
            self.position,
            self.configurations,
            self.row.configuration,
            self.grid_size,
            self.row.fold,
            self.folds,
            value(score),
            value(Some(self.row.naive_rmse)),
        )?;
        match &self.best {
            Some(b) => write!(
                f,
                "best so far #{} {name} {}",
                b.configuration,
                value(b.score)
            )?,
            None => write!(f, "best so far: none complete")?,
        }
        write!(
            f,
            " | {} elapsed, ETA {}",
            clock(self.elapsed),
            clock(self.eta)
        )
    }
}

/// The row of one fit's comparison on its fold.
fn row_of(
    configuration: &Configuration,
    fold: usize,
    samples: [usize; 3],
    score_times: &[i64],
    comparison: &Comparison,
    rounds: (usize, Option<usize>),
) -> TuningRow {
    let time = |t: Option<&i64>| t.map_or_else(String::new, |&t| format_timestamp(t));
    TuningRow {
        configuration: configuration.index,
        parameters: configuration.parameters.clone(),
        fold: fold + 1,
        train_samples: samples[0],
        validation_samples: samples[1],
        score_samples: samples[2],
        score_from: time(score_times.first()),
        score_to: time(score_times.last()),
        rmse: comparison.model.rmse,
        mae: comparison.model.mae,
        da_pct: comparison.model.directional_accuracy_pct,
        naive_rmse: comparison.naive.rmse,
        naive_mae: comparison.naive.mae,
        dm_p_value: comparison.diebold_mariano.map(|d| d.p_value),
        rounds: rounds.0,
        best_round: rounds.1,
        seconds: 0.0,
    }
}

/// Fits `configuration` on fold `fold` (0-based) and scores it on the fold's score block.
pub fn score_fold(
    settings: &TuneSettings,
    configuration: &Configuration,
    fold: usize,
    device: &ComputeDevice,
    device_request: DeviceRequest,
) -> Result<TuningRow> {
    let started = Instant::now();
    let request = settings.request(&configuration.parameters, device_request, Path::new("."))?;
    let split = |rows| fold_split(rows, fold, settings.folds);
    let mut row = if settings.is_boosting() {
        let t = fit_lightgbm_split(&request, device, &split)?;
        let [train, validation, score] = &t.splits;
        let rounds = (
            t.model.history().len(),
            t.model.best_iteration().map(|i| i + 1),
        );
        let samples = [train.y.len(), validation.y.len(), score.y.len()];
        row_of(
            configuration,
            fold,
            samples,
            &score.target_time_ms,
            &t.comparison,
            rounds,
        )
    } else {
        let t = fit_neural_split(&request, device, &split, |_, _| {})?;
        let d = &t.data;
        let rounds = (t.history.epochs.len(), t.saved.training.best_epoch);
        let samples = [d.train.len(), d.validation.len(), d.test.len()];
        row_of(
            configuration,
            fold,
            samples,
            &d.test.target_time_ms,
            &t.comparison,
            rounds,
        )
    };
    row.seconds = started.elapsed().as_secs_f64();
    Ok(row)
}

/// Scores every configuration of `configurations` on every fold, in order, calling `on_fit`
/// after each fit. A failing fit stops the run with an error naming the configuration and the
/// fold.
pub fn run_configurations(
    settings: &TuneSettings,
    grid: &Grid,
    configurations: &[Configuration],
    device: &ComputeDevice,
    device_request: DeviceRequest,
    mut on_fit: impl FnMut(&Progress),
) -> Result<Vec<TuningRow>> {
    let started = Instant::now();
    let total_fits = configurations.len() * settings.folds;
    let mut rows: Vec<TuningRow> = Vec::with_capacity(total_fits);
    let mut best = None;
    for (position, configuration) in configurations.iter().enumerate() {
        for fold in 0..settings.folds {
            let row =
                score_fold(settings, configuration, fold, device, device_request).map_err(|e| {
                    AtbError::Config(format!(
                        "configuration {} ({configuration}), fold {}/{}: {e}",
                        configuration.index,
                        fold + 1,
                        settings.folds
                    ))
                })?;
            rows.push(row.clone());
            if fold + 1 == settings.folds {
                best = TuningSummary::from_rows(
                    settings.clone(),
                    grid.clone(),
                    None,
                    String::new(),
                    rows.clone(),
                )
                .best;
            }
            let elapsed = started.elapsed().as_secs_f64();
            on_fit(&Progress {
                position: position + 1,
                configurations: configurations.len(),
                grid_size: grid.len(),
                folds: settings.folds,
                metric: (settings.metric.name(), settings.metric.of(&row)),
                best: best.clone(),
                elapsed,
                eta: elapsed / rows.len() as f64 * (total_fits - rows.len()) as f64,
                row,
            });
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::clock;

    #[test]
    fn durations_read_at_a_glance() {
        assert_eq!(clock(4.4), "4s");
        assert_eq!(clock(725.0), "12m05s");
        assert_eq!(clock(7620.0), "2h07m");
    }
}
