//! `tcn` as ONNX: residual blocks of dilated causal convolutions over
//! [batch, channels, time], the last step, the head.

use super::conv::causal_conv;
use super::dense::head;
use super::graph::GraphBuilder;
use super::sequence::{last_step, transpose};
use super::weights::Weights;
use crate::Result;
use crate::activation::Activation;
use crate::models::TcnConfig;

/// The blocks of a TCN stack.
#[derive(Debug, Clone, Copy)]
pub struct TcnShape {
    /// Input features.
    pub features: usize,
    /// Filters of every block.
    pub filters: usize,
    /// Blocks, dilations 1, 2, 4, ….
    pub layers: usize,
}

/// Blocks `tcn_block_i` over `x` [batch, features, time] → [batch, filters, time]: per block
/// `relu(relu(conv_1(relu(conv_0(h)))) + skip(h))`, the skip a 1×1 convolution where the
/// width changes.
pub fn tcn_stack(
    g: &mut GraphBuilder,
    weights: &Weights,
    x: &str,
    shape: TcnShape,
) -> Result<String> {
    let mut h = x.to_string();
    let mut width = shape.features;
    for i in 0..shape.layers {
        let name = format!("tcn_block_{i}");
        let dilation = 1 << i;
        let y = causal_conv(
            g,
            weights,
            &format!("{name}/conv_0"),
            &h,
            dilation,
            Activation::Relu,
        )?;
        let y = causal_conv(
            g,
            weights,
            &format!("{name}/conv_1"),
            &y,
            dilation,
            Activation::Relu,
        )?;
        let skip = if width != shape.filters {
            causal_conv(g, weights, &format!("{name}/skip"), &h, 1, Activation::None)?
        } else {
            h.clone()
        };
        let sum = g.node("Add", &format!("{name}/residual"), &[&y, &skip], vec![]);
        h = g.node("Relu", &format!("{name}/relu"), &[&sum], vec![]);
        width = shape.filters;
    }
    Ok(h)
}

/// The network over `x` [batch, steps, features] → [batch, 1].
pub fn tcn(
    g: &mut GraphBuilder,
    weights: &Weights,
    config: &TcnConfig,
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
    let last = last_step(g, "last_step", &encoded, 2, steps);
    head(g, weights, &last)
}
