//! Layer normalisation over the last axis (Keras `LayerNormalization`, epsilon 1e-3).

use super::init::Init;
use super::params::{ParamBuilder, ParamId, Params};
use crate::Result;
use crate::autograd::{Tape, Var};

/// Keras' default epsilon.
pub const LAYER_NORM_EPSILON: f32 = 1e-3;

/// `gamma · (x - mean) / sqrt(var + eps) + beta` over the last axis.
#[derive(Debug, Clone)]
pub struct LayerNorm {
    gamma: ParamId,
    beta: ParamId,
}

impl LayerNorm {
    /// Declares `name/gamma` (ones) and `name/beta` (zeros) of `width` (no weight decay).
    pub fn new(params: &mut ParamBuilder, name: &str, width: usize) -> LayerNorm {
        LayerNorm {
            gamma: params.add(
                &format!("{name}/gamma"),
                &[width],
                Init::Constant(1.0),
                false,
            ),
            beta: params.add(&format!("{name}/beta"), &[width], Init::Zeros, false),
        }
    }

    /// Applies the normalisation.
    pub fn forward(&self, tape: &Tape, params: &Params, x: &Var) -> Result<Var> {
        let gamma = tape.param(params.value(self.gamma).clone(), self.gamma);
        let beta = tape.param(params.value(self.beta).clone(), self.beta);
        tape.layer_norm(x, &gamma, &beta, LAYER_NORM_EPSILON)
    }
}
