//! What was silent now warns: a sentiment model without sentiment columns, a duplicate
//! column, a forecast from candles of another interval; and stderr carries no GL/Wayland
//! probe noise.

use std::process::Command;

use super::atb_gpu;
use super::fixtures::{SYMBOL, candles_csv, saved_version, train_tiny, write};

/// The stderr lines that start with `warning:`.
fn warnings(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.starts_with("warning:"))
        .collect()
}

#[test]
fn a_duplicate_close_column_and_a_sentiment_model_without_sentiment_warn() {
    let dir = tempfile::tempdir().unwrap();
    let models = dir.path().join("models");
    let plain = candles_csv(400, &[]);
    let mut lines = plain.lines();
    let mut text = format!("{},Close\n", lines.next().unwrap());
    for line in lines {
        text.push_str(&format!("{line},1\n"));
    }
    let data = write(dir.path(), "dup.csv", &text);
    let (ok, stdout, stderr) = atb_gpu(
        &[
            "train",
            "model",
            SYMBOL,
            "--model-type",
            "cnn_lstm",
            "--epochs",
            "1",
            "--sequence-length",
            "12",
            "--device",
            "cpu",
            "--set",
            "has_sentiment=true",
            "--set",
            "conv_filters=[4]",
            "--set",
            "lstm_units=[4]",
            "--data",
            data.to_str().unwrap(),
            "--models-dir",
            models.to_str().unwrap(),
        ],
        &[],
    );
    assert!(ok, "{stdout}\n{stderr}");
    let warned = warnings(&stderr);
    assert_eq!(warned.len(), 2, "{stderr}");
    assert!(
        warned[0].contains("dup.csv: columns 5 (\"close\") and 7 (\"Close\") have the same name")
            && warned[0].contains("column 7 is ignored"),
        "{stderr}"
    );
    assert!(
        warned[1].contains("has_sentiment=true but")
            && warned[1].contains("no extra numeric columns"),
        "{stderr}"
    );
    let config =
        std::fs::read_to_string(saved_version(&models).unwrap().join("config.json")).unwrap();
    assert!(
        !config.contains("\"Close\""),
        "Close is not a feature: {config}"
    );
}

#[test]
fn predicting_from_candles_of_another_interval_warns() {
    let dir = tempfile::tempdir().unwrap();
    let models = dir.path().join("models");
    let hourly = write(dir.path(), "hourly.csv", &candles_csv(400, &[]));
    train_tiny(&models, &hourly);
    let two_hourly: String = candles_csv(800, &[])
        .lines()
        .enumerate()
        .filter(|(i, _)| *i == 0 || i % 2 == 1)
        .map(|(_, l)| format!("{l}\n"))
        .collect();
    let other = write(dir.path(), "2h.csv", &two_hourly);
    let predict = |data: &std::path::Path| {
        atb_gpu(
            &[
                "predict",
                SYMBOL,
                "--device",
                "cpu",
                "--data",
                data.to_str().unwrap(),
                "--models-dir",
                models.to_str().unwrap(),
            ],
            &[],
        )
    };
    let (ok, _, stderr) = predict(&hourly);
    assert!(ok && warnings(&stderr).is_empty(), "{stderr}");
    let (ok, stdout, stderr) = predict(&other);
    assert!(ok, "{stdout}{stderr}");
    let warned = warnings(&stderr);
    assert_eq!(warned.len(), 1, "{stderr}");
    assert!(
        warned[0].contains("2h.csv holds 2h bars but TESTUSDT")
            && warned[0].contains("was trained on 1h bars"),
        "{stderr}"
    );
}

#[test]
fn no_wayland_probe_noise_on_stderr_without_a_session() {
    for args in [
        &["devices"][..],
        &["predict", SYMBOL, "--models-dir", "/nonexistent"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_atb-gpu"))
            .args(args)
            .env_remove("XDG_RUNTIME_DIR")
            .env_remove("NODEVICE_SELECT")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("XDG_RUNTIME_DIR"), "{args:?}: {stderr}");
    }
}
