//! Gap filling is bounded: a far-future or year-0000 row is an error naming both bars, on
//! every command that reads candles, before anything is trained.

use std::time::{Duration, Instant};

use super::atb_gpu;
use super::fixtures::{
    SYMBOL, TINY_TCN, assert_one_line_error, candles_csv, saved_version, train_tiny, write,
};

#[test]
fn train_with_a_far_future_row_fails_fast_naming_both_bars() {
    let dir = tempfile::tempdir().unwrap();
    let models = dir.path().join("models");
    for (name, row) in [
        ("future.csv", "9999-12-31 23:00:00,100,101,99,100,5"),
        ("micros.csv", "253402297200000000,100,101,99,100,5"),
    ] {
        let data = write(dir.path(), name, &candles_csv(400, &[row]));
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
        args.extend(TINY_TCN);
        let started = Instant::now();
        let result = atb_gpu(&args, &[]);
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{name} took long"
        );
        assert_one_line_error(
            &result,
            &[
                &format!("{name}:402"),
                "9999-12-31 23:00:00",
                "2024-01-17 15:00:00 (line 401)",
                "--max-gap-bars",
            ],
        );
        assert!(saved_version(&models).is_none(), "nothing saved");
    }
}

#[test]
fn year_zero_rows_are_a_gap_error_and_max_gap_bars_raises_the_bound() {
    let dir = tempfile::tempdir().unwrap();
    let models = dir.path().join("models");
    let mut text = String::from("date,open,high,low,close,volume\n");
    text.push_str("0000-01-01 00:00:00,100,101,99,100,5\n0000-01-01 01:00:00,100,101,99,100,5\n");
    text.push_str(candles_csv(400, &[]).split_once('\n').unwrap().1);
    let data = write(dir.path(), "zero.csv", &text);
    let base = |extra: &[&'static str]| {
        let mut args = vec![
            "train".to_string(),
            "model".into(),
            SYMBOL.into(),
            "--epochs".into(),
            "1".into(),
            "--data".into(),
            data.display().to_string(),
            "--models-dir".into(),
            models.display().to_string(),
        ];
        args.extend(TINY_TCN.iter().map(|s| s.to_string()));
        args.extend(extra.iter().map(|s| s.to_string()));
        args
    };
    let args = base(&[]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    assert_one_line_error(
        &atb_gpu(&refs, &[]),
        &[
            "zero.csv:4",
            "0000-01-01 01:00:00 (line 3)",
            "at most 24 bars",
        ],
    );

    // A gap of 30 bars: an error by default, filled with --max-gap-bars 30.
    let gappy = candles_csv(400, &[]);
    let mut lines: Vec<&str> = gappy.lines().collect();
    lines.drain(201..231);
    let gappy = write(dir.path(), "gap30.csv", &(lines.join("\n") + "\n"));
    let train = |extra: &[&str]| {
        let mut args = vec![
            "train",
            "model",
            SYMBOL,
            "--epochs",
            "1",
            "--data",
            gappy.to_str().unwrap(),
            "--models-dir",
            models.to_str().unwrap(),
        ];
        args.extend(TINY_TCN);
        args.extend(extra);
        atb_gpu(&args, &[])
    };
    assert_one_line_error(&train(&[]), &["gap30.csv:202", "30 missing 1h bar(s)"]);
    let (ok, stdout, stderr) = train(&["--max-gap-bars", "30"]);
    assert!(ok, "{stdout}\n{stderr}");
    let version = saved_version(&models).expect("saved");
    let config = std::fs::read_to_string(version.join("config.json")).unwrap();
    assert!(config.contains("30 missing bar(s)"), "{config}");
}

#[test]
fn predict_and_explain_with_a_far_future_row_fail_without_inventing_bars() {
    let dir = tempfile::tempdir().unwrap();
    let models = dir.path().join("models");
    let good = write(dir.path(), "good.csv", &candles_csv(400, &[]));
    train_tiny(&models, &good);
    let bad = write(
        dir.path(),
        "future.csv",
        &candles_csv(400, &["9999-12-31 23:00:00,100,101,99,100,5"]),
    );
    for command in ["predict", "explain"] {
        let mut args = vec![
            command,
            SYMBOL,
            "--data",
            bad.to_str().unwrap(),
            "--models-dir",
            models.to_str().unwrap(),
        ];
        if command == "predict" {
            args.extend(["--device", "cpu"]);
        }
        let started = Instant::now();
        let result = atb_gpu(&args, &[]);
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{command} took long"
        );
        assert_one_line_error(&result, &["future.csv:402", "9999-12-31 23:00:00"]);
    }
}
