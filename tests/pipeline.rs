//! The neural job end to end on the CPU backend with a small model: a saved version holds
//! every file, loads back and predicts bit-identically; bad requests fail clearly.

use std::path::Path;

use atb_gpu::device::DeviceRequest;
use atb_gpu::pipeline::{TrainRequest, fit_neural, load_saved_model, save_neural, train_neural};
use atb_gpu::registry::Registry;
use atb_gpu::{ComputeDevice, DeviceChoice, Tensor};

#[path = "pipeline/loading_checks.rs"]
mod loading_checks;

fn request(models_dir: &Path, model_type: &str, sets: &[&str]) -> TrainRequest {
    TrainRequest {
        symbol: "BTCUSDT".to_string(),
        model_type: model_type.to_string(),
        variant: "lightweight".to_string(),
        days: Some(20),
        epochs: 2,
        batch_size: 16,
        sequence_length: 12,
        learning_rate: None,
        patience: 5,
        seed: 3,
        device: DeviceRequest {
            device: DeviceChoice::Cpu,
            backend: None,
            allow_software: false,
        },
        data: None,
        max_gap_bars: atb_gpu::data::DEFAULT_MAX_GAP_BARS,
        checkpoint: None,
        models_dir: models_dir.to_path_buf(),
        overrides: sets.iter().map(|s| s.to_string()).collect(),
    }
}

#[test]
fn a_saved_version_is_complete_and_predicts_bit_identically() {
    let dir = tempfile::tempdir().unwrap();
    let req = request(
        dir.path(),
        "tcn",
        &["num_filters=8", "num_layers=2", "dense_units=8"],
    );
    let trained = fit_neural(&req, |_, _| {}).unwrap();
    let version = save_neural(&req, &trained).unwrap();
    for file in [
        "model.safetensors",
        "config.json",
        "scaler.json",
        "metrics.json",
        "history.csv",
        "history.png",
    ] {
        assert!(version.path.join(file).is_file(), "{file} is missing");
    }
    let saved = load_saved_model(dir.path(), "BTCUSDT", "latest", &ComputeDevice::Cpu).unwrap();
    assert_eq!(saved.version, version);
    let test = &trained.data.test;
    let x = Tensor::from_vec(test.x.shape(), test.x.iter().copied().collect()).unwrap();
    let restored = saved.predict_scaled(&x).unwrap();
    let in_memory = atb_gpu::train::predict(
        &trained.model.network,
        &trained.model.params,
        &trained.test_set,
    )
    .unwrap();
    assert_eq!(
        restored, in_memory,
        "bit-identical predictions after a save/load round trip"
    );
    let metrics: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(version.path.join("metrics.json")).unwrap())
            .unwrap();
    assert!(metrics["naive"]["rmse"].as_f64().unwrap() > 0.0);
    let dm = &metrics["diebold_mariano"];
    let p_value = dm["p_value"]
        .as_f64()
        .expect("metrics.json holds the DM p-value");
    assert!((0.0..=1.0).contains(&p_value), "{dm}");
    assert!(dm["statistic"].as_f64().unwrap().is_finite(), "{dm}");
    let forecast = saved
        .forecast_next(
            &atb_gpu::data::embedded_candles().unwrap(),
            atb_gpu::data::DEFAULT_MAX_GAP_BARS,
        )
        .unwrap();
    assert!(forecast.next_close.is_finite() && forecast.last_close > 0.0);
}

#[test]
fn every_architecture_runs_through_the_pipeline() {
    let dir = tempfile::tempdir().unwrap();
    for (model_type, sets) in [
        (
            "cnn_lstm",
            &["conv_filters=[4]", "lstm_units=[4]", "dense_units=4"][..],
        ),
        (
            "attention_lstm",
            &[
                "lstm_units=[4, 4]",
                "attention_key_dim=2",
                "num_attention_heads=2",
                "dense_units=4",
            ][..],
        ),
        (
            "tcn_attention",
            &[
                "num_filters=4",
                "num_layers=2",
                "attention_key_dim=2",
                "dense_units=4",
            ][..],
        ),
    ] {
        let outcome = train_neural(&request(dir.path(), model_type, sets), |_, _| {}).unwrap();
        assert!(outcome.comparison.naive.rmse > 0.0, "{model_type}");
    }
    let versions = Registry::open(dir.path())
        .unwrap()
        .list(Some("BTCUSDT"))
        .unwrap();
    assert_eq!(
        versions.iter().map(|v| v.number).collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
}

#[test]
fn bad_requests_fail_before_training() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(TrainRequest, &str); 4] = [
        (
            request(dir.path(), "transformer", &[]),
            "unknown model_type 'transformer'",
        ),
        (
            request(dir.path(), "tcn", &["colour=blue"]),
            "unknown parameter 'colour'",
        ),
        (
            TrainRequest {
                days: Some(100_000),
                ..request(dir.path(), "tcn", &[])
            },
            "--days 100000",
        ),
        (
            TrainRequest {
                symbol: "ETHUSDT".to_string(),
                ..request(dir.path(), "tcn", &[])
            },
            "--data",
        ),
    ];
    for (req, expected) in cases {
        let err = train_neural(&req, |_, _| {})
            .expect_err("must fail")
            .to_string();
        assert!(err.contains(expected), "{err} (expected {expected})");
    }
    assert!(
        Registry::open(dir.path())
            .unwrap()
            .list(None)
            .unwrap()
            .is_empty(),
        "nothing half-written"
    );
}

#[test]
fn a_diverging_model_fails_the_benchmark_instead_of_scoring_nan() {
    let dir = tempfile::tempdir().unwrap();
    let base = TrainRequest {
        learning_rate: Some(1e30),
        ..request(dir.path(), "", &[])
    };
    let err = atb_gpu::pipeline::benchmark(&base, &["tcn".to_string()], |_| {})
        .expect_err("NaN losses")
        .to_string();
    assert!(
        err.starts_with("not a finite number: epoch 1 of 2: training loss NaN"),
        "{err}"
    );
}

#[test]
fn attention_maps_of_saved_models() {
    let dir = tempfile::tempdir().unwrap();
    let sets = [
        "lstm_units=[4, 4]",
        "attention_key_dim=2",
        "num_attention_heads=2",
        "dense_units=4",
    ];
    train_neural(&request(dir.path(), "attention_lstm", &sets), |_, _| {}).unwrap();
    let saved = load_saved_model(dir.path(), "BTCUSDT", "latest", &ComputeDevice::Cpu).unwrap();
    let candles = atb_gpu::data::embedded_candles().unwrap();
    let map =
        atb_gpu::pipeline::attention_map(&saved, &candles, atb_gpu::data::DEFAULT_MAX_GAP_BARS)
            .unwrap();
    assert_eq!(map.weights.shape(), &[12, 12]);
    assert_eq!(map.heads, 2);
    for row in map.weights.rows() {
        assert!(
            (row.sum() - 1.0).abs() < 1e-5,
            "rows are attention distributions"
        );
    }
    let top = map.strongest_for_last_step(3);
    assert_eq!(top.len(), 3);
    assert!(top[0].1 >= top[1].1 && top[0].0 < 12);
    let png = dir.path().join("attention.png");
    atb_gpu::pipeline::attention_png(&map, &png).unwrap();
    assert!(std::fs::metadata(&png).unwrap().len() > 1000);
    train_neural(
        &request(dir.path(), "tcn", &["num_filters=4", "num_layers=1"]),
        |_, _| {},
    )
    .unwrap();
    let tcn = load_saved_model(dir.path(), "BTCUSDT", "latest", &ComputeDevice::Cpu).unwrap();
    let err = atb_gpu::pipeline::attention_map(&tcn, &candles, atb_gpu::data::DEFAULT_MAX_GAP_BARS)
        .unwrap_err()
        .to_string();
    assert!(err.contains("no attention layer"), "{err}");
}
