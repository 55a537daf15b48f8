//! The rules one bar must satisfy, and the order bars must come in.
//!
//! Each check names the OHLCV field at fault so the loader can report the file's column.

use super::time::format_timestamp;

/// Index of a field in an `[open, high, low, close, volume]` row.
pub(crate) const OPEN: usize = 0;
pub(crate) const HIGH: usize = 1;
pub(crate) const LOW: usize = 2;
pub(crate) const CLOSE: usize = 3;
pub(crate) const VOLUME: usize = 4;

/// Checks one bar: prices > 0, high ≥ low, high and low enclose open and close, volume ≥ 0.
/// Values are already finite. On failure returns the field index and a message.
pub(crate) fn check_bar(ohlcv: &[f64; 5]) -> Result<(), (usize, String)> {
    for field in [OPEN, HIGH, LOW, CLOSE] {
        if ohlcv[field] <= 0.0 {
            return Err((
                field,
                format!("price must be positive, got {}", ohlcv[field]),
            ));
        }
    }
    let [open, high, low, close, volume] = *ohlcv;
    if high < low {
        return Err((HIGH, format!("high {high} is below low {low}")));
    }
    if high < open.max(close) {
        return Err((
            HIGH,
            format!("high {high} is below open {open} or close {close}"),
        ));
    }
    if low > open.min(close) {
        return Err((
            LOW,
            format!("low {low} is above open {open} or close {close}"),
        ));
    }
    if volume < 0.0 {
        return Err((VOLUME, format!("volume must not be negative, got {volume}")));
    }
    Ok(())
}

/// Checks that `time_ms` comes strictly after the previous bar's time (read on `previous_line`).
pub(crate) fn check_order(previous: Option<(i64, usize)>, time_ms: i64) -> Result<(), String> {
    match previous {
        Some((prev, line)) if time_ms == prev => Err(format!(
            "duplicate timestamp {} (line {line} has the same)",
            format_timestamp(time_ms)
        )),
        Some((prev, line)) if time_ms < prev => Err(format!(
            "timestamps must increase: {} comes after {} on line {line}",
            format_timestamp(time_ms),
            format_timestamp(prev)
        )),
        _ => Ok(()),
    }
}
