//! A dense layer, applied to the last axis of [N, in] or [B, T, in] inputs.

use super::init::Init;
use super::params::{ParamBuilder, ParamId, Params};
use crate::Result;
use crate::activation::Activation;
use crate::autograd::{Tape, Var};
use crate::ops::MatmulOptions;

/// `act(x·W + b)` (Keras `Dense`).
#[derive(Debug, Clone)]
pub struct Linear {
    weight: ParamId,
    bias: ParamId,
    activation: Activation,
}

impl Linear {
    /// Declares `name/kernel` [inputs, units] (Glorot uniform) and `name/bias` [units] (zeros).
    pub fn new(
        params: &mut ParamBuilder,
        name: &str,
        inputs: usize,
        units: usize,
        activation: Activation,
    ) -> Linear {
        Linear {
            weight: params.add(
                &format!("{name}/kernel"),
                &[inputs, units],
                Init::GlorotUniform,
                true,
            ),
            bias: params.add(&format!("{name}/bias"), &[units], Init::Zeros, false),
            activation,
        }
    }

    /// Applies the layer.
    pub fn forward(&self, tape: &Tape, params: &Params, x: &Var) -> Result<Var> {
        let w = tape.param(params.value(self.weight).clone(), self.weight);
        let b = tape.param(params.value(self.bias).clone(), self.bias);
        let opts = MatmulOptions {
            activation: self.activation,
            ..MatmulOptions::default()
        };
        tape.matmul(x, &w, Some(&b), opts)
    }
}
