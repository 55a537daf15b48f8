//! One `atb-gpu tune` job: its plan (grid, configurations, data), checked before any training;
//! scoring the plan's configurations; and where its `tuning.csv` / `tuning.json` go.

use std::path::{Path, PathBuf};

use super::grid::{Configuration, Grid};
use super::run::{Progress, run_configurations};
use super::settings::TuneSettings;
use super::shard::Shard;
use super::summary::TuningSummary;
use crate::device::{ComputeDevice, DeviceRequest};
use crate::pipeline::load_candles;
use crate::{AtbError, Result};

/// What `atb-gpu tune` was asked to do.
#[derive(Debug, Clone)]
pub struct TuneJob {
    /// Settings shared by every configuration.
    pub settings: TuneSettings,
    /// `--grid` items (empty: the guide's grid of the model type).
    pub grid: Vec<String>,
    /// `--shard K/N`: score only that slice and leave the rest to `tune merge`.
    pub shard: Option<Shard>,
    /// `--out DIR`: where `tuning.csv` and `tuning.json` also go (a shard's go to
    /// `DIR/shard-K-of-N/`).
    pub out: Option<PathBuf>,
    /// `--json FILE`: a copy of `tuning.json`.
    pub json: Option<PathBuf>,
    /// Device choice.
    pub device: DeviceRequest,
    /// Registry root of the chosen configuration's version.
    pub models_dir: PathBuf,
}

/// A job checked and ready to train.
#[derive(Debug, Clone)]
pub struct TunePlan {
    /// The whole grid.
    pub grid: Grid,
    /// The configurations this job scores (the shard's, or all).
    pub configurations: Vec<Configuration>,
    /// Fingerprint of the candles.
    pub data_fingerprint: String,
    /// The data as the user will recognise it (source, bars, range, gaps).
    pub data_description: String,
}

impl TuneJob {
    /// Checks everything that can fail before training — the settings, every grid key and
    /// value, `--shard` with `--out`, and the data — and lists the configurations to score.
    pub fn plan(&self) -> Result<TunePlan> {
        let s = &self.settings;
        if s.folds == 0 {
            return Err(AtbError::Config("--folds must be at least 1".into()));
        }
        if s.epochs == 0 && !s.is_boosting() {
            return Err(AtbError::Config("--epochs must be at least 1".into()));
        }
        if self.shard.is_some() && self.out.is_none() {
            return Err(AtbError::Config(
                "--shard needs --out DIR: the folder where every shard writes its rows for \
                 `atb-gpu tune merge DIR`"
                    .into(),
            ));
        }
        let grid = if self.grid.is_empty() {
            Grid::default_for(s)?
        } else {
            Grid::parse(&self.grid)?
        };
        grid.check(s)?;
        let loaded = load_candles(&s.request(&[], self.device, &self.models_dir)?)?;
        let configurations = match self.shard {
            Some(shard) => shard.take(grid.configurations()),
            None => grid.configurations(),
        };
        Ok(TunePlan {
            grid,
            configurations,
            data_fingerprint: loaded.candles.fingerprint(),
            data_description: loaded.describe(),
        })
    }

    /// Scores the plan's configurations on `device`, calling `on_fit` after every fit.
    pub fn score(
        &self,
        plan: &TunePlan,
        device: &ComputeDevice,
        on_fit: impl FnMut(&Progress),
    ) -> Result<TuningSummary> {
        let rows = run_configurations(
            &self.settings,
            &plan.grid,
            &plan.configurations,
            device,
            self.device,
            on_fit,
        )?;
        Ok(TuningSummary::from_rows(
            self.settings.clone(),
            plan.grid.clone(),
            self.shard,
            plan.data_fingerprint.clone(),
            rows,
        ))
    }

    /// Writes `summary`'s files where the job asked: `--out` (or its shard folder) and
    /// `--json`. Returns the paths written.
    pub fn write_outputs(&self, summary: &TuningSummary) -> Result<Vec<PathBuf>> {
        let mut written = Vec::new();
        if let Some(out) = &self.out {
            let dir = match self.shard {
                Some(shard) => out.join(shard.folder_name()),
                None => out.clone(),
            };
            summary.write_files(&dir)?;
            written.extend([dir.join("tuning.csv"), dir.join("tuning.json")]);
        }
        if let Some(json) = &self.json {
            write_text(json, &summary.json()?)?;
            written.push(json.clone());
        }
        Ok(written)
    }
}

/// Writes `text` to `path`, creating its folder.
pub fn write_text(path: &Path, text: &str) -> Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|source| AtbError::Io {
            path: parent.to_path_buf(),
            source,
        })?;
    }
    std::fs::write(path, text).map_err(|source| AtbError::Io {
        path: path.to_path_buf(),
        source,
    })
}
