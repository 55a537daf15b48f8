//! The grid of a tuning run: `--grid key=v1,v2,...` axes (or the guide's grid of the model
//! type), their configurations in a fixed order, and the check of every key and value before
//! any training.

use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::settings::{LEARNING_RATE, TuneSettings};
use crate::data::PRICE_FEATURES;
use crate::device::{DeviceChoice, DeviceRequest};
use crate::models::{ModelConfig, ModelType, Overrides, Variant};
use crate::pipeline::boosting_params;
use crate::{AtbError, Result};

/// One tuned key and the values it takes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GridAxis {
    /// The parameter (a `--set` key, or `learning_rate`).
    pub key: String,
    /// Its values as written (`0.3`, `[64,32]`).
    pub values: Vec<String>,
}

/// Every combination of the axes' values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Grid {
    /// The axes in the order given; the last varies fastest.
    pub axes: Vec<GridAxis>,
}

/// One point of the grid.
#[derive(Debug, Clone, PartialEq)]
pub struct Configuration {
    /// Position in grid order, 1-based.
    pub index: usize,
    /// `(key, value)` for every axis, in axis order.
    pub parameters: Vec<(String, String)>,
}

impl fmt::Display for Configuration {
    /// `lstm_units=[64,32] dropout=0.3 learning_rate=0.001`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pairs: Vec<String> = self
            .parameters
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        write!(f, "{}", pairs.join(" "))
    }
}

/// Dropout rates of the guide's neural grid.
const DROPOUTS: [&str; 3] = ["0.2", "0.3", "0.4"];
/// Learning rates of the guide's neural grid.
const LEARNING_RATES: [&str; 3] = ["0.001", "0.0005", "0.0001"];
/// The boosting grid: leaves, shrinkage, column sampling and leaf size.
const BOOSTING_GRID: [(&str, &[&str]); 4] = [
    ("num_leaves", &["15", "31", "63"]),
    ("learning_rate", &["0.05", "0.1"]),
    ("feature_fraction", &["0.8", "1.0"]),
    ("min_data_in_leaf", &["20", "50"]),
];

/// Splits `v1,v2,[a,b]` at the commas outside brackets.
fn split_values(text: &str) -> Vec<String> {
    let mut values = Vec::new();
    let (mut depth, mut current) = (0usize, String::new());
    for c in text.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                values.push(current.trim().to_string());
                current.clear();
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    values.push(current.trim().to_string());
    values
}

impl Grid {
    /// Parses `--grid` items (`key=v1,v2,...`; list values in brackets: `lstm_units=[64,32],[128,64]`).
    pub fn parse<S: AsRef<str>>(items: &[S]) -> Result<Grid> {
        let mut axes: Vec<GridAxis> = Vec::with_capacity(items.len());
        for item in items {
            let item = item.as_ref();
            let Some((key, values)) = item.split_once('=') else {
                return Err(AtbError::Config(format!(
                    "--grid '{item}': expected key=v1,v2,... (e.g. dropout=0.2,0.3)"
                )));
            };
            let key = key.trim();
            if key.is_empty() {
                return Err(AtbError::Config(format!(
                    "--grid '{item}' has an empty key"
                )));
            }
            if axes.iter().any(|a| a.key == key) {
                return Err(AtbError::Config(format!(
                    "--grid key '{key}' is given twice; list all its values once"
                )));
            }
            let values = split_values(values);
            if let Some(empty) = values.iter().position(String::is_empty) {
                return Err(AtbError::Config(format!(
                    "--grid key '{key}': value {} of '{item}' is empty",
                    empty + 1
                )));
            }
            if let Some(repeated) = values
                .iter()
                .enumerate()
                .find(|(i, v)| values[..*i].contains(v))
            {
                return Err(AtbError::Config(format!(
                    "--grid key '{key}': value '{}' is listed twice",
                    repeated.1
                )));
            }
            axes.push(GridAxis {
                key: key.to_string(),
                values,
            });
        }
        Ok(Grid { axes })
    }

    /// The guide's grid for the settings' model type. Neural: the network size of the three
    /// presets (`lstm_units`, or `num_filters` for the TCNs) × dropout 0.2/0.3/0.4 × learning
    /// rate 1e-3/5e-4/1e-4. Boosting: `num_leaves` × `learning_rate` × `feature_fraction` ×
    /// `min_data_in_leaf`.
    pub fn default_for(settings: &TuneSettings) -> Result<Grid> {
        let axis = |key: &str, values: &[&str]| GridAxis {
            key: key.to_string(),
            values: values.iter().map(|v| v.to_string()).collect(),
        };
        if settings.is_boosting() {
            return Ok(Grid {
                axes: BOOSTING_GRID.iter().map(|(k, v)| axis(k, v)).collect(),
            });
        }
        let model_type = ModelType::parse(&settings.model_type)?;
        let size_key = match model_type {
            ModelType::CnnLstm | ModelType::AttentionLstm => "lstm_units",
            ModelType::Tcn | ModelType::TcnAttention => "num_filters",
        };
        let mut sizes = Vec::with_capacity(3);
        for variant in [Variant::Lightweight, Variant::Default, Variant::Deep] {
            let config = ModelConfig::new(
                model_type,
                (settings.sequence_length.max(1), PRICE_FEATURES.len()),
                variant,
                &Overrides::default(),
            )?;
            let value = serde_json::to_value(&config)
                .map_err(|e| AtbError::Config(format!("the {} preset: {e}", variant.name())))?;
            sizes.push(value[size_key].to_string());
        }
        let sizes: Vec<&str> = sizes.iter().map(String::as_str).collect();
        Ok(Grid {
            axes: vec![
                axis(size_key, &sizes),
                axis("dropout", &DROPOUTS),
                axis(LEARNING_RATE, &LEARNING_RATES),
            ],
        })
    }

    /// Number of configurations.
    pub fn len(&self) -> usize {
        self.axes.iter().map(|a| a.values.len()).product()
    }

    /// True when some axis has no value (never, for a parsed grid).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The keys, in axis order.
    pub fn keys(&self) -> Vec<&str> {
        self.axes.iter().map(|a| a.key.as_str()).collect()
    }

    /// Every configuration, in grid order: the first axis varies slowest.
    pub fn configurations(&self) -> Vec<Configuration> {
        (0..self.len())
            .map(|i| {
                let mut rest = i;
                let mut parameters = vec![(String::new(), String::new()); self.axes.len()];
                for (slot, axis) in parameters.iter_mut().zip(&self.axes).rev() {
                    let n = axis.values.len();
                    *slot = (axis.key.clone(), axis.values[rest % n].clone());
                    rest /= n;
                }
                Configuration {
                    index: i + 1,
                    parameters,
                }
            })
            .collect()
    }

    /// Checks every key and value for the settings' model type before anything trains: each
    /// value alone (the error names the key), then each whole configuration.
    pub fn check(&self, settings: &TuneSettings) -> Result<()> {
        if !settings.is_boosting() {
            let model_type = ModelType::parse(&settings.model_type)?;
            let accepted: Vec<&str> = std::iter::once(LEARNING_RATE)
                .chain(model_type.accepted_keys().iter().copied())
                .collect();
            if let Some(axis) = self
                .axes
                .iter()
                .find(|a| !accepted.contains(&a.key.as_str()))
            {
                return Err(AtbError::Config(format!(
                    "--grid key '{}' is not a parameter of {}; accepted: {}",
                    axis.key,
                    model_type.name(),
                    accepted.join(", ")
                )));
            }
        }
        for axis in &self.axes {
            for value in &axis.values {
                check_one(settings, &[(axis.key.clone(), value.clone())])
                    .map_err(|e| AtbError::Config(format!("--grid key '{}': {e}", axis.key)))?;
            }
        }
        for configuration in self.configurations() {
            check_one(settings, &configuration.parameters).map_err(|e| {
                AtbError::Config(format!(
                    "--grid configuration {} ({configuration}): {e}",
                    configuration.index
                ))
            })?;
        }
        Ok(())
    }
}

/// Builds the model config (neural) or the boosting parameters of one set of parameters.
fn check_one(settings: &TuneSettings, parameters: &[(String, String)]) -> Result<()> {
    let cpu = DeviceRequest {
        device: DeviceChoice::Cpu,
        backend: None,
        allow_software: false,
    };
    let request = settings.request(parameters, cpu, Path::new("."))?;
    if settings.is_boosting() {
        boosting_params(&request).map(|_| ())
    } else {
        ModelConfig::new(
            ModelType::parse(&request.model_type)?,
            (request.sequence_length, PRICE_FEATURES.len()),
            Variant::parse(&request.variant)?,
            &Overrides::parse(&request.overrides)?,
        )
        .map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tune::metric::Metric;

    fn settings(model_type: &str) -> TuneSettings {
        TuneSettings {
            symbol: "BTCUSDT".into(),
            model_type: model_type.into(),
            variant: "default".into(),
            days: None,
            data: None,
            epochs: 1,
            batch_size: 32,
            sequence_length: 60,
            patience: 10,
            seed: 1,
            folds: 3,
            metric: Metric::Rmse,
        }
    }

    #[test]
    fn list_values_keep_their_commas_and_the_last_axis_varies_fastest() {
        let grid = Grid::parse(&["lstm_units=[64,32],[128, 64]", "dropout=0.2,0.3"]).unwrap();
        assert_eq!(grid.axes[0].values, ["[64,32]", "[128, 64]"]);
        let configs = grid.configurations();
        assert_eq!(configs.len(), 4);
        assert_eq!(configs[1].to_string(), "lstm_units=[64,32] dropout=0.3");
        assert_eq!(configs[2].to_string(), "lstm_units=[128, 64] dropout=0.2");
        assert_eq!(configs[3].index, 4);
    }

    #[test]
    fn malformed_items_are_rejected_naming_the_key() {
        for (items, needle) in [
            (&["dropout"][..], "expected key=v1,v2"),
            (&["dropout=0.2,,0.3"][..], "key 'dropout': value 2"),
            (
                &["dropout=0.2", "dropout=0.3"][..],
                "'dropout' is given twice",
            ),
            (&["dropout=0.2,0.2"][..], "'0.2' is listed twice"),
        ] {
            let err = Grid::parse(items).unwrap_err().to_string();
            assert!(err.contains(needle), "{items:?}: {err}");
        }
    }

    #[test]
    fn the_guide_grids_check_for_every_type() {
        for t in [
            "cnn_lstm",
            "attention_lstm",
            "tcn",
            "tcn_attention",
            "lightgbm",
        ] {
            let s = settings(t);
            let grid = Grid::default_for(&s).unwrap();
            grid.check(&s).unwrap();
            assert!(grid.len() >= 18, "{t}: {}", grid.len());
        }
        let lstm = Grid::default_for(&settings("cnn_lstm")).unwrap();
        assert_eq!(lstm.axes[0].values, ["[32]", "[64,32]", "[128,64]"]);
        assert_eq!(lstm.keys(), ["lstm_units", "dropout", "learning_rate"]);
        assert_eq!(
            Grid::default_for(&settings("tcn")).unwrap().axes[0].key,
            "num_filters"
        );
    }

    #[test]
    fn bad_keys_and_values_fail_naming_the_key() {
        for (model_type, item, needle) in [
            (
                "cnn_lstm",
                "lstm_unitz=[4]",
                "--grid key 'lstm_unitz' is not a parameter",
            ),
            (
                "tcn",
                "lstm_units=[4]",
                "'lstm_units' is not a parameter of tcn",
            ),
            ("cnn_lstm", "dropout=0.2,1.5", "--grid key 'dropout'"),
            (
                "cnn_lstm",
                "learning_rate=0.01,-1",
                "--grid key 'learning_rate'",
            ),
            ("lightgbm", "num_leafs=7", "unknown parameter 'num_leafs'"),
            (
                "lightgbm",
                "feature_fraction=0.5,-1",
                "--grid key 'feature_fraction'",
            ),
        ] {
            let grid = Grid::parse(&[item]).unwrap();
            let err = grid.check(&settings(model_type)).unwrap_err().to_string();
            assert!(err.contains(needle), "{item}: {err}");
        }
    }
}
