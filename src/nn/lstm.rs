//! An LSTM layer (Keras `LSTM`: tanh/sigmoid, Glorot kernel, orthogonal recurrent kernel,
//! unit forget bias, zero initial state).

use super::init::Init;
use super::params::{ParamBuilder, ParamId, Params};
use crate::Result;
use crate::autograd::{Tape, Var};

/// One LSTM layer; returns the full sequence of hidden states.
#[derive(Debug, Clone)]
pub struct Lstm {
    kernel: ParamId,
    recurrent: ParamId,
    bias: ParamId,
    units: usize,
}

impl Lstm {
    /// Declares `name/kernel` [inputs, 4·units], `name/recurrent_kernel` [units, 4·units] and
    /// `name/bias` [4·units] (gate order i, f, g, o; the forget part starts at one).
    pub fn new(params: &mut ParamBuilder, name: &str, inputs: usize, units: usize) -> Result<Lstm> {
        let kernel = params.add(
            &format!("{name}/kernel"),
            &[inputs, 4 * units],
            Init::GlorotUniform,
            true,
        );
        let recurrent = params.add(
            &format!("{name}/recurrent_kernel"),
            &[units, 4 * units],
            Init::Orthogonal,
            true,
        );
        let mut bias = vec![0.0f32; 4 * units];
        bias[units..2 * units].fill(1.0);
        let bias = params.add_values(&format!("{name}/bias"), &[4 * units], bias, false)?;
        Ok(Lstm {
            kernel,
            recurrent,
            bias,
            units,
        })
    }

    /// Hidden units.
    pub fn units(&self) -> usize {
        self.units
    }

    /// Runs the layer over x [B, T, inputs] → [B, T, units].
    pub fn forward(&self, tape: &Tape, params: &Params, x: &Var) -> Result<Var> {
        let w_ih = tape.param(params.value(self.kernel).clone(), self.kernel);
        let w_hh = tape.param(params.value(self.recurrent).clone(), self.recurrent);
        let b = tape.param(params.value(self.bias).clone(), self.bias);
        tape.lstm(x, &w_ih, &w_hh, &b)
    }
}
