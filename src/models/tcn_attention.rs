//! `tcn_attention`: the TCN stack, then multi-head self-attention over its sequence (residual,
//! layer normalisation, mean pooling), a dense head.

use super::ModelConfig;
use super::blocks::{AttentionPool, Head, TcnStack};
use crate::autograd::{Tape, Var};
use crate::nn::{ParamBuilder, Params};
use crate::train::{Mode, Network};
use crate::{Result, Tensor};

/// The TCN + attention network.
pub struct TcnAttention {
    stack: TcnStack,
    attention: AttentionPool,
    head: Head,
}

impl TcnAttention {
    /// Declares the layers of `config`.
    pub fn new(config: &ModelConfig, params: &mut ParamBuilder) -> TcnAttention {
        let width = config.num_filters;
        TcnAttention {
            stack: TcnStack::new(
                params,
                config.input_shape.1,
                width,
                config.kernel_size,
                config.num_layers,
                config.dropout,
            ),
            attention: AttentionPool::new(
                params,
                width,
                config.num_attention_heads,
                config.attention_key_dim,
            ),
            head: Head::new(params, width, config.dense_units, config.dropout),
        }
    }

    /// The attention weights [B, heads, T, T] for inputs `x` (for interpretation).
    pub fn attention_weights(&self, params: &Params, x: &Tensor) -> Result<Option<Tensor>> {
        let tape = Tape::new();
        tape.no_grad(|| {
            let h = self
                .stack
                .forward(&tape, params, &tape.constant(x.clone()), Mode::Eval, 0)?;
            Ok(self.attention.forward(&tape, params, &h, true)?.1)
        })
    }
}

impl Network for TcnAttention {
    fn forward(&self, tape: &Tape, params: &Params, x: &Var, mode: Mode<'_>) -> Result<Var> {
        let h = self.stack.forward(tape, params, x, mode, 0)?;
        let (pooled, _) = self.attention.forward(tape, params, &h, false)?;
        self.head.forward(tape, params, &pooled, mode, 100)
    }
}
