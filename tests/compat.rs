//! Saved-format compatibility: registry versions written by atb-gpu v0.1.0 (flat model config,
//! tests/fixtures/v0_1_0) load with today's code and predict what v0.1.0 computed, to f32
//! rounding; today's per-architecture config.json round-trips and rejects unknown fields.
//!
//! v0.1.0 ran the readable CPU references; today's CPU backend runs the fast path
//! (`src/cpu/fast`), whose GEMMs and polynomial `tanh` sum and round in another order. The same
//! weights then give predictions a few ulps apart, so the check is a relative bound of 1e-5: a
//! wrongly loaded tensor, a transposed weight or a changed default moves them by far more.

use std::path::{Path, PathBuf};

use atb_gpu::device::DeviceRequest;
use atb_gpu::models::{ModelConfig, ModelType, Overrides, Variant};
use atb_gpu::pipeline::{SavedConfig, TrainRequest, load_saved_model, train_neural};
use atb_gpu::{ComputeDevice, DeviceChoice, Tensor};
use serde_json::Value;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/v0_1_0")
}

fn expected() -> Vec<Value> {
    let text = std::fs::read_to_string(fixture().join("expected.json")).unwrap();
    serde_json::from_str::<Value>(&text)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

/// The fixture's input (its README): x[i, s, j] = 1.5 · sin(0.37 i + 0.11 s + 0.7 j), computed
/// in f64 and cast to f32, for 8 windows of [t, f].
fn fixture_input(t: usize, f: usize) -> Tensor {
    let n = 8;
    let mut x = Vec::with_capacity(n * t * f);
    for i in 0..n {
        for s in 0..t {
            for j in 0..f {
                x.push((1.5 * (0.37 * i as f64 + 0.11 * s as f64 + 0.7 * j as f64).sin()) as f32);
            }
        }
    }
    Tensor::from_vec(&[n, t, f], x).unwrap()
}

fn hex_u64(v: &Value) -> u64 {
    u64::from_str_radix(v.as_str().unwrap(), 16).unwrap()
}

/// Relative agreement for values recorded by v0.1.0 (floored at 1e-2 for values near zero:
/// the scaled predictions are of order 0.01–0.1).
fn assert_close(got: f64, recorded: f64, what: &str) {
    let bound = 1e-5 * recorded.abs().max(1e-2);
    assert!(
        (got - recorded).abs() <= bound,
        "{what}: {got} vs v0.1.0's {recorded} (bound {bound:e})"
    );
}

#[test]
fn v0_1_0_versions_load_and_predict_as_v0_1_0_did() {
    let models = fixture().join("models");
    let candles = atb_gpu::data::embedded_candles().unwrap();
    let cases = expected();
    assert_eq!(cases.len(), 4, "one version per architecture");
    for (number, case) in cases.iter().enumerate() {
        let version = format!("v{}", number + 1);
        let saved = load_saved_model(&models, "BTCUSDT", &version, &ComputeDevice::Cpu).unwrap();
        assert_eq!(saved.config.atb_gpu_version, "0.1.0");
        assert_eq!(
            saved.config.model.model_type().name(),
            case["model_type"].as_str().unwrap()
        );
        let shape = &case["input_shape"];
        let (t, f) = (
            shape[0].as_u64().unwrap() as usize,
            shape[1].as_u64().unwrap() as usize,
        );
        assert_eq!(
            (saved.config.sequence_length, saved.config.model.features()),
            (t, f)
        );
        let predictions = saved.predict_scaled(&fixture_input(t, f)).unwrap();
        let recorded: Vec<f32> = case["prediction_bits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| f32::from_bits(u32::from_str_radix(b.as_str().unwrap(), 16).unwrap()))
            .collect();
        assert_eq!(
            predictions.len(),
            recorded.len(),
            "{version} prediction count"
        );
        for (i, (&p, &r)) in predictions.iter().zip(&recorded).enumerate() {
            assert_close(p as f64, r as f64, &format!("{version} prediction {i}"));
        }
        let forecast = saved
            .forecast_next(&candles, atb_gpu::data::DEFAULT_MAX_GAP_BARS)
            .unwrap();
        assert_eq!(
            forecast.last_bar,
            case["forecast_last_bar"].as_str().unwrap()
        );
        assert_eq!(
            forecast.last_close.to_bits(),
            hex_u64(&case["forecast_last_close_bits"]),
            "{version} last close"
        );
        assert_close(
            forecast.next_close,
            f64::from_bits(hex_u64(&case["forecast_next_close_bits"])),
            &format!("{version} forecast"),
        );
    }
}

/// The fields of each type's model config, besides `model_type`, `variant` and `features`.
fn own_fields(model_type: ModelType) -> &'static [&'static str] {
    match model_type {
        ModelType::CnnLstm => &[
            "conv_filters",
            "kernel_size",
            "lstm_units",
            "dense_units",
            "dropout",
            "has_sentiment",
            "sentiment_features",
        ],
        ModelType::AttentionLstm => &[
            "lstm_units",
            "num_attention_heads",
            "attention_key_dim",
            "dense_units",
            "dropout",
        ],
        ModelType::Tcn => &[
            "num_filters",
            "kernel_size",
            "num_layers",
            "dense_units",
            "dropout",
        ],
        ModelType::TcnAttention => &[
            "num_filters",
            "kernel_size",
            "num_layers",
            "num_attention_heads",
            "attention_key_dim",
            "dense_units",
            "dropout",
        ],
    }
}

#[test]
fn todays_config_json_of_each_type_round_trips_with_only_its_fields() {
    let models = fixture().join("models");
    for version in ["v1", "v2", "v3", "v4"] {
        let legacy = load_saved_model(&models, "BTCUSDT", version, &ComputeDevice::Cpu)
            .unwrap()
            .config;
        let current = SavedConfig {
            atb_gpu_version: "0.2.0".to_string(),
            ..legacy
        };
        let json = serde_json::to_string_pretty(&current).unwrap();
        assert_eq!(SavedConfig::from_json(&json).unwrap(), current, "{version}");
        let value: Value = serde_json::from_str(&json).unwrap();
        let mut keys: Vec<&str> = value["model"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        let model_type = current.model.model_type();
        let mut wanted = vec!["model_type", "variant", "features"];
        wanted.extend(own_fields(model_type));
        wanted.sort_unstable();
        assert_eq!(keys, wanted, "{}", model_type.name());
    }
}

#[test]
fn unknown_model_fields_are_rejected_by_name() {
    let config = ModelConfig::new(
        ModelType::Tcn,
        (60, 15),
        Variant::Lightweight,
        &Overrides::default(),
    )
    .unwrap();
    let mut value = serde_json::to_value(&config).unwrap();
    assert_eq!(
        serde_json::from_value::<ModelConfig>(value.clone()).unwrap(),
        config
    );
    value["lstm_units"] = serde_json::json!([32]);
    let err = serde_json::from_value::<ModelConfig>(value)
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown field `lstm_units`"), "{err}");
}

#[test]
fn a_trained_tcn_saves_only_tcn_fields() {
    let dir = tempfile::tempdir().unwrap();
    let request = TrainRequest {
        symbol: "BTCUSDT".to_string(),
        model_type: "tcn".to_string(),
        variant: "lightweight".to_string(),
        days: Some(20),
        epochs: 1,
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
        models_dir: dir.path().to_path_buf(),
        overrides: vec!["num_filters=4".to_string(), "num_layers=1".to_string()],
    };
    let outcome = train_neural(&request, |_, _| {}).unwrap();
    let json = std::fs::read_to_string(outcome.version.path.join("config.json")).unwrap();
    let value: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["atb_gpu_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(value["sequence_length"], 12);
    let model = value["model"].as_object().unwrap();
    assert_eq!(model["model_type"], "tcn");
    for foreign in ["lstm_units", "conv_filters", "input_shape", "has_sentiment"] {
        assert!(!model.contains_key(foreign), "{foreign} in {json}");
    }
    let saved = SavedConfig::from_json(&json).unwrap();
    assert_eq!(saved.model.features(), saved.features.len());
}
