//! Per-parameter overrides (`--set key=value`, the guide's keyword arguments): parsing and the
//! typed getters that reject bad values with the key's name.

use crate::{AtbError, Result};

/// `key=value` pairs in the order given; each must be consumed by the model or it is an error.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overrides {
    pairs: Vec<(String, String)>,
}

fn invalid(key: &str, value: &str, expected: &str) -> AtbError {
    AtbError::Config(format!("invalid value for '{key}': '{value}' ({expected})"))
}

impl Overrides {
    /// Parses `key=value` strings (as given to `--set`).
    pub fn parse<S: AsRef<str>>(items: &[S]) -> Result<Overrides> {
        let mut pairs = Vec::with_capacity(items.len());
        for item in items {
            let item = item.as_ref();
            let Some((key, value)) = item.split_once('=') else {
                return Err(AtbError::Config(format!(
                    "override '{item}' is not of the form key=value"
                )));
            };
            let key = key.trim();
            if key.is_empty() {
                return Err(AtbError::Config(format!(
                    "override '{item}' has an empty key"
                )));
            }
            if pairs.iter().any(|(k, _): &(String, String)| k == key) {
                return Err(AtbError::Config(format!("override '{key}' is given twice")));
            }
            pairs.push((key.to_string(), value.trim().to_string()));
        }
        Ok(Overrides { pairs })
    }

    /// Builds overrides from typed pairs (the library form of the guide's kwargs).
    pub fn from_pairs(pairs: &[(&str, &str)]) -> Overrides {
        Overrides {
            pairs: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    /// The keys, in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.pairs.iter().map(|(k, _)| k.as_str())
    }

    fn raw(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Fails on any key not in `known`, listing the accepted keys.
    pub fn check_known(&self, model: &str, known: &[&str]) -> Result<()> {
        match self.keys().find(|k| !known.contains(k)) {
            Some(unknown) => Err(AtbError::Config(format!(
                "unknown parameter '{unknown}' for {model}; accepted: {}",
                known.join(", ")
            ))),
            None => Ok(()),
        }
    }

    /// A positive integer.
    pub fn positive(&self, key: &str, default: usize) -> Result<usize> {
        match self.raw(key) {
            None => Ok(default),
            Some(v) => match v.parse::<usize>() {
                Ok(n) if n > 0 => Ok(n),
                _ => Err(invalid(key, v, "expected a positive integer")),
            },
        }
    }

    /// A list of positive integers: `256,128` or `[256, 128]`.
    pub fn positive_list(&self, key: &str, default: &[usize]) -> Result<Vec<usize>> {
        let Some(v) = self.raw(key) else {
            return Ok(default.to_vec());
        };
        let inner = v.trim_start_matches('[').trim_end_matches(']');
        let items: Vec<&str> = inner
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        if items.is_empty() {
            return Err(invalid(
                key,
                v,
                "expected a list of positive integers such as [128, 64]",
            ));
        }
        items
            .iter()
            .map(|s| match s.parse::<usize>() {
                Ok(n) if n > 0 => Ok(n),
                _ => Err(invalid(
                    key,
                    v,
                    "expected a list of positive integers such as [128, 64]",
                )),
            })
            .collect()
    }

    /// A dropout rate in [0, 1).
    pub fn rate(&self, key: &str, default: f32) -> Result<f32> {
        match self.raw(key) {
            None => Ok(default),
            Some(v) => match v.parse::<f32>() {
                Ok(r) if (0.0..1.0).contains(&r) => Ok(r),
                _ => Err(invalid(key, v, "expected a rate in [0, 1)")),
            },
        }
    }

    /// A finite number at least `min`.
    pub fn number(&self, key: &str, default: f64, min: f64) -> Result<f64> {
        match self.raw(key) {
            None => Ok(default),
            Some(v) => match v.parse::<f64>() {
                Ok(x) if x.is_finite() && x >= min => Ok(x),
                _ => Err(invalid(key, v, &format!("expected a number >= {min}"))),
            },
        }
    }

    /// An integer at least `min` (e.g. -1 for "no limit").
    pub fn integer(&self, key: &str, default: i64, min: i64) -> Result<i64> {
        match self.raw(key) {
            None => Ok(default),
            Some(v) => match v.parse::<i64>() {
                Ok(x) if x >= min => Ok(x),
                _ => Err(invalid(key, v, &format!("expected an integer >= {min}"))),
            },
        }
    }

    /// `true`/`false` (also 1/0).
    pub fn flag(&self, key: &str, default: bool) -> Result<bool> {
        match self.raw(key) {
            None => Ok(default),
            Some(v) => match v.to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" => Ok(true),
                "false" | "0" | "no" => Ok(false),
                _ => Err(invalid(key, v, "expected true or false")),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lists_numbers_rates_and_flags() {
        let o = Overrides::parse(&[
            "lstm_units=[256, 128]",
            "dropout=0.3",
            "num_layers=6",
            "has_sentiment=true",
        ])
        .unwrap();
        assert_eq!(o.positive_list("lstm_units", &[1]).unwrap(), vec![256, 128]);
        assert_eq!(o.rate("dropout", 0.2).unwrap(), 0.3);
        assert_eq!(o.positive("num_layers", 5).unwrap(), 6);
        assert!(o.flag("has_sentiment", false).unwrap());
        assert_eq!(o.positive("kernel_size", 5).unwrap(), 5, "defaults apply");
        assert_eq!(
            Overrides::parse(&["units=64,32"])
                .unwrap()
                .positive_list("units", &[])
                .unwrap(),
            vec![64, 32]
        );
    }

    #[test]
    fn rejects_bad_values_naming_the_key() {
        let bad = |item: &str| Overrides::parse(&[item]).unwrap();
        for (o, key) in [
            (bad("dropout=1.0"), "dropout"),
            (bad("dropout=-0.1"), "dropout"),
            (bad("dropout=abc"), "dropout"),
        ] {
            let err = o.rate(key, 0.2).unwrap_err().to_string();
            assert!(err.contains("'dropout'") && err.contains("[0, 1)"), "{err}");
        }
        let err = bad("num_layers=0")
            .positive("num_layers", 5)
            .unwrap_err()
            .to_string();
        assert!(err.contains("'num_layers'"), "{err}");
        let err = bad("lstm_units=[128, 0]")
            .positive_list("lstm_units", &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains("'lstm_units'"), "{err}");
        assert!(Overrides::parse(&["noequals"]).is_err());
        assert!(Overrides::parse(&["a=1", "a=2"]).is_err());
        let err = bad("colour=blue")
            .check_known("tcn", &["num_filters", "dropout"])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("unknown parameter 'colour'") && err.contains("num_filters"),
            "{err}"
        );
    }
}
