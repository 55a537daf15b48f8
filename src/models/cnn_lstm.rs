//! `cnn_lstm` (alias `adaptive`): causal convolutions extract local patterns, stacked LSTMs
//! model time, a dense head predicts. With `has_sentiment` and sentiment columns present, the
//! last step's sentiment features pass through their own dense branch and join the head.

use super::ModelConfig;
use super::blocks::{Head, LstmStack, SequenceEncoder};
use crate::activation::Activation;
use crate::autograd::Var;
use crate::nn::{self, Conv1d, Dropout, Forward, Linear, Network, ParamBuilder};
use crate::{AtbError, Result};

/// Units of the sentiment branch.
const SENTIMENT_UNITS: usize = 16;

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
    pub fn new(config: &ModelConfig, params: &mut ParamBuilder) -> Result<CnnLstm> {
        let features = config.input_shape.1;
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
