//! `atb-gpu tune SYMBOL ...` (a grid scored by walk-forward folds, the best retrained and
//! saved) and `atb-gpu tune merge DIR` (the shards of a grid joined, then the same ending).

use std::io::Write as _;
use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::device_args::DeviceArgs;
use crate::device::{ComputeDevice, DeviceRequest};
use crate::tune::{Metric, Shard, TuneJob, TuneSettings, merge_shards, retrain_best, write_text};
use crate::{AtbError, Result};

/// Arguments of `atb-gpu tune`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct TuneArgs {
    /// `merge DIR` joins the shards under DIR.
    #[command(subcommand)]
    pub command: Option<TuneCommand>,
    /// The tuning run.
    #[command(flatten)]
    pub run: TuneRunArgs,
}

/// The subcommand of `atb-gpu tune`.
#[derive(Debug, Subcommand)]
pub enum TuneCommand {
    /// Join DIR/shard-K-of-N/ of every shard into DIR/tuning.csv and DIR/tuning.json, then
    /// retrain the best configuration, evaluate it on test and save it.
    Merge(TuneMergeArgs),
}

/// Arguments of `atb-gpu tune SYMBOL`.
#[derive(Debug, Args)]
pub struct TuneRunArgs {
    /// Trading pair, e.g. BTCUSDT (the embedded data set) or any symbol with --data.
    #[arg(required = true)]
    pub symbol: Option<String>,
    /// cnn_lstm (alias adaptive), attention_lstm, tcn, tcn_attention or lightgbm.
    #[arg(long, default_value = "cnn_lstm")]
    pub model_type: String,
    /// lightweight, default or deep: the preset the grid's values change.
    #[arg(long, default_value = "default")]
    pub variant: String,
    /// A tuned key and its values, e.g. --grid dropout=0.2,0.3 --grid lstm_units=[64,32],[128,64]
    /// (default: the guide's grid of the model type).
    #[arg(long = "grid", value_name = "KEY=V1,V2,...")]
    pub grid: Vec<String>,
    /// Walk-forward folds per configuration.
    #[arg(long, default_value_t = 3)]
    pub folds: usize,
    /// Maximum epochs of every neural fit.
    #[arg(long, default_value_t = 50)]
    pub epochs: usize,
    /// What ranks the configurations (mean over the folds).
    #[arg(long, value_enum, default_value_t = Metric::Rmse)]
    pub metric: Metric,
    /// Also write tuning.json to FILE.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Score only the K-th of N disjoint slices of the grid (1 <= K <= N) into
    /// DIR/shard-K-of-N/ (needs --out DIR); `atb-gpu tune merge DIR` joins them.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
    /// Also write tuning.csv and tuning.json into DIR.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Tune on the last N days only.
    #[arg(long)]
    pub days: Option<usize>,
    /// Samples per training step (neural models).
    #[arg(long, default_value_t = 32)]
    pub batch_size: usize,
    /// Bars per input window (neural models).
    #[arg(long, default_value_t = 60)]
    pub sequence_length: usize,
    /// Early-stopping patience in epochs (rounds for boosting, at least 10).
    #[arg(long, default_value_t = 10)]
    pub patience: usize,
    /// Seed of every fit.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// OHLCV CSV file instead of the embedded data.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Registry root of the chosen configuration's version.
    #[arg(long, default_value = crate::registry::DEFAULT_ROOT)]
    pub models_dir: PathBuf,
    /// Device flags.
    #[command(flatten)]
    pub device: DeviceArgs,
}

/// Arguments of `atb-gpu tune merge`.
#[derive(Debug, Args)]
pub struct TuneMergeArgs {
    /// The --out folder the shards wrote into.
    pub dir: PathBuf,
    /// Also write the merged tuning.json to FILE.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Registry root of the chosen configuration's version.
    #[arg(long, default_value = crate::registry::DEFAULT_ROOT)]
    pub models_dir: PathBuf,
    /// Device flags.
    #[command(flatten)]
    pub device: DeviceArgs,
}

impl TuneArgs {
    /// The `--threads` of whichever form runs.
    pub fn threads(&self) -> Option<usize> {
        match &self.command {
            Some(TuneCommand::Merge(merge)) => merge.device.threads,
            None => self.run.device.threads,
        }
    }
}

impl TuneRunArgs {
    /// The job as plain data.
    pub fn job(&self) -> Result<TuneJob> {
        let symbol = self
            .symbol
            .clone()
            .ok_or_else(|| AtbError::Config("atb-gpu tune needs a SYMBOL".into()))?;
        Ok(TuneJob {
            settings: TuneSettings {
                symbol,
                model_type: self.model_type.clone(),
                variant: self.variant.clone(),
                days: self.days,
                data: self.data.clone(),
                epochs: self.epochs,
                batch_size: self.batch_size,
                sequence_length: self.sequence_length,
                patience: self.patience,
                seed: self.seed,
                folds: self.folds,
                metric: self.metric,
            },
            grid: self.grid.clone(),
            shard: self.shard,
            out: self.out.clone(),
            json: self.json.clone(),
            device: DeviceRequest::from_env(self.device.device, self.device.backend),
            models_dir: self.models_dir.clone(),
        })
    }
}

/// Runs `atb-gpu tune ...`.
pub fn run(args: &TuneArgs) -> Result<()> {
    match &args.command {
        Some(TuneCommand::Merge(merge)) => run_merge(merge),
        None => run_tune(&args.run),
    }
}

fn run_tune(args: &TuneRunArgs) -> Result<()> {
    let job = args.job()?;
    let plan = job.plan()?;
    let s = &job.settings;
    println!("{}", plan.data_description);
    println!(
        "tuning {} ({}) for {}: {} of {} configurations{} × {} walk-forward folds, ranked by mean {}",
        s.model_type,
        s.variant,
        s.symbol,
        plan.configurations.len(),
        plan.grid.len(),
        job.shard
            .map_or_else(String::new, |shard| format!(" (shard {shard})")),
        s.folds,
        s.metric.name()
    );
    let device = ComputeDevice::open(&job.device)?;
    let mut summary = job.score(&plan, &device, |progress| {
        println!("{progress}");
        let _ = std::io::stdout().flush();
    })?;
    println!("{summary}");
    if let Some(shard) = job.shard {
        for path in job.write_outputs(&summary)? {
            println!("wrote {}", path.display());
        }
        println!(
            "shard {shard} done; when all {} are, run: atb-gpu tune merge {}",
            shard.count,
            job.out
                .as_ref()
                .map_or(String::new(), |o| o.display().to_string())
        );
        return Ok(());
    }
    println!("retraining the best configuration on the default split; test span evaluated once");
    let outcome = retrain_best(&mut summary, &device, job.device, &job.models_dir)?;
    for path in job.write_outputs(&summary)? {
        println!("wrote {}", path.display());
    }
    println!("{outcome}");
    Ok(())
}

fn run_merge(args: &TuneMergeArgs) -> Result<()> {
    let mut summary = merge_shards(&args.dir)?;
    println!(
        "merged {} configurations × {} folds from {}",
        summary.configurations.len(),
        summary.settings.folds,
        args.dir.display()
    );
    println!("{summary}");
    let request = DeviceRequest::from_env(args.device.device, args.device.backend);
    let device = ComputeDevice::open(&request)?;
    println!("retraining the best configuration on the default split; test span evaluated once");
    let outcome = retrain_best(&mut summary, &device, request, &args.models_dir)?;
    summary.write_files(&args.dir)?;
    println!("wrote {}/tuning.csv and tuning.json", args.dir.display());
    if let Some(json) = &args.json {
        write_text(json, &summary.json()?)?;
        println!("wrote {}", json.display());
    }
    println!("{outcome}");
    Ok(())
}
