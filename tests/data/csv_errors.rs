//! Every kind of bad input is an error naming the file, line and column.

use atb_gpu::AtbError;
use atb_gpu::data::{load_csv, parse_csv};

use crate::common::load_text;

const HEADER: &str = "date,open,high,low,close,volume\n";
const GOOD_ROW: &str = "2022-07-16 07:00:00,100,102,99,101,10\n";

/// Loads a file made of the header, one good row and `row`; returns the error's Display
/// without the path prefix, and checks that the path is there.
fn error_of(name: &str, row: &str) -> String {
    let (path, result) = load_text(name, &format!("{HEADER}{GOOD_ROW}{row}"));
    let message = match result {
        Ok(c) => panic!("{name}: expected an error, loaded {} bars", c.len()),
        Err(e) => e.to_string(),
    };
    let prefix = format!("{}:", path.display());
    message
        .strip_prefix(&prefix)
        .unwrap_or_else(|| panic!("{message:?} does not start with {prefix:?}"))
        .to_string()
}

#[test]
fn unparsable_number_names_file_line_column_and_text() {
    let e = parse_csv(
        "data/x.csv",
        format!("{HEADER}{GOOD_ROW}2022-07-16 08:00:00,100,abc,99,101,10\n").as_bytes(),
    )
    .expect_err("abc is not a number");
    assert_eq!(
        e.to_string(),
        "data/x.csv:3: column 'high': expected a number, got \"abc\""
    );
    assert!(matches!(
        e,
        AtbError::Data { line: Some(3), column: Some(ref c), .. } if c == "high"
    ));
}

#[test]
fn missing_column_is_named() {
    let (_, result) = load_text(
        "missing_low.csv",
        "date,open,high,close,volume\n2022-07-16 07:00:00,1,2,1,5\n",
    );
    let message = result.expect_err("no low column").to_string();
    assert!(
        message.contains(":1: column 'low': missing column"),
        "{message}"
    );
    let (_, result) = load_text("missing_date.csv", "when,open,high,low,close,volume\n");
    let message = result.expect_err("no time column").to_string();
    assert!(
        message.contains("column 'date': missing column"),
        "{message}"
    );
}

#[test]
fn unparsable_date() {
    let e = error_of("bad_date.csv", "16/07/2022 08:00,100,102,99,101,10\n");
    assert!(e.starts_with("3: column 'date': expected a date"), "{e}");
    assert!(e.contains("\"16/07/2022 08:00\""), "{e}");
}

#[test]
fn nan_and_infinity() {
    let e = error_of("nan.csv", "2022-07-16 08:00:00,100,102,99,NaN,10\n");
    assert_eq!(
        e,
        "3: column 'close': expected a finite number, got \"NaN\""
    );
    let e = error_of("inf.csv", "2022-07-16 08:00:00,100,102,99,101,inf\n");
    assert_eq!(
        e,
        "3: column 'volume': expected a finite number, got \"inf\""
    );
}

#[test]
fn non_positive_price() {
    let e = error_of("zero_price.csv", "2022-07-16 08:00:00,0,102,0,101,10\n");
    assert_eq!(e, "3: column 'open': price must be positive, got 0");
    let e = error_of(
        "negative_low.csv",
        "2022-07-16 08:00:00,100,102,-1,101,10\n",
    );
    assert_eq!(e, "3: column 'low': price must be positive, got -1");
}

#[test]
fn high_below_low() {
    let e = error_of(
        "high_below_low.csv",
        "2022-07-16 08:00:00,100,98,99,101,10\n",
    );
    assert_eq!(e, "3: column 'high': high 98 is below low 99");
}

#[test]
fn high_and_low_must_enclose_open_and_close() {
    let e = error_of(
        "high_below_close.csv",
        "2022-07-16 08:00:00,100,102,99,103,10\n",
    );
    assert_eq!(
        e,
        "3: column 'high': high 102 is below open 100 or close 103"
    );
    let e = error_of(
        "low_above_open.csv",
        "2022-07-16 08:00:00,98,102,99,101,10\n",
    );
    assert_eq!(e, "3: column 'low': low 99 is above open 98 or close 101");
}

#[test]
fn duplicate_timestamp() {
    let e = error_of("duplicate.csv", GOOD_ROW);
    assert_eq!(
        e,
        "3: column 'date': duplicate timestamp 2022-07-16 07:00:00 (line 2 has the same)"
    );
}

#[test]
fn unsorted_timestamps() {
    let e = error_of("unsorted.csv", "2022-07-16 06:00:00,100,102,99,101,10\n");
    assert_eq!(
        e,
        "3: column 'date': timestamps must increase: 2022-07-16 06:00:00 comes after 2022-07-16 07:00:00 on line 2"
    );
}

#[test]
fn negative_volume() {
    let e = error_of(
        "negative_volume.csv",
        "2022-07-16 08:00:00,100,102,99,101,-5\n",
    );
    assert_eq!(e, "3: column 'volume': volume must not be negative, got -5");
}

#[test]
fn bad_extra_value_after_a_numeric_first_row() {
    let (_, result) = load_text(
        "bad_extra.csv",
        "date,open,high,low,close,volume,sentiment\n\
         2022-07-16 07:00:00,100,102,99,101,10,0.5\n\
         2022-07-16 08:00:00,100,102,99,101,10,\n",
    );
    let message = result.expect_err("empty sentiment").to_string();
    assert!(
        message.ends_with(":3: column 'sentiment': expected a number, got \"\""),
        "{message}"
    );
}

#[test]
fn empty_file_and_header_only() {
    let (path, result) = load_text("empty.csv", "");
    assert_eq!(
        result.expect_err("empty").to_string(),
        format!("{}: the file is empty", path.display())
    );
    let (path, result) = load_text("header_only.csv", HEADER);
    assert_eq!(
        result.expect_err("no rows").to_string(),
        format!("{}: the file has no data rows", path.display())
    );
}

#[test]
fn wrong_field_counts() {
    let e = error_of("short_row.csv", "2022-07-16 08:00:00,100,102,99,101\n");
    assert_eq!(
        e,
        "3: expected 6 fields (date,open,high,low,close,volume), found 5"
    );
    let (_, result) = load_text("short_binance.csv", "1657954800000,1,2,0.5,1.5,7\n");
    let message = result
        .expect_err("6 fields is not a kline dump")
        .to_string();
    assert!(
        message.contains(":1: expected 12 fields (open_time,open,"),
        "{message}"
    );
}

#[test]
fn missing_file_is_an_io_error_naming_it() {
    let e = load_csv(std::path::Path::new("/nonexistent/prices.csv")).expect_err("no file");
    assert!(matches!(e, AtbError::Io { .. }));
    assert!(
        e.to_string().starts_with("/nonexistent/prices.csv: "),
        "{e}"
    );
}

#[test]
fn invalid_utf8_is_a_malformed_csv_error_with_its_line() {
    let mut bytes = format!("{HEADER}{GOOD_ROW}").into_bytes();
    bytes.extend_from_slice(b"2022-07-16 08:00:00,100,102,99,101,\xff\xfe\n");
    let e = parse_csv("bytes.csv", &bytes).expect_err("not UTF-8");
    assert!(
        e.to_string().starts_with("bytes.csv:3: malformed CSV"),
        "{e}"
    );
}

#[test]
fn blank_lines_are_skipped_but_a_row_of_empty_cells_is_not() {
    let (_, result) = load_text("blank_lines.csv", &format!("{HEADER}\n{GOOD_ROW}\n\n"));
    assert_eq!(result.expect("blank lines are fine").len(), 1);
    let e = error_of("empty_cells.csv", ",,,,,\n");
    assert!(e.starts_with("3: column 'date': expected a date"), "{e}");
}
