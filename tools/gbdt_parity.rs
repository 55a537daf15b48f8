//! Writes a LightGBM parity directory from a seeded synthetic regression set:
//! `model.txt` (our booster in LightGBM's text format), `train.csv`, `validation.csv`
//! (features + `label`) and `test_predictions.csv` (features, `prediction`, `label`).
//! Check it with `python3 tools/lightgbm_parity.py OUTDIR`.
//!
//! Usage: `cargo run --release --example gbdt_parity -- OUTDIR [--device cpu|gpu] [--rows N]`

#[path = "gbdt_synthetic.rs"]
mod gbdt_synthetic;

use std::path::Path;
use std::process::ExitCode;

use atb_gpu::gbdt::{
    ImportanceType, create_lightgbm_model, get_feature_importance, predict, rmse, save_model_txt,
    train_lightgbm_with_early_stopping, write_feature_csv,
};
use atb_gpu::{ComputeDevice, DeviceChoice, DeviceRequest};

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut out = None;
    let mut device = DeviceChoice::Cpu;
    let mut rows = 20_000usize;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--device" => {
                device = match it.next().map(String::as_str) {
                    Some("cpu") => DeviceChoice::Cpu,
                    Some("gpu") => DeviceChoice::Gpu,
                    other => return Err(format!("--device cpu|gpu, got {other:?}")),
                }
            }
            "--rows" => {
                rows = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .ok_or("--rows needs a number")?
            }
            dir => out = Some(dir.to_string()),
        }
    }
    let out = out.ok_or("usage: gbdt_parity OUTDIR [--device cpu|gpu] [--rows N]")?;
    let out = Path::new(&out);
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let device = ComputeDevice::open(&DeviceRequest {
        device,
        backend: None,
        allow_software: true,
    })
    .map_err(|e| e.to_string())?;
    let (n_train, n_val) = (rows * 7 / 10, rows * 15 / 100);
    let (x_train, y_train) = gbdt_synthetic::synthetic(n_train, 10, 1);
    let (x_val, y_val) = gbdt_synthetic::synthetic(n_val, 10, 2);
    let (x_test, y_test) = gbdt_synthetic::synthetic(rows - n_train - n_val, 10, 3);
    let model = create_lightgbm_model(1000, 0.05);
    let start = std::time::Instant::now();
    let model =
        train_lightgbm_with_early_stopping(model, &x_train, &y_train, &x_val, &y_val, &device)
            .map_err(|e| e.to_string())?;
    println!(
        "trained {} trees on {} in {:.2?} (best iteration {:?})",
        model.trees().len(),
        device.describe(),
        start.elapsed(),
        model.best_iteration()
    );
    let pred = predict(&model, &x_test, &ComputeDevice::Cpu).map_err(|e| e.to_string())?;
    println!("test RMSE {:.6}", rmse(&pred, &y_test));
    for fi in get_feature_importance(&model, model.feature_names(), 5, ImportanceType::Gain) {
        println!("  {:<12} gain {:.1}", fi.feature, fi.importance);
    }
    save_model_txt(&model, &out.join("model.txt")).map_err(|e| e.to_string())?;
    let label = |y: &[f32]| y.iter().map(|&v| f64::from(v)).collect::<Vec<f64>>();
    let err = |e: atb_gpu::AtbError| e.to_string();
    write_feature_csv(
        &out.join("train.csv"),
        &x_train,
        &[("label", &label(&y_train))],
    )
    .map_err(err)?;
    write_feature_csv(
        &out.join("validation.csv"),
        &x_val,
        &[("label", &label(&y_val))],
    )
    .map_err(err)?;
    write_feature_csv(
        &out.join("test_predictions.csv"),
        &x_test,
        &[("prediction", &pred), ("label", &label(&y_test))],
    )
    .map_err(err)?;
    println!("wrote {}", out.display());
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gbdt_parity: {e}");
            ExitCode::FAILURE
        }
    }
}
