//! `atb-gpu tune` as a user runs it, on a tiny grid with few epochs on 30 days of the embedded
//! data: the files it writes, the version it saves, a bad grid refused before training, and
//! three shards run as separate processes merging into exactly the unsharded result.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use atb_gpu::tune::{Grid, Metric, TuneSettings, TuningRow, TuningSummary};

/// The tiny neural run every test shares: 4 configurations × 2 folds, 2 epochs each.
const TINY: &[&str] = &[
    "BTCUSDT",
    "--model-type",
    "cnn_lstm",
    "--variant",
    "lightweight",
    "--days",
    "30",
    "--sequence-length",
    "12",
    "--epochs",
    "2",
    "--folds",
    "2",
    "--grid",
    "dropout=0.2,0.3",
    "--grid",
    "learning_rate=0.001,0.0005",
    "--device",
    "cpu",
    "--threads",
    "1",
];

fn atb_gpu(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_atb-gpu"));
    cmd.args(args);
    cmd
}

fn run(args: &[&str]) -> (String, String) {
    let out = atb_gpu(args).output().expect("the binary runs");
    check(&out, args)
}

fn check(out: &Output, args: &[&str]) -> (String, String) {
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert!(
        out.status.success(),
        "atb-gpu {args:?} failed\nstdout: {stdout}\nstderr: {stderr}"
    );
    (stdout, stderr)
}

fn tune_args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["tune"];
    args.extend_from_slice(TINY);
    args.extend_from_slice(extra);
    args
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The one version under `models`.
fn only_version(models: &Path) -> std::path::PathBuf {
    let price = models.join("BTCUSDT").join("price");
    let versions: Vec<_> = std::fs::read_dir(&price)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !p.file_name().unwrap().to_str().unwrap().starts_with('.'))
        .collect();
    assert_eq!(versions.len(), 1, "{versions:?}");
    versions[0].clone()
}

#[test]
fn tune_writes_its_files_and_the_chosen_version_loads_and_predicts() {
    let dir = tempfile::tempdir().unwrap();
    let (out, models) = (dir.path().join("out"), dir.path().join("models"));
    let (out_s, models_s) = (out.to_str().unwrap(), models.to_str().unwrap());
    let json_file = dir.path().join("copy.json");
    let (stdout, _) = run(&tune_args(&[
        "--out",
        out_s,
        "--models-dir",
        models_s,
        "--json",
        json_file.to_str().unwrap(),
    ]));
    for needle in [
        "configuration 1/4 (#1 of 4) fold 1/2",
        "configuration 4/4 (#4 of 4) fold 2/2",
        "best so far #",
        "ETA",
        "best (rmse over 2 folds): configuration",
        "DM test",
        "saved: ",
    ] {
        assert!(stdout.contains(needle), "missing {needle:?} in\n{stdout}");
    }
    let csv = std::fs::read_to_string(out.join("tuning.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines.len(),
        1 + 4 * 2,
        "one row per configuration and fold:\n{csv}"
    );
    assert!(lines[0].starts_with("configuration,dropout,learning_rate,fold,"));
    let summary = json(&out.join("tuning.json"));
    assert_eq!(
        summary,
        json(&json_file),
        "--json holds the same tuning.json"
    );
    let best = summary["best"]["configuration"].as_u64().unwrap();
    assert!((1..=4).contains(&best));
    let dm_p = summary["test"]["diebold_mariano"]["p_value"]
        .as_f64()
        .unwrap();
    assert!((0.0..=1.0).contains(&dm_p));

    let version = only_version(&models);
    for file in ["tuning.csv", "tuning.json", "config.json", "metrics.json"] {
        assert!(
            version.join(file).is_file(),
            "{file} missing in {version:?}"
        );
    }
    assert_eq!(
        std::fs::read_to_string(version.join("tuning.csv")).unwrap(),
        csv
    );
    let config = json(&version.join("config.json"));
    let (key, value) = (
        "dropout",
        summary["best"]["parameters"][0][1].as_str().unwrap(),
    );
    assert_eq!(summary["best"]["parameters"][0][0], key);
    assert_eq!(
        config["model"]["dropout"].as_f64().unwrap(),
        value.parse::<f64>().unwrap(),
        "the saved version is the chosen configuration"
    );
    let (stdout, _) = run(&[
        "predict",
        "BTCUSDT",
        "--models-dir",
        models_s,
        "--device",
        "cpu",
    ]);
    assert!(stdout.contains("next-bar forecast"), "{stdout}");
}

#[test]
fn lightgbm_tunes_and_saves_its_version_with_the_test_against_persistence() {
    let dir = tempfile::tempdir().unwrap();
    let models = dir.path().join("models");
    let (stdout, _) = run(&[
        "tune",
        "BTCUSDT",
        "--model-type",
        "lightgbm",
        "--days",
        "60",
        "--folds",
        "2",
        "--grid",
        "num_leaves=7,15",
        "--grid",
        "n_estimators=40",
        "--device",
        "cpu",
        "--models-dir",
        models.to_str().unwrap(),
    ]);
    assert!(stdout.contains("DM test"), "{stdout}");
    let version = only_version(&models);
    for file in ["model.txt", "tuning.csv", "tuning.json", "metrics.json"] {
        assert!(version.join(file).is_file(), "{file} missing");
    }
    let metrics = json(&version.join("metrics.json"));
    assert!(
        metrics["diebold_mariano"]["p_value"].as_f64().is_some(),
        "{metrics}"
    );
    let summary = json(&version.join("tuning.json"));
    assert_eq!(summary["rows"].as_array().unwrap().len(), 2 * 2);
    assert_eq!(
        summary["test"]["diebold_mariano"],
        metrics["diebold_mariano"]
    );
}

#[test]
fn an_invalid_grid_fails_before_any_training_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let models = dir.path().join("models");
    for (grid, needle) in [
        (
            "lstm_unitz=[8]",
            "--grid key 'lstm_unitz' is not a parameter of cnn_lstm",
        ),
        (
            "dropout=0.2,1.5",
            "--grid key 'dropout': invalid value for 'dropout': '1.5'",
        ),
        (
            "num_filters=8",
            "'num_filters' is not a parameter of cnn_lstm",
        ),
    ] {
        let out = atb_gpu(&[
            "tune",
            "BTCUSDT",
            "--days",
            "30",
            "--grid",
            grid,
            "--device",
            "cpu",
            "--models-dir",
            models.to_str().unwrap(),
        ])
        .output()
        .unwrap();
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        assert!(!out.status.success(), "{grid} must fail: {stdout}");
        assert!(stderr.contains(needle), "{grid}: {stderr}");
        assert!(
            !stdout.contains("configuration 1/"),
            "nothing trained: {stdout}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    assert!(!models.exists(), "no version is started");
    let out = atb_gpu(&["tune", "BTCUSDT", "--shard", "1/3"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--shard needs --out DIR"));
}

#[test]
fn three_shards_in_separate_processes_merge_into_the_unsharded_result() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let (whole, shards, models) = (path("whole"), path("shards"), path("models-whole"));
    let whole_args = tune_args(&["--out", &whole, "--models-dir", &models]);
    let mut children = Vec::new();
    let shard_ids = ["1/3", "2/3", "3/3"];
    for shard in shard_ids {
        let args = tune_args(&["--shard", shard, "--out", &shards]);
        let child = atb_gpu(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("a shard starts");
        children.push((child, args));
    }
    run(&whole_args);
    for (child, args) in children {
        check(&child.wait_with_output().unwrap(), &args);
    }
    for k in 1..=3 {
        let part = json(&Path::new(&shards).join(format!("shard-{k}-of-3/tuning.json")));
        assert!(
            part["test"].is_null(),
            "a shard does not touch the test span"
        );
        assert!(!part["rows"].as_array().unwrap().is_empty());
    }
    run(&[
        "tune",
        "merge",
        &shards,
        "--models-dir",
        &path("models-merged"),
        "--device",
        "cpu",
        "--threads",
        "1",
    ]);
    let read = |dir: &str, file: &str| std::fs::read_to_string(Path::new(dir).join(file)).unwrap();
    assert_eq!(read(&shards, "tuning.csv"), read(&whole, "tuning.csv"));
    let (a, b) = (
        json(&Path::new(&whole).join("tuning.json")),
        json(&Path::new(&shards).join("tuning.json")),
    );
    for key in [
        "settings",
        "grid",
        "data_fingerprint",
        "configurations",
        "best",
        "test",
    ] {
        assert_eq!(a[key], b[key], "{key} differs");
    }
    // A missing shard is named.
    std::fs::remove_dir_all(Path::new(&shards).join("shard-2-of-3")).unwrap();
    let out = atb_gpu(&["tune", "merge", &shards]).output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("shard 2 of 3 is missing"), "{stderr}");
}

/// A row of one configuration on one fold with the given errors.
fn row(configuration: usize, dropout: &str, rmse: f64, naive: f64) -> TuningRow {
    TuningRow {
        configuration,
        parameters: vec![("dropout".into(), dropout.into())],
        fold: 1,
        train_samples: 100,
        validation_samples: 20,
        score_samples: 50,
        score_from: String::new(),
        score_to: String::new(),
        rmse,
        mae: rmse * 0.7,
        da_pct: Some(50.0),
        naive_rmse: naive,
        naive_mae: naive * 0.7,
        dm_p_value: Some(0.5),
        rounds: 3,
        best_round: Some(2),
        seconds: 1.0,
    }
}

#[test]
fn the_ranking_shows_differences_at_any_price_scale() {
    let settings = TuneSettings {
        symbol: "DOGEUSDT".into(),
        model_type: "cnn_lstm".into(),
        variant: "default".into(),
        days: None,
        data: None,
        epochs: 1,
        batch_size: 32,
        sequence_length: 60,
        patience: 10,
        seed: 1,
        folds: 1,
        metric: Metric::Rmse,
    };
    let grid = Grid::parse(&["dropout=0.2,0.3"]).unwrap();
    // DOGE at 0.17: errors that differ in the fourth significant digit; BTC at 117,000 alike.
    for (a, b, naive, shown_a, shown_b) in [
        (
            0.001_712_3,
            0.001_709_8,
            0.001_711_0,
            "0.00171230",
            "0.00170980",
        ),
        (412.345, 412.301, 412.5, "412.345", "412.301"),
    ] {
        let summary = TuningSummary::from_rows(
            settings.clone(),
            grid.clone(),
            None,
            String::new(),
            vec![row(1, "0.2", a, naive), row(2, "0.3", b, naive)],
        );
        let text = summary.to_string();
        assert!(text.contains(shown_a) && text.contains(shown_b), "{text}");
        assert_eq!(summary.best.unwrap().configuration, 2, "{text}");
        assert!(text.contains("*    2"), "the best is marked: {text}");
    }
}
