//! `tcn`: residual blocks of dilated causal convolutions (dilations 1, 2, 4, …), the last
//! time step, a dense head. Receptive field: 1 + 2·(kernel − 1)·(2^layers − 1) steps
//! (two convolutions per block, as keras-tcn; see `ops::receptive_field`).

use super::ModelConfig;
use super::blocks::{Head, SequenceEncoder, TcnStack};
use crate::Result;
use crate::autograd::Var;
use crate::nn::{self, Dropout, Forward, Network, ParamBuilder};

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

impl Tcn {
    /// Its dropout layers, in the order the forward pass applies them.
    pub fn dropout_layers(&self) -> Vec<&Dropout> {
        let mut layers = self.stack.dropout_layers();
        layers.push(self.head.dropout_layer());
        layers
    }
}

impl Network for Tcn {
    fn forward(&self, f: &Forward<'_>, x: &Var) -> Result<Var> {
        let h = self.stack.encode(f, x)?;
        self.head.forward(f, &nn::last_step(f.tape, &h)?)
    }
}
