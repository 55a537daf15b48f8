//! Bar interval inference, gap reports, and gap filling.
//!
//! The interval is the most common difference between consecutive open times. A gap is a
//! difference of k > 1 intervals: k − 1 bars are missing. Filling inserts, for each missing bar,
//! a flat no-trade bar: open = high = low = close = the previous bar's close, volume 0, extra
//! columns carried forward from the previous bar. Only the past is used, so no future
//! information leaks into the filled bars.
//!
//! Filling is bounded: a run of more than [`DEFAULT_MAX_GAP_BARS`] missing bars (one day of 1h
//! bars; `--max-gap-bars` changes it) is an error naming both bars' times and lines, never
//! millions of invented bars from one mistyped date.

use std::collections::HashMap;
use std::fmt;

use super::candles::Candles;
use super::time::{format_interval, format_timestamp};
use crate::error::{AtbError, Result};

/// How many gaps a [`GapReport`] lists in detail.
const LISTED_GAPS: usize = 5;

/// The longest run of missing bars filled by default (`--max-gap-bars`): one day of 1h bars.
pub const DEFAULT_MAX_GAP_BARS: usize = 24;

/// One run of missing bars.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    /// Index (in the unfilled candles) of the bar just before the gap.
    pub after_index: usize,
    /// Open time of the first missing bar, epoch ms.
    pub first_missing_ms: i64,
    /// Number of missing bars.
    pub missing_bars: usize,
}

/// What [`find_gaps`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GapReport {
    /// Bar interval in milliseconds.
    pub interval_ms: i64,
    /// Number of gaps.
    pub gap_count: usize,
    /// Total missing bars over all gaps.
    pub missing_bars: usize,
    /// Missing bars in the largest gap (0 when there is none).
    pub largest_gap_bars: usize,
    /// The first few gaps, oldest first.
    pub first_gaps: Vec<Gap>,
}

impl fmt::Display for GapReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let interval = format_interval(self.interval_ms);
        if self.gap_count == 0 {
            return write!(f, "interval {interval}, no gaps");
        }
        write!(
            f,
            "interval {interval}, {} gap(s), {} missing bar(s), largest {} bar(s); first at",
            self.gap_count, self.missing_bars, self.largest_gap_bars
        )?;
        for (i, gap) in self.first_gaps.iter().enumerate() {
            let sep = if i == 0 { " " } else { ", " };
            write!(
                f,
                "{sep}{} ({} bar(s))",
                format_timestamp(gap.first_missing_ms),
                gap.missing_bars
            )?;
        }
        Ok(())
    }
}

/// The bar interval: the most common difference between consecutive times (the smallest one
/// on a tie). Needs at least two bars.
pub fn infer_interval(candles: &Candles) -> Result<i64> {
    let mut counts: HashMap<i64, usize> = HashMap::new();
    for pair in candles.time_ms.windows(2) {
        *counts.entry(pair[1].saturating_sub(pair[0])).or_default() += 1;
    }
    counts
        .into_iter()
        .max_by_key(|&(diff, count)| (count, std::cmp::Reverse(diff)))
        .map(|(diff, _)| diff)
        .ok_or_else(|| AtbError::Data {
            file: candles.source.clone(),
            line: None,
            column: None,
            message: format!(
                "at least two bars are needed to infer the bar interval, found {}",
                candles.len()
            ),
        })
}

/// Bars missing between consecutive open times `before` and `after` on a grid of
/// `interval_ms`, or `None` when the step is not a whole number of intervals.
fn missing_between(before: i64, after: i64, interval_ms: i64) -> Option<u64> {
    let step = i128::from(after) - i128::from(before);
    let interval = i128::from(interval_ms);
    if interval <= 0 || step <= 0 || step % interval != 0 {
        return None;
    }
    u64::try_from(step / interval - 1).ok()
}

/// Finds the gaps. A step that is not a whole multiple of the interval is an error.
pub fn find_gaps(candles: &Candles) -> Result<GapReport> {
    let interval_ms = infer_interval(candles)?;
    let mut report = GapReport {
        interval_ms,
        gap_count: 0,
        missing_bars: 0,
        largest_gap_bars: 0,
        first_gaps: Vec::new(),
    };
    for (i, pair) in candles.time_ms.windows(2).enumerate() {
        let Some(missing) = missing_between(pair[0], pair[1], interval_ms) else {
            return Err(AtbError::Data {
                file: candles.source.clone(),
                line: candles.line_of(i + 1),
                column: None,
                message: format!(
                    "bar at {} is {} after the previous one, not a whole number of {} bars",
                    format_timestamp(pair[1]),
                    format_interval(pair[1].saturating_sub(pair[0])),
                    format_interval(interval_ms)
                ),
            });
        };
        let missing = usize::try_from(missing).unwrap_or(usize::MAX);
        if missing > 0 {
            report.gap_count += 1;
            report.missing_bars = report.missing_bars.saturating_add(missing);
            report.largest_gap_bars = report.largest_gap_bars.max(missing);
            if report.first_gaps.len() < LISTED_GAPS {
                report.first_gaps.push(Gap {
                    after_index: i,
                    first_missing_ms: pair[0] + interval_ms,
                    missing_bars: missing,
                });
            }
        }
    }
    Ok(report)
}

/// Fails on the first run of more than `max_gap_bars` missing bars, naming the bars on both
/// sides (time and line) and how to go on.
fn check_gap_bound(candles: &Candles, report: &GapReport, max_gap_bars: usize) -> Result<()> {
    if report.largest_gap_bars <= max_gap_bars {
        return Ok(());
    }
    let interval_ms = report.interval_ms;
    for (i, pair) in candles.time_ms.windows(2).enumerate() {
        let missing = missing_between(pair[0], pair[1], interval_ms).unwrap_or(0);
        if missing > max_gap_bars as u64 {
            let previous = match candles.line_of(i) {
                Some(line) => format!("the bar at {} (line {line})", format_timestamp(pair[0])),
                None => format!("the bar at {}", format_timestamp(pair[0])),
            };
            return Err(AtbError::Data {
                file: candles.source.clone(),
                line: candles.line_of(i + 1),
                column: None,
                message: format!(
                    "the bar at {} comes {missing} missing {} bar(s) after {previous}; gap filling \
                     invents at most {max_gap_bars} bars in a row (--max-gap-bars): fix or remove \
                     the row, or raise --max-gap-bars",
                    format_timestamp(pair[1]),
                    format_interval(interval_ms),
                ),
            });
        }
    }
    Ok(())
}

/// Fills every gap of at most `max_gap_bars` missing bars with flat no-trade bars (see the
/// module doc) and returns the filled candles with the report of what was missing; a longer
/// gap is an error naming both bars.
pub fn fill_gaps(candles: &Candles, max_gap_bars: usize) -> Result<(Candles, GapReport)> {
    let report = find_gaps(candles)?;
    check_gap_bound(candles, &report, max_gap_bars)?;
    if report.gap_count == 0 {
        return Ok((candles.clone(), report));
    }
    let names: Vec<String> = candles.extra.iter().map(|s| s.name.clone()).collect();
    let mut filled = Candles::empty(candles.source.clone(), &names);
    let total = candles.len().saturating_add(report.missing_bars);
    filled.try_reserve(total).map_err(|e| AtbError::Data {
        file: candles.source.clone(),
        line: None,
        column: None,
        message: format!("no memory for {total} bars after gap filling ({e})"),
    })?;
    let mut extra = vec![0.0; names.len()];
    for i in 0..candles.len() {
        if i > 0 {
            let prev_close = candles.close[i - 1];
            for (value, series) in extra.iter_mut().zip(&candles.extra) {
                *value = series.values[i - 1];
            }
            let mut t = candles.time_ms[i - 1] + report.interval_ms;
            while t < candles.time_ms[i] {
                filled.push(
                    t,
                    [prev_close, prev_close, prev_close, prev_close, 0.0],
                    &extra,
                );
                t += report.interval_ms;
            }
        }
        for (value, series) in extra.iter_mut().zip(&candles.extra) {
            *value = series.values[i];
        }
        filled.push(
            candles.time_ms[i],
            [
                candles.open[i],
                candles.high[i],
                candles.low[i],
                candles.close[i],
                candles.volume[i],
            ],
            &extra,
        );
    }
    Ok((filled, report))
}
