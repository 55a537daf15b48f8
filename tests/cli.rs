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

/// Trains a tiny `model_type` model of BTCUSDT into `models` and returns its version name.
fn train_tiny(models: &str, model_type: &str) -> String {
    let (ok, stdout, stderr) = atb_gpu(
        &[
            "train",
            "model",
            "BTCUSDT",
            "--model-type",
            model_type,
            "--variant",
            "lightweight",
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
        ],
        &[],
    );
    assert!(ok, "{stdout}{stderr}");
    let saved = stdout
        .lines()
        .find_map(|l| l.strip_prefix("saved: "))
        .unwrap_or_else(|| panic!("no saved line in {stdout}"));
    std::path::Path::new(saved)
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

/// The last `bars` bars of the embedded data as a CSV file in `dir`, and those candles with
/// gaps filled (what the models read).
fn recent_candles_csv(dir: &std::path::Path, bars: usize) -> (String, atb_gpu::data::Candles) {
    let all = atb_gpu::data::embedded_candles().unwrap();
    let recent = all.slice(all.len() - bars..all.len());
    let mut csv = String::from("open_time,open,high,low,close,volume\n");
    for i in 0..recent.len() {
        csv.push_str(&format!(
            "{},{},{},{},{},{}\n",
            recent.time_ms[i],
            recent.open[i],
            recent.high[i],
            recent.low[i],
            recent.close[i],
            recent.volume[i]
        ));
    }
    let path = dir.join("recent.csv");
    std::fs::write(&path, csv).unwrap();
    let (filled, _) =
        atb_gpu::data::fill_gaps(&recent, atb_gpu::data::DEFAULT_MAX_GAP_BARS).unwrap();
    (path.to_str().unwrap().to_string(), filled)
}

/// predict (sentence, --json, --all) and profile (--json) on a freshly trained model of
/// `model_type`, checked against the data they read.
fn predict_and_profile_work_for(model_type: &str) {
    let dir = tempfile::tempdir().unwrap();
    let models = dir.path().join("models");
    let models = models.to_str().unwrap();
    let version = train_tiny(models, model_type);
    let (data, candles) = recent_candles_csv(dir.path(), 400);
    let common = ["--models-dir", models, "--data", &data, "--device", "cpu"];
    let run = |extra: &[&str]| {
        let mut args = extra.to_vec();
        args.extend(common);
        let (ok, stdout, stderr) = atb_gpu(&args, &[]);
        assert!(ok, "{args:?}\n{stdout}{stderr}");
        stdout
    };
    let last = candles.len() - 1;
    let last_bar = atb_gpu::data::time::format_timestamp(candles.time_ms[last]);

    let sentence = run(&["predict", "BTCUSDT"]);
    assert!(
        sentence.contains(&format!("{version} ({model_type})"))
            && sentence.contains("next-bar forecast"),
        "{sentence}"
    );

    let json = run(&["predict", "BTCUSDT", "--json"]);
    assert_eq!(json.lines().count(), 1, "one JSON object: {json}");
    let p: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(p["symbol"], "BTCUSDT");
    assert_eq!(p["version"], version.as_str());
    assert_eq!(p["model_type"], model_type);
    assert_eq!(p["last_bar_time"], last_bar.as_str());
    assert_eq!(p["last_close"].as_f64().unwrap(), candles.close[last]);
    let forecast = p["forecast"].as_f64().unwrap();
    let change = p["change_percent"].as_f64().unwrap();
    assert!(forecast.is_finite() && forecast > 0.0, "{p}");
    assert!(
        (change - 100.0 * (forecast / candles.close[last] - 1.0)).abs() < 1e-9,
        "{p}"
    );

    let csv_path = dir.path().join("all.csv");
    let csv_path = csv_path.to_str().unwrap();
    let all = run(&["predict", "BTCUSDT", "--all", "--out", csv_path]);
    let csv = std::fs::read_to_string(csv_path).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("time,close,forecast,change_pct"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    // One window per bar after the features' warm-up bars (and the first full sequence).
    let windows = if model_type == "lightgbm" {
        candles.len() - atb_gpu::data::lgb_features::LGB_WARMUP_BARS
    } else {
        candles.len() - atb_gpu::data::features::WARMUP_BARS - 12 + 1
    };
    assert_eq!(rows.len(), windows, "{all}");
    assert!(all.contains(&format!("wrote {windows} forecasts")), "{all}");
    let first_bar = candles.len() - windows;
    assert_eq!(
        rows[0][0],
        atb_gpu::data::time::format_timestamp(candles.time_ms[first_bar])
    );
    let final_row = &rows[windows - 1];
    assert_eq!(final_row[0], last_bar);
    assert_eq!(
        final_row[2].parse::<f64>().unwrap(),
        forecast,
        "the last window's forecast is predict's"
    );
    for row in &rows {
        assert!(row[2].parse::<f64>().unwrap().is_finite(), "{row:?}");
    }

    let report_path = dir.path().join("profile.json");
    let report_path = report_path.to_str().unwrap();
    let text = run(&["profile", "BTCUSDT", "--runs", "5", "--json", report_path]);
    for expected in [
        "cold start",
        "p99",
        "batch 32",
        "batch 256",
        "peak resident",
        "targets",
    ] {
        assert!(text.contains(expected), "missing {expected:?}:\n{text}");
    }
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(report_path).unwrap()).unwrap();
    assert_eq!(r["model_type"], model_type);
    assert_eq!(r["version"], version.as_str());
    assert_eq!(r["windows"].as_u64().unwrap(), windows as u64);
    let latency = &r["latency"];
    let (p50, p95, p99) = (
        latency["p50_ms"].as_f64().unwrap(),
        latency["p95_ms"].as_f64().unwrap(),
        latency["p99_ms"].as_f64().unwrap(),
    );
    assert!(0.0 < p50 && p50 <= p95 && p95 <= p99, "{latency}");
    assert_eq!(latency["runs"], 5);
    let cold = &r["cold_start"];
    let parts: f64 = [
        "open_device_ms",
        "load_model_ms",
        "prepare_data_ms",
        "first_forecast_ms",
    ]
    .iter()
    .map(|k| cold[k].as_f64().unwrap())
    .sum();
    assert!(cold["total_ms"].as_f64().unwrap() >= parts, "{cold}");
    let throughput = r["throughput"].as_array().unwrap();
    let batches: Vec<u64> = throughput
        .iter()
        .map(|t| t["batch"].as_u64().unwrap())
        .collect();
    assert_eq!(batches, [32, 256]);
    assert!(
        throughput
            .iter()
            .all(|t| t["windows_per_s"].as_f64().unwrap() > 0.0)
    );
    let model_file = r["model_file"].as_str().unwrap();
    assert_eq!(
        r["model_file_bytes"].as_u64().unwrap(),
        std::fs::metadata(model_file).unwrap().len()
    );
    assert!(r["gpu_buffer_bytes"].is_null(), "CPU backend");
    if std::path::Path::new("/proc/self/status").exists() {
        assert!(r["peak_resident_bytes"].as_u64().unwrap() > 0);
    }
    let targets = r["targets"].as_array().unwrap();
    assert_eq!(targets.len(), 3);
    for t in targets {
        let value = t["value"].as_f64().unwrap();
        assert_eq!(t["pass"], value < t["limit"].as_f64().unwrap(), "{t}");
        let line = if t["pass"] == true { "PASS" } else { "FAIL" };
        assert!(
            text.contains(&format!("{line}  {}", t["name"].as_str().unwrap())),
            "{text}"
        );
    }
}

#[test]
fn predict_and_profile_work_for_cnn_lstm() {
    predict_and_profile_work_for("cnn_lstm");
}

#[test]
fn predict_and_profile_work_for_attention_lstm() {
    predict_and_profile_work_for("attention_lstm");
}

#[test]
fn predict_and_profile_work_for_tcn() {
    predict_and_profile_work_for("tcn");
}

#[test]
fn predict_and_profile_work_for_tcn_attention() {
    predict_and_profile_work_for("tcn_attention");
}

#[test]
fn predict_and_profile_work_for_lightgbm() {
    predict_and_profile_work_for("lightgbm");
}

/// Runs `args` expecting failure; returns its one-line error.
fn one_line_error(args: &[&str]) -> String {
    let (ok, stdout, stderr) = atb_gpu(args, &[]);
    assert!(!ok, "{args:?} must fail: {stdout}");
    assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
    assert!(
        stderr.starts_with("error: ") && !stderr.contains("panicked"),
        "{stderr}"
    );
    stderr
}

#[test]
fn incomplete_versions_bad_names_and_broken_files_are_one_line_errors() {
    let dir = tempfile::tempdir().unwrap();
    let models = dir.path().join("models");
    let models = models.to_str().unwrap();
    let boosting = train_tiny(models, "lightgbm");
    let neural = train_tiny(models, "tcn");
    let price = dir.path().join("models/BTCUSDT/price");
    let latest = |command: &str| {
        let (ok, stdout, stderr) = atb_gpu(
            &[
                command,
                "BTCUSDT",
                "--json",
                "--models-dir",
                models,
                "--device",
                "cpu",
            ],
            &[],
        );
        assert!(ok, "{stdout}{stderr}");
        serde_json::from_str::<serde_json::Value>(&stdout).unwrap()["version"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(latest("predict"), neural);
    // A newest version missing a file is not `latest`, and is named by `models list`.
    std::fs::remove_file(price.join(&neural).join("scaler.json")).unwrap();
    assert_eq!(latest("predict"), boosting);
    let (ok, stdout, stderr) = atb_gpu(&["models", "list", "--models-dir", models], &[]);
    assert!(
        ok && stdout.contains(&boosting) && !stdout.contains(&neural),
        "{stdout}"
    );
    assert!(
        stderr.contains(&neural) && stderr.contains("scaler.json is missing"),
        "{stderr}"
    );

    let predict = |version: &str| {
        one_line_error(&[
            "predict",
            "BTCUSDT",
            "--version",
            version,
            "--models-dir",
            models,
            "--device",
            "cpu",
        ])
    };
    let profile = |version: &str| {
        one_line_error(&[
            "profile",
            "BTCUSDT",
            "--version",
            version,
            "--models-dir",
            models,
            "--device",
            "cpu",
        ])
    };
    for bad in ["v9", "../../etc", "2020-01-01_00h_v1", ""] {
        for err in [predict(bad), profile(bad)] {
            assert!(
                err.contains("has no version") && err.contains(&boosting),
                "{err}"
            );
        }
    }
    for err in [predict(&neural), profile("v2")] {
        assert!(
            err.contains("incomplete") && err.contains("scaler.json is missing"),
            "{err}"
        );
    }
    let err = one_line_error(&[
        "predict",
        "BTCUSDT",
        "--models-dir",
        models,
        "--device",
        "cpu",
        "--data",
        "/nonexistent/candles.csv",
    ]);
    assert!(err.contains("/nonexistent/candles.csv"), "{err}");
    // Infinite leaves make every forecast non-finite: an error, not a number.
    let model_txt = price.join(&boosting).join("model.txt");
    let text = std::fs::read_to_string(&model_txt).unwrap();
    let leaves = text.lines().find(|l| l.starts_with("leaf_value=")).unwrap();
    let infinite = vec!["inf"; leaves.split(' ').count()].join(" ");
    std::fs::write(
        &model_txt,
        text.replacen(leaves, &format!("leaf_value={infinite}"), 1),
    )
    .unwrap();
    let err = predict("v1");
    assert!(
        err.contains("forecast after the bar of") && err.contains("inf"),
        "{err}"
    );
    // A damaged model file names the file and line.
    std::fs::write(&model_txt, text.replacen("leaf_value=", "leaf_value=x", 1)).unwrap();
    let err = predict("v1");
    assert!(
        err.contains("model.txt line") && err.contains("leaf_value"),
        "{err}"
    );
    // --all needs --out (a usage error from the argument parser).
    let (ok, _, stderr) = atb_gpu(&["predict", "BTCUSDT", "--all"], &[]);
    assert!(!ok && stderr.contains("--out"), "{stderr}");
}
