//! A causal 1-D convolution layer (Keras `Conv1D(padding='causal')`).

use super::init::Init;
use super::params::{ParamBuilder, ParamId, Params};
use crate::Result;
use crate::activation::Activation;
use crate::autograd::{Tape, Var};

/// `act(causal_conv(x, W, dilation) + b)` over [B, T, inputs] → [B, T, filters].
#[derive(Debug, Clone)]
pub struct Conv1d {
    kernel: ParamId,
    bias: ParamId,
    dilation: usize,
    activation: Activation,
}

impl Conv1d {
    /// Declares `name/kernel` [kernel_size, inputs, filters] (Glorot) and `name/bias` (zeros).
    pub fn new(
        params: &mut ParamBuilder,
        name: &str,
        inputs: usize,
        filters: usize,
        kernel_size: usize,
        dilation: usize,
        activation: Activation,
    ) -> Conv1d {
        Conv1d {
            kernel: params.add(
                &format!("{name}/kernel"),
                &[kernel_size, inputs, filters],
                Init::GlorotUniform,
                true,
            ),
            bias: params.add(&format!("{name}/bias"), &[filters], Init::Zeros, false),
            dilation,
            activation,
        }
    }

    /// Applies the layer.
    pub fn forward(&self, tape: &Tape, params: &Params, x: &Var) -> Result<Var> {
        let w = tape.param(params.value(self.kernel).clone(), self.kernel);
        let b = tape.param(params.value(self.bias).clone(), self.bias);
        let y = tape.conv1d(x, &w, Some(&b), self.dilation)?;
        tape.activation(&y, self.activation)
    }
}
