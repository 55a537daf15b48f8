//! `attention_lstm`: stacked LSTMs, pre-norm multi-head self-attention over their sequence
//! with a residual connection, read out at the last step, a dense head.

use super::blocks::{AttentionModel, LstmStack};
use super::config::ModelConfig;
use crate::Result;
use crate::nn::ParamBuilder;

/// The Attention-LSTM network.
pub type AttentionLstm = AttentionModel<LstmStack>;

/// Declares the layers of `config`.
pub fn attention_lstm(config: &ModelConfig, params: &mut ParamBuilder) -> Result<AttentionLstm> {
    let lstm = LstmStack::new(
        params,
        config.input_shape.1,
        &config.lstm_units,
        config.dropout,
    )?;
    let width = config
        .lstm_units
        .last()
        .copied()
        .unwrap_or(config.input_shape.1);
    Ok(AttentionModel::new(
        params,
        lstm,
        width,
        config.num_attention_heads,
        config.attention_key_dim,
        config.dense_units,
        config.dropout,
    ))
}
