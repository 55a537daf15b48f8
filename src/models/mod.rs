//! The model factory of the guide: model types, variants, per-parameter overrides, and the
//! architectures built from them.

mod config;
mod overrides;

pub use config::{AVAILABLE_MODELS, ModelConfig, ModelType, Variant};
pub use overrides::Overrides;
