//! Training: device-resident data sets, compiled steps, callbacks and history.

mod callbacks;
mod checkpoint;
mod compiled_step;
mod dataset;
mod fit;
mod history;
mod optimizer;

pub use callbacks::{CallbackState, Callbacks, EpochDecision, get_model_callbacks};
pub use checkpoint::{Checkpoint, CheckpointPlan};
pub use compiled_step::CompiledStep;
pub use dataset::DeviceDataset;
pub use fit::{FitConfig, FitOutcome, Trainer, evaluate, fit, predict};
pub use history::{EpochMetrics, History};
pub use optimizer::Optimizer;
