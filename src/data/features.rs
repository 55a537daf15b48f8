//! The 15 engineered features of the neural models (`input_shape = (60, 15)`), computed with
//! no look-ahead. Formulas are in `docs/data.md`; row `t` reads bars `≤ t` only.

use std::f64::consts::TAU;

use super::candles::Candles;
use super::frame::FeatureFrame;
use super::indicators::{atr, ema, lagged, mean, rolling, rsi, std_dev};
use super::time::hour_of_day;
use crate::error::Result;

/// Names of the price features, in column order.
pub const PRICE_FEATURES: [&str; 15] = [
    "log_return_1",
    "log_return_4",
    "log_return_24",
    "range_over_close",
    "body_over_open",
    "log_volume_change",
    "volume_zscore_24",
    "rsi_14",
    "macd_hist_over_close",
    "bollinger_pct_b_20",
    "atr_14_over_close",
    "close_over_sma_20",
    "close_over_sma_50",
    "hour_sin",
    "hour_cos",
];

/// Bars dropped at the start: the longest window (SMA 50) needs 49 earlier bars.
pub const WARMUP_BARS: usize = 49;

/// Which columns the neural models get.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FeatureSet {
    /// The 15 price features.
    #[default]
    Price,
    /// The 15 price features, then every extra column of the data (e.g. sentiment), raw;
    /// the `has_sentiment` models use this.
    PriceAndExtra,
}

/// Computes the features of every bar from bar [`WARMUP_BARS`] on.
pub fn engineer_features(candles: &Candles, set: FeatureSet) -> Result<FeatureFrame> {
    let (o, h, l, c, v) = (
        &candles.open,
        &candles.high,
        &candles.low,
        &candles.close,
        &candles.volume,
    );
    let n = candles.len();
    let per_bar = |f: &dyn Fn(usize) -> f64| (0..n).map(f).collect::<Vec<f64>>();
    let log_return = |k| lagged(c, k, |now, past| (now / past).ln());
    let log_volume: Vec<f64> = v.iter().map(|x| x.ln_1p()).collect();

    let volume_zscore = rolling(v, 24, |w| {
        let sd = std_dev(w);
        if sd == 0.0 {
            0.0
        } else {
            (w[w.len() - 1] - mean(w)) / sd
        }
    });
    let macd: Vec<f64> = ema(c, 12)
        .iter()
        .zip(ema(c, 26))
        .map(|(a, b)| a - b)
        .collect();
    let macd_signal = ema(&macd, 9);
    let macd_hist = per_bar(&|t| (macd[t] - macd_signal[t]) / c[t]);
    let bollinger = rolling(c, 20, |w| {
        let (m, sd) = (mean(w), std_dev(w));
        if sd == 0.0 {
            0.5
        } else {
            (w[w.len() - 1] - (m - 2.0 * sd)) / (4.0 * sd)
        }
    });
    let atr_14 = atr(h, l, c, 14);
    let over_sma = |w| rolling(c, w, |win| win[win.len() - 1] / mean(win) - 1.0);
    let hour_angle = |t: usize| TAU * f64::from(hour_of_day(candles.time_ms[t])) / 24.0;

    let mut columns: Vec<Vec<f64>> = vec![
        log_return(1),
        log_return(4),
        log_return(24),
        per_bar(&|t| (h[t] - l[t]) / c[t]),
        per_bar(&|t| (c[t] - o[t]) / o[t]),
        lagged(&log_volume, 1, |now, past| now - past),
        volume_zscore,
        rsi(c, 14),
        macd_hist,
        bollinger,
        per_bar(&|t| atr_14[t] / c[t]),
        over_sma(20),
        over_sma(50),
        per_bar(&|t| hour_angle(t).sin()),
        per_bar(&|t| hour_angle(t).cos()),
    ];
    let mut names: Vec<String> = PRICE_FEATURES.iter().map(|s| s.to_string()).collect();
    if set == FeatureSet::PriceAndExtra {
        for series in &candles.extra {
            names.push(series.name.clone());
            columns.push(series.values.clone());
        }
    }
    FeatureFrame::from_columns(
        candles,
        WARMUP_BARS,
        names.into_iter().zip(columns).collect(),
    )
}
