//! Building blocks shared by the architectures: an LSTM stack, a TCN stack, an attention
//! block with residual and normalisation, and the dense output head.

use crate::activation::Activation;
use crate::autograd::{Tape, Var};
use crate::nn::{self, Conv1d, LayerNorm, Linear, Lstm, MultiHeadAttention, ParamBuilder, Params};
use crate::train::Mode;
use crate::{Result, Tensor};

/// A stack that turns [B, T, F] into [B, T, width] (the LSTM and TCN stacks).
pub trait SequenceEncoder {
    /// Encodes `x`; dropout layers are numbered from `first_layer`.
    fn encode(
        &self,
        tape: &Tape,
        params: &Params,
        x: &Var,
        mode: Mode<'_>,
        first_layer: u64,
    ) -> Result<Var>;
}

/// An encoder, the attention block read out at the last step, and the dense head: the shape
/// of both attention architectures.
pub struct AttentionModel<E> {
    encoder: E,
    attention: AttentionPool,
    head: Head,
}

impl<E: SequenceEncoder> AttentionModel<E> {
    /// Assembles the model; `width` is the encoder's output width.
    pub fn new(
        params: &mut ParamBuilder,
        encoder: E,
        width: usize,
        heads: usize,
        key_dim: usize,
        dense_units: usize,
        dropout: f32,
    ) -> AttentionModel<E> {
        AttentionModel {
            encoder,
            attention: AttentionPool::new(params, width, heads, key_dim),
            head: Head::new(params, width, dense_units, dropout),
        }
    }

    /// The attention weights [B, heads, T, T] for inputs `x` (for interpretation).
    pub fn attention_weights(&self, params: &Params, x: &Tensor) -> Result<Option<Tensor>> {
        let tape = Tape::new();
        tape.no_grad(|| {
            let h = self
                .encoder
                .encode(&tape, params, &tape.constant(x.clone()), Mode::Eval, 0)?;
            Ok(self.attention.forward(&tape, params, &h, true)?.1)
        })
    }
}

impl<E: SequenceEncoder> crate::train::Network for AttentionModel<E> {
    fn forward(&self, tape: &Tape, params: &Params, x: &Var, mode: Mode<'_>) -> Result<Var> {
        let h = self.encoder.encode(tape, params, x, mode, 0)?;
        let (pooled, _) = self.attention.forward(tape, params, &h, false)?;
        self.head.forward(tape, params, &pooled, mode, 100)
    }
}

/// Stacked LSTM layers returning full sequences, with dropout after each.
#[derive(Debug, Clone)]
pub struct LstmStack {
    layers: Vec<Lstm>,
    dropout: f32,
}

impl LstmStack {
    /// Layers of `units[i]` over `inputs` features.
    pub fn new(
        params: &mut ParamBuilder,
        inputs: usize,
        units: &[usize],
        dropout: f32,
    ) -> Result<LstmStack> {
        let mut layers = Vec::with_capacity(units.len());
        let mut width = inputs;
        for (i, &u) in units.iter().enumerate() {
            layers.push(Lstm::new(params, &format!("lstm_{i}"), width, u)?);
            width = u;
        }
        Ok(LstmStack { layers, dropout })
    }
}

impl SequenceEncoder for LstmStack {
    /// [B, T, inputs] → [B, T, last units].
    fn encode(
        &self,
        tape: &Tape,
        params: &Params,
        x: &Var,
        mode: Mode<'_>,
        first_layer: u64,
    ) -> Result<Var> {
        let mut h = x.clone();
        for (i, layer) in self.layers.iter().enumerate() {
            h = layer.forward(tape, params, &h)?;
            h = mode.dropout(tape, &h, self.dropout, first_layer + i as u64)?;
        }
        Ok(h)
    }
}

/// One TCN residual block: two dilated causal convolutions (ReLU, dropout) and a 1×1
/// convolution on the skip path when the width changes.
#[derive(Debug, Clone)]
struct TcnBlock {
    first: Conv1d,
    second: Conv1d,
    skip: Option<Conv1d>,
}

/// Residual blocks with dilations 1, 2, 4, … (keras-tcn's layout, one stack).
#[derive(Debug, Clone)]
pub struct TcnStack {
    blocks: Vec<TcnBlock>,
    dropout: f32,
}

impl TcnStack {
    /// `layers` blocks of `filters` channels with kernel `kernel_size`.
    pub fn new(
        params: &mut ParamBuilder,
        inputs: usize,
        filters: usize,
        kernel_size: usize,
        layers: usize,
        dropout: f32,
    ) -> TcnStack {
        let mut blocks = Vec::with_capacity(layers);
        let mut width = inputs;
        for i in 0..layers {
            let dilation = 1 << i;
            let name = format!("tcn_block_{i}");
            blocks.push(TcnBlock {
                first: Conv1d::new(
                    params,
                    &format!("{name}/conv_0"),
                    width,
                    filters,
                    kernel_size,
                    dilation,
                    Activation::Relu,
                ),
                second: Conv1d::new(
                    params,
                    &format!("{name}/conv_1"),
                    filters,
                    filters,
                    kernel_size,
                    dilation,
                    Activation::Relu,
                ),
                skip: (width != filters).then(|| {
                    Conv1d::new(
                        params,
                        &format!("{name}/skip"),
                        width,
                        filters,
                        1,
                        1,
                        Activation::None,
                    )
                }),
            });
            width = filters;
        }
        TcnStack { blocks, dropout }
    }
}

impl SequenceEncoder for TcnStack {
    /// [B, T, inputs] → [B, T, filters].
    fn encode(
        &self,
        tape: &Tape,
        params: &Params,
        x: &Var,
        mode: Mode<'_>,
        first_layer: u64,
    ) -> Result<Var> {
        let mut h = x.clone();
        for (i, block) in self.blocks.iter().enumerate() {
            let layer = first_layer + 2 * i as u64;
            let y = block.first.forward(tape, params, &h)?;
            let y = mode.dropout(tape, &y, self.dropout, layer)?;
            let y = block.second.forward(tape, params, &y)?;
            let y = mode.dropout(tape, &y, self.dropout, layer + 1)?;
            let skip = match &block.skip {
                Some(conv) => conv.forward(tape, params, &h)?,
                None => h.clone(),
            };
            h = tape.activation(&tape.add(&y, &skip)?, Activation::Relu)?;
        }
        Ok(h)
    }
}

/// Pre-norm self-attention with a residual connection, `x + attention(layer_norm(x))`, read out
/// at the last time step (the step the forecast is made from). Pre-norm keeps the residual
/// stream's scale, which a regression head needs; mean pooling would dilute the last step.
#[derive(Debug, Clone)]
pub struct AttentionPool {
    attention: MultiHeadAttention,
    norm: LayerNorm,
}

impl AttentionPool {
    /// A block over `width` features.
    pub fn new(
        params: &mut ParamBuilder,
        width: usize,
        heads: usize,
        key_dim: usize,
    ) -> AttentionPool {
        AttentionPool {
            attention: MultiHeadAttention::new(params, "attention", width, heads, key_dim, false),
            norm: LayerNorm::new(params, "attention_norm", width),
        }
    }

    /// [B, T, width] → [B, width], and the attention weights [B, heads, T, T] on request.
    pub fn forward(
        &self,
        tape: &Tape,
        params: &Params,
        x: &Var,
        return_weights: bool,
    ) -> Result<(Var, Option<Tensor>)> {
        let normed = self.norm.forward(tape, params, x)?;
        let (attended, weights) = self
            .attention
            .forward(tape, params, &normed, return_weights)?;
        Ok((nn::last_step(tape, &tape.add(x, &attended)?)?, weights))
    }
}

/// Dense(units, ReLU) → dropout → Dense(1).
#[derive(Debug, Clone)]
pub struct Head {
    hidden: Linear,
    out: Linear,
    dropout: f32,
}

impl Head {
    /// A head over `inputs` features.
    pub fn new(params: &mut ParamBuilder, inputs: usize, units: usize, dropout: f32) -> Head {
        Head {
            hidden: Linear::new(params, "dense", inputs, units, Activation::Relu),
            out: Linear::new(params, "output", units, 1, Activation::None),
            dropout,
        }
    }

    /// [B, inputs] → [B, 1].
    pub fn forward(
        &self,
        tape: &Tape,
        params: &Params,
        x: &Var,
        mode: Mode<'_>,
        layer: u64,
    ) -> Result<Var> {
        let h = self.hidden.forward(tape, params, x)?;
        let h = mode.dropout(tape, &h, self.dropout, layer)?;
        self.out.forward(tape, params, &h)
    }
}
