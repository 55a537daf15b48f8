//! ONNX export end to end on the CPU backend: a tiny model of every type is trained, saved,
//! exported, and the file, run by tract (networks) or the tree-ensemble decoder (boosting),
//! must agree with our predictions within 1e-4 relative; the file names its input and output
//! and states its operator sets; bad requests fail with one-line errors.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use atb_gpu::data::{embedded_candles, time::format_timestamp};
use atb_gpu::device::DeviceRequest;
use atb_gpu::export::{
    FEATURES_INPUT, FORECAST_OUTPUT, ML_DOMAIN, ML_OPSET, ModelProto, OPSET, RELATIVE_BOUND,
    WINDOW_INPUT, run_tract,
};
use atb_gpu::pipeline::{
    ExportReport, ExportRequest, TrainRequest, export_version, load_saved_model, train_lightgbm,
    train_neural, version_test_windows,
};
use atb_gpu::{ComputeDevice, DeviceChoice, Tensor};
use prost::Message;

fn train_request(dir: &Path, model_type: &str, sets: &[&str], days: usize) -> TrainRequest {
    TrainRequest {
        symbol: "BTCUSDT".to_string(),
        model_type: model_type.to_string(),
        variant: "lightweight".to_string(),
        days: Some(days),
        epochs: 1,
        batch_size: 32,
        sequence_length: 12,
        learning_rate: None,
        patience: 5,
        seed: 11,
        max_gap_bars: atb_gpu::data::DEFAULT_MAX_GAP_BARS,
        checkpoint: None,
        device: DeviceRequest {
            device: DeviceChoice::Cpu,
            backend: None,
            allow_software: false,
        },
        data: None,
        models_dir: dir.join("models"),
        overrides: sets.iter().map(|s| s.to_string()).collect(),
    }
}

fn export_request(dir: &Path, version: &str) -> ExportRequest {
    ExportRequest {
        models_dir: dir.join("models"),
        symbol: "BTCUSDT".to_string(),
        version: version.to_string(),
        out: Some(dir.join("model.onnx")),
        data: None,
        check_out: Some(dir.join("check.json")),
    }
}

/// The written file, decoded.
fn decode(path: &Path) -> ModelProto {
    ModelProto::decode(std::fs::read(path).unwrap().as_slice()).unwrap()
}

/// Asserts what every export shares: agreement within the bound, the file's signature and
/// operator sets, and a check bundle of the same samples.
fn assert_exported(report: &ExportReport, model_type: &str, input: &str, dims: &[i64]) {
    assert_eq!(report.model_type, model_type);
    let a = report.agreement;
    assert!(a.samples > 10, "{model_type}: {} samples", a.samples);
    assert!(
        a.max_rel <= RELATIVE_BOUND && a.max_abs.is_finite(),
        "{model_type}: {a:?}"
    );
    let model = decode(&report.path);
    assert!(!model.graph.as_ref().unwrap().node.is_empty());
    let graph = model.graph.unwrap();
    assert_eq!(graph.input.len(), 1);
    assert_eq!(graph.input[0].name, input);
    assert_eq!(graph.output[0].name, FORECAST_OUTPUT);
    let shape = graph.input[0]
        .r#type
        .as_ref()
        .and_then(|t| t.tensor_type.as_ref())
        .and_then(|t| t.shape.as_ref())
        .unwrap();
    let fixed: Vec<i64> = shape.dim[1..]
        .iter()
        .map(|d| match d.value {
            Some(atb_gpu::export::proto::DimensionValue::DimValue(v)) => v,
            _ => -1,
        })
        .collect();
    assert_eq!(fixed, dims, "{model_type}: input dims after the batch");
    assert!(
        model
            .opset_import
            .iter()
            .any(|o| o.domain.is_empty() && o.version == OPSET)
    );
    let check: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(report.path.with_file_name("check.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(check["input"], input);
    assert_eq!(check["expected"].as_array().unwrap().len(), a.samples);
}

/// Trains `model_type`, exports its version, and checks the export; returns the temp dir.
fn trained_and_exported(model_type: &str, sets: &[&str]) -> (tempfile::TempDir, ExportReport) {
    let dir = tempfile::tempdir().unwrap();
    let request = train_request(dir.path(), model_type, sets, 30);
    train_neural(&request, |_, _| {}).unwrap();
    let report = export_version(&export_request(dir.path(), "latest")).unwrap();
    assert_exported(&report, model_type, WINDOW_INPUT, &[12, 15]);
    (dir, report)
}

/// tract's outputs on every test window (not only the checked tail) against ours, and the
/// forecasts vary: a constant graph could not pass.
fn assert_tract_matches_every_test_window(dir: &Path, onnx: &Path) {
    let saved = load_saved_model(
        &dir.join("models"),
        "BTCUSDT",
        "latest",
        &ComputeDevice::Cpu,
    )
    .unwrap();
    let test = version_test_windows(&saved, None).unwrap();
    let x: Vec<f32> = test.x.iter().copied().collect();
    let ours = saved
        .predict_scaled(&Tensor::from_vec(test.x.shape(), x.clone()).unwrap())
        .unwrap();
    let theirs = run_tract(&std::fs::read(onnx).unwrap(), &x, test.x.shape()).unwrap();
    let scale = ours.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    let spread =
        ours.iter().fold(f32::MIN, |m, &v| m.max(v)) - ours.iter().fold(f32::MAX, |m, &v| m.min(v));
    assert!(spread > 1e-4 * scale, "the forecasts do not vary");
    for (i, (a, b)) in ours.iter().zip(&theirs).enumerate() {
        assert!(
            (a - b).abs() <= 1e-4 * scale,
            "window {i}: ours {a}, tract {b}"
        );
    }
}

#[test]
fn tcn_exports_and_tract_agrees() {
    let (dir, report) = trained_and_exported(
        "tcn",
        &[
            "num_filters=8",
            "num_layers=3",
            "kernel_size=3",
            "dense_units=8",
        ],
    );
    assert_tract_matches_every_test_window(dir.path(), &report.path);
}

#[test]
fn cnn_lstm_exports_and_tract_agrees() {
    let (dir, report) = trained_and_exported(
        "cnn_lstm",
        &["conv_filters=8,6", "lstm_units=8,6", "dense_units=8"],
    );
    assert_tract_matches_every_test_window(dir.path(), &report.path);
}

#[test]
fn attention_lstm_exports_and_tract_agrees() {
    let (dir, report) = trained_and_exported(
        "attention_lstm",
        &[
            "lstm_units=8",
            "num_attention_heads=2",
            "attention_key_dim=4",
            "dense_units=8",
        ],
    );
    assert_tract_matches_every_test_window(dir.path(), &report.path);
}

#[test]
fn tcn_attention_exports_and_tract_agrees() {
    let (dir, report) = trained_and_exported(
        "tcn_attention",
        &[
            "num_filters=8",
            "num_layers=2",
            "kernel_size=3",
            "num_attention_heads=2",
            "attention_key_dim=4",
            "dense_units=8",
        ],
    );
    assert_tract_matches_every_test_window(dir.path(), &report.path);
}

/// The embedded candles' last 40 days with an extra `sentiment` column, as a CSV file.
fn csv_with_sentiment(path: &Path) {
    let candles = embedded_candles().unwrap();
    let start = candles.len() - 40 * 24;
    let mut text = String::from("date,open,high,low,close,volume,sentiment\n");
    for i in start..candles.len() {
        let _ = writeln!(
            text,
            "{},{},{},{},{},{},{}",
            format_timestamp(candles.time_ms[i]),
            candles.open[i],
            candles.high[i],
            candles.low[i],
            candles.close[i],
            candles.volume[i],
            ((i as f64) * 0.37).sin()
        );
    }
    std::fs::write(path, text).unwrap();
}

#[test]
fn cnn_lstm_with_its_sentiment_branch_exports_and_tract_agrees() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("btc_sentiment.csv");
    csv_with_sentiment(&csv);
    let mut request = train_request(
        dir.path(),
        "cnn_lstm",
        &[
            "conv_filters=6",
            "lstm_units=6",
            "dense_units=8",
            "has_sentiment=true",
        ],
        30,
    );
    request.data = Some(csv.clone());
    train_neural(&request, |_, _| {}).unwrap();
    let report = export_version(&export_request(dir.path(), "latest")).unwrap();
    assert_exported(&report, "cnn_lstm", WINDOW_INPUT, &[12, 16]);
    assert_tract_matches_every_test_window(dir.path(), &report.path);
}

#[test]
fn lightgbm_exports_a_tree_ensemble_that_reproduces_its_predictions() {
    let dir = tempfile::tempdir().unwrap();
    let request = train_request(
        dir.path(),
        "lightgbm",
        &["n_estimators=40", "num_leaves=15", "min_data_in_leaf=5"],
        120,
    );
    train_lightgbm(&request).unwrap();
    let report = export_version(&export_request(dir.path(), "latest")).unwrap();
    let model = decode(&report.path);
    let features = model.graph.as_ref().unwrap().input[0]
        .r#type
        .as_ref()
        .and_then(|t| t.tensor_type.as_ref())
        .and_then(|t| t.shape.as_ref())
        .unwrap()
        .dim
        .len();
    assert_eq!(features, 2, "[batch, features]");
    assert!(
        model
            .opset_import
            .iter()
            .any(|o| o.domain == ML_DOMAIN && o.version == ML_OPSET)
    );
    let graph = model.graph.as_ref().unwrap();
    assert_eq!(graph.node.len(), 1);
    assert_eq!(graph.node[0].op_type, "TreeEnsembleRegressor");
    let columns = std::fs::read_to_string(report.version.path.join("config.json")).unwrap();
    let config: serde_json::Value = serde_json::from_str(&columns).unwrap();
    let width = config["features"].as_array().unwrap().len() as i64;
    assert_exported(&report, "lightgbm", FEATURES_INPUT, &[width]);
    assert!(report.runtime.contains("TreeEnsembleRegressor"));
}

fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_atb-gpu"))
}

#[test]
fn the_command_prints_the_agreement_and_bad_requests_fail_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let request = train_request(
        dir.path(),
        "tcn",
        &[
            "num_filters=4",
            "num_layers=1",
            "kernel_size=2",
            "dense_units=4",
        ],
        20,
    );
    train_neural(&request, |_, _| {}).unwrap();
    let models = dir.path().join("models");
    let out = dir.path().join("tcn.onnx");
    let run = |args: &[&str]| {
        Command::new(binary())
            .args(args)
            .arg("--models-dir")
            .arg(&models)
            .output()
            .unwrap()
    };
    let ok = run(&[
        "export",
        "BTCUSDT",
        "--version",
        "v1",
        "--out",
        out.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&ok.stdout);
    assert!(
        ok.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(
        stdout.contains("(tcn): wrote") && stdout.contains("opset 17"),
        "{stdout}"
    );
    assert!(
        stdout.contains("checked with tract") && stdout.contains("max rel diff"),
        "{stdout}"
    );
    assert!(out.is_file());

    for (args, expected) in [
        (vec!["export", "BTCUSDT", "--version", "v9"], "v9"),
        (vec!["export", "ETHUSDT"], "ETHUSDT"),
        (
            vec!["export", "BTCUSDT", "--data", "/nonexistent/candles.csv"],
            "/nonexistent/candles.csv",
        ),
    ] {
        let failed = run(&args);
        let stderr = String::from_utf8_lossy(&failed.stderr);
        assert!(!failed.status.success(), "{args:?} succeeded");
        assert_eq!(stderr.trim().lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}

#[test]
fn a_version_whose_data_changed_is_refused_naming_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("candles.csv");
    csv_with_sentiment(&csv);
    let mut request = train_request(
        dir.path(),
        "tcn",
        &[
            "num_filters=4",
            "num_layers=1",
            "kernel_size=2",
            "dense_units=4",
        ],
        20,
    );
    request.data = Some(csv.clone());
    train_neural(&request, |_, _| {}).unwrap();
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines.pop();
    std::fs::write(&csv, lines.join("\n")).unwrap();
    let e = export_version(&export_request(dir.path(), "latest"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("--data") && e.contains("fingerprint"), "{e}");
}
