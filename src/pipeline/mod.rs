//! The end-to-end jobs behind the CLI: load and check the candles, train (neural or boosted),
//! evaluate beside the naive forecast, save a registry version, export one to ONNX. The CLI
//! only parses arguments and prints.

mod benchmark;
mod candles;
mod explain;
mod export;
mod lightgbm;
mod neural;
mod outcome;
mod request;
mod saved_config;
mod saved_config_v0_1;
mod saved_model;
mod version_windows;

pub use benchmark::{
    BenchmarkReport, BenchmarkRow, batch_throughput, benchmark, single_window_latency,
};
pub use candles::{LoadedCandles, load_candles};
pub use explain::{AttentionMap, attention_map, attention_png};
pub use export::{CHECK_SAMPLES, ExportReport, ExportRequest, export_version};
pub use lightgbm::{
    BOOSTING_TARGET, BoostingSplit, TrainedBooster, boosting_params, fit_lightgbm, save_lightgbm,
    train_lightgbm,
};
pub use neural::{TARGET, TrainedNeural, fit_neural, save_neural, train_neural};
pub use outcome::TrainOutcome;
pub use request::TrainRequest;
pub use saved_config::{DataSummary, SavedConfig, TrainingSettings};
pub use saved_model::{Forecast, SavedModel, load_saved_model};
pub use version_windows::version_test_windows;
