//! A neural network as an ONNX model: input `window` [batch, T, F] of scaled features, output
//! `forecast` [batch, 1], the scaled next-bar log return (`scaler.json` maps both).

use super::attention_lstm::attention_lstm;
use super::cnn_lstm::cnn_lstm;
use super::graph::{GraphBuilder, ModelHeader, TensorSignature};
use super::proto::ModelProto;
use super::tcn::tcn;
use super::tcn_attention::tcn_attention;
use super::weights::Weights;
use crate::Result;
use crate::models::ModelConfig;

/// Name of the neural models' input.
pub const WINDOW_INPUT: &str = "window";
/// Name of every model's output.
pub const FORECAST_OUTPUT: &str = "forecast";

/// The ONNX model of the network `config` with `weights`, over windows of `steps` bars.
pub fn neural_model(
    config: &ModelConfig,
    steps: usize,
    weights: &Weights,
    header: ModelHeader,
) -> Result<ModelProto> {
    let features = config.features();
    let mut g = GraphBuilder::new();
    let x = g.input(WINDOW_INPUT);
    let y = match config {
        ModelConfig::CnnLstm(c) => cnn_lstm(&mut g, weights, c, steps, &x)?,
        ModelConfig::AttentionLstm(c) => attention_lstm(&mut g, weights, c, steps, &x)?,
        ModelConfig::Tcn(c) => tcn(&mut g, weights, c, steps, &x)?,
        ModelConfig::TcnAttention(c) => tcn_attention(&mut g, weights, c, steps, &x)?,
    };
    g.finish(
        &TensorSignature {
            name: x,
            dims: vec![steps, features],
            doc: format!(
                "{steps} consecutive bars of {features} features, each standardised with \
                 scaler.json's features.mean and features.std"
            ),
        },
        &y,
        &TensorSignature {
            name: FORECAST_OUTPUT.to_string(),
            dims: vec![1],
            doc: "scaled next-bar log return; price = last close · exp(forecast · \
                  target.std + target.mean) with scaler.json's target"
                .to_string(),
        },
        header,
    )
}
