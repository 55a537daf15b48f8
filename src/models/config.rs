//! Model types, variants, and the typed configuration of each architecture: one
//! [`ModelConfig`] variant per architecture, each holding only its own hyperparameters.

use serde::{Deserialize, Serialize};

use super::attention_lstm::AttentionLstmConfig;
use super::cnn_lstm::CnnLstmConfig;
use super::overrides::Overrides;
use super::tcn::TcnConfig;
use super::tcn_attention::TcnAttentionConfig;
use super::variant::Variant;
use crate::{AtbError, Result};

/// The architectures of the guide, with a one-line description each (`AVAILABLE_MODELS`).
pub const AVAILABLE_MODELS: &[(&str, &str)] = &[
    (
        "cnn_lstm",
        "CNN feature extraction + stacked LSTM (baseline; alias 'adaptive')",
    ),
    (
        "attention_lstm",
        "stacked LSTM + multi-head self-attention (recommended)",
    ),
    (
        "tcn",
        "temporal convolutional network: dilated causal convolutions with residuals",
    ),
    ("tcn_attention", "TCN followed by multi-head self-attention"),
    (
        "lightgbm",
        "histogram gradient boosting on engineered features",
    ),
];

/// A neural architecture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelType {
    /// CNN + LSTM (`cnn_lstm`, `adaptive`).
    CnnLstm,
    /// LSTM + attention (`attention_lstm`).
    AttentionLstm,
    /// Temporal convolutional network (`tcn`).
    Tcn,
    /// TCN + attention (`tcn_attention`).
    TcnAttention,
}

/// Every neural architecture, in the guide's order.
const NEURAL_TYPES: [ModelType; 4] = [
    ModelType::CnnLstm,
    ModelType::AttentionLstm,
    ModelType::Tcn,
    ModelType::TcnAttention,
];

impl ModelType {
    /// Parses a model type name (case-insensitive); an unknown name lists the available ones.
    pub fn parse(name: &str) -> Result<ModelType> {
        match name.to_ascii_lowercase().as_str() {
            "cnn_lstm" | "adaptive" => Ok(ModelType::CnnLstm),
            "attention_lstm" => Ok(ModelType::AttentionLstm),
            "tcn" => Ok(ModelType::Tcn),
            "tcn_attention" => Ok(ModelType::TcnAttention),
            _ => Err(AtbError::Config(format!(
                "unknown model_type '{name}'; available: {}",
                AVAILABLE_MODELS
                    .iter()
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }

    /// The canonical name.
    pub fn name(self) -> &'static str {
        match self {
            ModelType::CnnLstm => "cnn_lstm",
            ModelType::AttentionLstm => "attention_lstm",
            ModelType::Tcn => "tcn",
            ModelType::TcnAttention => "tcn_attention",
        }
    }

    /// The override keys this architecture accepts (its config's tunable fields).
    pub fn accepted_keys(self) -> &'static [&'static str] {
        match self {
            ModelType::CnnLstm => CnnLstmConfig::KEYS,
            ModelType::AttentionLstm => AttentionLstmConfig::KEYS,
            ModelType::Tcn => TcnConfig::KEYS,
            ModelType::TcnAttention => TcnAttentionConfig::KEYS,
        }
    }

    /// Fails on the first override key this architecture does not accept, naming the key,
    /// this type, the types that do accept it (if any) and the accepted keys.
    fn check_keys(self, overrides: &Overrides) -> Result<()> {
        let accepted = self.accepted_keys();
        let Some(unknown) = overrides.keys().find(|k| !accepted.contains(k)) else {
            return Ok(());
        };
        let owners: Vec<&str> = NEURAL_TYPES
            .iter()
            .filter(|t| t.accepted_keys().contains(&unknown))
            .map(|t| t.name())
            .collect();
        let elsewhere = if owners.is_empty() {
            String::new()
        } else {
            format!(
                " (a parameter of {}, not of {})",
                owners.join(", "),
                self.name()
            )
        };
        Err(AtbError::Config(format!(
            "unknown parameter '{unknown}' for {}{elsewhere}; accepted: {}",
            self.name(),
            accepted.join(", ")
        )))
    }
}

/// The hyperparameters of one architecture: config.json's `model`, tagged by `model_type`,
/// each variant with only its own fields (unknown fields are rejected).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "model_type", rename_all = "snake_case")]
pub enum ModelConfig {
    /// `cnn_lstm` / `adaptive`.
    CnnLstm(CnnLstmConfig),
    /// `attention_lstm`.
    AttentionLstm(AttentionLstmConfig),
    /// `tcn`.
    Tcn(TcnConfig),
    /// `tcn_attention`.
    TcnAttention(TcnAttentionConfig),
}

impl ModelConfig {
    /// The preset of `variant` for inputs of `input_shape` (sequence length, features), with
    /// `overrides` applied and validated. The networks do not depend on the sequence length;
    /// it is checked here and saved once, beside the model config.
    pub fn new(
        model_type: ModelType,
        input_shape: (usize, usize),
        variant: Variant,
        overrides: &Overrides,
    ) -> Result<ModelConfig> {
        if input_shape.0 == 0 || input_shape.1 == 0 {
            return Err(AtbError::Config(format!(
                "input_shape must be (sequence_length > 0, features > 0), got {input_shape:?}"
            )));
        }
        model_type.check_keys(overrides)?;
        let features = input_shape.1;
        let config = match model_type {
            ModelType::CnnLstm => ModelConfig::CnnLstm(
                CnnLstmConfig::preset(variant, features).with_overrides(overrides)?,
            ),
            ModelType::AttentionLstm => ModelConfig::AttentionLstm(
                AttentionLstmConfig::preset(variant, features).with_overrides(overrides)?,
            ),
            ModelType::Tcn => {
                ModelConfig::Tcn(TcnConfig::preset(variant, features).with_overrides(overrides)?)
            }
            ModelType::TcnAttention => ModelConfig::TcnAttention(
                TcnAttentionConfig::preset(variant, features).with_overrides(overrides)?,
            ),
        };
        config.footprint(1)?;
        Ok(config)
    }

    /// The architecture.
    pub fn model_type(&self) -> ModelType {
        match self {
            ModelConfig::CnnLstm(_) => ModelType::CnnLstm,
            ModelConfig::AttentionLstm(_) => ModelType::AttentionLstm,
            ModelConfig::Tcn(_) => ModelType::Tcn,
            ModelConfig::TcnAttention(_) => ModelType::TcnAttention,
        }
    }

    /// The preset it started from.
    pub fn variant(&self) -> Variant {
        match self {
            ModelConfig::CnnLstm(c) => c.variant,
            ModelConfig::AttentionLstm(c) => c.variant,
            ModelConfig::Tcn(c) => c.variant,
            ModelConfig::TcnAttention(c) => c.variant,
        }
    }

    /// Input features per time step.
    pub fn features(&self) -> usize {
        match self {
            ModelConfig::CnnLstm(c) => c.features,
            ModelConfig::AttentionLstm(c) => c.features,
            ModelConfig::Tcn(c) => c.features,
            ModelConfig::TcnAttention(c) => c.features,
        }
    }

    /// True when the model asks for the data's sentiment columns (cnn_lstm's `has_sentiment`).
    pub fn has_sentiment(&self) -> bool {
        matches!(self, ModelConfig::CnnLstm(c) if c.has_sentiment)
    }

    /// The same model over inputs with `count` sentiment columns appended after its features
    /// (cnn_lstm with `has_sentiment` reads them in their own branch); `count` 0 changes nothing.
    pub fn with_sentiment_columns(self, count: usize) -> Result<ModelConfig> {
        match self {
            _ if count == 0 => Ok(self),
            ModelConfig::CnnLstm(c) if c.has_sentiment => Ok(ModelConfig::CnnLstm(CnnLstmConfig {
                features: c.features + count,
                sentiment_features: count,
                ..c
            })),
            other => Err(AtbError::Config(format!(
                "{count} sentiment columns given to {}, which has no sentiment branch \
                 (cnn_lstm with has_sentiment=true has one)",
                other.model_type().name()
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(t: &str, variant: &str, sets: &[&str]) -> Result<ModelConfig> {
        ModelConfig::new(
            ModelType::parse(t)?,
            (60, 15),
            Variant::parse(variant)?,
            &Overrides::parse(sets)?,
        )
    }

    fn attention_lstm(variant: &str, sets: &[&str]) -> AttentionLstmConfig {
        match config("attention_lstm", variant, sets).unwrap() {
            ModelConfig::AttentionLstm(c) => c,
            other => panic!("{other:?}"),
        }
    }

    fn tcn(variant: &str) -> TcnConfig {
        match config("tcn", variant, &[]).unwrap() {
            ModelConfig::Tcn(c) => c,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_guides_variants() {
        assert_eq!(attention_lstm("default", &[]).lstm_units, vec![128, 64]);
        assert_eq!(attention_lstm("lightweight", &[]).lstm_units, vec![64, 32]);
        assert_eq!(attention_lstm("deep", &[]).lstm_units, vec![256, 128, 64]);
        let a = attention_lstm("default", &[]);
        assert_eq!(
            (a.num_attention_heads, a.attention_key_dim, a.dropout),
            (4, 64, 0.2)
        );
        let t = tcn("default");
        assert_eq!((t.num_filters, t.num_layers, t.kernel_size), (64, 5, 5));
        let t = tcn("lightweight");
        assert_eq!((t.num_filters, t.num_layers), (32, 4));
        let t = tcn("deep");
        assert_eq!((t.num_filters, t.num_layers), (128, 6));
        assert_eq!(ModelType::parse("adaptive").unwrap(), ModelType::CnnLstm);
        assert!(
            config("cnn_lstm", "default", &["has_sentiment=true"])
                .unwrap()
                .has_sentiment()
        );
    }

    #[test]
    fn overrides_apply_and_bad_ones_are_named() {
        let c = attention_lstm("default", &["lstm_units=[256, 128]", "dropout=0.3"]);
        assert_eq!((c.lstm_units.clone(), c.dropout), (vec![256, 128], 0.3));
        let err = config("attention_lstm", "default", &["num_attention_heads=3"])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("'num_attention_heads'") && err.contains("64"),
            "{err}"
        );
        let err = config("tcn", "default", &["lstm_units=[8]"])
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown parameter 'lstm_units'"), "{err}");
        assert!(
            err.contains("for tcn") && err.contains("a parameter of cnn_lstm, attention_lstm"),
            "the key and the type are named: {err}"
        );
        let err = config("tcn", "default", &["num_filters=0"])
            .unwrap_err()
            .to_string();
        assert!(err.contains("'num_filters'"), "{err}");
        let err = config("transformer", "default", &[])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("unknown model_type 'transformer'") && err.contains("tcn_attention"),
            "{err}"
        );
        assert!(
            Variant::parse("huge")
                .unwrap_err()
                .to_string()
                .contains("lightweight")
        );
        assert!(
            ModelConfig::new(
                ModelType::Tcn,
                (0, 15),
                Variant::Default,
                &Overrides::default()
            )
            .is_err()
        );
    }

    #[test]
    fn sentiment_columns_widen_only_a_cnn_lstm_that_asks_for_them() {
        let c = config("cnn_lstm", "lightweight", &["has_sentiment=true"])
            .unwrap()
            .with_sentiment_columns(2)
            .unwrap();
        assert_eq!(c.features(), 17);
        let ModelConfig::CnnLstm(cnn) = &c else {
            panic!("{c:?}")
        };
        assert_eq!(cnn.sentiment_features, 2);
        let tcn = config("tcn", "lightweight", &[]).unwrap();
        assert_eq!(tcn.clone().with_sentiment_columns(0).unwrap(), tcn);
        let err = tcn.with_sentiment_columns(2).unwrap_err().to_string();
        assert!(err.contains("no sentiment branch"), "{err}");
    }
}
