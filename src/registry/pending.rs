//! A version being written: a hidden temporary folder that `commit` renames into place.

use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

use super::io_error::io_at;
use super::scan::scan_versions;
use super::tensors::{NamedTensor, serialize_tensors};
use super::utc_hour::utc_hour_stamp_now;
use super::version::{VersionInfo, version_name};
use crate::error::{AtbError, Result};

/// Tells apart temporary folders one process opens within one clock tick.
static PENDING_SEQUENCE: AtomicU64 = AtomicU64::new(0);

/// How many version numbers `commit` tries before giving up on a crowded folder.
const MAX_COMMIT_ATTEMPTS: u32 = 1000;

/// Writes `bytes` to `path` and flushes them to disk.
fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut file = File::create(path).map_err(io_at(path))?;
    file.write_all(bytes).map_err(io_at(path))?;
    file.sync_all().map_err(io_at(path))
}

/// Flushes a folder's entry list to disk, so a rename into or out of it survives a crash.
#[cfg(unix)]
fn sync_dir(path: &Path) -> Result<()> {
    File::open(path)
        .and_then(|dir| dir.sync_all())
        .map_err(io_at(path))
}

/// Folders cannot be opened as files here; renames are flushed by the file system.
#[cfg(not(unix))]
fn sync_dir(_path: &Path) -> Result<()> {
    Ok(())
}

/// The version number a `.claim-vN` marker reserves.
fn claim_number(name: &str) -> Option<u32> {
    name.strip_prefix(".claim-v")?.parse().ok()
}

/// A version under construction in `ROOT/SYMBOL/price/.tmp-<pid>-<nanos>-<seq>/`.
///
/// Dropping it without [`commit`](Self::commit) removes the folder; a crash leaves only the
/// dot-folder, which listing ignores.
#[derive(Debug)]
pub struct PendingVersion {
    symbol: String,
    price_dir: PathBuf,
    temp_dir: PathBuf,
    committed: bool,
}

impl PendingVersion {
    /// Creates the temporary folder under `price_dir` (created if missing).
    pub(crate) fn create(symbol: &str, price_dir: PathBuf) -> Result<Self> {
        fs::create_dir_all(&price_dir).map_err(io_at(&price_dir))?;
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let seq = PENDING_SEQUENCE.fetch_add(1, Ordering::Relaxed);
        let temp_dir = price_dir.join(format!(".tmp-{}-{nanos}-{seq}", std::process::id()));
        fs::create_dir(&temp_dir).map_err(io_at(&temp_dir))?;
        Ok(Self {
            symbol: symbol.to_string(),
            price_dir,
            temp_dir,
            committed: false,
        })
    }

    /// The symbol this version belongs to.
    pub fn symbol(&self) -> &str {
        &self.symbol
    }

    /// The temporary folder, for writers that take a path (plots); files put there are
    /// committed with the rest.
    pub fn dir(&self) -> &Path {
        &self.temp_dir
    }

    /// The path of file `name` inside the temporary folder. `name` must be a plain file name
    /// (no separators, not hidden).
    pub fn file_path(&self, name: &str) -> Result<PathBuf> {
        let plain = !name.is_empty()
            && !name.starts_with('.')
            && !name.contains(['/', '\\'])
            && Path::new(name).file_name().is_some_and(|f| f == name);
        if plain {
            Ok(self.temp_dir.join(name))
        } else {
            Err(AtbError::Registry(format!(
                "{name:?} is not a plain file name for a version file"
            )))
        }
    }

    /// Writes `bytes` as file `name`; returns its (temporary) path.
    pub fn write_bytes(&self, name: &str, bytes: &[u8]) -> Result<PathBuf> {
        let path = self.file_path(name)?;
        write_synced(&path, bytes)?;
        Ok(path)
    }

    /// Writes `value` as pretty-printed JSON file `name`.
    pub fn write_json<T: Serialize + ?Sized>(&self, name: &str, value: &T) -> Result<PathBuf> {
        let mut json = serde_json::to_vec_pretty(value)
            .map_err(|e| AtbError::Registry(format!("{name}: cannot encode as JSON: {e}")))?;
        json.push(b'\n');
        self.write_bytes(name, &json)
    }

    /// Writes `tensors` as safetensors file `name` (F32), e.g. `model.safetensors`.
    pub fn write_tensors(&self, name: &str, tensors: &[NamedTensor<'_>]) -> Result<PathBuf> {
        let bytes = serialize_tensors(tensors)?;
        self.write_bytes(name, &bytes)
    }

    /// Flushes every file, then renames the folder to `YYYY-MM-DD_HHh_vN` with N one above the
    /// largest number this symbol has (or has reserved). Concurrent commits reserve N with an
    /// exclusive `.claim-vN` marker, so each gets its own number.
    pub fn commit(mut self) -> Result<VersionInfo> {
        for entry in fs::read_dir(&self.temp_dir).map_err(io_at(&self.temp_dir))? {
            let path = entry.map_err(io_at(&self.temp_dir))?.path();
            if path.is_file() {
                File::open(&path)
                    .and_then(|f| f.sync_all())
                    .map_err(io_at(&path))?;
            }
        }
        sync_dir(&self.temp_dir)?;

        for _ in 0..MAX_COMMIT_ATTEMPTS {
            let number = self.next_free_number()?;
            let claim = self.price_dir.join(format!(".claim-v{number}"));
            match OpenOptions::new().write(true).create_new(true).open(&claim) {
                Ok(_) => {}
                Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(io_at(&claim)(e)),
            }
            let outcome = self.rename_to(number);
            // The claim only guards the rename; the version folder now carries the number.
            let _ = fs::remove_file(&claim);
            match outcome? {
                Some(info) => {
                    self.committed = true;
                    return Ok(info);
                }
                None => continue,
            }
        }
        Err(AtbError::Registry(format!(
            "{}: no free version number after {MAX_COMMIT_ATTEMPTS} attempts",
            self.price_dir.display()
        )))
    }

    /// 1 + the largest N among this symbol's versions and claims.
    fn next_free_number(&self) -> Result<u32> {
        let versions = scan_versions(&self.price_dir)?;
        let mut largest = versions.iter().map(|(n, _)| *n).max().unwrap_or(0);
        for entry in fs::read_dir(&self.price_dir).map_err(io_at(&self.price_dir))? {
            let entry = entry.map_err(io_at(&self.price_dir))?;
            if let Some(n) = entry.file_name().to_str().and_then(claim_number) {
                largest = largest.max(n);
            }
        }
        largest.checked_add(1).ok_or_else(|| {
            AtbError::Registry(format!(
                "{}: version numbers exhausted",
                self.price_dir.display()
            ))
        })
    }

    /// Renames the folder to version `number` unless another run holds that number already
    /// (`Ok(None)`: try the next one).
    fn rename_to(&self, number: u32) -> Result<Option<VersionInfo>> {
        if scan_versions(&self.price_dir)?
            .iter()
            .any(|(n, _)| *n == number)
        {
            return Ok(None);
        }
        let name = version_name(&utc_hour_stamp_now(), number);
        let target = self.price_dir.join(&name);
        match fs::rename(&self.temp_dir, &target) {
            Ok(()) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::AlreadyExists | ErrorKind::DirectoryNotEmpty
                ) =>
            {
                return Ok(None);
            }
            Err(e) => return Err(io_at(&target)(e)),
        }
        sync_dir(&self.price_dir)?;
        Ok(Some(VersionInfo {
            symbol: self.symbol.clone(),
            name,
            number,
            path: target,
        }))
    }
}

impl Drop for PendingVersion {
    fn drop(&mut self) {
        if !self.committed {
            // Best effort: what cannot be removed is a dot-folder that listing ignores.
            let _ = fs::remove_dir_all(&self.temp_dir);
        }
    }
}
