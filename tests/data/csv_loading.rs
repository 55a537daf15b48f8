//! Loading the accepted CSV layouts.

use atb_gpu::data::time::{format_timestamp, parse_timestamp};
use atb_gpu::data::{load_csv, parse_csv};

use crate::common::{START_MS, load_text, shared_data};

#[test]
fn header_with_iso_dates_loads_times_as_epoch_ms_and_prices_as_f64() {
    let text = "date,open,high,low,close,volume\n\
                2022-07-16 07:00:00,20548.15,20618.0,20499.79,20546.18,2766.63809\n\
                2022-07-16 08:00:00,20546.18,20661.99,20539.85,20606.76,2905.92205\n";
    let (_, candles) = load_text("iso.csv", text);
    let c = candles.expect("valid file");
    assert_eq!(c.time_ms, vec![START_MS, START_MS + 3_600_000]);
    assert_eq!(c.open, vec![20548.15, 20546.18]);
    assert_eq!(c.high, vec![20618.0, 20661.99]);
    assert_eq!(c.low, vec![20499.79, 20539.85]);
    assert_eq!(c.close, vec![20546.18, 20606.76]);
    assert_eq!(c.volume, vec![2766.63809, 2905.92205]);
    assert!(c.extra.is_empty());
}

#[test]
fn iso_variants_and_epoch_numbers_parse_to_the_same_instant() {
    for text in [
        "2022-07-16 07:00:00",
        "2022-07-16T07:00:00",
        "2022-07-16T07:00:00Z",
        "2022-07-16T07:00:00.000Z",
        "2022-07-16T09:00:00+02:00",
        "2022-07-16T07:00",
        "1657954800000",
        "1657954800000000",
    ] {
        assert_eq!(parse_timestamp(text), Ok(START_MS), "{text}");
    }
    assert_eq!(parse_timestamp("2022-07-16"), Ok(START_MS - 7 * 3_600_000));
    assert_eq!(
        parse_timestamp("2022-07-16 07:00:00.250"),
        Ok(START_MS + 250)
    );
    assert_eq!(
        parse_timestamp("2024-02-29 23:59:59").map(format_timestamp),
        Ok("2024-02-29 23:59:59".to_string())
    );
    for bad in [
        "2023-02-29 00:00:00",
        "2022-13-01",
        "2022-07-16 24:00:00",
        "16/07/2022",
        "",
        "x",
    ] {
        assert!(parse_timestamp(bad).is_err(), "{bad:?} must be rejected");
    }
}

#[test]
fn format_timestamp_inverts_parse_over_centuries() {
    for days in [-700_000i64, -1, 0, 59, 365 * 30 + 7, 19_000, 2_000_000] {
        for ms_in_day in [0, 1_000, 86_399_000] {
            let ms = days * 86_400_000 + ms_in_day;
            let text = format_timestamp(ms);
            assert_eq!(parse_timestamp(&text), Ok(ms), "{text}");
        }
    }
}

#[test]
fn open_time_in_any_order_and_case_keeps_numeric_extras_by_name() {
    let text = "Volume,CLOSE,symbol,open_time,High,sentiment_score,Low,Open,news_count\n\
                10,101,BTC,1657954800000,102,0.25,99,100,3\n\
                0,102,BTC,1657958400000,103,-0.5,100,101,0\n";
    let (_, candles) = load_text("any_order.csv", text);
    let c = candles.expect("valid file");
    assert_eq!(c.time_ms, vec![START_MS, START_MS + 3_600_000]);
    assert_eq!(c.open, vec![100.0, 101.0]);
    assert_eq!(c.high, vec![102.0, 103.0]);
    assert_eq!(c.low, vec![99.0, 100.0]);
    assert_eq!(c.close, vec![101.0, 102.0]);
    assert_eq!(c.volume, vec![10.0, 0.0]);
    let extra: Vec<(&str, &[f64])> = c
        .extra
        .iter()
        .map(|s| (s.name.as_str(), &s.values[..]))
        .collect();
    assert_eq!(
        extra,
        vec![
            ("sentiment_score", &[0.25, -0.5][..]),
            ("news_count", &[3.0, 0.0][..])
        ]
    );
}

#[test]
fn pandas_index_column_bom_crlf_and_quotes_are_handled() {
    let text = "\u{feff},\"date\",open,high,low,close,volume\r\n\
                0,\"2022-07-16 07:00:00\",1,2,0.5,1.5,7\r\n\
                1,2022-07-16 08:00:00,1.5,2,1,1.25,8\r\n";
    let (_, candles) = load_text("pandas.csv", text);
    let c = candles.expect("valid file");
    assert_eq!(c.len(), 2);
    assert!(
        c.extra.is_empty(),
        "the unnamed index column is not an extra series"
    );
    assert_eq!(c.close, vec![1.5, 1.25]);
}

#[test]
fn binance_headerless_kline_dump_keeps_ohlcv() {
    let text = "1657954800000,20548.15,20618.00,20499.79,20546.18,2766.63809,1657958399999,56856541.3,41234,1400.1,28774932.2,0\n\
                1657958400000000,20546.18,20661.99,20539.85,20606.76,2905.92205,1657961999999999,59858410.5,43012,1500.2,30912000.1,0\n";
    let (_, candles) = load_text("binance.csv", text);
    let c = candles.expect("valid dump");
    assert_eq!(
        c.time_ms,
        vec![START_MS, START_MS + 3_600_000],
        "µs times become ms"
    );
    assert_eq!(c.close, vec![20546.18, 20606.76]);
    assert_eq!(c.volume, vec![2766.63809, 2905.92205]);
    assert!(c.extra.is_empty());
}

#[test]
fn the_shared_btcusdt_file_loads_whole() {
    let c = load_csv(&shared_data("BTCUSDT")).expect("shared data loads");
    assert_eq!(c.len(), 26_279);
    assert_eq!(format_timestamp(c.time_ms[0]), "2022-07-16 07:00:00");
    assert_eq!(
        format_timestamp(c.time_ms[c.len() - 1]),
        "2025-07-15 06:00:00"
    );
    let parsed = parse_csv(
        "same",
        &std::fs::read(shared_data("BTCUSDT")).expect("read"),
    );
    assert_eq!(parsed.map(|p| p.close).ok(), Some(c.close));
}

#[test]
fn a_repeated_column_name_is_read_from_its_first_column_and_never_becomes_a_feature() {
    let text = "date,open,high,low,close,volume,Close,sentiment,SENTIMENT\n\
                2024-01-01 00:00:00,10,11,9,10.5,5,999,0.1,7\n\
                2024-01-01 01:00:00,10.5,12,10,11,6,999,0.2,7\n";
    let candles = parse_csv("dup.csv", text.as_bytes()).expect("loads");
    assert_eq!(candles.close, vec![10.5, 11.0], "the first close column");
    let extra: Vec<&str> = candles.extra.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(extra, vec!["sentiment"], "Close and SENTIMENT are ignored");
    assert_eq!(candles.extra[0].values, vec![0.1, 0.2]);
}
