//! `cnn_lstm` as ONNX: causal convolutions over [batch, channels, time], the LSTM stack over
//! [time, batch, channels], the last step, the optional sentiment branch, the head.

use super::attributes::int;
use super::conv::causal_conv;
use super::dense::{dense, head};
use super::graph::GraphBuilder;
use super::lstm::lstm_stack;
use super::sequence::{last_step, transpose};
use super::weights::Weights;
use crate::Result;
use crate::activation::Activation;
use crate::models::CnnLstmConfig;

/// Feature columns `start..end` of `x` [batch, time, features].
fn columns(g: &mut GraphBuilder, name: &str, x: &str, start: usize, end: usize) -> String {
    let starts = g.int64_vector(&format!("{name}/start"), &[start as i64]);
    let ends = g.int64_vector(&format!("{name}/end"), &[end as i64]);
    let axes = g.int64_vector(&format!("{name}/axis"), &[2]);
    g.node("Slice", name, &[x, &starts, &ends, &axes], vec![])
}

/// The network over `x` [batch, steps, features] → [batch, 1].
pub fn cnn_lstm(
    g: &mut GraphBuilder,
    weights: &Weights,
    config: &CnnLstmConfig,
    steps: usize,
    x: &str,
) -> Result<String> {
    let sentiment = if config.has_sentiment {
        config.sentiment_features
    } else {
        0
    };
    let price_features = config.features - sentiment;
    let prices = if sentiment > 0 {
        columns(g, "price_features", x, 0, price_features)
    } else {
        x.to_string()
    };
    let sequence = if config.conv_filters.is_empty() {
        transpose(g, "time_major", &prices, [1, 0, 2])
    } else {
        let mut h = transpose(g, "channels_first", &prices, [0, 2, 1]);
        for i in 0..config.conv_filters.len() {
            h = causal_conv(g, weights, &format!("conv_{i}"), &h, 1, Activation::Relu)?;
        }
        transpose(g, "time_major", &h, [2, 0, 1])
    };
    let encoded = lstm_stack(g, weights, &sequence, config.lstm_units.len())?;
    let mut features = last_step(g, "last_step", &encoded, 0, steps);
    if sentiment > 0 {
        let sentiment_columns =
            columns(g, "sentiment_features", x, price_features, config.features);
        let latest = last_step(g, "sentiment_last_step", &sentiment_columns, 1, steps);
        let branch = dense(g, weights, "sentiment", &latest, Activation::Relu)?;
        features = g.node(
            "Concat",
            "head_inputs",
            &[&features, &branch],
            vec![int("axis", 1)],
        );
    }
    head(g, weights, &features)
}
