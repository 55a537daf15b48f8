//! The attention block of both attention architectures, `x + attention(layer_norm(x))` read
//! out at the last step: `LayerNormalization`, the Q/K/V projections, per-head
//! `softmax(Q·Kᵀ / √dk)·V` as `MatMul`/`Softmax`, the output projection, the residual `Add`,
//! and a `Gather` of the last step.

use super::attributes::{float, int, ints};
use super::dense::dense;
use super::graph::GraphBuilder;
use super::sequence::last_step;
use super::weights::Weights;
use crate::Result;
use crate::activation::Activation;
use crate::nn::LAYER_NORM_EPSILON;

/// The shape of one attention block.
#[derive(Debug, Clone, Copy)]
pub struct AttentionShape {
    /// Time steps.
    pub steps: usize,
    /// Heads.
    pub heads: usize,
    /// Key (and value) size per head.
    pub key_dim: usize,
}

/// [batch, T, H·dk] → [batch, H, T, dk] (or [batch, H, dk, T] when `transposed`).
fn split_heads(
    g: &mut GraphBuilder,
    name: &str,
    x: &str,
    shape: AttentionShape,
    transposed: bool,
) -> String {
    let dims = [
        -1,
        shape.steps as i64,
        shape.heads as i64,
        shape.key_dim as i64,
    ];
    let target = g.int64_vector(&format!("{name}/heads_shape"), &dims);
    let split = g.node("Reshape", &format!("{name}/heads"), &[x, &target], vec![]);
    let perm = if transposed {
        vec![0, 2, 3, 1]
    } else {
        vec![0, 2, 1, 3]
    };
    g.node(
        "Transpose",
        &format!("{name}/per_head"),
        &[&split],
        vec![ints("perm", perm)],
    )
}

/// The pooled block over `x` [batch, T, width] → [batch, width] (parameters
/// `attention_norm/*` and `attention/{query,key,value,attention_output}/*`).
pub fn attention_pool(
    g: &mut GraphBuilder,
    weights: &Weights,
    x: &str,
    shape: AttentionShape,
) -> Result<String> {
    let gamma = weights.get("attention_norm/gamma", 1)?;
    let beta = weights.get("attention_norm/beta", 1)?;
    let gamma = g.floats("attention_norm/gamma", &gamma.shape, &gamma.values)?;
    let beta = g.floats("attention_norm/beta", &beta.shape, &beta.values)?;
    let normed = g.node(
        "LayerNormalization",
        "attention_norm",
        &[x, &gamma, &beta],
        vec![int("axis", -1), float("epsilon", LAYER_NORM_EPSILON)],
    );
    let q = dense(g, weights, "attention/query", &normed, Activation::None)?;
    let k = dense(g, weights, "attention/key", &normed, Activation::None)?;
    let v = dense(g, weights, "attention/value", &normed, Activation::None)?;
    let q = split_heads(g, "attention/query", &q, shape, false);
    let k = split_heads(g, "attention/key", &k, shape, true);
    let v = split_heads(g, "attention/value", &v, shape, false);
    let scores = g.node("MatMul", "attention/scores", &[&q, &k], vec![]);
    let scale = g.floats(
        "attention/scale",
        &[],
        &[1.0 / (shape.key_dim as f32).sqrt()],
    )?;
    let scaled = g.node("Mul", "attention/scaled_scores", &[&scores, &scale], vec![]);
    let weights_node = g.node(
        "Softmax",
        "attention/weights",
        &[&scaled],
        vec![int("axis", -1)],
    );
    let context = g.node("MatMul", "attention/context", &[&weights_node, &v], vec![]);
    let context = g.node(
        "Transpose",
        "attention/context_steps",
        &[&context],
        vec![ints("perm", vec![0, 2, 1, 3])],
    );
    let merged_shape = g.int64_vector(
        "attention/merged_shape",
        &[-1, shape.steps as i64, (shape.heads * shape.key_dim) as i64],
    );
    let merged = g.node(
        "Reshape",
        "attention/merged",
        &[&context, &merged_shape],
        vec![],
    );
    let attended = dense(
        g,
        weights,
        "attention/attention_output",
        &merged,
        Activation::None,
    )?;
    let residual = g.node("Add", "attention/residual", &[x, &attended], vec![]);
    Ok(last_step(
        g,
        "attention/last_step",
        &residual,
        1,
        shape.steps,
    ))
}
