//! NaN or infinite losses, forecasts and weights are errors in every command, never printed
//! as results with exit 0.

use std::path::Path;
use std::time::{Duration, Instant};

use super::atb_gpu;
use super::fixtures::{
    SYMBOL, TINY_TCN, assert_one_line_error, candles_csv, saved_version, train_tiny, write,
};

/// Overwrites every weight of a saved version with NaN (0xFFFFFFFF), keeping the header.
fn poison_weights(version: &Path) {
    let path = version.join("model.safetensors");
    let mut bytes = std::fs::read(&path).unwrap();
    let header = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    for b in &mut bytes[8 + header..] {
        *b = 0xFF;
    }
    std::fs::write(&path, bytes).unwrap();
}

/// Sets a number in the version's scaler.json (`pointer` as in serde_json's `pointer_mut`).
fn set_scaler(version: &Path, pointer: &str, value: f64) {
    let path = version.join("scaler.json");
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    *json.pointer_mut(pointer).expect("scaler field") = value.into();
    std::fs::write(&path, serde_json::to_string_pretty(&json).unwrap()).unwrap();
}

#[test]
fn a_diverging_fit_stops_at_the_first_non_finite_epoch_and_saves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let models = dir.path().join("models");
    let data = write(dir.path(), "c.csv", &candles_csv(400, &[]));
    let mut args = vec![
        "train",
        "model",
        SYMBOL,
        "--epochs",
        "100",
        "--patience",
        "100",
        "--learning-rate",
        "1e30",
        "--data",
        data.to_str().unwrap(),
        "--models-dir",
        models.to_str().unwrap(),
    ];
    args.extend(TINY_TCN);
    let started = Instant::now();
    let result = atb_gpu(&args, &[]);
    assert!(started.elapsed() < Duration::from_secs(30));
    assert_one_line_error(
        &result,
        &[
            "not a finite number: epoch 1 of 100",
            "diverged",
            "--learning-rate",
        ],
    );
    assert!(!result.1.contains("epoch   2/100"), "{}", result.1);
    assert!(saved_version(&models).is_none(), "nothing saved");
}

#[test]
fn predict_with_nan_weights_or_an_absurd_scaler_is_an_error_not_a_nan_forecast() {
    let dir = tempfile::tempdir().unwrap();
    let models = dir.path().join("models");
    let data = write(dir.path(), "c.csv", &candles_csv(400, &[]));
    let version = train_tiny(&models, &data);
    let predict = || {
        atb_gpu(
            &[
                "predict",
                SYMBOL,
                "--data",
                data.to_str().unwrap(),
                "--models-dir",
                models.to_str().unwrap(),
                "--device",
                "cpu",
            ],
            &[],
        )
    };
    let (ok, stdout, stderr) = predict();
    assert!(
        ok && stdout.contains("next-bar forecast"),
        "{stdout}{stderr}"
    );

    let scaler = std::fs::read_to_string(version.join("scaler.json")).unwrap();
    set_scaler(&version, "/target/mean", 1e300);
    assert_one_line_error(
        &predict(),
        &[
            "not a finite number",
            "the forecast after the bar of",
            "is inf",
            "scaler.json",
        ],
    );
    std::fs::write(version.join("scaler.json"), &scaler).unwrap();
    set_scaler(&version, "/features/mean/0", 1e300);
    assert_one_line_error(
        &predict(),
        &["not a finite number", "feature 'log_return_1'"],
    );
    std::fs::write(version.join("scaler.json"), &scaler).unwrap();

    poison_weights(&version);
    assert_one_line_error(
        &predict(),
        &["model.safetensors", "holds NaN", "weights must be finite"],
    );
}

#[test]
fn explain_with_an_absurd_feature_scaler_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let models = dir.path().join("models");
    let data = write(dir.path(), "c.csv", &candles_csv(400, &[]));
    let (ok, stdout, stderr) = atb_gpu(
        &[
            "train",
            "model",
            SYMBOL,
            "--model-type",
            "tcn_attention",
            "--epochs",
            "1",
            "--sequence-length",
            "12",
            "--device",
            "cpu",
            "--data",
            data.to_str().unwrap(),
            "--models-dir",
            models.to_str().unwrap(),
            "--set",
            "num_filters=4",
            "--set",
            "num_layers=1",
            "--set",
            "num_attention_heads=1",
            "--set",
            "attention_key_dim=4",
            "--set",
            "dense_units=4",
        ],
        &[],
    );
    assert!(ok, "{stdout}{stderr}");
    let version = saved_version(&models).unwrap();
    let out = dir.path().join("map.png");
    let explain = || {
        atb_gpu(
            &[
                "explain",
                SYMBOL,
                "--data",
                data.to_str().unwrap(),
                "--models-dir",
                models.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ],
            &[],
        )
    };
    let (ok, stdout, stderr) = explain();
    assert!(ok, "{stdout}{stderr}");
    std::fs::remove_file(&out).unwrap();
    set_scaler(&version, "/features/mean/3", -1e300);
    assert_one_line_error(&explain(), &["not a finite number", "scales to inf"]);
    assert!(!out.exists(), "no heatmap written");
}
