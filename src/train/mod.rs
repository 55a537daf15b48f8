//! Training: the fit loop's callbacks and history.

mod callbacks;
mod history;

pub use callbacks::{CallbackState, Callbacks, EpochDecision, get_model_callbacks};
pub use history::{EpochMetrics, History};
