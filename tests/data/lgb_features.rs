//! The tabular gradient-boosting features.

use atb_gpu::data::engineer_features_for_lgb;
use atb_gpu::data::lgb_features::LGB_WARMUP_BARS;

use crate::common::{perturb, synthetic_candles};

#[test]
fn named_columns_with_the_next_close_as_target() {
    let candles = synthetic_candles(200, 1);
    let (frame, names) = engineer_features_for_lgb(&candles).expect("enough bars");
    assert_eq!(names, frame.names);
    assert_eq!(names.len(), 31, "{names:?}");
    for wanted in [
        "return_1",
        "return_1_lag_6",
        "return_std_48",
        "log_volume",
        "hour",
        "day_of_week",
        "sentiment_0",
    ] {
        assert!(
            names.iter().any(|n| n == wanted),
            "{wanted} missing from {names:?}"
        );
    }
    assert_eq!(frame.first_candle, LGB_WARMUP_BARS);
    assert_eq!(frame.rows(), 200 - LGB_WARMUP_BARS);
    assert!(frame.values.iter().all(|v| v.is_finite()));
    for r in 0..frame.rows() - 1 {
        assert_eq!(
            frame.next_close[r],
            Some(candles.close[LGB_WARMUP_BARS + r + 1])
        );
    }
    assert_eq!(frame.next_close[frame.rows() - 1], None);

    let col = |name: &str| names.iter().position(|n| n == name).expect("column");
    let i = LGB_WARMUP_BARS + 10;
    assert_eq!(
        frame.values[[10, col("return_1_lag_2")]],
        candles.close[i - 2] / candles.close[i - 3] - 1.0
    );
    // 2022-07-16 07:00 UTC was a Saturday; row 10 is bar 58 = 2022-07-18 17:00, a Monday.
    assert_eq!(frame.values[[10, col("day_of_week")]], 0.0);
    assert_eq!(frame.values[[10, col("hour")]], 17.0);
}

#[test]
fn changing_a_future_candle_never_changes_a_past_lgb_feature() {
    let candles = synthetic_candles(200, 1);
    let (base, _) = engineer_features_for_lgb(&candles).expect("ok");
    for t in [LGB_WARMUP_BARS + 1, 90, 150, 199] {
        let (changed, _) = engineer_features_for_lgb(&perturb(&candles, t, 0.93)).expect("valid");
        let row_of_t = t - base.first_candle;
        for r in 0..row_of_t {
            for c in 0..base.names.len() {
                assert_eq!(
                    base.values[[r, c]].to_bits(),
                    changed.values[[r, c]].to_bits(),
                    "bar {t} changed '{}' at row {r}",
                    base.names[c]
                );
            }
        }
        assert_ne!(base.values.row(row_of_t), changed.values.row(row_of_t));
    }
}
