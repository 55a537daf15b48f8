//! `config.json` as atb-gpu v0.1.0 wrote it — one flat model config holding every
//! architecture's fields, the sequence length also inside `input_shape` — and its conversion to
//! today's [`SavedConfig`], so versions saved by v0.1.0 still load and predict bit-identically;
//! and `SavedConfig::from_json`, which reads either format.

use serde::Deserialize;

use super::saved_config::{DataSummary, SavedConfig, TrainingSettings};
use crate::models::{
    AttentionLstmConfig, CnnLstmConfig, ModelConfig, ModelType, TcnAttentionConfig, TcnConfig,
    Variant,
};

/// v0.1.0's model config: every architecture's fields, each type using its own.
#[derive(Debug, Clone, Deserialize)]
struct FlatModelConfig {
    model_type: ModelType,
    variant: Variant,
    input_shape: (usize, usize),
    conv_filters: Vec<usize>,
    lstm_units: Vec<usize>,
    num_filters: usize,
    kernel_size: usize,
    num_layers: usize,
    num_attention_heads: usize,
    attention_key_dim: usize,
    dense_units: usize,
    dropout: f32,
    has_sentiment: bool,
    sentiment_features: usize,
}

impl From<FlatModelConfig> for ModelConfig {
    fn from(c: FlatModelConfig) -> ModelConfig {
        let features = c.input_shape.1;
        match c.model_type {
            ModelType::CnnLstm => ModelConfig::CnnLstm(CnnLstmConfig {
                variant: c.variant,
                features,
                conv_filters: c.conv_filters,
                kernel_size: c.kernel_size,
                lstm_units: c.lstm_units,
                dense_units: c.dense_units,
                dropout: c.dropout,
                has_sentiment: c.has_sentiment,
                sentiment_features: c.sentiment_features,
            }),
            ModelType::AttentionLstm => ModelConfig::AttentionLstm(AttentionLstmConfig {
                variant: c.variant,
                features,
                lstm_units: c.lstm_units,
                num_attention_heads: c.num_attention_heads,
                attention_key_dim: c.attention_key_dim,
                dense_units: c.dense_units,
                dropout: c.dropout,
            }),
            ModelType::Tcn => ModelConfig::Tcn(TcnConfig {
                variant: c.variant,
                features,
                num_filters: c.num_filters,
                kernel_size: c.kernel_size,
                num_layers: c.num_layers,
                dense_units: c.dense_units,
                dropout: c.dropout,
            }),
            ModelType::TcnAttention => ModelConfig::TcnAttention(TcnAttentionConfig {
                variant: c.variant,
                features,
                num_filters: c.num_filters,
                kernel_size: c.kernel_size,
                num_layers: c.num_layers,
                num_attention_heads: c.num_attention_heads,
                attention_key_dim: c.attention_key_dim,
                dense_units: c.dense_units,
                dropout: c.dropout,
            }),
        }
    }
}

/// The whole v0.1.0 `config.json` (the same fields as today's, with the flat model config).
#[derive(Debug, Clone, Deserialize)]
pub(super) struct SavedConfigV0_1 {
    atb_gpu_version: String,
    symbol: String,
    model: FlatModelConfig,
    features: Vec<String>,
    uses_extra_columns: bool,
    sequence_length: usize,
    target: String,
    training: TrainingSettings,
    data: DataSummary,
    device: String,
}

impl From<SavedConfigV0_1> for SavedConfig {
    fn from(c: SavedConfigV0_1) -> SavedConfig {
        SavedConfig {
            atb_gpu_version: c.atb_gpu_version,
            symbol: c.symbol,
            model: c.model.into(),
            features: c.features,
            uses_extra_columns: c.uses_extra_columns,
            sequence_length: c.sequence_length,
            target: c.target,
            training: c.training,
            data: c.data,
            device: c.device,
        }
    }
}

impl SavedConfig {
    /// Parses a `config.json` of this version's format, or of v0.1.0's (told by its
    /// `atb_gpu_version`), which is converted.
    pub fn from_json(text: &str) -> serde_json::Result<SavedConfig> {
        let value: serde_json::Value = serde_json::from_str(text)?;
        let written_by = value["atb_gpu_version"].as_str().unwrap_or_default();
        if written_by.starts_with("0.1.") {
            let old = serde_json::from_value::<SavedConfigV0_1>(value)?;
            if old.model.input_shape.0 != old.sequence_length {
                return Err(serde::de::Error::custom(format!(
                    "sequence_length {} disagrees with the model's input_shape {:?}",
                    old.sequence_length, old.model.input_shape
                )));
            }
            Ok(old.into())
        } else {
            serde_json::from_value(value)
        }
    }
}
