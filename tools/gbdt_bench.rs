//! Training-time benchmark of the gradient-boosting trainer on a synthetic regression set.
//!
//! Usage: `cargo run --release --example gbdt_bench -- [--rows N] [--cols C] [--rounds R]
//! [--leaves L] [--device cpu|gpu]` (defaults: 1,000,000 × 28, 100 rounds, 255 leaves,
//! 255 bins, the CPU). `tools/lightgbm_bench.py` times LightGBM on the same data.

#[path = "gbdt_synthetic.rs"]
mod gbdt_synthetic;

use std::process::ExitCode;
use std::time::Instant;

use atb_gpu::gbdt::{GbdtParams, LightGbmModel, predict, rmse, train};
use atb_gpu::{ComputeDevice, DeviceChoice, DeviceRequest};

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (mut rows, mut cols, mut rounds, mut leaves) =
        (1_000_000usize, 28usize, 100usize, 255usize);
    let mut device = DeviceChoice::Cpu;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut number = |name: &str| -> Result<usize, String> {
            it.next()
                .and_then(|v| v.parse().ok())
                .ok_or(format!("{name} needs a number"))
        };
        match a.as_str() {
            "--rows" => rows = number("--rows")?,
            "--cols" => cols = number("--cols")?.max(6),
            "--rounds" => rounds = number("--rounds")?,
            "--leaves" => leaves = number("--leaves")?,
            "--device" => {
                device = match it.next().map(String::as_str) {
                    Some("cpu") => DeviceChoice::Cpu,
                    Some("gpu") => DeviceChoice::Gpu,
                    other => return Err(format!("--device cpu|gpu, got {other:?}")),
                }
            }
            "--bench" => {}
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let device = ComputeDevice::open(&DeviceRequest {
        device,
        backend: None,
        allow_software: true,
    })
    .map_err(|e| e.to_string())?;
    let (x, y) = gbdt_synthetic::synthetic(rows, cols, 1);
    let (xt, yt) = gbdt_synthetic::synthetic(rows / 10, cols, 3);
    let params = GbdtParams::default()
        .num_iterations(rounds)
        .num_leaves(leaves)
        .max_bin(255)
        .early_stopping_rounds(0);
    let model = LightGbmModel::new(params).map_err(|e| e.to_string())?;
    let start = Instant::now();
    let model = train(model, &x, &y, None, &device).map_err(|e| e.to_string())?;
    let secs = start.elapsed().as_secs_f64();
    let pred = predict(&model, &xt, &ComputeDevice::Cpu).map_err(|e| e.to_string())?;
    println!(
        "atb-gpu gbdt: {rows} x {cols}, {rounds} rounds, {leaves} leaves, 255 bins on {}: \
         train {secs:.2} s, test RMSE {:.6}",
        device.describe(),
        rmse(&pred, &yt)
    );
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gbdt_bench: {e}");
            ExitCode::FAILURE
        }
    }
}
