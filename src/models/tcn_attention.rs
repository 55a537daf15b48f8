//! `tcn_attention`: the TCN stack, then pre-norm multi-head self-attention over its sequence
//! with a residual connection, read out at the last step, a dense head.

use serde::{Deserialize, Serialize};

use super::blocks::{AttentionModel, TcnStack};
use super::checks::check_heads;
use super::overrides::Overrides;
use super::variant::Variant;
use crate::Result;
use crate::nn::ParamBuilder;

/// Hyperparameters of `tcn_attention`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TcnAttentionConfig {
    /// The preset it started from.
    pub variant: Variant,
    /// Input features per time step.
    pub features: usize,
    /// Filters of every residual block (the width the attention block sees).
    pub num_filters: usize,
    /// Convolution kernel size.
    pub kernel_size: usize,
    /// Residual blocks, dilations 1, 2, 4, ….
    pub num_layers: usize,
    /// Attention heads.
    pub num_attention_heads: usize,
    /// Key size per head.
    pub attention_key_dim: usize,
    /// Units of the dense layer before the output.
    pub dense_units: usize,
    /// Dropout rate.
    pub dropout: f32,
}

impl TcnAttentionConfig {
    /// The override keys it accepts.
    pub const KEYS: &'static [&'static str] = &[
        "num_filters",
        "kernel_size",
        "num_layers",
        "num_attention_heads",
        "attention_key_dim",
        "dense_units",
        "dropout",
    ];

    /// The guide's preset of `variant` over `features` inputs (heads scale with the width).
    pub fn preset(variant: Variant, features: usize) -> TcnAttentionConfig {
        TcnAttentionConfig {
            variant,
            features,
            num_filters: variant.pick(32, 64, 128),
            kernel_size: 5,
            num_layers: variant.pick(4, 5, 6),
            num_attention_heads: variant.pick(2, 4, 4),
            attention_key_dim: variant.pick(32, 64, 64),
            dense_units: variant.pick(16, 32, 64),
            dropout: 0.2,
        }
    }

    /// This config with `overrides` applied, each value validated under its key.
    pub fn with_overrides(self, overrides: &Overrides) -> Result<TcnAttentionConfig> {
        let config = TcnAttentionConfig {
            num_filters: overrides.positive("num_filters", self.num_filters)?,
            kernel_size: overrides.positive("kernel_size", self.kernel_size)?,
            num_layers: overrides.positive("num_layers", self.num_layers)?,
            num_attention_heads: overrides
                .positive("num_attention_heads", self.num_attention_heads)?,
            attention_key_dim: overrides.positive("attention_key_dim", self.attention_key_dim)?,
            dense_units: overrides.positive("dense_units", self.dense_units)?,
            dropout: overrides.rate("dropout", self.dropout)?,
            ..self
        };
        check_heads(config.num_attention_heads, config.num_filters)?;
        Ok(config)
    }
}

/// The TCN + attention network.
pub type TcnAttention = AttentionModel<TcnStack>;

/// Declares the layers of `config`.
pub fn tcn_attention(config: &TcnAttentionConfig, params: &mut ParamBuilder) -> TcnAttention {
    let width = config.num_filters;
    let stack = TcnStack::new(
        params,
        config.features,
        width,
        config.kernel_size,
        config.num_layers,
        config.dropout,
    );
    AttentionModel::new(
        params,
        stack,
        width,
        config.num_attention_heads,
        config.attention_key_dim,
        config.dense_units,
        config.dropout,
    )
}
