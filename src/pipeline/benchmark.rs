//! `atb-gpu benchmark`: the guide's comparison table — every model trained and tested on the
//! same split, beside the naive persistence forecast, with training time and single-window
//! inference latency — plus the "best performers" summary.

use std::fmt;
use std::time::Instant;

use serde::Serialize;

use super::lightgbm::{boosting_params, fit_lightgbm};
use super::neural::fit_neural;
use super::request::TrainRequest;
use crate::device::ComputeDevice;
use crate::eval::Metrics;
use crate::eval::{Comparison, DieboldMariano, significant, verdict_of};
use crate::gbdt::{FeatureMatrix, LightGbmModel};
use crate::models::Model;
use crate::{Result, Tensor};

/// One row of the table.
#[derive(Debug, Clone, Serialize)]
pub struct BenchmarkRow {
    /// Model type (or `naive`).
    pub model: String,
    /// Training seconds (0 for the naive forecast).
    pub train_seconds: f64,
    /// Median latency of one forecast from one window, in milliseconds (upload, forward,
    /// readback).
    pub infer_ms_p50: f64,
    /// 95th-percentile latency, in milliseconds.
    pub infer_ms_p95: f64,
    /// Windows per second forecast in batches of 256 (the test split, repeated).
    pub throughput_per_s: f64,
    /// Size of the model in MiB: f32 parameters (neural) or the model.txt text (boosting).
    pub parameters_mib: f64,
    /// Test metrics in price units.
    pub metrics: Metrics,
    /// Diebold–Mariano test against persistence on the same bars (`None` for the persistence
    /// row itself, or when the statistic is undefined).
    pub vs_persistence: Option<DieboldMariano>,
}

/// The whole comparison.
#[derive(Debug, Clone, Serialize)]
pub struct BenchmarkReport {
    /// Device used.
    pub device: String,
    /// Target bars every row is scored on.
    pub test_bars: usize,
    /// One row per model, then `naive`.
    pub rows: Vec<BenchmarkRow>,
}

/// Latency percentiles of `runs` single-window forecasts, in milliseconds.
pub fn single_window_latency(model: &Model, window: &Tensor, runs: usize) -> Result<(f64, f64)> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs.max(1) {
        let started = Instant::now();
        model.predict(window)?;
        times.push(started.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    Ok((at(0.5), at(0.95)))
}

/// Windows per second when forecasting `windows` [N, T, F] in batches of 256.
pub fn batch_throughput(model: &Model, windows: &Tensor) -> Result<f64> {
    let device = model.params.device().clone();
    let n = windows.shape()[0];
    let on_device = windows.to_device(&device)?;
    let started = Instant::now();
    let mut start = 0;
    while start < n {
        let len = 256.min(n - start);
        model.predict(&crate::ops::slice(&on_device, 0, start, len)?)?;
        start += len;
    }
    Ok(n as f64 / started.elapsed().as_secs_f64().max(1e-9))
}

/// Latency percentiles (ms) of forecasting one row, and rows per second over `x`.
fn booster_speed(
    model: &LightGbmModel,
    x: &FeatureMatrix,
    device: &ComputeDevice,
) -> Result<(f64, f64, f64)> {
    let one = FeatureMatrix::new(
        1,
        x.cols(),
        x.row(x.rows().saturating_sub(1)).to_vec(),
        x.names().to_vec(),
    )?;
    let mut times = Vec::with_capacity(50);
    for _ in 0..50 {
        let started = Instant::now();
        crate::gbdt::predict(model, &one, device)?;
        times.push(started.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    let started = Instant::now();
    crate::gbdt::predict(model, x, device)?;
    let throughput = x.rows() as f64 / started.elapsed().as_secs_f64().max(1e-9);
    Ok((times[25], times[47], throughput))
}

/// A model's test forecasts, keyed by the target bar's open time.
struct Forecasts {
    times: Vec<i64>,
    predicted: Vec<f64>,
    actual: Vec<f64>,
    previous: Vec<f64>,
}

impl Forecasts {
    /// Metrics of the model and of persistence over the target bars in `common`.
    fn on(&self, common: &std::collections::BTreeSet<i64>) -> Result<Comparison> {
        let keep: Vec<usize> = (0..self.times.len())
            .filter(|&i| common.contains(&self.times[i]))
            .collect();
        let pick = |v: &[f64]| keep.iter().map(|&i| v[i]).collect::<Vec<f64>>();
        Comparison::new(
            &pick(&self.predicted),
            &pick(&self.actual),
            &pick(&self.previous),
        )
    }
}

/// Trains and tests each model type of `model_types` (neural types and `lightgbm`) with
/// `base`'s settings. Every row — and the persistence row — is scored on the same target bars:
/// those in every model's test split (the models' feature warm-ups differ by a few bars).
/// Every model's request is checked before the first one trains.
pub fn benchmark(
    base: &TrainRequest,
    model_types: &[String],
    mut on_model: impl FnMut(&str),
) -> Result<BenchmarkReport> {
    for model_type in model_types {
        let request = TrainRequest {
            model_type: model_type.clone(),
            ..base.clone()
        };
        request.validate()?;
        if request.is_boosting() {
            boosting_params(&request)?;
        }
    }
    let mut runs: Vec<(BenchmarkRow, Forecasts)> = Vec::new();
    let mut device = String::new();
    for model_type in model_types {
        on_model(model_type);
        let request = TrainRequest {
            model_type: model_type.clone(),
            ..base.clone()
        };
        let (row, forecasts) = if request.is_boosting() {
            let trained = fit_lightgbm(&request)?;
            let test = &trained.splits[2];
            let (p50, p95, throughput) = booster_speed(
                &trained.model,
                &test.x,
                &ComputeDevice::open(&request.device)?,
            )?;
            let model_bytes = crate::gbdt::to_model_string(&trained.model)?.len();
            device = trained.device.clone();
            let forecasts = Forecasts {
                times: test.target_time_ms.clone(),
                predicted: trained
                    .test_predictions
                    .iter()
                    .zip(&test.close)
                    .map(|(p, c)| c * p.exp())
                    .collect(),
                actual: test.next_close.clone(),
                previous: test.close.clone(),
            };
            let row = BenchmarkRow {
                model: model_type.clone(),
                train_seconds: trained.train_seconds,
                infer_ms_p50: p50,
                infer_ms_p95: p95,
                throughput_per_s: throughput,
                parameters_mib: model_bytes as f64 / (1 << 20) as f64,
                metrics: trained.comparison.model.clone(),
                vs_persistence: None,
            };
            (row, forecasts)
        } else {
            let trained = fit_neural(&request, |_, _| {})?;
            let test = &trained.data.test;
            let shape = test.x.shape();
            let last = shape[0].saturating_sub(1);
            let window: Vec<f32> = test
                .x
                .slice(ndarray::s![last..last + 1, .., ..])
                .iter()
                .copied()
                .collect();
            let window = Tensor::from_vec(&[1, shape[1], shape[2]], window)?;
            let (p50, p95) = single_window_latency(&trained.model, &window, 50)?;
            let all = Tensor::from_vec(shape, test.x.iter().copied().collect())?;
            let throughput = batch_throughput(&trained.model, &all)?;
            device = trained.saved.device.clone();
            let predicted = super::neural::price_forecasts(
                &trained.model,
                &trained.data,
                test,
                &trained.test_set,
            )?;
            let forecasts = Forecasts {
                times: test.target_time_ms.clone(),
                predicted,
                actual: test.next_close.clone(),
                previous: test.prev_close.clone(),
            };
            let row = BenchmarkRow {
                model: model_type.clone(),
                train_seconds: trained.train_seconds,
                infer_ms_p50: p50,
                infer_ms_p95: p95,
                throughput_per_s: throughput,
                parameters_mib: trained.model.parameter_count() as f64 * 4.0 / (1 << 20) as f64,
                metrics: trained.comparison.model.clone(),
                vs_persistence: None,
            };
            (row, forecasts)
        };
        runs.push((row, forecasts));
    }
    let mut common: Option<std::collections::BTreeSet<i64>> = None;
    for (_, f) in &runs {
        let times: std::collections::BTreeSet<i64> = f.times.iter().copied().collect();
        common = Some(match common {
            Some(c) => c.intersection(&times).copied().collect(),
            None => times,
        });
    }
    let common = common.unwrap_or_default();
    let mut rows = Vec::with_capacity(runs.len() + 1);
    let mut naive = None;
    for (mut row, forecasts) in runs {
        let comparison = forecasts.on(&common)?;
        naive.get_or_insert_with(|| comparison.naive.clone());
        row.metrics = comparison.model;
        row.vs_persistence = comparison.diebold_mariano;
        rows.push(row);
    }
    if let Some(metrics) = naive {
        rows.push(BenchmarkRow {
            model: "naive".to_string(),
            train_seconds: 0.0,
            infer_ms_p50: 0.0,
            infer_ms_p95: 0.0,
            throughput_per_s: 0.0,
            parameters_mib: 0.0,
            metrics,
            vs_persistence: None,
        });
    }
    Ok(BenchmarkReport {
        device,
        test_bars: common.len(),
        rows,
    })
}

fn opt(v: Option<f64>) -> String {
    v.map_or_else(|| "n/a".to_string(), |v| format!("{v:.2}"))
}

/// Significant digits of the error columns: enough to separate two models at any price scale.
const ERROR_DIGITS: usize = 6;

/// The Diebold–Mariano p-value and verdict of a row (blank for persistence itself).
fn versus_persistence(row: &BenchmarkRow) -> String {
    if row.model == "naive" {
        return "-".to_string();
    }
    let verdict = verdict_of(row.vs_persistence.as_ref()).phrase();
    match &row.vs_persistence {
        Some(dm) => format!("p={} {verdict}", significant(dm.p_value, 2)),
        None => format!("n/a {verdict}"),
    }
}

impl fmt::Display for BenchmarkReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "=== Comprehensive Model Architecture Comparison ({}, scored on the same {} test bars) ===",
            self.device, self.test_bars
        )?;
        writeln!(
            f,
            "{:<16} {:>10} {:>10} {:>12} {:>12} {:>8} {:>8}  vs persistence (Diebold–Mariano)",
            "Model", "Train(s)", "Infer(ms)", "RMSE", "MAE", "MAPE%", "DA%"
        )?;
        writeln!(f, "{}", "-".repeat(120))?;
        for r in &self.rows {
            let (train, infer) = if r.model == "naive" {
                ("-".to_string(), "-".to_string())
            } else {
                (
                    format!("{:.2}", r.train_seconds),
                    format!("{:.2}", r.infer_ms_p50),
                )
            };
            writeln!(
                f,
                "{:<16} {train:>10} {infer:>10} {:>12} {:>12} {:>8} {:>8}  {}",
                r.model,
                significant(r.metrics.rmse, ERROR_DIGITS),
                significant(r.metrics.mae, ERROR_DIGITS),
                opt(r.metrics.mape_pct),
                opt(r.metrics.directional_accuracy_pct),
                versus_persistence(r)
            )?;
        }
        let models: Vec<&BenchmarkRow> = self.rows.iter().filter(|r| r.model != "naive").collect();
        let best = |key: &dyn Fn(&BenchmarkRow) -> Option<f64>, lower: bool| {
            models
                .iter()
                .filter_map(|r| key(r).map(|v| (r, v)))
                .min_by(|a, b| {
                    if lower {
                        a.1.total_cmp(&b.1)
                    } else {
                        b.1.total_cmp(&a.1)
                    }
                })
                .map(|(r, v)| (r.model.clone(), v))
        };
        writeln!(f, "\n=== Best Performers ===")?;
        let line = |f: &mut fmt::Formatter<'_>,
                    label: &str,
                    found: Option<(String, f64)>,
                    unit: &str| match found {
            Some((model, v)) => writeln!(f, "{label}: {model} ({}{unit})", significant(v, 6)),
            None => writeln!(f, "{label}: n/a"),
        };
        line(f, "Best RMSE", best(&|r| Some(r.metrics.rmse), true), "")?;
        line(f, "Best MAE", best(&|r| Some(r.metrics.mae), true), "")?;
        line(
            f,
            "Best Directional Accuracy",
            best(&|r| r.metrics.directional_accuracy_pct, false),
            "%",
        )?;
        line(
            f,
            "Fastest Training",
            best(&|r| Some(r.train_seconds), true),
            "s",
        )?;
        line(
            f,
            "Fastest Inference",
            best(&|r| Some(r.infer_ms_p50), true),
            "ms",
        )?;
        writeln!(f, "\n=== Inference ===")?;
        writeln!(
            f,
            "{:<16} {:>10} {:>10} {:>14} {:>12}",
            "Model", "p50 (ms)", "p95 (ms)", "batch 256 (/s)", "size MiB"
        )?;
        for r in &models {
            writeln!(
                f,
                "{:<16} {:>10.3} {:>10.3} {:>14.0} {:>12.3}",
                r.model, r.infer_ms_p50, r.infer_ms_p95, r.throughput_per_s, r.parameters_mib
            )?;
        }
        Ok(())
    }
}
