//! `tcn`: residual blocks of dilated causal convolutions (dilations 1, 2, 4, …), the last
//! time step, a dense head. Receptive field: 1 + 2·(kernel − 1)·(2^layers − 1) steps
//! (two convolutions per block, as keras-tcn; see `ops::receptive_field`).

use super::blocks::{Head, SequenceEncoder, TcnStack};
use super::config::ModelConfig;
use crate::Result;
use crate::autograd::{Tape, Var};
use crate::nn::{self, ParamBuilder, Params};
use crate::train::{Mode, Network};

/// The TCN network.
pub struct Tcn {
    stack: TcnStack,
    head: Head,
}

impl Tcn {
    /// Declares the layers of `config`.
    pub fn new(config: &ModelConfig, params: &mut ParamBuilder) -> Tcn {
        Tcn {
            stack: TcnStack::new(
                params,
                config.input_shape.1,
                config.num_filters,
                config.kernel_size,
                config.num_layers,
                config.dropout,
            ),
            head: Head::new(
                params,
                config.num_filters,
                config.dense_units,
                config.dropout,
            ),
        }
    }
}

impl Network for Tcn {
    fn forward(&self, tape: &Tape, params: &Params, x: &Var, mode: Mode<'_>) -> Result<Var> {
        let h = self.stack.encode(tape, params, x, mode, 0)?;
        self.head
            .forward(tape, params, &nn::last_step(tape, &h)?, mode, 100)
    }
}
