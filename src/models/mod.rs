//! The model factory of the guide: model types, variants, per-parameter overrides, and the
//! four neural architectures built from them.

mod attention_lstm;
mod blocks;
mod checks;
mod cnn_lstm;
mod config;
mod factory;
mod footprint;
mod overrides;
mod tcn;
mod tcn_attention;
mod variant;

pub use attention_lstm::{AttentionLstm, AttentionLstmConfig};
pub use cnn_lstm::{CnnLstm, CnnLstmConfig};
pub use config::{AVAILABLE_MODELS, ModelConfig, ModelType};
pub use factory::{Architecture, Model, create_model};
pub use footprint::{Footprint, FootprintPart, MAX_WIDTH};
pub use overrides::Overrides;
pub use tcn::{Tcn, TcnConfig};
pub use tcn_attention::{TcnAttention, TcnAttentionConfig};
pub use variant::Variant;
