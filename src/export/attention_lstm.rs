//! `attention_lstm` as ONNX: the LSTM stack over [time, batch, features], back to
//! [batch, time, units], the attention block read out at the last step, the head.

use super::attention::{AttentionShape, attention_pool};
use super::dense::head;
use super::graph::GraphBuilder;
use super::lstm::lstm_stack;
use super::sequence::transpose;
use super::weights::Weights;
use crate::Result;
use crate::models::AttentionLstmConfig;

/// The network over `x` [batch, steps, features] → [batch, 1].
pub fn attention_lstm(
    g: &mut GraphBuilder,
    weights: &Weights,
    config: &AttentionLstmConfig,
    steps: usize,
    x: &str,
) -> Result<String> {
    let sequence = transpose(g, "time_major", x, [1, 0, 2]);
    let encoded = lstm_stack(g, weights, &sequence, config.lstm_units.len())?;
    let encoded = transpose(g, "batch_major", &encoded, [1, 0, 2]);
    let pooled = attention_pool(
        g,
        weights,
        &encoded,
        AttentionShape {
            steps,
            heads: config.num_attention_heads,
            key_dim: config.attention_key_dim,
        },
    )?;
    head(g, weights, &pooled)
}
