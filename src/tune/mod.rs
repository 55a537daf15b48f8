//! `atb-gpu tune`: a grid of hyperparameters scored by walk-forward folds on the train +
//! validation span (the test span untouched), optionally in disjoint shards on many machines
//! joined by `tune merge`; the best configuration is retrained, evaluated once on test beside
//! persistence and saved as a registry version with its `tuning.csv` and `tuning.json`.

pub mod folds;
pub mod grid;
pub mod job;
pub mod merge;
pub mod metric;
pub mod retrain;
pub mod run;
pub mod settings;
pub mod shard;
pub mod summary;
pub mod table;

pub use folds::{fold_split, tuning_span};
pub use grid::{Configuration, Grid, GridAxis};
pub use job::{TuneJob, TunePlan, write_text};
pub use merge::merge_shards;
pub use metric::Metric;
pub use retrain::retrain_best;
pub use run::{Progress, run_configurations, score_fold};
pub use settings::{LEARNING_RATE, TuneSettings};
pub use shard::Shard;
pub use summary::{ConfigurationScore, TuningSummary, best_of};
pub use table::{TuningRow, tuning_csv};
