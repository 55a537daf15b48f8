//! Checkpoints of a fit: after every epoch (so at each improvement, with the best weights so
//! far — the guide's best-model checkpoint) everything the next epoch depends on is written to
//! a folder: the weights, the best weights, Adam's moments, schedule and step count, the
//! shuffling generator, the global step counter, the callbacks' state and the history. A fit
//! resumed from it continues bit-identically to one that was never interrupted.
//!
//! Layout: `state.json` (scalars, the callbacks and the history) and `tensors.safetensors`
//! (`params/NAME`, `best/NAME`, `adam/m`, `adam/v`, `adam/schedule`). A new checkpoint is
//! written beside the old one and renamed over it, so a crash leaves the previous one whole.

use std::path::{Path, PathBuf};

use safetensors::tensor::{Dtype, TensorView};
use serde::{Deserialize, Serialize};

use super::callbacks::CallbackState;
use super::history::History;
use crate::nn::HostTensor;
use crate::ops::AdamMoments;
use crate::registry::read_tensors;
use crate::{AtbError, Result};

/// Where a fit checkpoints, and whether it starts from the checkpoint there.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckpointPlan {
    /// The checkpoint folder.
    pub dir: PathBuf,
    /// Continue from the checkpoint in `dir` (it must exist and carry `key`).
    pub resume: bool,
    /// What the run is (settings and data); a checkpoint of another run is refused.
    pub key: String,
}

/// The state of a fit after a whole number of epochs.
#[derive(Debug, Clone, PartialEq)]
pub struct Checkpoint {
    /// The run it belongs to ([`CheckpointPlan::key`]).
    pub key: String,
    /// Epochs finished.
    pub epochs_done: usize,
    /// True when early stopping ended the fit at that epoch.
    pub stopped_early: bool,
    /// The weights after the last epoch.
    pub params: Vec<HostTensor>,
    /// The best epoch (0-based) and its weights.
    pub best: Option<(usize, Vec<HostTensor>)>,
    /// Adam's state.
    pub adam: AdamMoments,
    /// The shuffling generator's state.
    pub rng_state: u64,
    /// The global step counter (dropout masks).
    pub global_step: u32,
    /// The learning rate of the next epoch.
    pub learning_rate: f64,
    /// The callbacks' state.
    pub callbacks: CallbackState,
    /// Every finished epoch's metrics.
    pub history: History,
}

/// The scalar part of a checkpoint (`state.json`).
#[derive(Serialize, Deserialize)]
struct State {
    key: String,
    epochs_done: usize,
    stopped_early: bool,
    best_epoch: Option<usize>,
    adam_steps: u32,
    adam_learning_rate: f32,
    rng_state: u64,
    global_step: u32,
    learning_rate: f64,
    callbacks: CallbackState,
    history: History,
}

const STATE: &str = "state.json";
const TENSORS: &str = "tensors.safetensors";

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> AtbError + '_ {
    move |source| AtbError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn unreadable(dir: &Path, detail: impl std::fmt::Display) -> AtbError {
    AtbError::Config(format!("checkpoint {}: {detail}", dir.display()))
}

impl Checkpoint {
    /// Writes the checkpoint to `dir`, replacing the one there only once it is complete.
    pub fn write(&self, dir: &Path) -> Result<()> {
        let state = State {
            key: self.key.clone(),
            epochs_done: self.epochs_done,
            stopped_early: self.stopped_early,
            best_epoch: self.best.as_ref().map(|(e, _)| *e),
            adam_steps: self.adam.steps,
            adam_learning_rate: self.adam.learning_rate,
            rng_state: self.rng_state,
            global_step: self.global_step,
            learning_rate: self.learning_rate,
            callbacks: self.callbacks.clone(),
            history: self.history.clone(),
        };
        let mut owned: Vec<(String, Vec<usize>, &[f32])> = Vec::new();
        for p in &self.params {
            owned.push((format!("params/{}", p.name), p.shape.clone(), &p.values));
        }
        for p in self.best.iter().flat_map(|(_, w)| w) {
            owned.push((format!("best/{}", p.name), p.shape.clone(), &p.values));
        }
        for (name, values) in [
            ("adam/m", &self.adam.m),
            ("adam/v", &self.adam.v),
            ("adam/schedule", &self.adam.schedule),
        ] {
            owned.push((name.to_string(), vec![values.len()], values));
        }
        let bytes: Vec<Vec<u8>> = owned
            .iter()
            .map(|(_, _, v)| v.iter().flat_map(|x| x.to_le_bytes()).collect())
            .collect();
        let views = owned
            .iter()
            .zip(&bytes)
            .map(|((name, shape, _), b)| {
                TensorView::new(Dtype::F32, shape.clone(), b).map(|view| (name.as_str(), view))
            })
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| unreadable(dir, e))?;
        let tensors = safetensors::serialize(views, None).map_err(|e| unreadable(dir, e))?;
        let json = serde_json::to_string(&state).map_err(|e| unreadable(dir, e))?;

        let parent = dir.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(io(parent))?;
        let fresh = dir.with_extension("new");
        let _ = std::fs::remove_dir_all(&fresh);
        std::fs::create_dir(&fresh).map_err(io(&fresh))?;
        std::fs::write(fresh.join(TENSORS), tensors).map_err(io(&fresh))?;
        std::fs::write(fresh.join(STATE), json).map_err(io(&fresh))?;
        let old = dir.with_extension("old");
        let _ = std::fs::remove_dir_all(&old);
        if dir.exists() {
            std::fs::rename(dir, &old).map_err(io(dir))?;
        }
        std::fs::rename(&fresh, dir).map_err(io(dir))?;
        let _ = std::fs::remove_dir_all(&old);
        Ok(())
    }

    /// Reads the checkpoint in `dir`, which must belong to the run `key`. A crash between the
    /// two renames of [`write`](Self::write) leaves the previous checkpoint as `DIR.old`,
    /// which is read then.
    pub fn read(dir: &Path, key: &str) -> Result<Checkpoint> {
        let old = dir.with_extension("old");
        let dir = if !dir.exists() && old.exists() {
            old.as_path()
        } else {
            dir
        };
        if !dir.is_dir() {
            return Err(unreadable(
                dir,
                "there is no checkpoint to resume (train without --resume)",
            ));
        }
        let text = std::fs::read_to_string(dir.join(STATE)).map_err(io(dir))?;
        let state: State = serde_json::from_str(&text).map_err(|e| unreadable(dir, e))?;
        if state.key != key {
            return Err(unreadable(
                dir,
                "it belongs to another run (other settings or data); train without --resume \
                 or with the settings it was started with",
            ));
        }
        let mut params = Vec::new();
        let mut best = Vec::new();
        let mut adam = AdamMoments {
            m: Vec::new(),
            v: Vec::new(),
            schedule: Vec::new(),
            steps: state.adam_steps,
            learning_rate: state.adam_learning_rate,
        };
        for (name, shape, values) in read_tensors(&dir.join(TENSORS))? {
            let host = |name: &str, values| HostTensor {
                name: name.to_string(),
                shape,
                values,
            };
            match name.split_once('/') {
                Some(("params", n)) => params.push(host(n, values)),
                Some(("best", n)) => best.push(host(n, values)),
                Some(("adam", "m")) => adam.m = values,
                Some(("adam", "v")) => adam.v = values,
                Some(("adam", "schedule")) => adam.schedule = values,
                _ => return Err(unreadable(dir, format!("unexpected tensor {name:?}"))),
            }
        }
        Ok(Checkpoint {
            key: state.key,
            epochs_done: state.epochs_done,
            stopped_early: state.stopped_early,
            params,
            best: state.best_epoch.map(|e| (e, best)),
            adam,
            rng_state: state.rng_state,
            global_step: state.global_step,
            learning_rate: state.learning_rate,
            callbacks: state.callbacks,
            history: state.history,
        })
    }
}
