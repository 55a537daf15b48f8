//! Small inputs the reliability cases share: synthetic candle files and a tiny trained model.

use std::path::{Path, PathBuf};

use super::atb_gpu;

/// The symbol the fixtures train and predict.
pub const SYMBOL: &str = "TESTUSDT";

/// `bars` hourly candles from 2024-01-01 00:00 UTC (a smooth wave with noise-free volume),
/// as CSV text with a header; `rows_after` are appended verbatim.
pub fn candles_csv(bars: usize, rows_after: &[&str]) -> String {
    let mut text = String::from("date,open,high,low,close,volume\n");
    let start = 1_704_067_200_000_i64; // 2024-01-01 00:00:00 UTC
    for i in 0..bars {
        let close = 100.0 + 5.0 * (i as f64 / 7.0).sin() + 0.01 * i as f64;
        let open = close - 0.3 * (i as f64 / 3.0).cos();
        let (high, low) = (open.max(close) + 0.5, open.min(close) - 0.5);
        text.push_str(&format!(
            "{},{open:.4},{high:.4},{low:.4},{close:.4},{}\n",
            start + i as i64 * 3_600_000,
            100 + i % 17
        ));
    }
    for row in rows_after {
        text.push_str(row);
        text.push('\n');
    }
    text
}

/// Writes `text` to `dir/name` and returns the path.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write fixture");
    path
}

/// Flags of a tiny, fast tcn run on the CPU.
pub const TINY_TCN: [&str; 12] = [
    "--model-type",
    "tcn",
    "--sequence-length",
    "12",
    "--device",
    "cpu",
    "--set",
    "num_filters=4",
    "--set",
    "num_layers=1",
    "--set",
    "dense_units=4",
];

/// Trains a tiny tcn for [`SYMBOL`] on `data` into `models` (one epoch) and returns the
/// version folder.
pub fn train_tiny(models: &Path, data: &Path) -> PathBuf {
    let mut args = vec![
        "train",
        "model",
        SYMBOL,
        "--epochs",
        "1",
        "--data",
        data.to_str().unwrap(),
        "--models-dir",
        models.to_str().unwrap(),
    ];
    args.extend(TINY_TCN);
    let (ok, stdout, stderr) = atb_gpu(&args, &[]);
    assert!(ok, "tiny training failed:\n{stdout}\n{stderr}");
    saved_version(models).expect("a saved version")
}

/// The first folder under `models` holding a `model.safetensors` (a saved neural version).
pub fn saved_version(models: &Path) -> Option<PathBuf> {
    let entries = std::fs::read_dir(models).ok()?;
    for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
        if path.join("model.safetensors").exists() {
            return Some(path);
        }
        if path.is_dir()
            && let Some(found) = saved_version(&path)
        {
            return Some(found);
        }
    }
    None
}

/// Asserts a failed run: non-zero exit, one `error:` line on stderr containing every piece
/// of `expected`, no panic.
pub fn assert_one_line_error(result: &(bool, String, String), expected: &[&str]) {
    let (ok, stdout, stderr) = result;
    assert!(
        !ok,
        "must exit non-zero; stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "one error line expected:\n{stderr}");
    for piece in expected {
        assert!(errors[0].contains(piece), "missing {piece:?} in:\n{stderr}");
    }
}
