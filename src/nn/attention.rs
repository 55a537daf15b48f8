//! Multi-head self-attention (Keras `MultiHeadAttention` with query = key = value).

use super::linear::Linear;
use super::params::{ParamBuilder, Params};
use crate::activation::Activation;
use crate::autograd::{Tape, Var};
use crate::ops::AttentionOptions;
use crate::{Result, Tensor};

/// Q/K/V projections to `heads · key_dim`, the fused attention core, and an output projection
/// back to `width` (Keras kernels [F, H, dk] are stored flattened to [F, H·dk]).
#[derive(Debug, Clone)]
pub struct MultiHeadAttention {
    query: Linear,
    key: Linear,
    value: Linear,
    output: Linear,
    heads: usize,
    causal: bool,
}

impl MultiHeadAttention {
    /// Declares the four projections of a block over `width` features.
    pub fn new(
        params: &mut ParamBuilder,
        name: &str,
        width: usize,
        heads: usize,
        key_dim: usize,
        causal: bool,
    ) -> MultiHeadAttention {
        let inner = heads * key_dim;
        MultiHeadAttention {
            query: Linear::new(
                params,
                &format!("{name}/query"),
                width,
                inner,
                Activation::None,
            ),
            key: Linear::new(
                params,
                &format!("{name}/key"),
                width,
                inner,
                Activation::None,
            ),
            value: Linear::new(
                params,
                &format!("{name}/value"),
                width,
                inner,
                Activation::None,
            ),
            output: Linear::new(
                params,
                &format!("{name}/attention_output"),
                inner,
                width,
                Activation::None,
            ),
            heads,
            causal,
        }
    }

    /// Self-attention over x [B, T, width] → [B, T, width], with the attention weights
    /// [B, heads, T, T] when `return_weights`.
    pub fn forward(
        &self,
        tape: &Tape,
        params: &Params,
        x: &Var,
        return_weights: bool,
    ) -> Result<(Var, Option<Tensor>)> {
        let q = self.query.forward(tape, params, x)?;
        let k = self.key.forward(tape, params, x)?;
        let v = self.value.forward(tape, params, x)?;
        let opts = AttentionOptions {
            num_heads: self.heads,
            causal: self.causal,
            return_weights,
        };
        let (context, weights) = tape.attention(&q, &k, &v, opts)?;
        Ok((self.output.forward(tape, params, &context)?, weights))
    }
}
