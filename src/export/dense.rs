//! Dense layers (`act(x·W + b)` over the last axis, as `MatMul`, `Add` and the activation) and
//! the dense head every architecture ends with.

use super::graph::GraphBuilder;
use super::weights::Weights;
use crate::activation::Activation;
use crate::{AtbError, Result};

/// The activation as a node after `x` (none for the identity).
pub fn activation(
    g: &mut GraphBuilder,
    name: &str,
    x: &str,
    activation: Activation,
) -> Result<String> {
    match activation {
        Activation::None => Ok(x.to_string()),
        Activation::Relu => Ok(g.node("Relu", &format!("{name}/relu"), &[x], vec![])),
        other => Err(AtbError::Export(format!(
            "{name}: activation {other:?} is not used by any architecture and has no export"
        ))),
    }
}

/// Dense layer `name` (`name/kernel` [in, units], `name/bias` [units]) over the last axis of
/// `x`.
pub fn dense(
    g: &mut GraphBuilder,
    weights: &Weights,
    name: &str,
    x: &str,
    act: Activation,
) -> Result<String> {
    let kernel = weights.get(&format!("{name}/kernel"), 2)?;
    let bias = weights.get(&format!("{name}/bias"), 1)?;
    let w = g.floats(&format!("{name}/kernel"), &kernel.shape, &kernel.values)?;
    let b = g.floats(&format!("{name}/bias"), &bias.shape, &bias.values)?;
    let product = g.node("MatMul", &format!("{name}/matmul"), &[x, &w], vec![]);
    let sum = g.node("Add", &format!("{name}/add"), &[&product, &b], vec![]);
    activation(g, name, &sum, act)
}

/// The head: `dense` (ReLU), dropout (the identity at inference), `output` → [batch, 1].
pub fn head(g: &mut GraphBuilder, weights: &Weights, x: &str) -> Result<String> {
    let hidden = dense(g, weights, "dense", x, Activation::Relu)?;
    dense(g, weights, "output", &hidden, Activation::None)
}
