//! The model factory: `create_model(model_type, input_shape, variant, overrides)` builds the
//! architecture and declares its parameters. Adding an architecture: write its module (a
//! struct with `new(&ModelConfig, &mut ParamBuilder)` implementing `Network`), add a
//! `ModelType` variant with its defaults and accepted overrides in `config.rs`, and one arm
//! in [`Architecture::build`].

use super::attention_lstm::{AttentionLstm, attention_lstm};
use super::cnn_lstm::CnnLstm;
use super::config::{ModelConfig, ModelType, Variant};
use super::overrides::Overrides;
use super::tcn::Tcn;
use super::tcn_attention::{TcnAttention, tcn_attention};
use crate::autograd::{Tape, Var};
use crate::device::ComputeDevice;
use crate::nn::{ParamBuilder, Params};
use crate::train::{Mode, Network};
use crate::{Result, Tensor};

/// One of the guide's neural architectures.
pub enum Architecture {
    /// `cnn_lstm` / `adaptive`.
    CnnLstm(CnnLstm),
    /// `attention_lstm`.
    AttentionLstm(AttentionLstm),
    /// `tcn`.
    Tcn(Tcn),
    /// `tcn_attention`.
    TcnAttention(TcnAttention),
}

impl Architecture {
    /// Builds the architecture of `config`, declaring its parameters in `params`.
    pub fn build(config: &ModelConfig, params: &mut ParamBuilder) -> Result<Architecture> {
        Ok(match config.model_type {
            ModelType::CnnLstm => Architecture::CnnLstm(CnnLstm::new(config, params)?),
            ModelType::AttentionLstm => {
                Architecture::AttentionLstm(attention_lstm(config, params)?)
            }
            ModelType::Tcn => Architecture::Tcn(Tcn::new(config, params)),
            ModelType::TcnAttention => Architecture::TcnAttention(tcn_attention(config, params)),
        })
    }

    /// Attention weights [B, heads, T, T] for inputs `x` [B, T, F] — for architectures with
    /// attention; `None` for the others.
    pub fn attention_weights(&self, params: &Params, x: &Tensor) -> Result<Option<Tensor>> {
        match self {
            Architecture::AttentionLstm(m) => m.attention_weights(params, x),
            Architecture::TcnAttention(m) => m.attention_weights(params, x),
            Architecture::CnnLstm(_) | Architecture::Tcn(_) => Ok(None),
        }
    }
}

impl Network for Architecture {
    fn forward(&self, tape: &Tape, params: &Params, x: &Var, mode: Mode<'_>) -> Result<Var> {
        match self {
            Architecture::CnnLstm(m) => m.forward(tape, params, x, mode),
            Architecture::AttentionLstm(m) => m.forward(tape, params, x, mode),
            Architecture::Tcn(m) => m.forward(tape, params, x, mode),
            Architecture::TcnAttention(m) => m.forward(tape, params, x, mode),
        }
    }
}

/// A built model: configuration, network and parameters on a device.
pub struct Model {
    /// Every hyperparameter.
    pub config: ModelConfig,
    /// The network.
    pub network: Architecture,
    /// Its parameters.
    pub params: Params,
}

impl Model {
    /// Builds `config` with weights initialised from `seed` on `device`.
    pub fn build(config: &ModelConfig, seed: u64, device: &ComputeDevice) -> Result<Model> {
        let mut builder = ParamBuilder::new(seed);
        let network = Architecture::build(config, &mut builder)?;
        Ok(Model {
            config: config.clone(),
            network,
            params: builder.build(device)?,
        })
    }

    /// Number of scalar parameters.
    pub fn parameter_count(&self) -> usize {
        self.params.count()
    }
}

/// The guide's `create_model`: an architecture by name (`cnn_lstm`, `adaptive`,
/// `attention_lstm`, `tcn`, `tcn_attention`), input shape (sequence length, features), variant
/// (`lightweight`, `default`, `deep`) and per-parameter overrides.
pub fn create_model(
    model_type: &str,
    input_shape: (usize, usize),
    variant: &str,
    overrides: &Overrides,
    seed: u64,
    device: &ComputeDevice,
) -> Result<Model> {
    let config = ModelConfig::new(
        ModelType::parse(model_type)?,
        input_shape,
        Variant::parse(variant)?,
        overrides,
    )?;
    Model::build(&config, seed, device)
}
