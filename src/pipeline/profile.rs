//! `atb-gpu profile`: a saved version served as in production, without retraining — cold
//! start, single-window latency percentiles, batch throughput, memory and GPU buffers — checked
//! against the production targets of the guide (`ml-model-guide.md`: < 100 ms per forecast,
//! < 100 MB of memory).

use std::fmt;
use std::path::PathBuf;
use std::time::Instant;

use serde::Serialize;

use super::forecast::PreparedWindows;
use super::forecaster::{SavedForecaster, load_forecaster};
use super::resident_memory::{peak_resident_bytes, resident_bytes};
use crate::data::load_symbol;
use crate::device::{ComputeDevice, DeviceRequest};
use crate::{AtbError, Result};

/// Single-window forecasts run before latency is measured (pipelines built, buffers pooled).
pub const WARMUP_RUNS: usize = 10;
/// Batch sizes whose throughput is measured.
pub const THROUGHPUT_BATCHES: [usize; 2] = [32, 256];
/// Each throughput runs at least this many batches...
const MIN_BATCHES: usize = 3;
/// ...and at least this long.
const MIN_MEASURE_SECONDS: f64 = 1.0;
/// The guide's latency target, in milliseconds.
pub const LATENCY_TARGET_MS: f64 = 100.0;
/// The guide's memory target, in bytes (100 MB as psutil's `rss / 1024 / 1024`).
pub const MEMORY_TARGET_BYTES: u64 = 100 * 1024 * 1024;

/// What to profile.
#[derive(Debug, Clone)]
pub struct ProfileRequest {
    /// Registry root.
    pub models_dir: PathBuf,
    /// Trading pair.
    pub symbol: String,
    /// `latest`, a version name or `vN`.
    pub version: String,
    /// Candles whose windows are forecast (`None`: the embedded data).
    pub data: Option<PathBuf>,
    /// The device to serve on.
    pub device: DeviceRequest,
    /// Measured single-window runs (after [`WARMUP_RUNS`]).
    pub runs: usize,
    /// The longest run of missing bars filled in the data (`--max-gap-bars`).
    pub max_gap_bars: usize,
    /// When the process started (cold start is measured from here).
    pub process_start: Instant,
}

/// Process start to the first forecast, and its parts, in milliseconds.
#[derive(Debug, Clone, Serialize)]
pub struct ColdStart {
    /// Process start to the first forecast read back.
    pub total_ms: f64,
    /// Opening the device (adapter, driver, context).
    pub open_device_ms: f64,
    /// Reading the version's files and building the model.
    pub load_model_ms: f64,
    /// Loading the candles and computing and scaling their features.
    pub prepare_data_ms: f64,
    /// The first forecast (shader pipelines are built here on a GPU).
    pub first_forecast_ms: f64,
}

/// Latency of one forecast from the latest window: upload, forward, readback.
#[derive(Debug, Clone, Serialize)]
pub struct Latency {
    /// Measured runs.
    pub runs: usize,
    /// Warm-up runs before them.
    pub warmup_runs: usize,
    /// Median, milliseconds.
    pub p50_ms: f64,
    /// 95th percentile, milliseconds.
    pub p95_ms: f64,
    /// 99th percentile, milliseconds.
    pub p99_ms: f64,
    /// Mean (the guide's check), milliseconds.
    pub mean_ms: f64,
}

/// Windows per second at one batch size.
#[derive(Debug, Clone, Serialize)]
pub struct Throughput {
    /// Windows per call (fewer when the data has fewer windows).
    pub batch: usize,
    /// Batches measured (after one warm-up batch).
    pub batches: usize,
    /// Windows forecast per second.
    pub windows_per_s: f64,
}

/// One production target, passed or failed.
#[derive(Debug, Clone, Serialize)]
pub struct Target {
    /// What is measured.
    pub name: String,
    /// The measured value, in `unit` (`None`: not measurable here).
    pub value: Option<f64>,
    /// The limit, in `unit`.
    pub limit: f64,
    /// `ms` or `MiB`.
    pub unit: &'static str,
    /// `value < limit` (`None` when the value is unknown).
    pub pass: Option<bool>,
}

impl Target {
    fn new(name: &str, value: Option<f64>, limit: f64, unit: &'static str) -> Target {
        Target {
            name: name.to_string(),
            value,
            limit,
            unit,
            pass: value.map(|v| v < limit),
        }
    }
}

/// Everything `profile` measures.
#[derive(Debug, Clone, Serialize)]
pub struct ProfileReport {
    /// Trading pair.
    pub symbol: String,
    /// Version folder name.
    pub version: String,
    /// Model type, e.g. `tcn` or `lightgbm`.
    pub model_type: String,
    /// The device served on.
    pub device: String,
    /// The file holding the model's parameters.
    pub model_file: PathBuf,
    /// Its size in bytes.
    pub model_file_bytes: u64,
    /// Windows in the data.
    pub windows: usize,
    /// Cold start.
    pub cold_start: ColdStart,
    /// Single-window latency.
    pub latency: Latency,
    /// Throughput at each of [`THROUGHPUT_BATCHES`].
    pub throughput: Vec<Throughput>,
    /// Peak resident memory of the whole process (`VmHWM`), bytes; `None` where unknown.
    pub peak_resident_bytes: Option<u64>,
    /// Resident memory added by loading the model and the first forecast (the guide's
    /// "model memory"), bytes; `None` where unknown.
    pub model_resident_bytes: Option<u64>,
    /// GPU memory held by the device's buffer pool, bytes; `None` on the CPU backend.
    pub gpu_buffer_bytes: Option<u64>,
    /// The guide's production targets.
    pub targets: Vec<Target>,
}

fn ms_since(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1e3
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// The `q`-quantile of ascending `sorted` (nearest rank).
fn percentile(sorted: &[f64], q: f64) -> f64 {
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Latency of `runs` forecasts of the latest window, after [`WARMUP_RUNS`].
fn single_window_latency(
    saved: &SavedForecaster,
    windows: &PreparedWindows,
    runs: usize,
) -> Result<Latency> {
    let last = windows.len() - 1;
    for _ in 0..WARMUP_RUNS {
        saved.forecast_windows(windows, last..last + 1)?;
    }
    let runs = runs.max(1);
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        saved.forecast_windows(windows, last..last + 1)?;
        times.push(ms_since(started));
    }
    times.sort_by(f64::total_cmp);
    Ok(Latency {
        runs,
        warmup_runs: WARMUP_RUNS,
        p50_ms: percentile(&times, 0.50),
        p95_ms: percentile(&times, 0.95),
        p99_ms: percentile(&times, 0.99),
        mean_ms: times.iter().sum::<f64>() / runs as f64,
    })
}

/// Windows per second forecasting consecutive batches of `batch` windows (wrapping around).
fn throughput(
    saved: &SavedForecaster,
    windows: &PreparedWindows,
    batch: usize,
) -> Result<Throughput> {
    let batch = batch.min(windows.len());
    saved.forecast_windows(windows, 0..batch)?;
    let (mut start, mut batches) = (0, 0);
    let started = Instant::now();
    while batches < MIN_BATCHES || started.elapsed().as_secs_f64() < MIN_MEASURE_SECONDS {
        if start + batch > windows.len() {
            start = 0;
        }
        saved.forecast_windows(windows, start..start + batch)?;
        start += batch;
        batches += 1;
    }
    Ok(Throughput {
        batch,
        batches,
        windows_per_s: (batch * batches) as f64 / started.elapsed().as_secs_f64().max(1e-9),
    })
}

/// Loads the version, forecasts once (cold start), then measures latency, throughput and
/// memory.
pub fn profile(request: &ProfileRequest) -> Result<ProfileReport> {
    let phase = Instant::now();
    let device = ComputeDevice::open(&request.device)?;
    let open_device_ms = ms_since(phase);
    let resident_before = resident_bytes();

    let phase = Instant::now();
    let saved = load_forecaster(
        &request.models_dir,
        &request.symbol,
        &request.version,
        &device,
    )?;
    let load_model_ms = ms_since(phase);

    let phase = Instant::now();
    let candles = load_symbol(&request.symbol, request.data.as_deref())?;
    let windows = saved.prepare(&candles, request.max_gap_bars)?;
    drop(candles);
    let prepare_data_ms = ms_since(phase);

    let phase = Instant::now();
    let last = windows
        .len()
        .checked_sub(1)
        .ok_or_else(|| AtbError::Config("the data gives no window to forecast from".into()))?;
    saved.forecast_windows(&windows, last..last + 1)?;
    let first_forecast_ms = ms_since(phase);
    let total_ms = ms_since(request.process_start);
    let model_resident_bytes = resident_before
        .zip(resident_bytes())
        .map(|(before, after)| after.saturating_sub(before));

    let latency = single_window_latency(&saved, &windows, request.runs)?;
    let throughput = THROUGHPUT_BATCHES
        .iter()
        .map(|&b| throughput(&saved, &windows, b))
        .collect::<Result<Vec<_>>>()?;
    let peak = peak_resident_bytes();
    let model_file = saved.model_file();
    let model_file_bytes = std::fs::metadata(&model_file)
        .map_err(|source| AtbError::Io {
            path: model_file.clone(),
            source,
        })?
        .len();
    let limit = mib(MEMORY_TARGET_BYTES);
    let targets = vec![
        Target::new(
            "single-window latency, mean",
            Some(latency.mean_ms),
            LATENCY_TARGET_MS,
            "ms",
        ),
        Target::new(
            "model memory (resident growth: load + first forecast)",
            model_resident_bytes.map(mib),
            limit,
            "MiB",
        ),
        Target::new(
            "peak resident memory, whole process",
            peak.map(mib),
            limit,
            "MiB",
        ),
    ];
    let version = saved.version();
    Ok(ProfileReport {
        symbol: version.symbol.clone(),
        version: version.name.clone(),
        model_type: saved.model_type().to_string(),
        device: device.describe(),
        model_file,
        model_file_bytes,
        windows: windows.len(),
        cold_start: ColdStart {
            total_ms,
            open_device_ms,
            load_model_ms,
            prepare_data_ms,
            first_forecast_ms,
        },
        latency,
        throughput,
        peak_resident_bytes: peak,
        model_resident_bytes,
        gpu_buffer_bytes: device.gpu().map(|ctx| ctx.stats().buffer_bytes),
        targets,
    })
}

/// `12.3 MiB`, or `unavailable (no /proc/self/status)`.
fn memory(bytes: Option<u64>) -> String {
    bytes.map_or("unavailable (no /proc/self/status here)".into(), |b| {
        format!("{:.1} MiB", mib(b))
    })
}

impl fmt::Display for ProfileReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (c, l) = (&self.cold_start, &self.latency);
        writeln!(
            f,
            "profile of {} {} ({}) on {}",
            self.symbol, self.version, self.model_type, self.device
        )?;
        writeln!(
            f,
            "model file    {} ({:.1} KiB)",
            self.model_file.display(),
            self.model_file_bytes as f64 / 1024.0
        )?;
        writeln!(
            f,
            "cold start    {:.1} ms from process start to the first forecast (device {:.1} ms, load {:.1} ms, data {:.1} ms, first forecast {:.1} ms)",
            c.total_ms, c.open_device_ms, c.load_model_ms, c.prepare_data_ms, c.first_forecast_ms
        )?;
        writeln!(
            f,
            "latency       p50 {:.3} ms, p95 {:.3} ms, p99 {:.3} ms, mean {:.3} ms ({} single-window runs after {} warm-up; upload + forward + readback)",
            l.p50_ms, l.p95_ms, l.p99_ms, l.mean_ms, l.runs, l.warmup_runs
        )?;
        let rates: Vec<String> = self
            .throughput
            .iter()
            .map(|t| format!("batch {}: {:.0} windows/s", t.batch, t.windows_per_s))
            .collect();
        writeln!(
            f,
            "throughput    {} (of {} windows)",
            rates.join("; "),
            self.windows
        )?;
        writeln!(
            f,
            "memory        peak resident {}; model (resident growth: load + first forecast) {}",
            memory(self.peak_resident_bytes),
            memory(self.model_resident_bytes)
        )?;
        match self.gpu_buffer_bytes {
            Some(bytes) => writeln!(
                f,
                "GPU buffers   {:.2} MiB held by the buffer pool",
                mib(bytes)
            )?,
            None => writeln!(f, "GPU buffers   none (CPU backend)")?,
        }
        writeln!(f, "targets (ml-model-guide.md, production):")?;
        for t in &self.targets {
            let verdict = match t.pass {
                Some(true) => "PASS",
                Some(false) => "FAIL",
                None => "n/a ",
            };
            let value = t
                .value
                .map_or("unavailable".to_string(), |v| format!("{v:.3} {}", t.unit));
            writeln!(
                f,
                "  {verdict}  {}: {value} (target < {} {})",
                t.name, t.limit, t.unit
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{Target, percentile};

    #[test]
    fn percentiles_are_nearest_rank_and_targets_compare_strictly() {
        let sorted: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&sorted, 0.5), 50.0);
        assert_eq!(percentile(&sorted, 0.95), 95.0);
        assert_eq!(percentile(&sorted, 0.99), 99.0);
        assert_eq!(percentile(&[7.0], 0.99), 7.0);
        assert_eq!(Target::new("x", Some(99.9), 100.0, "ms").pass, Some(true));
        assert_eq!(Target::new("x", Some(100.0), 100.0, "ms").pass, Some(false));
        assert_eq!(Target::new("x", None, 100.0, "ms").pass, None);
    }
}
