//! Model types, variants and their hyperparameters, with the guide's defaults.

use super::overrides::Overrides;
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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
}

/// Size presets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Variant {
    /// Smaller and faster.
    Lightweight,
    /// Balanced.
    Default,
    /// Larger and more accurate.
    Deep,
}

impl Variant {
    /// Parses `default`, `lightweight` or `deep`.
    pub fn parse(name: &str) -> Result<Variant> {
        match name.to_ascii_lowercase().as_str() {
            "default" => Ok(Variant::Default),
            "lightweight" => Ok(Variant::Lightweight),
            "deep" => Ok(Variant::Deep),
            _ => Err(AtbError::Config(format!(
                "unknown variant '{name}'; available: lightweight, default, deep"
            ))),
        }
    }

    /// The canonical name.
    pub fn name(self) -> &'static str {
        match self {
            Variant::Lightweight => "lightweight",
            Variant::Default => "default",
            Variant::Deep => "deep",
        }
    }
}

/// Hyperparameters of every architecture (each uses the fields that concern it).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ModelConfig {
    /// The architecture.
    pub model_type: ModelType,
    /// The preset it started from.
    pub variant: Variant,
    /// (sequence length, features).
    pub input_shape: (usize, usize),
    /// Convolution filters per layer (cnn_lstm).
    pub conv_filters: Vec<usize>,
    /// LSTM units per layer (cnn_lstm, attention_lstm).
    pub lstm_units: Vec<usize>,
    /// TCN filters per layer (tcn, tcn_attention).
    pub num_filters: usize,
    /// Convolution kernel size.
    pub kernel_size: usize,
    /// TCN residual blocks, dilations 1, 2, 4, ... (tcn, tcn_attention).
    pub num_layers: usize,
    /// Attention heads (attention models).
    pub num_attention_heads: usize,
    /// Key size per head (attention models).
    pub attention_key_dim: usize,
    /// Units of the dense layer before the output.
    pub dense_units: usize,
    /// Dropout rate.
    pub dropout: f32,
    /// cnn_lstm: an extra input branch for sentiment columns.
    pub has_sentiment: bool,
    /// How many of the input features (the last ones) are sentiment columns (set from the data).
    pub sentiment_features: usize,
}

/// The override keys each architecture accepts.
fn accepted_keys(model_type: ModelType) -> &'static [&'static str] {
    match model_type {
        ModelType::CnnLstm => &[
            "conv_filters",
            "kernel_size",
            "lstm_units",
            "dense_units",
            "dropout",
            "has_sentiment",
        ],
        ModelType::AttentionLstm => &[
            "lstm_units",
            "num_attention_heads",
            "attention_key_dim",
            "dense_units",
            "dropout",
        ],
        ModelType::Tcn => &[
            "num_filters",
            "kernel_size",
            "num_layers",
            "dense_units",
            "dropout",
        ],
        ModelType::TcnAttention => &[
            "num_filters",
            "kernel_size",
            "num_layers",
            "num_attention_heads",
            "attention_key_dim",
            "dense_units",
            "dropout",
        ],
    }
}

impl ModelConfig {
    /// The preset of `variant`, with `overrides` applied and validated.
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
        overrides.check_known(model_type.name(), accepted_keys(model_type))?;
        let v = |light: usize, default: usize, deep: usize| match variant {
            Variant::Lightweight => light,
            Variant::Default => default,
            Variant::Deep => deep,
        };
        let lstm_default: &[usize] = match (model_type, variant) {
            (ModelType::AttentionLstm, Variant::Lightweight) => &[64, 32],
            (ModelType::AttentionLstm, Variant::Default) => &[128, 64],
            (ModelType::AttentionLstm, Variant::Deep) => &[256, 128, 64],
            (_, Variant::Lightweight) => &[32],
            (_, Variant::Default) => &[64, 32],
            (_, Variant::Deep) => &[128, 64],
        };
        let conv_default: &[usize] = match variant {
            Variant::Lightweight => &[32],
            Variant::Default => &[64, 64],
            Variant::Deep => &[128, 128],
        };
        let (tcn_filters, tcn_layers) = (v(32, 64, 128), v(4, 5, 6));
        // The guide gives 4 heads for attention_lstm; the TCN variant scales with its width.
        let heads = if model_type == ModelType::AttentionLstm {
            4
        } else {
            v(2, 4, 4)
        };
        let config = ModelConfig {
            model_type,
            variant,
            input_shape,
            conv_filters: overrides.positive_list("conv_filters", conv_default)?,
            lstm_units: overrides.positive_list("lstm_units", lstm_default)?,
            num_filters: overrides.positive("num_filters", tcn_filters)?,
            kernel_size: overrides.positive(
                "kernel_size",
                if model_type == ModelType::CnnLstm {
                    3
                } else {
                    5
                },
            )?,
            num_layers: overrides.positive("num_layers", tcn_layers)?,
            num_attention_heads: overrides.positive("num_attention_heads", heads)?,
            attention_key_dim: overrides.positive("attention_key_dim", v(32, 64, 64))?,
            dense_units: overrides.positive("dense_units", v(16, 32, 64))?,
            dropout: overrides.rate("dropout", 0.2)?,
            has_sentiment: overrides.flag("has_sentiment", false)?,
            sentiment_features: 0,
        };
        config.validate()?;
        Ok(config)
    }

    /// The width the attention block sees (last LSTM layer or the TCN filters).
    pub fn attention_width(&self) -> Option<usize> {
        match self.model_type {
            ModelType::AttentionLstm => self.lstm_units.last().copied(),
            ModelType::TcnAttention => Some(self.num_filters),
            _ => None,
        }
    }

    fn validate(&self) -> Result<()> {
        if let Some(width) = self.attention_width()
            && width % self.num_attention_heads != 0
        {
            return Err(AtbError::Config(format!(
                "invalid value for 'num_attention_heads': {} does not divide the attention width {width} \
                 (each head's output is width / heads wide, so the residual connection adds up)",
                self.num_attention_heads
            )));
        }
        Ok(())
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

    #[test]
    fn the_guides_variants() {
        assert_eq!(
            config("attention_lstm", "default", &[]).unwrap().lstm_units,
            vec![128, 64]
        );
        assert_eq!(
            config("attention_lstm", "lightweight", &[])
                .unwrap()
                .lstm_units,
            vec![64, 32]
        );
        assert_eq!(
            config("attention_lstm", "deep", &[]).unwrap().lstm_units,
            vec![256, 128, 64]
        );
        let a = config("attention_lstm", "default", &[]).unwrap();
        assert_eq!(
            (a.num_attention_heads, a.attention_key_dim, a.dropout),
            (4, 64, 0.2)
        );
        let t = config("tcn", "default", &[]).unwrap();
        assert_eq!((t.num_filters, t.num_layers, t.kernel_size), (64, 5, 5));
        let t = config("tcn", "lightweight", &[]).unwrap();
        assert_eq!((t.num_filters, t.num_layers), (32, 4));
        let t = config("tcn", "deep", &[]).unwrap();
        assert_eq!((t.num_filters, t.num_layers), (128, 6));
        assert_eq!(ModelType::parse("adaptive").unwrap(), ModelType::CnnLstm);
        assert!(
            config("cnn_lstm", "default", &["has_sentiment=true"])
                .unwrap()
                .has_sentiment
        );
    }

    #[test]
    fn overrides_apply_and_bad_ones_are_named() {
        let c = config(
            "attention_lstm",
            "default",
            &["lstm_units=[256, 128]", "dropout=0.3"],
        )
        .unwrap();
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
}
