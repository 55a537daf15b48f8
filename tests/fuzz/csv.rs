//! The candle loader and gap filling on arbitrary bytes and on near-valid files.

use atb_gpu::data::{DEFAULT_MAX_GAP_BARS, fill_gaps, parse_csv};
use proptest::prelude::*;

/// Checks what a successful load promises, then fills gaps with the default bound.
fn check_loaded(bytes: &[u8]) {
    let Ok(candles) = parse_csv("fuzz.csv", bytes) else {
        return;
    };
    let n = candles.len();
    assert!(n > 0);
    for column in [&candles.open, &candles.high, &candles.low, &candles.close] {
        assert_eq!(column.len(), n);
        assert!(column.iter().all(|v| v.is_finite() && *v > 0.0));
    }
    assert!(candles.volume.iter().all(|v| v.is_finite() && *v >= 0.0));
    assert!(candles.time_ms.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(candles.source_line.len(), n);
    for series in &candles.extra {
        assert_eq!(series.values.len(), n);
    }
    if let Ok((filled, report)) = fill_gaps(&candles, DEFAULT_MAX_GAP_BARS) {
        assert_eq!(filled.len(), n + report.missing_bars);
        assert!(report.largest_gap_bars <= DEFAULT_MAX_GAP_BARS);
    }
}

/// A cell of any kind a file may hold.
fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        (1.0f64..1e6).prop_map(|v| format!("{v}")),
        any::<f64>().prop_map(|v| format!("{v}")),
        any::<i64>().prop_map(|v| v.to_string()),
        Just(String::new()),
        Just("NaN".to_string()),
        Just("inf".to_string()),
        Just("\"1,5\"".to_string()),
        "[ -~]{0,12}",
    ]
}

/// A time cell: ISO or epoch, sensible or not (far future, year 0000, microseconds).
fn time_cell() -> impl Strategy<Value = String> {
    prop_oneof![
        (0i64..2_000_000).prop_map(|h| {
            atb_gpu::data::time::format_timestamp(1_600_000_000_000 + h * 3_600_000)
        }),
        Just("9999-12-31 23:00:00".to_string()),
        Just("0000-01-01 00:00:00".to_string()),
        Just("253402297200000000".to_string()),
        Just("9223372036854775807".to_string()),
        any::<u64>().prop_map(|v| v.to_string()),
        "[0-9]{4}-[0-9]{2}-[0-9]{2}( [0-9]{2}:[0-9]{2}(:[0-9]{2})?)?",
        "[ -~]{0,20}",
    ]
}

/// Hourly rows from a start, with gaps, repeats and jumps mixed in.
fn rows() -> impl Strategy<Value = Vec<String>> {
    let step = prop_oneof![
        8 => Just(3_600_000i64),
        1 => (2i64..40).prop_map(|k| k * 3_600_000),
        1 => any::<i64>(),
    ];
    (
        1_500_000_000_000i64..1_800_000_000_000,
        prop::collection::vec(
            (step, 1.0f64..1000.0, 0.0f64..0.1, 0.0f64..100.0, cell()),
            0..80,
        ),
    )
        .prop_map(|(start, rows)| {
            let mut t = start;
            rows.into_iter()
                .map(|(step, price, spread, volume, extra)| {
                    t = t.saturating_add(step);
                    let (high, low) = (price * (1.0 + spread), price * (1.0 - spread));
                    format!("{t},{price},{high},{low},{price},{volume},{extra}")
                })
                .collect()
        })
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        check_loaded(&bytes);
    }

    #[test]
    fn arbitrary_cells_under_a_valid_header_never_panic(
        header in prop::sample::subsequence(
            vec!["date", "open", "high", "low", "close", "volume", "Close", "sentiment", "open_time"],
            0..=9,
        ),
        cells in prop::collection::vec((time_cell(), prop::collection::vec(cell(), 0..9)), 0..40),
    ) {
        let mut text = header.join(",") + "\n";
        for (time, rest) in cells {
            text.push_str(&time);
            for c in rest {
                text.push(',');
                text.push_str(&c);
            }
            text.push('\n');
        }
        check_loaded(text.as_bytes());
    }

    #[test]
    fn near_valid_files_with_gaps_and_jumps_load_or_fail_cleanly(
        rows in rows(),
        far in prop::option::of(time_cell()),
    ) {
        let mut text = String::from("open_time,open,high,low,close,volume,sentiment\n");
        for row in rows {
            text.push_str(&row);
            text.push('\n');
        }
        if let Some(time) = far {
            text.push_str(&format!("{time},10,11,9,10,1,0\n"));
        }
        check_loaded(text.as_bytes());
    }
}
