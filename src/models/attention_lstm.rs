//! `attention_lstm`: stacked LSTMs, pre-norm multi-head self-attention over their sequence
//! with a residual connection, read out at the last step, a dense head.

use serde::{Deserialize, Serialize};

use super::blocks::{AttentionModel, LstmStack};
use super::checks::check_heads;
use super::overrides::Overrides;
use super::variant::Variant;
use crate::Result;
use crate::nn::ParamBuilder;

/// Hyperparameters of `attention_lstm`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttentionLstmConfig {
    /// The preset it started from.
    pub variant: Variant,
    /// Input features per time step.
    pub features: usize,
    /// LSTM units per layer.
    pub lstm_units: Vec<usize>,
    /// Attention heads.
    pub num_attention_heads: usize,
    /// Key size per head.
    pub attention_key_dim: usize,
    /// Units of the dense layer before the output.
    pub dense_units: usize,
    /// Dropout rate.
    pub dropout: f32,
}

impl AttentionLstmConfig {
    /// The override keys it accepts.
    pub const KEYS: &'static [&'static str] = &[
        "lstm_units",
        "num_attention_heads",
        "attention_key_dim",
        "dense_units",
        "dropout",
    ];

    /// The guide's preset of `variant` over `features` inputs.
    pub fn preset(variant: Variant, features: usize) -> AttentionLstmConfig {
        AttentionLstmConfig {
            variant,
            features,
            lstm_units: variant.pick(vec![64, 32], vec![128, 64], vec![256, 128, 64]),
            num_attention_heads: 4,
            attention_key_dim: variant.pick(32, 64, 64),
            dense_units: variant.pick(16, 32, 64),
            dropout: 0.2,
        }
    }

    /// This config with `overrides` applied, each value validated under its key.
    pub fn with_overrides(self, overrides: &Overrides) -> Result<AttentionLstmConfig> {
        let config = AttentionLstmConfig {
            lstm_units: overrides.positive_list("lstm_units", &self.lstm_units)?,
            num_attention_heads: overrides
                .positive("num_attention_heads", self.num_attention_heads)?,
            attention_key_dim: overrides.positive("attention_key_dim", self.attention_key_dim)?,
            dense_units: overrides.positive("dense_units", self.dense_units)?,
            dropout: overrides.rate("dropout", self.dropout)?,
            ..self
        };
        check_heads(config.num_attention_heads, config.width())?;
        Ok(config)
    }

    /// The width the attention block sees (the last LSTM layer's units).
    pub fn width(&self) -> usize {
        self.lstm_units.last().copied().unwrap_or(self.features)
    }
}

/// The Attention-LSTM network.
pub type AttentionLstm = AttentionModel<LstmStack>;

/// Declares the layers of `config`.
pub fn attention_lstm(
    config: &AttentionLstmConfig,
    params: &mut ParamBuilder,
) -> Result<AttentionLstm> {
    let lstm = LstmStack::new(params, config.features, &config.lstm_units, config.dropout)?;
    Ok(AttentionModel::new(
        params,
        lstm,
        config.width(),
        config.num_attention_heads,
        config.attention_key_dim,
        config.dense_units,
        config.dropout,
    ))
}
