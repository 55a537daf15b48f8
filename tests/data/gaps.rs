//! Interval inference, gap reports and the flat no-trade fill.

use atb_gpu::data::time::{format_timestamp, parse_timestamp};
use atb_gpu::data::{Candles, fill_gaps, find_gaps, infer_interval, load_csv};

use crate::common::{shared_data, synthetic_candles};

#[test]
fn each_shared_data_set_has_exactly_its_one_missing_bar() {
    for (symbol, after_index) in [("BTCUSDT", 6029), ("ETHUSDT", 7900), ("SOLUSDT", 7900)] {
        let candles = load_csv(&shared_data(symbol)).expect("shared data loads");
        let report = find_gaps(&candles).expect("on the hourly grid");
        assert_eq!(report.interval_ms, 3_600_000, "{symbol}");
        assert_eq!(report.gap_count, 1, "{symbol}");
        assert_eq!(report.missing_bars, 1, "{symbol}");
        assert_eq!(report.largest_gap_bars, 1, "{symbol}");
        assert_eq!(report.first_gaps.len(), 1, "{symbol}");
        let gap = &report.first_gaps[0];
        assert_eq!(gap.after_index, after_index, "{symbol}");
        assert_eq!(
            format_timestamp(gap.first_missing_ms),
            "2023-03-24 13:00:00",
            "{symbol}"
        );
        assert_eq!(
            report.to_string(),
            "interval 1h, 1 gap(s), 1 missing bar(s), largest 1 bar(s); first at 2023-03-24 13:00:00 (1 bar(s))"
        );

        let (filled, _) = fill_gaps(&candles).expect("fills");
        assert_eq!(filled.len(), candles.len() + 1, "{symbol}");
        assert_eq!(find_gaps(&filled).expect("grid").gap_count, 0, "{symbol}");
        let i = after_index + 1;
        let prev_close = candles.close[after_index];
        assert_eq!(filled.time_ms[i], gap.first_missing_ms);
        for series in [&filled.open, &filled.high, &filled.low, &filled.close] {
            assert_eq!(
                series[i], prev_close,
                "{symbol}: flat bar at the previous close"
            );
        }
        assert_eq!(filled.volume[i], 0.0);
        assert_eq!(
            filled.close[i + 1],
            candles.close[after_index + 1],
            "later bars unchanged"
        );
    }
}

fn hourly(times: &[&str]) -> Candles {
    let mut c = Candles::empty("gappy", &["sentiment".to_string()]);
    for (i, t) in times.iter().enumerate() {
        let close = 10.0 + i as f64;
        c.push(
            parse_timestamp(t).expect("time"),
            [close - 0.5, close + 1.0, close - 1.0, close, 5.0],
            &[i as f64 / 10.0],
        );
    }
    c
}

#[test]
fn several_gaps_are_counted_listed_and_filled_with_extras_carried_forward() {
    let c = hourly(&[
        "2024-01-01 00:00:00",
        "2024-01-01 01:00:00",
        "2024-01-01 04:00:00", // 2 missing
        "2024-01-01 05:00:00",
        "2024-01-01 06:00:00",
        "2024-01-01 08:00:00", // 1 missing
    ]);
    let report = find_gaps(&c).expect("grid");
    assert_eq!(report.interval_ms, 3_600_000);
    assert_eq!(
        (
            report.gap_count,
            report.missing_bars,
            report.largest_gap_bars
        ),
        (2, 3, 2)
    );
    assert_eq!(report.first_gaps[0].after_index, 1);
    assert_eq!(report.first_gaps[0].missing_bars, 2);
    assert_eq!(report.first_gaps[1].after_index, 4);

    let (filled, _) = fill_gaps(&c).expect("fills");
    assert_eq!(filled.len(), 9);
    assert_eq!(
        filled.close,
        vec![10.0, 11.0, 11.0, 11.0, 12.0, 13.0, 14.0, 14.0, 15.0]
    );
    assert_eq!(
        filled.volume,
        vec![5.0, 5.0, 0.0, 0.0, 5.0, 5.0, 5.0, 0.0, 5.0]
    );
    assert_eq!(filled.high[2], 11.0);
    assert_eq!(
        filled.extra[0].values,
        vec![0.0, 0.1, 0.1, 0.1, 0.2, 0.3, 0.4, 0.4, 0.5]
    );
    for w in filled.time_ms.windows(2) {
        assert_eq!(w[1] - w[0], 3_600_000);
    }
}

#[test]
fn a_step_off_the_grid_is_an_error() {
    let c = hourly(&[
        "2024-01-01 00:00:00",
        "2024-01-01 01:00:00",
        "2024-01-01 02:00:00",
        "2024-01-01 03:30:00",
    ]);
    let message = find_gaps(&c).expect_err("off grid").to_string();
    assert_eq!(
        message,
        "gappy: bar at 2024-01-01 03:30:00 is 90m after the previous one, not a whole number of 1h bars"
    );
}

#[test]
fn interval_is_the_most_common_step_and_needs_two_bars() {
    let c = hourly(&[
        "2024-01-01 00:00:00",
        "2024-01-01 02:00:00",
        "2024-01-01 04:00:00",
        "2024-01-01 05:00:00",
    ]);
    assert_eq!(infer_interval(&c).expect("interval"), 7_200_000);
    let one = synthetic_candles(1, 0);
    let message = infer_interval(&one).expect_err("one bar").to_string();
    assert!(message.contains("at least two bars"), "{message}");
    assert_eq!(
        find_gaps(&synthetic_candles(50, 0))
            .expect("grid")
            .to_string(),
        "interval 1h, no gaps"
    );
}
