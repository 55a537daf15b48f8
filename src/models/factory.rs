//! The model factory: `create_model(model_type, input_shape, variant, overrides)` builds the
//! architecture and declares its parameters. Adding an architecture: write its module (a typed
//! config with `KEYS`, `preset` and `with_overrides`, and a struct with `new(&ItsConfig, &mut
//! ParamBuilder)` implementing `Network`), add a `ModelType` and a `ModelConfig` variant in
//! `config.rs`, and one arm in [`Architecture::build`].

use super::attention_lstm::{AttentionLstm, attention_lstm};
use super::cnn_lstm::CnnLstm;
use super::config::{ModelConfig, ModelType};
use super::overrides::Overrides;
use super::tcn::Tcn;
use super::tcn_attention::{TcnAttention, tcn_attention};
use super::variant::Variant;
use crate::autograd::Var;
use crate::device::ComputeDevice;
use crate::nn::{self, Dropout, Forward, Network, ParamBuilder, Params};
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
        Ok(match config {
            ModelConfig::CnnLstm(c) => Architecture::CnnLstm(CnnLstm::new(c, params)?),
            ModelConfig::AttentionLstm(c) => {
                Architecture::AttentionLstm(attention_lstm(c, params)?)
            }
            ModelConfig::Tcn(c) => Architecture::Tcn(Tcn::new(c, params)),
            ModelConfig::TcnAttention(c) => Architecture::TcnAttention(tcn_attention(c, params)),
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

    /// Every dropout layer, in the order the forward pass applies them.
    pub fn dropout_layers(&self) -> Vec<&Dropout> {
        match self {
            Architecture::CnnLstm(m) => m.dropout_layers(),
            Architecture::AttentionLstm(m) => m.dropout_layers(),
            Architecture::Tcn(m) => m.dropout_layers(),
            Architecture::TcnAttention(m) => m.dropout_layers(),
        }
    }
}

impl Network for Architecture {
    fn forward(&self, f: &Forward<'_>, x: &Var) -> Result<Var> {
        match self {
            Architecture::CnnLstm(m) => m.forward(f, x),
            Architecture::AttentionLstm(m) => m.forward(f, x),
            Architecture::Tcn(m) => m.forward(f, x),
            Architecture::TcnAttention(m) => m.forward(f, x),
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
    /// Builds `config` with weights initialised from `seed` on `device`; a width over
    /// [`MAX_WIDTH`](super::MAX_WIDTH) or a size that overflows is an error naming the setting,
    /// before anything is allocated.
    pub fn build(config: &ModelConfig, seed: u64, device: &ComputeDevice) -> Result<Model> {
        // The parameters do not depend on the window length.
        config.footprint(1)?;
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

    /// Scaled predictions, one per window of `x` [N, T, F] (through [`nn::predict`], the
    /// inference entry point).
    pub fn predict(&self, x: &Tensor) -> Result<Vec<f32>> {
        nn::predict(&self.network, &self.params, x)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::autograd::Tape;
    use crate::nn::Mode;
    use crate::ops::StepCounter;

    /// A TCN of 60 blocks has 121 dropout layers (two per block and the head's); v0.1.0
    /// numbered them by hand (2i and 2i + 1 per block, 100 for the head), so block 50 and the
    /// head drew the same masks. Sites from the builder are distinct, and so are the masks.
    #[test]
    fn every_dropout_layer_of_a_deep_tcn_draws_its_own_masks() {
        let overrides = Overrides::parse(&[
            "num_layers=60",
            "kernel_size=1",
            "num_filters=2",
            "dense_units=2",
        ])
        .unwrap();
        let device = ComputeDevice::Cpu;
        let model = create_model("tcn", (4, 3), "lightweight", &overrides, 1, &device).unwrap();
        let layers = model.network.dropout_layers();
        assert_eq!(layers.len(), 2 * 60 + 1);
        let mut sites: Vec<u64> = layers.iter().map(|d| d.site().index()).collect();
        sites.sort_unstable();
        sites.dedup();
        assert_eq!(sites.len(), layers.len(), "dropout sites are unique");

        let tape = Tape::new();
        let counter = StepCounter::new(&device, 1).unwrap();
        let forward = Forward {
            tape: &tape,
            params: &model.params,
            mode: Mode::Train {
                counter: &counter,
                slot: 0,
                seed: 7,
            },
        };
        let ones = tape.constant(Tensor::from_vec(&[1, 64], vec![1.0; 64]).unwrap());
        let masks: Vec<Vec<f32>> = layers
            .iter()
            .map(|d| {
                d.forward(&forward, &ones)
                    .unwrap()
                    .value()
                    .to_vec()
                    .unwrap()
            })
            .collect();
        for (i, a) in masks.iter().enumerate() {
            for (j, b) in masks.iter().enumerate().skip(i + 1) {
                assert_ne!(a, b, "dropout layers {i} and {j} draw the same mask");
            }
        }
    }
}
