//! The registry root: listing, resolving and starting versions.

use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use super::io_error::io_at;
use super::pending::PendingVersion;
use super::scan::scan_versions;
use super::version::VersionInfo;
use crate::error::{AtbError, Result};

/// Registry root used when none is given.
pub const DEFAULT_ROOT: &str = "models";

/// Sub-folder of a symbol that holds its price-forecasting versions.
const PRICE_DIR: &str = "price";

/// Checks that `symbol` is a safe folder name: 1 to 64 ASCII letters, digits, `_` or `-`.
fn check_symbol(symbol: &str) -> Result<()> {
    let ok = (1..=64).contains(&symbol.len())
        && symbol
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-');
    if ok {
        Ok(())
    } else {
        Err(AtbError::Registry(format!(
            "invalid symbol {symbol:?}: use 1 to 64 letters, digits, '_' or '-'"
        )))
    }
}

/// Comma-separated list, or "none".
fn join_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join(", ")
    }
}

/// A model store rooted at a folder (`./models` by default).
#[derive(Debug, Clone)]
pub struct Registry {
    root: PathBuf,
}

impl Registry {
    /// Opens the registry at `root`. The folder need not exist yet (it is created by the first
    /// commit), but if it exists it must be a folder.
    pub fn open(root: impl AsRef<Path>) -> Result<Self> {
        let root = root.as_ref().to_path_buf();
        if root.exists() && !root.is_dir() {
            return Err(AtbError::Registry(format!(
                "{} is not a folder",
                root.display()
            )));
        }
        Ok(Self { root })
    }

    /// The root folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn price_dir(&self, symbol: &str) -> PathBuf {
        self.root.join(symbol).join(PRICE_DIR)
    }

    /// Starts a new version of `symbol` in a temporary folder.
    pub fn begin(&self, symbol: &str) -> Result<PendingVersion> {
        check_symbol(symbol)?;
        PendingVersion::create(symbol, self.price_dir(symbol))
    }

    /// Symbols with at least one committed version, sorted.
    pub fn symbols(&self) -> Result<Vec<String>> {
        let entries = match fs::read_dir(&self.root) {
            Ok(entries) => entries,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io_at(&self.root)(e)),
        };
        let mut symbols = Vec::new();
        for entry in entries {
            let entry = entry.map_err(io_at(&self.root))?;
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            if check_symbol(&name).is_ok() && !scan_versions(&self.price_dir(&name))?.is_empty() {
                symbols.push(name);
            }
        }
        symbols.sort();
        Ok(symbols)
    }

    /// Committed versions of `symbol`, or of every symbol, sorted by symbol then N.
    /// Temporary folders of unfinished or crashed runs are never listed.
    pub fn list(&self, symbol: Option<&str>) -> Result<Vec<VersionInfo>> {
        let symbols = match symbol {
            Some(s) => {
                check_symbol(s)?;
                vec![s.to_string()]
            }
            None => self.symbols()?,
        };
        let mut out = Vec::new();
        for symbol in symbols {
            let price_dir = self.price_dir(&symbol);
            for (number, name) in scan_versions(&price_dir)? {
                out.push(VersionInfo {
                    symbol: symbol.clone(),
                    path: price_dir.join(&name),
                    name,
                    number,
                });
            }
        }
        Ok(out)
    }

    /// The version of `symbol` named `version`: `latest` (largest N), a full folder name
    /// (`2026-11-29_03h_v2`) or `vN`. Errors list what is available.
    pub fn resolve(&self, symbol: &str, version: &str) -> Result<VersionInfo> {
        let versions = self.list(Some(symbol))?;
        if versions.is_empty() {
            return Err(AtbError::Registry(format!(
                "no models for symbol {symbol:?} under {}; available symbols: {}",
                self.root.display(),
                join_or_none(&self.symbols()?)
            )));
        }
        let wanted_number = version
            .strip_prefix('v')
            .and_then(|n| n.parse::<u32>().ok());
        let found = if version == "latest" {
            versions.last()
        } else {
            versions
                .iter()
                .find(|v| v.name == version || Some(v.number) == wanted_number)
        };
        found.cloned().ok_or_else(|| {
            let names: Vec<String> = versions.iter().map(|v| v.name.clone()).collect();
            AtbError::Registry(format!(
                "symbol {symbol:?} has no version {version:?}; available: latest, {}",
                names.join(", ")
            ))
        })
    }
}
