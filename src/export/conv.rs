//! Causal dilated 1-D convolution (Keras `Conv1D(padding='causal')`) as an ONNX `Conv` over
//! [batch, channels, time] with all the padding on the left.
//!
//! Ours: `y[t, co] = b[co] + Σ_{k, ci} w[k, ci, co] · x[t − (K−1−k)·d, ci]`, kernel
//! `[K, Cin, Cout]`. ONNX `Conv` cross-correlates the padded input,
//! `y[co, t] = B[co] + Σ_{ci, k} W[co, ci, k] · x_pad[ci, t + k·d]`; with `(K−1)·d` zeros in
//! front, `x_pad[t + k·d] = x[t − (K−1−k)·d]`, so `W[co, ci, k] = w[k, ci, co]`.

use super::attributes::ints;
use super::dense::activation;
use super::graph::GraphBuilder;
use super::weights::Weights;
use crate::Result;
use crate::activation::Activation;

/// Convolution `name` (`name/kernel` [K, Cin, Cout], `name/bias` [Cout]) with `dilation`
/// over `x` [batch, Cin, time] → [batch, Cout, time].
pub fn causal_conv(
    g: &mut GraphBuilder,
    weights: &Weights,
    name: &str,
    x: &str,
    dilation: usize,
    act: Activation,
) -> Result<String> {
    let kernel = weights.get(&format!("{name}/kernel"), 3)?;
    let bias = weights.get(&format!("{name}/bias"), 1)?;
    let (taps, cin, cout) = (kernel.shape[0], kernel.shape[1], kernel.shape[2]);
    let mut onnx_kernel = vec![0.0f32; taps * cin * cout];
    for k in 0..taps {
        for ci in 0..cin {
            for co in 0..cout {
                onnx_kernel[(co * cin + ci) * taps + k] = kernel.values[(k * cin + ci) * cout + co];
            }
        }
    }
    let w = g.floats(&format!("{name}/kernel"), &[cout, cin, taps], &onnx_kernel)?;
    let b = g.floats(&format!("{name}/bias"), &bias.shape, &bias.values)?;
    let left = ((taps - 1) * dilation) as i64;
    let y = g.node(
        "Conv",
        &format!("{name}/conv"),
        &[x, &w, &b],
        vec![
            ints("kernel_shape", vec![taps as i64]),
            ints("dilations", vec![dilation as i64]),
            ints("strides", vec![1]),
            ints("pads", vec![left, 0]),
        ],
    );
    activation(g, name, &y, act)
}
