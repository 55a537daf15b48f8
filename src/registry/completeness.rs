//! Whether a version folder holds a usable model: `config.json` parses and says which kind of
//! model it is, and every file that kind is loaded from is present and not empty.
//!
//! Commits are atomic, so a version is only incomplete when something outside atb-gpu changed
//! it (a copy cut short, a file deleted by hand, a full disk before commits were atomic).

use std::path::Path;

use serde::Deserialize;

/// The configuration file every version holds.
pub const CONFIG_FILE: &str = "config.json";

/// Files a boosting version is loaded from (besides `config.json`).
const BOOSTING_FILES: &[&str] = &["model.txt"];

/// Files a neural version is loaded from (besides `config.json`).
const NEURAL_FILES: &[&str] = &["model.safetensors", "scaler.json"];

/// The part of `config.json` that tells the kinds apart: boosting versions name
/// `"model_type": "lightgbm"` at the top, neural versions hold a `"model"` object.
#[derive(Deserialize)]
struct KindOnly {
    model_type: Option<String>,
    model: Option<serde_json::Map<String, serde_json::Value>>,
}

/// The files besides `config.json` that the version described by `config` is loaded from.
fn required_files(config: &str) -> Result<&'static [&'static str], String> {
    let kind: KindOnly =
        serde_json::from_str(config).map_err(|e| format!("{CONFIG_FILE} does not parse ({e})"))?;
    match (kind.model_type.as_deref(), kind.model) {
        (Some("lightgbm"), _) => Ok(BOOSTING_FILES),
        (_, Some(_)) => Ok(NEURAL_FILES),
        (Some(other), None) => Err(format!(
            "{CONFIG_FILE} names model_type {other:?} without a \"model\" object"
        )),
        (None, None) => Err(format!(
            "{CONFIG_FILE} has neither \"model_type\": \"lightgbm\" nor a \"model\" object"
        )),
    }
}

/// `Ok` when the version in `dir` is complete, otherwise why not (one line, e.g.
/// `model.txt is missing`).
pub(crate) fn check_complete(dir: &Path) -> Result<(), String> {
    let config_path = dir.join(CONFIG_FILE);
    let config = match std::fs::read_to_string(&config_path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(format!("{CONFIG_FILE} is missing"));
        }
        Err(e) => return Err(format!("{CONFIG_FILE} cannot be read ({e})")),
    };
    for name in required_files(&config)? {
        match std::fs::metadata(dir.join(name)) {
            Ok(meta) if meta.is_file() && meta.len() > 0 => {}
            Ok(meta) if meta.is_file() => return Err(format!("{name} is empty")),
            Ok(_) => return Err(format!("{name} is not a file")),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(format!("{name} is missing"));
            }
            Err(e) => return Err(format!("{name} cannot be read ({e})")),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::required_files;

    #[test]
    fn the_kind_decides_the_files_and_unknown_configs_are_reasons() {
        assert_eq!(
            required_files(r#"{"model_type": "lightgbm"}"#),
            Ok(&["model.txt"][..])
        );
        assert_eq!(
            required_files(r#"{"model": {"model_type": "tcn"}}"#),
            Ok(&["model.safetensors", "scaler.json"][..])
        );
        for bad in ["", "{", r#"{"model_type": "tcn"}"#, "{}", "[1]"] {
            assert!(required_files(bad).is_err(), "{bad:?}");
        }
    }
}
