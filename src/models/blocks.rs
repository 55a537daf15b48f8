//! Building blocks shared by the architectures: an LSTM stack, a TCN stack, an attention
//! block with residual and normalisation, and the dense output head.

use crate::activation::Activation;
use crate::autograd::Var;
use crate::nn::{
    self, Conv1d, Dropout, Forward, LayerNorm, Linear, Lstm, MultiHeadAttention, Network,
    ParamBuilder, Params,
};
use crate::{Result, Tensor};

/// A stack that turns [B, T, F] into [B, T, width] (the LSTM and TCN stacks).
pub trait SequenceEncoder {
    /// Encodes `x`.
    fn encode(&self, f: &Forward<'_>, x: &Var) -> Result<Var>;

    /// Its dropout layers, in the order the forward pass applies them.
    fn dropout_layers(&self) -> Vec<&Dropout>;
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
        nn::infer(params, x, |f, x| {
            let h = self.encoder.encode(f, x)?;
            Ok(self.attention.forward(f, &h, true)?.1)
        })
    }

    /// Its dropout layers, in the order the forward pass applies them.
    pub fn dropout_layers(&self) -> Vec<&Dropout> {
        let mut layers = self.encoder.dropout_layers();
        layers.push(self.head.dropout_layer());
        layers
    }
}

impl<E: SequenceEncoder> Network for AttentionModel<E> {
    fn forward(&self, f: &Forward<'_>, x: &Var) -> Result<Var> {
        let h = self.encoder.encode(f, x)?;
        let (pooled, _) = self.attention.forward(f, &h, false)?;
        self.head.forward(f, &pooled)
    }
}

/// Stacked LSTM layers returning full sequences, with dropout after each.
#[derive(Debug, Clone)]
pub struct LstmStack {
    layers: Vec<(Lstm, Dropout)>,
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
            let lstm = Lstm::new(params, &format!("lstm_{i}"), width, u)?;
            layers.push((lstm, Dropout::new(params, dropout)));
            width = u;
        }
        Ok(LstmStack { layers })
    }
}

impl SequenceEncoder for LstmStack {
    /// [B, T, inputs] → [B, T, last units].
    fn encode(&self, f: &Forward<'_>, x: &Var) -> Result<Var> {
        let mut h = x.clone();
        for (layer, dropout) in &self.layers {
            h = layer.forward(f.tape, f.params, &h)?;
            h = dropout.forward(f, &h)?;
        }
        Ok(h)
    }

    fn dropout_layers(&self) -> Vec<&Dropout> {
        self.layers.iter().map(|(_, dropout)| dropout).collect()
    }
}

/// One TCN residual block: two dilated causal convolutions (ReLU, dropout) and a 1×1
/// convolution on the skip path when the width changes.
#[derive(Debug, Clone)]
struct TcnBlock {
    first: Conv1d,
    first_dropout: Dropout,
    second: Conv1d,
    second_dropout: Dropout,
    skip: Option<Conv1d>,
}

/// Residual blocks with dilations 1, 2, 4, … (keras-tcn's layout, one stack).
#[derive(Debug, Clone)]
pub struct TcnStack {
    blocks: Vec<TcnBlock>,
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
                first_dropout: Dropout::new(params, dropout),
                second: Conv1d::new(
                    params,
                    &format!("{name}/conv_1"),
                    filters,
                    filters,
                    kernel_size,
                    dilation,
                    Activation::Relu,
                ),
                second_dropout: Dropout::new(params, dropout),
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
        TcnStack { blocks }
    }
}

impl SequenceEncoder for TcnStack {
    /// [B, T, inputs] → [B, T, filters].
    fn encode(&self, f: &Forward<'_>, x: &Var) -> Result<Var> {
        let (tape, params) = (f.tape, f.params);
        let mut h = x.clone();
        for block in &self.blocks {
            let y = block.first.forward(tape, params, &h)?;
            let y = block.first_dropout.forward(f, &y)?;
            let y = block.second.forward(tape, params, &y)?;
            let y = block.second_dropout.forward(f, &y)?;
            let skip = match &block.skip {
                Some(conv) => conv.forward(tape, params, &h)?,
                None => h.clone(),
            };
            h = tape.activation(&tape.add(&y, &skip)?, Activation::Relu)?;
        }
        Ok(h)
    }

    fn dropout_layers(&self) -> Vec<&Dropout> {
        self.blocks
            .iter()
            .flat_map(|b| [&b.first_dropout, &b.second_dropout])
            .collect()
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
        f: &Forward<'_>,
        x: &Var,
        return_weights: bool,
    ) -> Result<(Var, Option<Tensor>)> {
        let (tape, params) = (f.tape, f.params);
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
    dropout: Dropout,
    out: Linear,
}

impl Head {
    /// A head over `inputs` features.
    pub fn new(params: &mut ParamBuilder, inputs: usize, units: usize, dropout: f32) -> Head {
        Head {
            hidden: Linear::new(params, "dense", inputs, units, Activation::Relu),
            dropout: Dropout::new(params, dropout),
            out: Linear::new(params, "output", units, 1, Activation::None),
        }
    }

    /// Its dropout layer.
    pub fn dropout_layer(&self) -> &Dropout {
        &self.dropout
    }

    /// [B, inputs] → [B, 1].
    pub fn forward(&self, f: &Forward<'_>, x: &Var) -> Result<Var> {
        let h = self.hidden.forward(f.tape, f.params, x)?;
        let h = self.dropout.forward(f, &h)?;
        self.out.forward(f.tape, f.params, &h)
    }
}
