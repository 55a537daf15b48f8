//! `attention_lstm`: stacked LSTMs, multi-head self-attention over their sequence with a
//! residual connection and layer normalisation, mean pooling over time, a dense head.

use super::ModelConfig;
use super::blocks::{AttentionPool, Head, LstmStack};
use crate::autograd::{Tape, Var};
use crate::nn::{ParamBuilder, Params};
use crate::train::{Mode, Network};
use crate::{Result, Tensor};

/// The Attention-LSTM network.
pub struct AttentionLstm {
    lstm: LstmStack,
    attention: AttentionPool,
    head: Head,
}

impl AttentionLstm {
    /// Declares the layers of `config`.
    pub fn new(config: &ModelConfig, params: &mut ParamBuilder) -> Result<AttentionLstm> {
        let lstm = LstmStack::new(
            params,
            config.input_shape.1,
            &config.lstm_units,
            config.dropout,
        )?;
        let width = config
            .lstm_units
            .last()
            .copied()
            .unwrap_or(config.input_shape.1);
        Ok(AttentionLstm {
            lstm,
            attention: AttentionPool::new(
                params,
                width,
                config.num_attention_heads,
                config.attention_key_dim,
            ),
            head: Head::new(params, width, config.dense_units, config.dropout),
        })
    }

    /// The attention weights [B, heads, T, T] for inputs `x` (for interpretation).
    pub fn attention_weights(&self, params: &Params, x: &Tensor) -> Result<Option<Tensor>> {
        let tape = Tape::new();
        tape.no_grad(|| {
            let h = self
                .lstm
                .forward(&tape, params, &tape.constant(x.clone()), Mode::Eval, 0)?;
            Ok(self.attention.forward(&tape, params, &h, true)?.1)
        })
    }
}

impl Network for AttentionLstm {
    fn forward(&self, tape: &Tape, params: &Params, x: &Var, mode: Mode<'_>) -> Result<Var> {
        let h = self.lstm.forward(tape, params, x, mode, 0)?;
        let (pooled, _) = self.attention.forward(tape, params, &h, false)?;
        self.head.forward(tape, params, &pooled, mode, 100)
    }
}
