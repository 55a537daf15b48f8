//! Finding the version folders of one symbol on disk.

use std::fs;
use std::io::ErrorKind;
use std::path::Path;

use super::io_error::io_at;
use super::version::parse_version_number;
use crate::error::Result;

/// The (N, folder name) of every version folder in `price_dir`; nothing if it does not exist.
pub(crate) fn scan_versions(price_dir: &Path) -> Result<Vec<(u32, String)>> {
    let entries = match fs::read_dir(price_dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_at(price_dir)(e)),
    };
    let mut versions = Vec::new();
    for entry in entries {
        let entry = entry.map_err(io_at(price_dir))?;
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        if let Some(n) = parse_version_number(&name)
            && entry.file_type().map_err(io_at(&entry.path()))?.is_dir()
        {
            versions.push((n, name));
        }
    }
    versions.sort();
    Ok(versions)
}
