//! The boosting job end to end on the CPU: a complete version whose model.txt, importance and
//! prediction files agree with each other and which loads back to predict exactly as trained;
//! bad parameters fail before anything is written.

use std::path::Path;

use atb_gpu::device::DeviceRequest;
use atb_gpu::pipeline::{
    SavedForecaster, TrainRequest, fit_lightgbm, load_forecaster, save_lightgbm, train_lightgbm,
};
use atb_gpu::registry::Registry;
use atb_gpu::{ComputeDevice, DeviceChoice};

fn request(models_dir: &Path, sets: &[&str]) -> TrainRequest {
    TrainRequest {
        symbol: "BTCUSDT".to_string(),
        model_type: "lightgbm".to_string(),
        variant: "default".to_string(),
        days: Some(60),
        epochs: 1,
        batch_size: 32,
        sequence_length: 60,
        learning_rate: None,
        patience: 10,
        seed: 7,
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
fn a_boosting_version_is_complete_and_self_consistent() {
    let dir = tempfile::tempdir().unwrap();
    let req = request(
        dir.path(),
        &["n_estimators=60", "learning_rate=0.1", "num_leaves=15"],
    );
    let trained = fit_lightgbm(&req).unwrap();
    let version = save_lightgbm(&req, &trained).unwrap();
    for file in [
        "model.txt",
        "importance.csv",
        "importance.png",
        "test_predictions.csv",
        "train.csv",
        "validation.csv",
        "config.json",
        "metrics.json",
    ] {
        assert!(version.path.join(file).is_file(), "{file} missing");
    }
    let model_txt = std::fs::read_to_string(version.path.join("model.txt")).unwrap();
    let names_line = model_txt
        .lines()
        .find(|l| l.starts_with("feature_names="))
        .unwrap();
    let names: Vec<&str> = names_line["feature_names=".len()..].split(' ').collect();
    let csv = std::fs::read_to_string(version.path.join("test_predictions.csv")).unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    assert_eq!(&header[..names.len()], names.as_slice());
    assert_eq!(&header[names.len()..], &["prediction", "label"]);
    let from_csv: Vec<f64> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(names.len()).unwrap().parse().unwrap())
        .collect();
    assert_eq!(
        from_csv, trained.test_predictions,
        "the CSV holds our exact predictions"
    );
    let importance = std::fs::read_to_string(version.path.join("importance.csv")).unwrap();
    assert_eq!(importance.lines().count(), names.len() + 1);
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
    assert!(metrics["trees"].as_u64().unwrap() >= 1);

    // Loaded back from model.txt, the trees predict the test rows exactly as trained.
    let loaded = load_forecaster(dir.path(), "BTCUSDT", "latest", &ComputeDevice::Cpu).unwrap();
    assert_eq!(loaded.model_type(), "lightgbm");
    assert_eq!(loaded.version(), &version);
    let SavedForecaster::Boosting(booster) = &loaded else {
        panic!("a boosting version loads as boosting");
    };
    let test = &trained.splits[2];
    let again = atb_gpu::gbdt::predict(&booster.model, &test.x, &ComputeDevice::Cpu).unwrap();
    assert_eq!(again, trained.test_predictions);
    assert_eq!(booster.model.trees().len(), trained.model.trees().len());
}

#[test]
fn bad_boosting_requests_fail_before_writing() {
    let dir = tempfile::tempdir().unwrap();
    for (sets, days, expected) in [
        (&["max_leaves=3"][..], 60, "unknown parameter 'max_leaves'"),
        (&["feature_fraction=-1"][..], 60, "'feature_fraction'"),
        (&[][..], 100_000, "--days 100000"),
    ] {
        let req = TrainRequest {
            days: Some(days),
            ..request(dir.path(), sets)
        };
        let err = train_lightgbm(&req).expect_err("must fail").to_string();
        assert!(err.contains(expected), "{err}");
    }
    assert!(
        Registry::open(dir.path())
            .unwrap()
            .list(None)
            .unwrap()
            .is_empty()
    );
}
