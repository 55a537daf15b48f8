//! The embedded BTCUSDT data, symbol lookup and `--days`.

use atb_gpu::data::time::format_timestamp;
use atb_gpu::data::{Candles, embedded_candles, last_days, load_csv, load_symbol};

use crate::common::{shared_data, synthetic_candles, temp_csv};

#[test]
fn embedded_data_equals_the_shared_btcusdt_file() {
    let embedded = embedded_candles().expect("embedded data decompresses and validates");
    let file = load_csv(&shared_data("BTCUSDT")).expect("shared file");
    assert_eq!(embedded.time_ms, file.time_ms);
    assert_eq!(embedded.close, file.close);
    assert_eq!(embedded.volume, file.volume);
    assert_eq!(embedded.source, "<embedded BTCUSDT-1h.csv.gz>");
}

#[test]
fn load_symbol_uses_the_file_then_the_embedded_set_then_explains() {
    let path = temp_csv(
        "eth.csv",
        "date,open,high,low,close,volume\n2022-07-16 07:00:00,1,2,0.5,1.5,3\n",
    );
    let from_file = load_symbol("ETHUSDT", Some(&path)).expect("file given");
    assert_eq!(from_file.close, vec![1.5]);
    let btc = load_symbol("BTCUSDT", None).expect("embedded");
    assert_eq!(btc.len(), 26_279);
    let message = load_symbol("ETHUSDT", None)
        .expect_err("no data for ETH")
        .to_string();
    assert!(
        message.starts_with("ETHUSDT: no data is built in (only BTCUSDT is)"),
        "{message}"
    );
    assert!(message.contains("--data FILE"), "{message}");
}

#[test]
fn last_days_takes_whole_days_of_bars_from_the_end() {
    let btc = embedded_candles().expect("embedded");
    let month = last_days(&btc, 30).expect("30 days fit");
    assert_eq!(month.len(), 720);
    assert_eq!(month.time_ms.last(), btc.time_ms.last());
    assert_eq!(month.time_ms[0], btc.time_ms[btc.len() - 720]);
    assert_eq!(format_timestamp(month.time_ms[0]), "2025-06-15 07:00:00");

    let message = last_days(&btc, 2000)
        .expect_err("too many days")
        .to_string();
    assert!(
        message.contains("--days 2000 needs 48000 bars of 1h"),
        "{message}"
    );
    assert!(
        message.contains("holds only 26279 bars (1094 days)"),
        "{message}"
    );
    assert!(last_days(&btc, 0).is_err());
}

#[test]
fn last_days_follows_the_interval() {
    let hourly = synthetic_candles(400, 0);
    let mut quarter: Candles = hourly.clone();
    for (i, t) in quarter.time_ms.iter_mut().enumerate() {
        *t = hourly.time_ms[0] + i as i64 * 900_000;
    }
    assert_eq!(last_days(&quarter, 2).expect("2 days of 15m").len(), 192);
    assert_eq!(last_days(&hourly, 2).expect("2 days of 1h").len(), 48);
}

#[test]
fn last_days_of_weekly_bars_rounds_up_to_whole_bars() {
    let hourly = synthetic_candles(20, 0);
    let mut weekly: Candles = hourly.clone();
    for (i, t) in weekly.time_ms.iter_mut().enumerate() {
        *t = hourly.time_ms[0] + i as i64 * 7 * 86_400_000;
    }
    assert_eq!(last_days(&weekly, 14).expect("2 weeks").len(), 2);
    assert_eq!(
        last_days(&weekly, 15).expect("3 bars cover 15 days").len(),
        3
    );
    let message = last_days(&weekly, 365)
        .expect_err("53 bars > 20")
        .to_string();
    assert!(
        message
            .contains("--days 365 needs 53 bars of 7d but the data holds only 20 bars (140 days)"),
        "{message}"
    );
}
