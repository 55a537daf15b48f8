//! The end-to-end jobs behind the CLI: load and check the candles, train (neural or boosted),
//! evaluate beside the naive forecast, save a registry version, export one to ONNX. The CLI
//! only parses arguments and prints.

mod benchmark;
mod candles;
mod explain;
mod export;
mod forecast;
mod forecaster;
mod lightgbm;
mod memory;
mod neural;
mod outcome;
mod profile;
mod request;
mod resident_memory;
mod saved_booster;
mod saved_config;
mod saved_config_v0_1;
mod saved_model;
mod version_windows;
mod writable;

pub use benchmark::{
    BenchmarkReport, BenchmarkRow, batch_throughput, benchmark, single_window_latency,
};
pub use candles::{LoadedCandles, load_candles};
pub use explain::{AttentionMap, attention_map, attention_png};
pub use export::{CHECK_SAMPLES, ExportReport, ExportRequest, export_version};
pub use forecast::{Forecast, PreparedWindows, forecasts_csv};
pub use forecaster::{FORECAST_BATCH, SavedForecaster, load_forecaster};
pub use lightgbm::{
    BOOSTING_TARGET, BoostingSplit, TrainedBooster, boosting_params, fit_lightgbm,
    fit_lightgbm_split, save_lightgbm, stage_lightgbm, train_lightgbm,
};
pub use memory::MemoryEstimate;
pub use neural::{
    TARGET, TrainedNeural, fit_neural, fit_neural_split, save_neural, stage_neural, train_neural,
};
pub use outcome::TrainOutcome;
pub use profile::{
    ColdStart, LATENCY_TARGET_MS, Latency, MEMORY_TARGET_BYTES, ProfileReport, ProfileRequest,
    THROUGHPUT_BATCHES, Target, Throughput, WARMUP_RUNS, profile,
};
pub use request::{CheckpointRequest, SYMBOL_PATTERN, TrainRequest, check_symbol};
pub use resident_memory::{peak_resident_bytes, resident_bytes};
pub use saved_booster::{BoostingConfig, SavedBooster};
pub use saved_config::{DataSummary, SavedConfig, TrainingSettings};
pub use saved_model::{SavedModel, load_saved_model};
pub use version_windows::version_test_windows;
pub use writable::{check_writable_dir, check_writable_file};
