//! Size presets of the architectures (`lightweight`, `default`, `deep`).

use serde::{Deserialize, Serialize};

use crate::{AtbError, Result};

/// Size presets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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

    /// The value of this preset among (lightweight, default, deep).
    pub fn pick<T>(self, lightweight: T, default: T, deep: T) -> T {
        match self {
            Variant::Lightweight => lightweight,
            Variant::Default => default,
            Variant::Deep => deep,
        }
    }
}
