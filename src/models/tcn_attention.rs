//! `tcn_attention`: the TCN stack, then pre-norm multi-head self-attention over its sequence
//! with a residual connection, read out at the last step, a dense head.

use super::blocks::{AttentionModel, TcnStack};
use super::config::ModelConfig;
use crate::nn::ParamBuilder;

/// The TCN + attention network.
pub type TcnAttention = AttentionModel<TcnStack>;

/// Declares the layers of `config`.
pub fn tcn_attention(config: &ModelConfig, params: &mut ParamBuilder) -> TcnAttention {
    let width = config.num_filters;
    let stack = TcnStack::new(
        params,
        config.input_shape.1,
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
