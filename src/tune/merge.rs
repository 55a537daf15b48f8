//! `atb-gpu tune merge DIR`: joins the `DIR/shard-K-of-N/tuning.json` of every shard into the
//! table and best configuration one unsharded run gives — after checking that the shards are
//! the N slices of one grid, tuned with the same settings on the same data.

use std::path::Path;

use super::summary::TuningSummary;
use super::table::TuningRow;
use crate::{AtbError, Result};

/// Reads every `shard-*/tuning.json` under `dir`.
fn read_shards(dir: &Path) -> Result<Vec<(String, TuningSummary)>> {
    let entries = std::fs::read_dir(dir).map_err(|source| AtbError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|name| name.starts_with("shard-"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let summary = TuningSummary::read(&dir.join(&name).join("tuning.json"))?;
            Ok((name, summary))
        })
        .collect()
}

/// Joins the shards under `dir` into one summary (without a test evaluation yet).
pub fn merge_shards(dir: &Path) -> Result<TuningSummary> {
    let shards = read_shards(dir)?;
    let Some((first_name, first)) = shards.first() else {
        return Err(AtbError::Config(format!(
            "{}: no shard-K-of-N folder; run `atb-gpu tune ... --shard K/N --out {}` first",
            dir.display(),
            dir.display()
        )));
    };
    let count = first.shard.map_or(0, |s| s.count);
    if count == 0 {
        return Err(AtbError::Config(format!(
            "{}/{first_name}/tuning.json is not a shard's (no \"shard\" field)",
            dir.display()
        )));
    }
    let mut seen = vec![false; count];
    let mut rows: Vec<TuningRow> = Vec::new();
    for (name, shard) in &shards {
        let file = format!("{}/{name}/tuning.json", dir.display());
        let differs = |what: &str| {
            AtbError::Config(format!(
                "{file}: its {what} differ from {first_name}'s; shards of one run share them"
            ))
        };
        if shard.settings != first.settings {
            return Err(differs("settings"));
        }
        if shard.grid != first.grid {
            return Err(differs("grid"));
        }
        if shard.data_fingerprint != first.data_fingerprint {
            return Err(differs("data (fingerprint)"));
        }
        let Some(s) = shard.shard.filter(|s| s.count == count) else {
            return Err(AtbError::Config(format!(
                "{file}: not one of {count} shards like {first_name}"
            )));
        };
        if std::mem::replace(&mut seen[s.index - 1], true) {
            return Err(AtbError::Config(format!("{file}: shard {s} appears twice")));
        }
        if let Some(stray) = shard.rows.iter().find(|r| !s.owns(r.configuration)) {
            return Err(AtbError::Config(format!(
                "{file}: configuration {} is not shard {s}'s",
                stray.configuration
            )));
        }
        rows.extend(shard.rows.iter().cloned());
    }
    if let Some(missing) = seen.iter().position(|s| !s) {
        return Err(AtbError::Config(format!(
            "{}: shard {} of {count} is missing (expected {}/shard-{}-of-{count}/tuning.json)",
            dir.display(),
            missing + 1,
            dir.display(),
            missing + 1
        )));
    }
    let folds = first.settings.folds;
    for configuration in first.grid.configurations() {
        let done = rows
            .iter()
            .filter(|r| r.configuration == configuration.index)
            .count();
        if done != folds {
            return Err(AtbError::Config(format!(
                "{}: configuration {} ({configuration}) has {done} fold rows, expected {folds}",
                dir.display(),
                configuration.index
            )));
        }
    }
    Ok(TuningSummary::from_rows(
        first.settings.clone(),
        first.grid.clone(),
        None,
        first.data_fingerprint.clone(),
        rows,
    ))
}
