//! Loading OHLCV candles from CSV: a file with a header, or Binance's headerless kline dump.
//!
//! With a header, column names are matched case-insensitively in any order: a time column
//! (`date`, `datetime`, `timestamp`, `time` or `open_time`; ISO dates or epoch milliseconds) and
//! `open`, `high`, `low`, `close`, `volume`. Other columns whose first value is a number are kept
//! by name as extra series (e.g. sentiment scores); columns with text in the first row, unnamed
//! columns (`""`, `Unnamed: 0`), `close_time` and `ignore` are skipped.
//!
//! Without a header (the first cell is a number), the file must be Binance's 12-column kline
//! dump: open time, open, high, low, close, volume, close time, quote volume, trades, taker buy
//! base volume, taker buy quote volume, ignore. Only the OHLCV part is kept.
//!
//! Every bar is validated (see `validate.rs`); the first bad cell is an [`AtbError::Data`] naming
//! the file, line and column.

use std::path::Path;

use super::candles::Candles;
use super::time::parse_timestamp;
use super::validate::{check_bar, check_order};
use crate::error::{AtbError, Result, warn};

/// Names accepted for the time column, in order of preference.
const TIME_COLUMNS: [&str; 5] = ["date", "datetime", "timestamp", "time", "open_time"];
/// Columns that are never kept as extra series.
const SKIPPED_COLUMNS: [&str; 2] = ["close_time", "ignore"];
/// OHLCV column names, in `[open, high, low, close, volume]` order.
const OHLCV: [&str; 5] = ["open", "high", "low", "close", "volume"];
/// Column names of Binance's headerless kline dump.
const BINANCE_COLUMNS: [&str; 12] = [
    "open_time",
    "open",
    "high",
    "low",
    "close",
    "volume",
    "close_time",
    "quote_volume",
    "trades",
    "taker_buy_base_volume",
    "taker_buy_quote_volume",
    "ignore",
];

/// Reads and validates a candle CSV file.
pub fn load_csv(path: &Path) -> Result<Candles> {
    let bytes = std::fs::read(path).map_err(|source| AtbError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse_csv(&path.display().to_string(), &bytes)
}

/// Parses and validates candle CSV text; `source` names it in errors.
pub fn parse_csv(source: &str, bytes: &[u8]) -> Result<Candles> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(::csv::Trim::All)
        .from_reader(bytes);
    let mut records = reader.records();
    let error = |line: Option<usize>, column: Option<&str>, message: String| AtbError::Data {
        file: source.to_string(),
        line,
        column: column.map(str::to_string),
        message,
    };
    let first = match records.next() {
        None => return Err(error(None, None, "the file is empty".into())),
        Some(record) => record.map_err(|e| csv_error(source, &e))?,
    };
    let headerless = first
        .get(0)
        .is_some_and(|cell| !cell.is_empty() && cell.bytes().all(|b| b.is_ascii_digit()));
    let (layout, pending) = if headerless {
        (Layout::binance(), Some(first))
    } else {
        (
            Layout::from_header(source, &first).map_err(|(column, message)| {
                error(Some(line_of(&first)), column.as_deref(), message)
            })?,
            None,
        )
    };
    let mut parser = RowParser::new(source, layout);
    for record in pending.into_iter().map(Ok).chain(records) {
        let record = record.map_err(|e| csv_error(source, &e))?;
        parser.push(&record)?;
    }
    parser.finish()
}

/// Which cell of a row holds what.
struct Layout {
    /// Names of all columns, as written (used in errors).
    names: Vec<String>,
    /// Index of the time column.
    time: usize,
    /// Indices of open, high, low, close, volume.
    ohlcv: [usize; 5],
    /// Candidate extra columns (index); decided numeric or not on the first row.
    extra_candidates: Vec<usize>,
}

impl Layout {
    fn binance() -> Self {
        Self {
            names: BINANCE_COLUMNS.iter().map(|s| s.to_string()).collect(),
            time: 0,
            ohlcv: [1, 2, 3, 4, 5],
            extra_candidates: Vec::new(),
        }
    }

    /// Reads the header of `source`. A name given twice (case-insensitively, e.g. `close` and
    /// `Close`) is read from its first column; the later ones are ignored with a warning.
    fn from_header(
        source: &str,
        header: &::csv::StringRecord,
    ) -> std::result::Result<Self, (Option<String>, String)> {
        let names: Vec<String> = header.iter().map(str::to_string).collect();
        let lower: Vec<String> = names.iter().map(|n| n.to_ascii_lowercase()).collect();
        let repeated = |i: usize| !lower[i].is_empty() && lower[..i].contains(&lower[i]);
        for i in (0..names.len()).filter(|&i| repeated(i)) {
            let first = lower.iter().position(|n| *n == lower[i]).unwrap_or(i);
            warn(&format!(
                "{source}: columns {} ({:?}) and {} ({:?}) have the same name; column {} is \
                 used, column {} is ignored",
                first + 1,
                names[first],
                i + 1,
                names[i],
                first + 1,
                i + 1
            ));
        }
        let find = |wanted: &str| lower.iter().position(|n| n == wanted);
        let time = TIME_COLUMNS
            .iter()
            .find_map(|name| find(name))
            .ok_or_else(|| {
                (
                    Some("date".to_string()),
                    format!(
                        "missing column (a time column named {}); the header has {}",
                        TIME_COLUMNS.join(", "),
                        names.join(",")
                    ),
                )
            })?;
        let mut ohlcv = [0; 5];
        for (slot, name) in ohlcv.iter_mut().zip(OHLCV) {
            *slot = find(name).ok_or_else(|| {
                (
                    Some(name.to_string()),
                    format!("missing column; the header has {}", names.join(",")),
                )
            })?;
        }
        let extra_candidates = (0..names.len())
            .filter(|&i| i != time && !ohlcv.contains(&i) && !repeated(i))
            .filter(|&i| {
                let name = lower[i].as_str();
                !name.is_empty()
                    && !name.starts_with("unnamed")
                    && !TIME_COLUMNS.contains(&name)
                    && !SKIPPED_COLUMNS.contains(&name)
            })
            .collect();
        Ok(Self {
            names,
            time,
            ohlcv,
            extra_candidates,
        })
    }
}

/// Turns rows into validated candles, remembering the previous time for order checks.
struct RowParser<'a> {
    source: &'a str,
    layout: Layout,
    /// Kept extra columns (index), decided on the first data row.
    extra: Vec<usize>,
    candles: Option<Candles>,
    previous: Option<(i64, usize)>,
}

impl<'a> RowParser<'a> {
    fn new(source: &'a str, layout: Layout) -> Self {
        Self {
            source,
            layout,
            extra: Vec::new(),
            candles: None,
            previous: None,
        }
    }

    fn error(&self, line: usize, column: usize, message: String) -> AtbError {
        AtbError::Data {
            file: self.source.to_string(),
            line: Some(line),
            column: Some(self.layout.names[column].clone()),
            message,
        }
    }

    /// Keeps the extra candidates whose first value is a number and starts the candles.
    fn start(&mut self, first_row: &::csv::StringRecord) {
        self.extra = self
            .layout
            .extra_candidates
            .iter()
            .copied()
            .filter(|&i| first_row[i].parse::<f64>().is_ok())
            .collect();
        let names: Vec<String> = self
            .extra
            .iter()
            .map(|&i| self.layout.names[i].clone())
            .collect();
        self.candles = Some(Candles::empty(self.source, &names));
    }

    fn push(&mut self, record: &::csv::StringRecord) -> Result<()> {
        let line = line_of(record);
        if record.len() != self.layout.names.len() {
            return Err(AtbError::Data {
                file: self.source.to_string(),
                line: Some(line),
                column: None,
                message: format!(
                    "expected {} fields ({}), found {}",
                    self.layout.names.len(),
                    self.layout.names.join(","),
                    record.len()
                ),
            });
        }
        if self.candles.is_none() {
            self.start(record);
        }
        let time_col = self.layout.time;
        let time = parse_timestamp(&record[time_col])
            .map_err(|message| self.error(line, time_col, message))?;
        check_order(self.previous, time).map_err(|message| self.error(line, time_col, message))?;
        let mut ohlcv = [0.0; 5];
        for (value, &column) in ohlcv.iter_mut().zip(&self.layout.ohlcv) {
            *value = parse_number(&record[column]).map_err(|m| self.error(line, column, m))?;
        }
        check_bar(&ohlcv)
            .map_err(|(field, message)| self.error(line, self.layout.ohlcv[field], message))?;
        let mut extra = Vec::with_capacity(self.extra.len());
        for &column in &self.extra {
            extra.push(parse_number(&record[column]).map_err(|m| self.error(line, column, m))?);
        }
        if let Some(candles) = self.candles.as_mut() {
            candles.push(time, ohlcv, &extra);
            candles.source_line.push(line);
        }
        self.previous = Some((time, line));
        Ok(())
    }

    fn finish(self) -> Result<Candles> {
        match self.candles {
            Some(candles) if !candles.is_empty() => Ok(candles),
            _ => Err(AtbError::Data {
                file: self.source.to_string(),
                line: None,
                column: None,
                message: "the file has no data rows".into(),
            }),
        }
    }
}

/// A finite number, or why the cell is not one.
fn parse_number(cell: &str) -> std::result::Result<f64, String> {
    match cell.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(format!("expected a finite number, got {cell:?}")),
        Err(_) => Err(format!("expected a number, got {cell:?}")),
    }
}

/// 1-based line where a record starts.
fn line_of(record: &::csv::StringRecord) -> usize {
    record.position().map_or(0, |p| p.line() as usize)
}

fn csv_error(source: &str, e: &::csv::Error) -> AtbError {
    AtbError::Data {
        file: source.to_string(),
        line: e.position().map(|p| p.line() as usize),
        column: None,
        message: format!("malformed CSV: {e}"),
    }
}
