//! Training-epoch and inference benchmark of one architecture, measured from outside the
//! library's fit loop but through its own pieces: the windows `train model` builds, the
//! model factory, and `train::Trainer` (the compiled step `fit` runs), with validation left
//! out of the timing. Prints one JSON object on stdout.
//!
//! Usage: `cargo run --release --example epoch_bench -- --model-type tcn [--variant default]
//! [--batch-size 32] [--epochs 2] [--days 365] [--device auto|gpu|cpu] [--backend vulkan] [--threads N]
//! [--export DIR]`
//!
//! `--export DIR` also writes the windows and the shuffled order of every epoch as `.npy`
//! files (see `tools/npy.rs`), so `tools/torch_reference.py` trains on the very same batches.

#[path = "npy.rs"]
mod npy;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use atb_gpu::data::{
    Dataset, FeatureSet, WindowConfig, WindowSet, engineer_features, make_windows,
};
use atb_gpu::models::{Model, ModelConfig, ModelType, Overrides, Variant};
use atb_gpu::nn::InitRng;
use atb_gpu::ops::AdamConfig;
use atb_gpu::pipeline::{TrainRequest, batch_throughput, load_candles, single_window_latency};
use atb_gpu::train::{DeviceDataset, FitConfig, Trainer, get_model_callbacks};
use atb_gpu::{BackendChoice, ComputeDevice, DeviceChoice, DeviceRequest, Tensor};
use clap::Parser;
use serde::Serialize;

/// The gradient-norm clip `train model` uses (src/pipeline/neural.rs).
const CLIP_NORM: f32 = 1.0;

/// Epoch time, parameter count and inference speed of one architecture.
#[derive(Debug, Parser)]
#[command(name = "epoch_bench")]
struct Args {
    /// cnn_lstm, attention_lstm, tcn or tcn_attention.
    #[arg(long, default_value = "cnn_lstm")]
    model_type: String,
    /// lightweight, default or deep.
    #[arg(long, default_value = "default")]
    variant: String,
    /// Samples per training step.
    #[arg(long, default_value_t = 32)]
    batch_size: usize,
    /// Training epochs to time (each over the whole train split).
    #[arg(long, default_value_t = 2)]
    epochs: usize,
    /// The last N days of the embedded BTCUSDT candles (or of --data).
    #[arg(long, default_value_t = 365)]
    days: usize,
    /// An OHLCV CSV file instead of the embedded data.
    #[arg(long)]
    data: Option<PathBuf>,
    /// Bars per window.
    #[arg(long, default_value_t = 60)]
    sequence_length: usize,
    /// Seed of initialisation, shuffling and dropout.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// auto, gpu or cpu.
    #[arg(long, value_enum, default_value_t = DeviceChoice::Auto)]
    device: DeviceChoice,
    /// Restrict to one graphics API.
    #[arg(long, value_enum)]
    backend: Option<BackendChoice>,
    /// CPU threads (default: one per core).
    #[arg(long)]
    threads: Option<usize>,
    /// Single-window forecasts timed for the latency percentiles.
    #[arg(long, default_value_t = 200)]
    latency_runs: usize,
    /// Write train_x/train_y/test_x/order .npy files and meta.json into this folder.
    #[arg(long)]
    export: Option<PathBuf>,
}

/// The JSON printed on stdout.
#[derive(Debug, Serialize)]
struct Report {
    model_type: String,
    variant: String,
    device: String,
    batch_size: usize,
    days: usize,
    sequence_length: usize,
    features: usize,
    train_windows: usize,
    test_windows: usize,
    steps_per_epoch: usize,
    trainable_parameters: usize,
    /// Seconds of each epoch: shuffled order upload, every full batch, loss readback.
    epoch_seconds: Vec<f64>,
    /// Mean training loss of each epoch.
    epoch_loss: Vec<f64>,
    /// Windows per second forecasting the test split in batches of 256.
    infer_batch256_windows_per_s: f64,
    /// Single-window forecast latency (upload, forward, readback), milliseconds.
    infer_batch1_ms_p50: f64,
    infer_batch1_ms_p95: f64,
}

/// The shuffled order of every epoch, as `train::Trainer` draws it: one SplitMix64 stream
/// seeded with the fit seed, a Fisher–Yates shuffle per epoch (src/train/fit.rs `shuffled`).
fn epoch_orders(n: usize, epochs: usize, seed: u64) -> Vec<u32> {
    let mut rng = InitRng::new(seed);
    let mut all = Vec::with_capacity(n * epochs);
    for _ in 0..epochs {
        let mut order: Vec<u32> = (0..n as u32).collect();
        for i in (1..n).rev() {
            let j = (rng.next_u64() % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
        all.extend(order);
    }
    all
}

/// Uploads one split.
fn upload(device: &ComputeDevice, set: &WindowSet) -> Result<DeviceDataset, String> {
    let shape = set.x.shape();
    DeviceDataset::new(
        device,
        set.x.iter().copied().collect(),
        set.y.to_vec(),
        &[shape[1], shape[2]],
    )
    .map_err(|e| e.to_string())
}

/// The windows `train model` builds for these arguments.
fn windows(args: &Args) -> Result<Dataset, String> {
    let request = TrainRequest {
        symbol: "BTCUSDT".to_string(),
        model_type: args.model_type.clone(),
        variant: args.variant.clone(),
        days: Some(args.days),
        epochs: args.epochs,
        batch_size: args.batch_size,
        sequence_length: args.sequence_length,
        learning_rate: None,
        patience: 15,
        seed: args.seed,
        device: DeviceRequest::from_env(args.device, args.backend),
        data: args.data.clone(),
        max_gap_bars: atb_gpu::data::DEFAULT_MAX_GAP_BARS,
        checkpoint: None,
        models_dir: PathBuf::from("models"),
        overrides: Vec::new(),
    };
    let loaded = load_candles(&request).map_err(|e| e.to_string())?;
    let frame = engineer_features(&loaded.candles, FeatureSet::Price).map_err(|e| e.to_string())?;
    let config = WindowConfig {
        sequence_length: args.sequence_length,
        ..WindowConfig::default()
    };
    make_windows(&frame, &config).map_err(|e| e.to_string())
}

/// Writes the windows, the epoch orders and the training settings for the PyTorch reference.
fn export(dir: &Path, data: &Dataset, args: &Args, adam: &AdamConfig) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let io = |e: std::io::Error| format!("{}: {e}", dir.display());
    let (train, test) = (&data.train, &data.test);
    let x = train
        .x
        .as_slice()
        .ok_or("train windows are not contiguous")?;
    npy::write_f32(&dir.join("train_x.npy"), train.x.shape(), x).map_err(io)?;
    npy::write_f32(&dir.join("train_y.npy"), &[train.len()], &train.y.to_vec()).map_err(io)?;
    let tx = test.x.as_slice().ok_or("test windows are not contiguous")?;
    npy::write_f32(&dir.join("test_x.npy"), test.x.shape(), tx).map_err(io)?;
    let orders = epoch_orders(train.len(), args.epochs, args.seed);
    npy::write_u32(&dir.join("order.npy"), &[args.epochs, train.len()], &orders).map_err(io)?;
    let meta = serde_json::json!({
        "seed": args.seed,
        "days": args.days,
        "sequence_length": args.sequence_length,
        "features": train.x.shape()[2],
        "epochs": args.epochs,
        "clip_norm": CLIP_NORM,
        "learning_rate": adam.learning_rate,
        "beta1": adam.beta1,
        "beta2": adam.beta2,
        "epsilon": adam.epsilon,
        "batch_rule": "epoch e uses order[e]; step s takes rows order[e][s*B:(s+1)*B]; the last partial batch is skipped",
    });
    std::fs::write(dir.join("meta.json"), meta.to_string()).map_err(io)
}

fn run() -> Result<(), String> {
    let args = Args::parse();
    atb_gpu::cpu::fast::threads::configure(args.threads).map_err(|e| e.to_string())?;
    let model_type = ModelType::parse(&args.model_type).map_err(|e| e.to_string())?;
    let variant = Variant::parse(&args.variant).map_err(|e| e.to_string())?;
    let device = ComputeDevice::open(&DeviceRequest::from_env(args.device, args.backend))
        .map_err(|e| e.to_string())?;
    let data = windows(&args)?;
    let features = data.train.x.shape()[2];
    let adam = AdamConfig::default();
    if let Some(dir) = &args.export {
        export(dir, &data, &args, &adam)?;
    }
    let no_overrides = Overrides::parse::<&str>(&[]).map_err(|e| e.to_string())?;
    let config = ModelConfig::new(
        model_type,
        (args.sequence_length, features),
        variant,
        &no_overrides,
    )
    .map_err(|e| e.to_string())?;
    let mut model = Model::build(&config, args.seed, &device).map_err(|e| e.to_string())?;
    let train_set = upload(&device, &data.train)?;
    let fit = FitConfig {
        epochs: args.epochs,
        batch_size: args.batch_size,
        adam,
        clip_norm: Some(CLIP_NORM),
        seed: args.seed,
        callbacks: get_model_callbacks(model_type.name(), 15),
        checkpoint: None,
    };
    let mut trainer =
        Trainer::new(&model.network, &model.params, &train_set, &fit).map_err(|e| e.to_string())?;
    let (mut epoch_seconds, mut epoch_loss) = (Vec::new(), Vec::new());
    for epoch in 0..args.epochs {
        let started = Instant::now();
        trainer.start_epoch(epoch == 0).map_err(|e| e.to_string())?;
        for _ in 0..trainer.steps_per_epoch() {
            trainer.step(&mut model.params).map_err(|e| e.to_string())?;
        }
        let (loss, _) = trainer.finish_epoch().map_err(|e| e.to_string())?;
        epoch_seconds.push(started.elapsed().as_secs_f64());
        epoch_loss.push(loss);
        eprintln!(
            "epoch_bench: {} bs{} epoch {} {:.3} s loss {loss:.5}",
            model_type.name(),
            args.batch_size,
            epoch + 1,
            epoch_seconds[epoch]
        );
    }
    let steps_per_epoch = trainer.steps_per_epoch();
    drop(trainer);

    let test = &data.test;
    let shape = test.x.shape();
    if shape[0] == 0 {
        return Err("the test split is empty; use more --days".to_string());
    }
    let all =
        Tensor::from_vec(shape, test.x.iter().copied().collect()).map_err(|e| e.to_string())?;
    let throughput = batch_throughput(&model, &all).map_err(|e| e.to_string())?;
    let last = shape[0] - 1;
    let window: Vec<f32> = test
        .x
        .slice(ndarray::s![last..last + 1, .., ..])
        .iter()
        .copied()
        .collect();
    let window = Tensor::from_vec(&[1, shape[1], shape[2]], window).map_err(|e| e.to_string())?;
    let (p50, p95) =
        single_window_latency(&model, &window, args.latency_runs).map_err(|e| e.to_string())?;

    let report = Report {
        model_type: model_type.name().to_string(),
        variant: variant.name().to_string(),
        device: device.describe(),
        batch_size: args.batch_size,
        days: args.days,
        sequence_length: args.sequence_length,
        features,
        train_windows: data.train.len(),
        test_windows: test.len(),
        steps_per_epoch,
        trainable_parameters: model.parameter_count(),
        epoch_seconds,
        epoch_loss,
        infer_batch256_windows_per_s: throughput,
        infer_batch1_ms_p50: p50,
        infer_batch1_ms_p95: p95,
    };
    let json = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
    println!("{json}");
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("epoch_bench: {e}");
            ExitCode::FAILURE
        }
    }
}
