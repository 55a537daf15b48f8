//! The registry root: listing, resolving and starting versions.

use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use super::completeness::check_complete;
use super::io_error::io_at;
use super::pending::PendingVersion;
use super::scan::scan_versions;
use super::stale::remove_stale_pending;
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

    /// Starts a new version of `symbol` in a temporary folder, first removing the temporary
    /// folders that dead runs left (see [`remove_stale`](Self::remove_stale)).
    pub fn begin(&self, symbol: &str) -> Result<PendingVersion> {
        self.remove_stale(symbol)?;
        PendingVersion::create(symbol, self.price_dir(symbol))
    }

    /// Removes `symbol`'s temporary folders that no live run can still be writing (their
    /// process is gone, or they are a week old) and returns them.
    pub fn remove_stale(&self, symbol: &str) -> Result<Vec<PathBuf>> {
        check_symbol(symbol)?;
        Ok(remove_stale_pending(
            &self.price_dir(symbol),
            std::time::SystemTime::now(),
        ))
    }

    /// Every version folder of `symbol`, oldest first, with `Err(reason)` for incomplete ones.
    fn scan(&self, symbol: &str) -> Result<Vec<(VersionInfo, std::result::Result<(), String>)>> {
        let price_dir = self.price_dir(symbol);
        Ok(scan_versions(&price_dir)?
            .into_iter()
            .map(|(number, name)| {
                let info = VersionInfo {
                    symbol: symbol.to_string(),
                    path: price_dir.join(&name),
                    name,
                    number,
                };
                let complete = check_complete(&info.path);
                (info, complete)
            })
            .collect())
    }

    /// Symbols with at least one complete version, sorted.
    pub fn symbols(&self) -> Result<Vec<String>> {
        let mut symbols = Vec::new();
        for symbol in self.symbols_to_scan(None)? {
            if self.scan(&symbol)?.iter().any(|(_, c)| c.is_ok()) {
                symbols.push(symbol);
            }
        }
        Ok(symbols)
    }

    /// Complete versions of `symbol`, or of every symbol, sorted by symbol then N.
    /// Temporary folders of unfinished or crashed runs are never listed, nor are versions
    /// whose files are missing or whose `config.json` does not parse ([`Self::incomplete`]).
    pub fn list(&self, symbol: Option<&str>) -> Result<Vec<VersionInfo>> {
        let mut out = Vec::new();
        for symbol in self.symbols_to_scan(symbol)? {
            out.extend(
                self.scan(&symbol)?
                    .into_iter()
                    .filter_map(|(info, complete)| complete.is_ok().then_some(info)),
            );
        }
        Ok(out)
    }

    /// Incomplete versions of `symbol`, or of every symbol, with why each is incomplete
    /// (e.g. `model.txt is missing`).
    pub fn incomplete(&self, symbol: Option<&str>) -> Result<Vec<(VersionInfo, String)>> {
        let mut out = Vec::new();
        for symbol in self.symbols_to_scan(symbol)? {
            out.extend(
                self.scan(&symbol)?
                    .into_iter()
                    .filter_map(|(info, complete)| complete.err().map(|reason| (info, reason))),
            );
        }
        Ok(out)
    }

    /// `[symbol]` (checked), or every folder under the root with a valid symbol name.
    fn symbols_to_scan(&self, symbol: Option<&str>) -> Result<Vec<String>> {
        if let Some(s) = symbol {
            check_symbol(s)?;
            return Ok(vec![s.to_string()]);
        }
        let entries = match fs::read_dir(&self.root) {
            Ok(entries) => entries,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io_at(&self.root)(e)),
        };
        let mut symbols = Vec::new();
        for entry in entries {
            let entry = entry.map_err(io_at(&self.root))?;
            if let Ok(name) = entry.file_name().into_string()
                && check_symbol(&name).is_ok()
            {
                symbols.push(name);
            }
        }
        symbols.sort();
        Ok(symbols)
    }

    /// The version of `symbol` named `version`: `latest` (the complete version with the
    /// largest N), a full folder name (`2026-11-29_03h_v2`) or `vN`. Errors list what is
    /// available, and say why a named version is incomplete.
    pub fn resolve(&self, symbol: &str, version: &str) -> Result<VersionInfo> {
        check_symbol(symbol)?;
        let scanned = self.scan(symbol)?;
        let complete: Vec<&VersionInfo> = scanned
            .iter()
            .filter_map(|(info, c)| c.is_ok().then_some(info))
            .collect();
        let names: Vec<String> = complete.iter().map(|v| v.name.clone()).collect();
        if version == "latest" {
            return match complete.last() {
                Some(info) => Ok((*info).clone()),
                None => Err(AtbError::Registry(format!(
                    "no models for symbol {symbol:?} under {}{}; available symbols: {}",
                    self.root.display(),
                    incomplete_note(&scanned),
                    join_or_none(&self.symbols()?)
                ))),
            };
        }
        let wanted_number = version
            .strip_prefix('v')
            .and_then(|n| n.parse::<u32>().ok());
        match scanned
            .iter()
            .find(|(v, _)| v.name == version || Some(v.number) == wanted_number)
        {
            Some((info, Ok(()))) => Ok(info.clone()),
            Some((info, Err(reason))) => Err(AtbError::Registry(format!(
                "{} is incomplete: {reason}; complete versions of {symbol}: {}",
                info.path.display(),
                join_or_none(&names)
            ))),
            None if scanned.is_empty() => Err(AtbError::Registry(format!(
                "no models for symbol {symbol:?} under {}; available symbols: {}",
                self.root.display(),
                join_or_none(&self.symbols()?)
            ))),
            None => Err(AtbError::Registry(format!(
                "symbol {symbol:?} has no version {version:?}; available: latest, {}",
                join_or_none(&names)
            ))),
        }
    }
}

/// ` (N incomplete versions: NAME: reason, ...)`, or nothing when every version is complete.
fn incomplete_note(scanned: &[(VersionInfo, std::result::Result<(), String>)]) -> String {
    let reasons: Vec<String> = scanned
        .iter()
        .filter_map(|(info, c)| c.as_ref().err().map(|r| format!("{}: {r}", info.name)))
        .collect();
    if reasons.is_empty() {
        String::new()
    } else {
        format!(
            " ({} incomplete version(s): {})",
            reasons.len(),
            reasons.join("; ")
        )
    }
}
