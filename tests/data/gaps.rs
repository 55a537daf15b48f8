//! Interval inference, gap reports and the flat no-trade fill.

use atb_gpu::data::time::{format_timestamp, parse_timestamp};
use atb_gpu::data::{
    Candles, DEFAULT_MAX_GAP_BARS, fill_gaps, find_gaps, infer_interval, load_csv, parse_csv,
};

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

        let (filled, _) = fill_gaps(&candles, DEFAULT_MAX_GAP_BARS).expect("fills");
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

    let (filled, _) = fill_gaps(&c, DEFAULT_MAX_GAP_BARS).expect("fills");
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

/// A CSV of `good` hourly bars from 2024-01-01 00:00, then one row at `last`.
fn hourly_csv_then(good: usize, last: &str) -> String {
    let mut text = String::from("date,open,high,low,close,volume\n");
    for i in 0..good {
        let time = format_timestamp(parse_timestamp("2024-01-01").unwrap() + i as i64 * 3_600_000);
        text.push_str(&format!("{time},10,11,9,10,5\n"));
    }
    text.push_str(&format!("{last},10,11,9,10,5\n"));
    text
}

#[test]
fn a_gap_longer_than_the_bound_is_an_error_naming_both_bars_and_lines() {
    // 20 bars 00:00..19:00, then 2024-01-03 00:00: 28 missing bars (20:00 on the 1st to
    // 23:00 on the 2nd), more than the default 24.
    let text = hourly_csv_then(20, "2024-01-03 00:00:00");
    let candles = parse_csv("gappy.csv", text.as_bytes()).unwrap();
    let message = fill_gaps(&candles, DEFAULT_MAX_GAP_BARS)
        .expect_err("too long a gap")
        .to_string();
    assert_eq!(
        message,
        "gappy.csv:22: the bar at 2024-01-03 00:00:00 comes 28 missing 1h bar(s) after the \
         bar at 2024-01-01 19:00:00 (line 21); gap filling invents at most 24 bars in a row \
         (--max-gap-bars): fix or remove the row, or raise --max-gap-bars"
    );
    let (filled, report) = fill_gaps(&candles, 28).expect("a raised bound fills it");
    assert_eq!((filled.len(), report.largest_gap_bars), (21 + 28, 28));
    let exact = hourly_csv_then(20, "2024-01-02 21:00:00");
    let candles = parse_csv("ok.csv", exact.as_bytes()).unwrap();
    assert_eq!(
        fill_gaps(&candles, 25).unwrap().0.len(),
        21 + 25,
        "25 ≤ 25 fills"
    );
    assert!(fill_gaps(&candles, 24).is_err(), "25 > 24 does not");
}

#[test]
fn far_future_and_year_zero_rows_are_gap_errors_not_millions_of_bars() {
    for (last, line) in [
        ("9999-12-31 23:00:00", 22),
        ("253402297200000000", 22), // 9999-12-31 23:00 in epoch microseconds
        ("9000000000000000000", 22), // epoch microseconds far ahead (year ~287,000)
    ] {
        let text = hourly_csv_then(20, last);
        let candles = parse_csv("future.csv", text.as_bytes()).unwrap();
        let message = fill_gaps(&candles, DEFAULT_MAX_GAP_BARS)
            .expect_err(last)
            .to_string();
        assert!(
            message.starts_with(&format!("future.csv:{line}: the bar at "))
                && message.contains("after the bar at 2024-01-01 19:00:00 (line 21)")
                && message.contains("--max-gap-bars"),
            "{last}: {message}"
        );
    }
    let year_zero = "date,open,high,low,close,volume\n\
                     0000-01-01 00:00:00,10,11,9,10,5\n\
                     0000-01-01 01:00:00,10,11,9,10,5\n\
                     2024-01-01 00:00:00,10,11,9,10,5\n";
    let candles = parse_csv("zero.csv", year_zero.as_bytes()).unwrap();
    let message = fill_gaps(&candles, DEFAULT_MAX_GAP_BARS)
        .expect_err("two thousand years of hours")
        .to_string();
    assert!(
        message.starts_with("zero.csv:4: the bar at 2024-01-01 00:00:00")
            && message.contains("after the bar at 0000-01-01 01:00:00 (line 3)"),
        "{message}"
    );
}
