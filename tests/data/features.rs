//! The 15 neural features: names, known values, warm-up, and no look-ahead.

use atb_gpu::data::features::WARMUP_BARS;
use atb_gpu::data::{Candles, FeatureFrame, FeatureSet, PRICE_FEATURES, engineer_features};

use crate::common::{perturb, synthetic_candles};

fn column(frame: &FeatureFrame, name: &str) -> Vec<f64> {
    let c = frame
        .names
        .iter()
        .position(|n| n == name)
        .expect("feature exists");
    frame.values.column(c).to_vec()
}

#[test]
fn fifteen_named_features_after_the_warm_up() {
    let candles = synthetic_candles(300, 0);
    let frame = engineer_features(&candles, FeatureSet::Price).expect("enough bars");
    assert_eq!(frame.names.len(), 15);
    assert_eq!(frame.names, PRICE_FEATURES.map(String::from).to_vec());
    assert_eq!(frame.first_candle, WARMUP_BARS);
    assert_eq!(frame.rows(), 300 - WARMUP_BARS);
    assert_eq!(frame.values.dim(), (300 - WARMUP_BARS, 15));
    assert!(frame.values.iter().all(|v| v.is_finite()));
    assert_eq!(frame.time_ms[0], candles.time_ms[WARMUP_BARS]);
    assert_eq!(frame.close[0], candles.close[WARMUP_BARS]);
    assert_eq!(frame.next_close[0], Some(candles.close[WARMUP_BARS + 1]));
    assert_eq!(frame.next_close.last(), Some(&None));
}

#[test]
fn features_match_their_formulas() {
    let c = synthetic_candles(200, 0);
    let frame = engineer_features(&c, FeatureSet::Price).expect("enough bars");
    let r = 100;
    let i = r + frame.first_candle;
    let close_window = |w: usize| &c.close[i + 1 - w..=i];
    let mean = |w: &[f64]| w.iter().sum::<f64>() / w.len() as f64;
    let close = c.close[i];
    assert_eq!(
        column(&frame, "log_return_1")[r],
        (close / c.close[i - 1]).ln()
    );
    assert_eq!(
        column(&frame, "log_return_24")[r],
        (close / c.close[i - 24]).ln()
    );
    assert_eq!(
        column(&frame, "range_over_close")[r],
        (c.high[i] - c.low[i]) / close
    );
    assert_eq!(
        column(&frame, "body_over_open")[r],
        (close - c.open[i]) / c.open[i]
    );
    let sma50 = mean(close_window(50));
    assert!((column(&frame, "close_over_sma_50")[r] - (close / sma50 - 1.0)).abs() < 1e-15);
    let w = close_window(20);
    let (m, sd) = (
        mean(w),
        (w.iter().map(|v| (v - mean(w)).powi(2)).sum::<f64>() / 20.0).sqrt(),
    );
    assert!(
        (column(&frame, "bollinger_pct_b_20")[r] - (close - m + 2.0 * sd) / (4.0 * sd)).abs()
            < 1e-12
    );
    let hour = ((c.time_ms[i] / 3_600_000) % 24) as f64;
    let angle = std::f64::consts::TAU * hour / 24.0;
    assert_eq!(column(&frame, "hour_sin")[r], angle.sin());
    assert_eq!(column(&frame, "hour_cos")[r], angle.cos());
    let rsi = column(&frame, "rsi_14");
    assert!(rsi.iter().all(|v| (0.0..=100.0).contains(v)));
    assert!(column(&frame, "atr_14_over_close").iter().all(|v| *v > 0.0));
}

#[test]
fn rsi_and_bollinger_on_a_steady_rise() {
    let mut c = Candles::empty("rise", &[]);
    for i in 0..80 {
        let close = 100.0 + i as f64;
        c.push(
            i * 3_600_000,
            [close - 1.0, close, close - 1.0, close, 1.0],
            &[],
        );
    }
    let frame = engineer_features(&c, FeatureSet::Price).expect("enough bars");
    assert!(
        column(&frame, "rsi_14").iter().all(|v| *v == 100.0),
        "only gains"
    );
    assert!(
        column(&frame, "macd_hist_over_close")
            .iter()
            .all(|v| v.abs() < 1e-3)
    );
    assert!(
        column(&frame, "volume_zscore_24").iter().all(|v| *v == 0.0),
        "constant volume"
    );
    assert!(
        column(&frame, "log_volume_change")
            .iter()
            .all(|v| *v == 0.0)
    );
}

#[test]
fn changing_a_future_candle_never_changes_a_past_feature() {
    let candles = synthetic_candles(260, 2);
    for set in [FeatureSet::Price, FeatureSet::PriceAndExtra] {
        let base = engineer_features(&candles, set).expect("enough bars");
        for t in [WARMUP_BARS + 1, 60, 120, 200, 259] {
            let changed = engineer_features(&perturb(&candles, t, 1.07), set).expect("valid");
            let row_of_t = t - base.first_candle;
            for r in 0..row_of_t {
                for c in 0..base.names.len() {
                    assert_eq!(
                        base.values[[r, c]].to_bits(),
                        changed.values[[r, c]].to_bits(),
                        "{set:?}: bar {t} changed '{}' at row {r}",
                        base.names[c]
                    );
                }
            }
            let row_t_changed = (0..base.names.len())
                .filter(|&c| base.values[[row_of_t, c]] != changed.values[[row_of_t, c]])
                .count();
            assert!(
                row_t_changed >= 10,
                "{set:?}: the perturbation reaches bar {t}'s own features"
            );
        }
    }
}

#[test]
fn extra_columns_become_features_only_when_asked() {
    let candles = synthetic_candles(120, 2);
    let price = engineer_features(&candles, FeatureSet::Price).expect("ok");
    assert_eq!(price.names.len(), 15);
    let with_extra = engineer_features(&candles, FeatureSet::PriceAndExtra).expect("ok");
    assert_eq!(with_extra.names.len(), 17);
    assert_eq!(&with_extra.names[15..], ["sentiment_0", "sentiment_1"]);
    assert_eq!(
        column(&with_extra, "sentiment_1")[0],
        candles.extra[1].values[WARMUP_BARS]
    );
}

#[test]
fn too_few_bars_is_a_clear_error() {
    let message = engineer_features(&synthetic_candles(WARMUP_BARS, 0), FeatureSet::Price)
        .expect_err("no row has full history")
        .to_string();
    assert_eq!(
        message,
        "synthetic: features need more than 49 bars of history, the data has 49"
    );
}
