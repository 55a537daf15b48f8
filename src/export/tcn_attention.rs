//! `tcn_attention` as ONNX: the TCN stack over [batch, channels, time], back to
//! [batch, time, filters], the attention block read out at the last step, the head.

use super::attention::{AttentionShape, attention_pool};
use super::dense::head;
use super::graph::GraphBuilder;
use super::sequence::transpose;
use super::tcn::{TcnShape, tcn_stack};
use super::weights::Weights;
use crate::Result;
use crate::models::TcnAttentionConfig;

/// The network over `x` [batch, steps, features] → [batch, 1].
pub fn tcn_attention(
    g: &mut GraphBuilder,
    weights: &Weights,
    config: &TcnAttentionConfig,
    steps: usize,
    x: &str,
) -> Result<String> {
    let channels = transpose(g, "channels_first", x, [0, 2, 1]);
    let encoded = tcn_stack(
        g,
        weights,
        &channels,
        TcnShape {
            features: config.features,
            filters: config.num_filters,
            layers: config.num_layers,
        },
    )?;
    let encoded = transpose(g, "batch_major", &encoded, [0, 2, 1]);
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
