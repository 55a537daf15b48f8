//! Tabular features for the gradient-boosting model, after the guide's
//! `engineer_features_for_lgb`: returns and their lags, rolling statistics of returns, candle
//! shape, volume and calendar features. No look-ahead: row `t` reads bars `≤ t` only. The target
//! (next close) is [`FeatureFrame::next_close`]. Formulas are in `docs/data.md`.

use super::candles::Candles;
use super::frame::FeatureFrame;
use super::indicators::{lagged, mean, rolling, shift, std_dev};
use super::time::{day_of_week, hour_of_day};
use crate::error::Result;

/// Lags of the 1-bar return: `return_1_lag_1 ..= return_1_lag_{RETURN_LAGS}`.
pub const RETURN_LAGS: usize = 6;
/// Windows of the rolling mean and standard deviation of the 1-bar return.
pub const ROLLING_WINDOWS: [usize; 4] = [6, 12, 24, 48];
/// Bars dropped at the start: the 48-bar rolling statistics of returns need 48 earlier bars.
pub const LGB_WARMUP_BARS: usize = 48;

/// Computes the tabular features of every bar from bar [`LGB_WARMUP_BARS`] on, and their
/// names (the feature columns, in order). Extra data columns are appended raw.
pub fn engineer_features_for_lgb(candles: &Candles) -> Result<(FeatureFrame, Vec<String>)> {
    let (o, h, l, c, v) = (
        &candles.open,
        &candles.high,
        &candles.low,
        &candles.close,
        &candles.volume,
    );
    let n = candles.len();
    let per_bar = |f: &dyn Fn(usize) -> f64| (0..n).map(f).collect::<Vec<f64>>();
    let pct_return = |k| lagged(c, k, |now, past| now / past - 1.0);
    let return_1 = pct_return(1);
    let log_volume: Vec<f64> = v.iter().map(|x| x.ln_1p()).collect();

    let mut columns: Vec<(String, Vec<f64>)> = Vec::new();
    for k in [1, 4, 12, 24] {
        columns.push((format!("return_{k}"), pct_return(k)));
    }
    for lag in 1..=RETURN_LAGS {
        columns.push((format!("return_1_lag_{lag}"), shift(&return_1, lag)));
    }
    for w in ROLLING_WINDOWS {
        columns.push((format!("return_mean_{w}"), rolling(&return_1, w, mean)));
        columns.push((format!("return_std_{w}"), rolling(&return_1, w, std_dev)));
    }
    columns.push((
        "range_over_close".into(),
        per_bar(&|t| (h[t] - l[t]) / c[t]),
    ));
    columns.push(("body_over_open".into(), per_bar(&|t| (c[t] - o[t]) / o[t])));
    columns.push((
        "upper_wick_over_close".into(),
        per_bar(&|t| (h[t] - o[t].max(c[t])) / c[t]),
    ));
    columns.push((
        "lower_wick_over_close".into(),
        per_bar(&|t| (o[t].min(c[t]) - l[t]) / c[t]),
    ));
    for w in [12, 24, 48] {
        columns.push((
            format!("close_over_sma_{w}"),
            rolling(c, w, |win| win[win.len() - 1] / mean(win) - 1.0),
        ));
    }
    columns.push((
        "log_volume_change".into(),
        lagged(&log_volume, 1, |now, past| now - past),
    ));
    columns.push(("log_volume".into(), log_volume));
    columns.push((
        "volume_over_mean_24".into(),
        rolling(v, 24, |w| {
            let m = mean(w);
            if m == 0.0 { 1.0 } else { w[w.len() - 1] / m }
        }),
    ));
    columns.push((
        "hour".into(),
        per_bar(&|t| f64::from(hour_of_day(candles.time_ms[t]))),
    ));
    columns.push((
        "day_of_week".into(),
        per_bar(&|t| f64::from(day_of_week(candles.time_ms[t]))),
    ));
    for series in &candles.extra {
        columns.push((series.name.clone(), series.values.clone()));
    }
    let frame = FeatureFrame::from_columns(candles, LGB_WARMUP_BARS, columns)?;
    let names = frame.names.clone();
    Ok((frame, names))
}
