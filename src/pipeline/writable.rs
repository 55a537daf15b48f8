//! Can a job write where it was told to? Probed before any work: a folder (or, when it does
//! not exist yet, its nearest existing ancestor, where it would be created) must be a folder
//! that takes a new file; an output file must not be a folder and its folder must take files.
//! Nothing is left behind: the probe file is removed and missing folders are not created.

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::{AtbError, Result};

/// The folder itself when it exists, else its nearest existing ancestor (the current folder
/// for a relative path with none).
fn nearest_existing(path: &Path) -> PathBuf {
    let mut current = path;
    while !current.exists() {
        match current.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => current = parent,
            _ => return PathBuf::from("."),
        }
    }
    current.to_path_buf()
}

/// Creates and removes a uniquely named empty file in `dir`.
fn probe(dir: &Path) -> std::io::Result<()> {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let path = dir.join(format!(".atb-gpu-probe-{}-{nanos}", std::process::id()));
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)?;
    std::fs::remove_file(&path)
}

/// Fails unless files can be created in `dir` (`flag` names the option in the error).
pub fn check_writable_dir(dir: &Path, flag: &str) -> Result<()> {
    let existing = nearest_existing(dir);
    if !existing.is_dir() {
        return Err(AtbError::Config(format!(
            "{flag} {}: {} is not a folder",
            dir.display(),
            existing.display()
        )));
    }
    probe(&existing).map_err(|e| {
        AtbError::Config(format!(
            "{flag} {}: cannot write in {} ({e})",
            dir.display(),
            existing.display()
        ))
    })
}

/// Fails unless `file` can be written: not a folder, its folder exists and takes files, and
/// an existing file opens for writing (it is not truncated here).
pub fn check_writable_file(file: &Path, flag: &str) -> Result<()> {
    if file.is_dir() {
        return Err(AtbError::Config(format!(
            "{flag} {}: is a folder, not a file",
            file.display()
        )));
    }
    let parent = match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !parent.is_dir() {
        return Err(AtbError::Config(format!(
            "{flag} {}: the folder {} does not exist",
            file.display(),
            parent.display()
        )));
    }
    let opened = if file.exists() {
        OpenOptions::new().write(true).open(file).map(drop)
    } else {
        probe(&parent)
    };
    opened
        .map_err(|e| AtbError::Config(format!("{flag} {}: cannot write it ({e})", file.display())))
}
