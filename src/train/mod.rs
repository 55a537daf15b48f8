//! Training: device-resident data sets, compiled steps, callbacks and history.

mod callbacks;
mod compiled_step;
mod dataset;
mod history;

pub use callbacks::{CallbackState, Callbacks, EpochDecision, get_model_callbacks};
pub use compiled_step::CompiledStep;
pub use dataset::DeviceDataset;
pub use history::{EpochMetrics, History};
