//! The `atb-gpu` binary as a user runs it.

use std::process::Command;

#[path = "cli/fixtures.rs"]
mod fixtures;
#[path = "cli/gap_bound.rs"]
mod gap_bound;
#[path = "cli/non_finite.rs"]
mod non_finite;
#[path = "cli/preflight.rs"]
mod preflight;
#[path = "cli/resume.rs"]
mod resume;
#[path = "cli/warnings.rs"]
mod warnings;

fn atb_gpu(args: &[&str], env: &[(&str, &str)]) -> (bool, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_atb-gpu"));
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("the binary runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn devices_lists_the_vulkan_adapter_and_the_auto_choice() {
    let (ok, stdout, stderr) = atb_gpu(&["devices", "--backend", "vulkan"], &[]);
    assert!(ok, "stdout: {stdout}\nstderr: {stderr}");
    assert!(stdout.contains("backend Vulkan"), "{stdout}");
    assert!(stdout.contains("max storage binding"), "{stdout}");
    assert!(stdout.contains("--device auto picks:"), "{stdout}");
}

#[test]
fn devices_without_a_vulkan_driver_says_so_and_fails_cleanly() {
    let no_driver = [
        ("VK_DRIVER_FILES", "/nonexistent/icd.json"),
        ("VK_ICD_FILENAMES", "/nonexistent/icd.json"),
    ];
    let (ok, stdout, stderr) = atb_gpu(&["devices", "--backend", "vulkan"], &no_driver);
    assert!(!ok, "must exit non-zero; stdout: {stdout}");
    assert!(
        stderr.contains("no Vulkan driver or adapter was found"),
        "{stderr}"
    );
    assert!(stderr.contains("mesa-vulkan-drivers"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn unknown_device_choice_is_a_usage_error() {
    let (ok, _, stderr) = atb_gpu(&["devices", "--backend", "glide"], &[]);
    assert!(!ok);
    assert!(stderr.contains("invalid value 'glide'"), "{stderr}");
}

#[test]
fn train_predict_and_list_on_the_embedded_data() {
    let dir = tempfile::tempdir().unwrap();
    let models = dir.path().to_str().unwrap();
    let (ok, stdout, stderr) = atb_gpu(
        &[
            "train",
            "model",
            "BTCUSDT",
            "--model-type",
            "tcn",
            "--days",
            "20",
            "--epochs",
            "2",
            "--sequence-length",
            "12",
            "--device",
            "cpu",
            "--models-dir",
            models,
            "--set",
            "num_filters=8",
            "--set",
            "num_layers=2",
        ],
        &[],
    );
    assert!(ok, "stdout: {stdout}\nstderr: {stderr}");
    for expected in [
        "epoch   1/2",
        "naive (persistence)",
        "RMSE",
        "DA %",
        "skill",
        "saved:",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in:\n{stdout}"
        );
    }
    let (ok, stdout, stderr) = atb_gpu(
        &[
            "predict",
            "BTCUSDT",
            "--device",
            "cpu",
            "--models-dir",
            models,
        ],
        &[],
    );
    assert!(
        ok && stdout.contains("next-bar forecast"),
        "{stdout}{stderr}"
    );
    let (ok, stdout, _) = atb_gpu(&["models", "list", "--models-dir", models], &[]);
    assert!(
        ok && stdout.contains("BTCUSDT") && stdout.contains("_v1"),
        "{stdout}"
    );
    let (ok, stdout, _) = atb_gpu(&["models", "show", "BTCUSDT", "--models-dir", models], &[]);
    assert!(ok && stdout.contains("\"model_type\": \"tcn\""), "{stdout}");
}

#[test]
fn bad_training_requests_are_clear_errors_without_panics() {
    let dir = tempfile::tempdir().unwrap();
    let models = dir.path().to_str().unwrap();
    for (args, expected) in [
        (
            vec!["train", "model", "ETHUSDT", "--device", "cpu"],
            "--data",
        ),
        (
            vec![
                "train",
                "model",
                "BTCUSDT",
                "--model-type",
                "gru",
                "--device",
                "cpu",
            ],
            "available",
        ),
        (
            vec![
                "train",
                "model",
                "BTCUSDT",
                "--model-type",
                "tcn",
                "--set",
                "dropout=1.5",
                "--device",
                "cpu",
            ],
            "'dropout'",
        ),
        (
            vec![
                "train",
                "model",
                "BTCUSDT",
                "--data",
                "/nonexistent/candles.csv",
                "--device",
                "cpu",
            ],
            "/nonexistent/candles.csv",
        ),
        (
            vec![
                "predict",
                "BTCUSDT",
                "--models-dir",
                models,
                "--device",
                "cpu",
            ],
            "no models",
        ),
    ] {
        let (ok, _, stderr) = atb_gpu(&args, &[]);
        assert!(!ok, "{args:?} must fail");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn benchmark_prints_the_comparison_table_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("bench.json");
    let (ok, stdout, stderr) = atb_gpu(
        &[
            "benchmark",
            "--models",
            "cnn_lstm,tcn,lightgbm",
            "--variant",
            "lightweight",
            "--days",
            "15",
            "--epochs",
            "1",
            "--sequence-length",
            "12",
            "--device",
            "cpu",
            "--json",
            json.to_str().unwrap(),
        ],
        &[],
    );
    assert!(ok, "{stdout}{stderr}");
    for expected in [
        "Model",
        "Train(s)",
        "Infer(ms)",
        "cnn_lstm",
        "tcn",
        "naive",
        "Best RMSE",
        "Fastest Inference",
    ] {
        assert!(stdout.contains(expected), "missing {expected:?}:\n{stdout}");
    }
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let rows = report["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 4);
    let bars = report["test_bars"].as_u64().unwrap();
    assert!(
        bars > 0 && stdout.contains(&format!("same {bars} test bars")),
        "{stdout}"
    );
    for row in rows {
        assert_eq!(
            row["metrics"]["n"].as_u64().unwrap(),
            bars,
            "every row scored on the same bars"
        );
    }
    assert_eq!(rows[2]["model"], "lightgbm");
    assert_eq!(rows[3]["model"], "naive");
    // Every model meets persistence through the Diebold–Mariano test, in the JSON and the table.
    assert!(
        stdout.contains("vs persistence (Diebold–Mariano)"),
        "{stdout}"
    );
    for row in &rows[..3] {
        let p = row["vs_persistence"]["p_value"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&p), "{row}");
    }
    assert!(rows[3]["vs_persistence"].is_null());
    assert!(rows[0]["infer_ms_p50"].as_f64().unwrap() > 0.0);
    assert!(rows[0]["throughput_per_s"].as_f64().unwrap() > 0.0);
    assert!(rows[0]["parameters_mib"].as_f64().unwrap() > 0.0);
    assert!(stdout.contains("batch 256"), "{stdout}");
}

#[test]
fn explain_writes_an_attention_heatmap_without_touching_the_version() {
    let dir = tempfile::tempdir().unwrap();
    let models = dir.path().join("models");
    let models = models.to_str().unwrap();
    let (ok, _, stderr) = atb_gpu(
        &[
            "train",
            "model",
            "BTCUSDT",
            "--model-type",
            "attention_lstm",
            "--days",
            "20",
            "--epochs",
            "1",
            "--sequence-length",
            "12",
            "--device",
            "cpu",
            "--models-dir",
            models,
            "--set",
            "lstm_units=[4,4]",
            "--set",
            "attention_key_dim=2",
            "--set",
            "num_attention_heads=2",
        ],
        &[],
    );
    assert!(ok, "{stderr}");
    let out = dir.path().join("map.png");
    let (ok, stdout, stderr) = atb_gpu(
        &[
            "explain",
            "BTCUSDT",
            "--models-dir",
            models,
            "--out",
            out.to_str().unwrap(),
        ],
        &[],
    );
    assert!(ok && stdout.contains("bars back"), "{stdout}{stderr}");
    assert!(out.is_file());
    let version = std::fs::read_dir(dir.path().join("models/BTCUSDT/price"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    assert!(
        !version.join("attention.png").exists(),
        "saved versions are never modified"
    );
}
