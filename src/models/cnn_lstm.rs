//! `cnn_lstm` (alias `adaptive`): causal convolutions extract local patterns, stacked LSTMs
//! model time, a dense head predicts. With `has_sentiment` and sentiment columns present, the
//! last step's sentiment features pass through their own dense branch and join the head.

use serde::{Deserialize, Serialize};

use super::blocks::{Head, LstmStack, SequenceEncoder};
use super::overrides::Overrides;
use super::variant::Variant;
use crate::activation::Activation;
use crate::autograd::Var;
use crate::nn::{self, Conv1d, Dropout, Forward, Linear, Network, ParamBuilder};
use crate::{AtbError, Result};

/// Units of the sentiment branch.
pub(super) const SENTIMENT_UNITS: usize = 16;

/// Hyperparameters of `cnn_lstm`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CnnLstmConfig {
    /// The preset it started from.
    pub variant: Variant,
    /// Input features per time step (the sentiment columns included).
    pub features: usize,
    /// Convolution filters per layer.
    pub conv_filters: Vec<usize>,
    /// Convolution kernel size.
    pub kernel_size: usize,
    /// LSTM units per layer.
    pub lstm_units: Vec<usize>,
    /// Units of the dense layer before the output.
    pub dense_units: usize,
    /// Dropout rate.
    pub dropout: f32,
    /// An extra input branch for sentiment columns.
    pub has_sentiment: bool,
    /// How many of the input features (the last ones) are sentiment columns (set from the data).
    pub sentiment_features: usize,
}

impl CnnLstmConfig {
    /// The override keys it accepts.
    pub const KEYS: &'static [&'static str] = &[
        "conv_filters",
        "kernel_size",
        "lstm_units",
        "dense_units",
        "dropout",
        "has_sentiment",
    ];

    /// The guide's preset of `variant` over `features` inputs.
    pub fn preset(variant: Variant, features: usize) -> CnnLstmConfig {
        CnnLstmConfig {
            variant,
            features,
            conv_filters: variant.pick(vec![32], vec![64, 64], vec![128, 128]),
            kernel_size: 3,
            lstm_units: variant.pick(vec![32], vec![64, 32], vec![128, 64]),
            dense_units: variant.pick(16, 32, 64),
            dropout: 0.2,
            has_sentiment: false,
            sentiment_features: 0,
        }
    }

    /// This config with `overrides` applied, each value validated under its key.
    pub fn with_overrides(self, overrides: &Overrides) -> Result<CnnLstmConfig> {
        Ok(CnnLstmConfig {
            conv_filters: overrides.positive_list("conv_filters", &self.conv_filters)?,
            lstm_units: overrides.positive_list("lstm_units", &self.lstm_units)?,
            kernel_size: overrides.positive("kernel_size", self.kernel_size)?,
            dense_units: overrides.positive("dense_units", self.dense_units)?,
            dropout: overrides.rate("dropout", self.dropout)?,
            has_sentiment: overrides.flag("has_sentiment", self.has_sentiment)?,
            ..self
        })
    }
}

/// The CNN-LSTM network.
pub struct CnnLstm {
    convs: Vec<Conv1d>,
    lstm: LstmStack,
    sentiment: Option<(usize, Linear)>,
    price_features: usize,
    conv_dropout: Dropout,
    head: Head,
}

impl CnnLstm {
    /// Declares the layers of `config`.
    pub fn new(config: &CnnLstmConfig, params: &mut ParamBuilder) -> Result<CnnLstm> {
        let features = config.features;
        let sentiment = if config.has_sentiment {
            config.sentiment_features
        } else {
            0
        };
        if sentiment >= features {
            return Err(AtbError::Config(format!(
                "{sentiment} sentiment columns leave no price features among {features}"
            )));
        }
        let price_features = features - sentiment;
        let mut convs = Vec::with_capacity(config.conv_filters.len());
        let mut width = price_features;
        for (i, &filters) in config.conv_filters.iter().enumerate() {
            convs.push(Conv1d::new(
                params,
                &format!("conv_{i}"),
                width,
                filters,
                config.kernel_size,
                1,
                Activation::Relu,
            ));
            width = filters;
        }
        let conv_dropout = Dropout::new(params, config.dropout);
        let lstm = LstmStack::new(params, width, &config.lstm_units, config.dropout)?;
        let last = config.lstm_units.last().copied().unwrap_or(width);
        let sentiment = (sentiment > 0).then(|| {
            (
                sentiment,
                Linear::new(
                    params,
                    "sentiment",
                    sentiment,
                    SENTIMENT_UNITS,
                    Activation::Relu,
                ),
            )
        });
        let head_inputs = last + sentiment.as_ref().map_or(0, |_| SENTIMENT_UNITS);
        Ok(CnnLstm {
            convs,
            lstm,
            sentiment,
            price_features,
            conv_dropout,
            head: Head::new(params, head_inputs, config.dense_units, config.dropout),
        })
    }
}

impl CnnLstm {
    /// Its dropout layers, in the order the forward pass applies them.
    pub fn dropout_layers(&self) -> Vec<&Dropout> {
        let mut layers = vec![&self.conv_dropout];
        layers.extend(self.lstm.dropout_layers());
        layers.push(self.head.dropout_layer());
        layers
    }
}

impl Network for CnnLstm {
    fn forward(&self, f: &Forward<'_>, x: &Var) -> Result<Var> {
        let (tape, params) = (f.tape, f.params);
        let mut h = match self.sentiment {
            Some(_) => tape.slice(x, 2, 0, self.price_features)?,
            None => x.clone(),
        };
        for conv in &self.convs {
            h = conv.forward(tape, params, &h)?;
        }
        h = self.conv_dropout.forward(f, &h)?;
        let h = self.lstm.encode(f, &h)?;
        let mut features = nn::last_step(tape, &h)?;
        if let Some((count, branch)) = &self.sentiment {
            let latest = nn::last_step(tape, &tape.slice(x, 2, self.price_features, *count)?)?;
            features = tape.concat(&[&features, &branch.forward(tape, params, &latest)?], 1)?;
        }
        self.head.forward(f, &features)
    }
}
