//! The whole training request is checked before any data is loaded into a model or any epoch
//! runs: oversized settings, the memory estimate, the symbol, the destination, zero counts.
//! Each case fails within seconds even with `--epochs 100`, with one error line, no panic or
//! abort, and nothing written.

use std::path::Path;
use std::time::{Duration, Instant};

use super::atb_gpu;
use super::fixtures::{
    SYMBOL, assert_one_line_error, candles_csv, saved_version, train_tiny, write,
};

/// `train model SYMBOL --epochs 100 --device cpu --data DATA --models-dir MODELS` plus `extra`,
/// which must fail fast with one error line holding every piece of `expected`.
fn refused(dir: &Path, symbol: &str, extra: &[&str], expected: &[&str]) {
    let data = write(dir, "c.csv", &candles_csv(400, &[]));
    let models = dir.join("models");
    let mut args = vec![
        "train",
        "model",
        symbol,
        "--epochs",
        "100",
        "--device",
        "cpu",
        "--data",
        data.to_str().unwrap(),
    ];
    if !extra.contains(&"--models-dir") {
        args.extend(["--models-dir", models.to_str().unwrap()]);
    }
    args.extend(extra);
    let started = Instant::now();
    let result = atb_gpu(&args, &[]);
    let took = started.elapsed();
    assert!(took < Duration::from_secs(10), "{extra:?} took {took:?}");
    assert_one_line_error(&result, expected);
    assert!(!result.1.contains("epoch "), "no epoch ran: {}", result.1);
    assert!(saved_version(&models).is_none(), "nothing saved");
}

#[test]
fn oversized_settings_are_errors_naming_the_setting_not_panics_or_aborts() {
    let dir = tempfile::tempdir().unwrap();
    for (extra, expected) in [
        (
            &["--sequence-length", "18446744073709551615"][..],
            &["--sequence-length 18446744073709551615", "overflow"][..],
        ),
        (
            &["--set", "lstm_units=[18446744073709551615]"],
            &["'lstm_units': 18446744073709551615", "at most 16384 wide"],
        ),
        (
            &["--set", "dense_units=4294967296"],
            &["'dense_units': 4294967296", "at most 16384 wide"],
        ),
        (
            &[
                "--model-type",
                "attention_lstm",
                "--set",
                "attention_key_dim=1000000000000",
            ],
            &["'attention_key_dim': 1000000000000"],
        ),
        (
            &["--set", "conv_filters=[100000]"],
            &["'conv_filters': 100000"],
        ),
        (
            &["--model-type", "tcn", "--set", "num_layers=65"],
            &["'num_layers'=65", "overflows"],
        ),
        (
            &[
                "--model-type",
                "tcn",
                "--set",
                "kernel_size=18446744073709551615",
            ],
            &["'kernel_size'=18446744073709551615", "overflows"],
        ),
    ] {
        refused(dir.path(), SYMBOL, extra, expected);
    }
}

#[test]
fn a_run_that_cannot_fit_in_memory_is_refused_with_its_estimate() {
    let dir = tempfile::tempdir().unwrap();
    let wide = format!("lstm_units=[{}]", vec!["16384"; 32].join(","));
    refused(
        dir.path(),
        SYMBOL,
        &["--set", &wide],
        &[
            "not enough memory",
            "TiB",
            "parameters with gradients and Adam state",
            "'lstm_units'[",
        ],
    );
    refused(
        dir.path(),
        SYMBOL,
        &["--batch-size", "100000000000"],
        &["not enough memory", "activations", "--batch-size"],
    );
    refused(
        dir.path(),
        SYMBOL,
        &[
            "--model-type",
            "attention_lstm",
            "--sequence-length",
            "100000",
        ],
        &[
            "not enough memory",
            "'num_attention_heads'=4 with 'attention_key_dim'=64",
        ],
    );
}

#[test]
fn bad_symbols_destinations_and_counts_are_refused_before_training() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "a-file", "not a folder");
    let below_file = file.join("models");
    for (symbol, extra, expected) in [
        (
            "../../tmp/x",
            &[][..],
            &["invalid symbol \"../../tmp/x\"", "uppercase"][..],
        ),
        (
            "testusdt",
            &[],
            &["invalid symbol", "did you mean TESTUSDT?"],
        ),
        (
            SYMBOL,
            &["--models-dir", file.to_str().unwrap()],
            &["--models-dir", "is not a folder"],
        ),
        (
            SYMBOL,
            &["--models-dir", below_file.to_str().unwrap()],
            &["a-file is not a folder"],
        ),
        (
            SYMBOL,
            &["--models-dir", "/proc/atb-models"],
            &["cannot write in /proc"],
        ),
        (
            SYMBOL,
            &["--batch-size", "0"],
            &["--batch-size must be at least 1, got 0"],
        ),
        (
            SYMBOL,
            &["--batch-size", "5000", "--sequence-length", "12"],
            &["--batch-size 5000 is more than the", "training windows"],
        ),
        (SYMBOL, &["--days", "0"], &["--days must be at least 1"]),
        (
            SYMBOL,
            &["--learning-rate=-1"],
            &["--learning-rate must be a positive number"],
        ),
        (
            SYMBOL,
            &[
                "--model-type",
                "lightgbm",
                "--models-dir",
                file.to_str().unwrap(),
            ],
            &["is not a folder"],
        ),
    ] {
        refused(dir.path(), symbol, extra, expected);
    }
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "not a folder",
        "the file given as --models-dir is untouched"
    );
}

/// (`refused` passes `--epochs 100`, so zero epochs get their own run.)
#[test]
fn zero_epochs_are_refused_before_training() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(dir.path(), "c.csv", &candles_csv(400, &[]));
    let models = dir.path().join("models");
    let result = atb_gpu(
        &[
            "train",
            "model",
            SYMBOL,
            "--epochs",
            "0",
            "--device",
            "cpu",
            "--data",
            data.to_str().unwrap(),
            "--models-dir",
            models.to_str().unwrap(),
        ],
        &[],
    );
    assert_one_line_error(&result, &["--epochs must be at least 1, got 0"]);
    assert!(saved_version(&models).is_none());
}

#[test]
fn exhausted_version_numbers_are_found_before_training() {
    let dir = tempfile::tempdir().unwrap();
    let models = dir.path().join("models");
    let data = write(dir.path(), "c.csv", &candles_csv(400, &[]));
    let version = train_tiny(&models, &data);
    let name = version.file_name().unwrap().to_str().unwrap().to_string();
    let last = name.rsplit_once("_v").unwrap().0.to_string() + "_v4294967295";
    std::fs::rename(&version, version.with_file_name(&last)).unwrap();
    let started = Instant::now();
    let mut args = vec![
        "train",
        "model",
        SYMBOL,
        "--epochs",
        "100",
        "--data",
        data.to_str().unwrap(),
        "--models-dir",
        models.to_str().unwrap(),
    ];
    args.extend(super::fixtures::TINY_TCN);
    let result = atb_gpu(&args, &[]);
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_one_line_error(&result, &["version numbers of TESTUSDT are exhausted"]);
    assert!(!result.1.contains("epoch "), "{}", result.1);
}

#[test]
fn benchmark_checks_its_json_path_and_every_model_before_training() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(dir.path(), "c.csv", &candles_csv(400, &[]));
    for (extra, expected) in [
        (
            &["--json", "/proc/atb/bench.json"][..],
            &["--json /proc/atb/bench.json"][..],
        ),
        (
            &["--json", dir.path().to_str().unwrap()],
            &["is a folder, not a file"],
        ),
        (&["--models", "tcn,gru"], &["unknown model_type 'gru'"]),
        (
            &["--models", "tcn,lightgbm", "--batch-size", "0"],
            &["--batch-size must be at least 1"],
        ),
    ] {
        let mut args = vec![
            "benchmark",
            SYMBOL,
            "--days",
            "10",
            "--epochs",
            "100",
            "--device",
            "cpu",
            "--data",
            data.to_str().unwrap(),
        ];
        args.extend(extra);
        let started = Instant::now();
        let result = atb_gpu(&args, &[]);
        assert!(started.elapsed() < Duration::from_secs(10), "{extra:?}");
        assert_one_line_error(&result, expected);
        assert!(
            !result.1.contains("training "),
            "nothing trained: {}",
            result.1
        );
    }
}
