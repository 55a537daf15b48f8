//! `tcn`: residual blocks of dilated causal convolutions (dilations 1, 2, 4, …), the last
//! time step, a dense head. Receptive field: 1 + 2·(kernel − 1)·(2^layers − 1) steps
//! (two convolutions per block, as keras-tcn; see `ops::receptive_field`).

use serde::{Deserialize, Serialize};

use super::blocks::{Head, SequenceEncoder, TcnStack};
use super::overrides::Overrides;
use super::variant::Variant;
use crate::Result;
use crate::autograd::Var;
use crate::nn::{self, Dropout, Forward, Network, ParamBuilder};

/// Hyperparameters of `tcn`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TcnConfig {
    /// The preset it started from.
    pub variant: Variant,
    /// Input features per time step.
    pub features: usize,
    /// Filters of every residual block.
    pub num_filters: usize,
    /// Convolution kernel size.
    pub kernel_size: usize,
    /// Residual blocks, dilations 1, 2, 4, ….
    pub num_layers: usize,
    /// Units of the dense layer before the output.
    pub dense_units: usize,
    /// Dropout rate.
    pub dropout: f32,
}

impl TcnConfig {
    /// The override keys it accepts.
    pub const KEYS: &'static [&'static str] = &[
        "num_filters",
        "kernel_size",
        "num_layers",
        "dense_units",
        "dropout",
    ];

    /// The guide's preset of `variant` over `features` inputs.
    pub fn preset(variant: Variant, features: usize) -> TcnConfig {
        TcnConfig {
            variant,
            features,
            num_filters: variant.pick(32, 64, 128),
            kernel_size: 5,
            num_layers: variant.pick(4, 5, 6),
            dense_units: variant.pick(16, 32, 64),
            dropout: 0.2,
        }
    }

    /// This config with `overrides` applied, each value validated under its key.
    pub fn with_overrides(self, overrides: &Overrides) -> Result<TcnConfig> {
        Ok(TcnConfig {
            num_filters: overrides.positive("num_filters", self.num_filters)?,
            kernel_size: overrides.positive("kernel_size", self.kernel_size)?,
            num_layers: overrides.positive("num_layers", self.num_layers)?,
            dense_units: overrides.positive("dense_units", self.dense_units)?,
            dropout: overrides.rate("dropout", self.dropout)?,
            ..self
        })
    }
}

/// The TCN network.
pub struct Tcn {
    stack: TcnStack,
    head: Head,
}

impl Tcn {
    /// Declares the layers of `config`.
    pub fn new(config: &TcnConfig, params: &mut ParamBuilder) -> Tcn {
        Tcn {
            stack: TcnStack::new(
                params,
                config.features,
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
