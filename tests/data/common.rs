//! Helpers shared by the data tests: temp CSV files, synthetic candles, the shared data sets.

use std::path::PathBuf;

use atb_gpu::Result;
use atb_gpu::data::{Candles, load_csv};

/// Writes `text` to a fresh temp file named `name` and returns its path.
pub fn temp_csv(name: &str, text: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("data-tests");
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("temp file");
    path
}

/// Writes `text` to a temp file and loads it.
pub fn load_text(name: &str, text: &str) -> (PathBuf, Result<Candles>) {
    let path = temp_csv(name, text);
    let result = load_csv(&path);
    (path, result)
}

/// One of the real Binance data sets (BTCUSDT, ETHUSDT, SOLUSDT 1h, three years each), as a
/// plain CSV file: the repository keeps them gzipped in `data/` (BTCUSDT is also the embedded
/// default), so the tests need nothing outside the checkout.
pub fn shared_data(symbol: &str) -> PathBuf {
    use std::io::Read as _;
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("real-data");
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(format!("{symbol}-1h.csv"));
    if !path.exists() {
        let gz = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("data/{symbol}-1h.csv.gz"));
        let mut text = Vec::new();
        flate2::read::GzDecoder::new(std::fs::File::open(&gz).expect("fixture exists"))
            .read_to_end(&mut text)
            .expect("fixture decompresses");
        // Written under a unique name and renamed, so parallel tests never see half a file.
        let writer = format!("{}-{:?}", std::process::id(), std::thread::current().id());
        let partial = dir.join(format!("{symbol}-{writer}.partial"));
        std::fs::write(&partial, text).expect("write fixture");
        std::fs::rename(&partial, &path).expect("rename fixture");
    }
    path
}

/// 2022-07-16 07:00:00 UTC.
pub const START_MS: i64 = 1_657_954_800_000;

/// `n` valid hourly bars from [`START_MS`]: a deterministic random walk, with `extra` columns
/// named `sentiment_0..` when asked.
pub fn synthetic_candles(n: usize, extra: usize) -> Candles {
    let names: Vec<String> = (0..extra).map(|i| format!("sentiment_{i}")).collect();
    let mut candles = Candles::empty("synthetic", &names);
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut uniform = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut close = 100.0;
    for i in 0..n {
        let open = close;
        close = open * (1.0 + 0.02 * (uniform() - 0.5));
        let high = open.max(close) * (1.0 + 0.005 * uniform());
        let low = open.min(close) * (1.0 - 0.005 * uniform());
        let volume = if i % 17 == 5 { 0.0 } else { 1000.0 * uniform() };
        let extras: Vec<f64> = (0..extra).map(|_| uniform() - 0.5).collect();
        candles.push(
            START_MS + i as i64 * 3_600_000,
            [open, high, low, close, volume],
            &extras,
        );
    }
    candles
}

/// Multiplies bar `t`'s prices by `factor` (keeping it valid), its volume by 3 and shifts its
/// extras, so every feature that reads bar `t` changes.
pub fn perturb(candles: &Candles, t: usize, factor: f64) -> Candles {
    let mut c = candles.clone();
    c.open[t] *= factor;
    c.high[t] *= factor;
    c.low[t] *= factor;
    c.close[t] *= factor;
    c.volume[t] = c.volume[t] * 3.0 + 1.0;
    for series in &mut c.extra {
        series.values[t] += 0.25;
    }
    c
}
