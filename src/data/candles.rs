//! OHLCV candles in columns: times as epoch milliseconds, prices and volumes as f64.

use std::collections::TryReserveError;
use std::ops::Range;

/// A named numeric column beyond OHLCV (e.g. a sentiment score), one value per bar.
#[derive(Debug, Clone, PartialEq)]
pub struct ExtraSeries {
    /// Column name as written in the file's header.
    pub name: String,
    /// One value per bar, finite.
    pub values: Vec<f64>,
}

/// Validated candles, oldest first, with strictly increasing open times.
///
/// Every column has the same length. Loaders guarantee: prices finite and > 0,
/// `low ≤ min(open, close)`, `high ≥ max(open, close)`, volume finite and ≥ 0.
#[derive(Debug, Clone, PartialEq)]
pub struct Candles {
    /// Where the candles came from (a file path or `<embedded …>`), for error messages.
    pub source: String,
    /// Bar open times, epoch milliseconds UTC.
    pub time_ms: Vec<i64>,
    /// Open prices.
    pub open: Vec<f64>,
    /// High prices.
    pub high: Vec<f64>,
    /// Low prices.
    pub low: Vec<f64>,
    /// Close prices.
    pub close: Vec<f64>,
    /// Traded volume (base asset).
    pub volume: Vec<f64>,
    /// Extra numeric columns, in file order.
    pub extra: Vec<ExtraSeries>,
    /// 1-based line of each bar in its source file, for error messages; empty when the bars
    /// were not all read from a file (built in code, or gap-filled).
    pub source_line: Vec<usize>,
}

impl Candles {
    /// An empty set of candles with the given extra column names.
    pub fn empty(source: impl Into<String>, extra_names: &[String]) -> Self {
        Self {
            source: source.into(),
            time_ms: Vec::new(),
            open: Vec::new(),
            high: Vec::new(),
            low: Vec::new(),
            close: Vec::new(),
            volume: Vec::new(),
            extra: extra_names
                .iter()
                .map(|name| ExtraSeries {
                    name: name.clone(),
                    values: Vec::new(),
                })
                .collect(),
            source_line: Vec::new(),
        }
    }

    /// Number of bars.
    pub fn len(&self) -> usize {
        self.time_ms.len()
    }

    /// True when there are no bars.
    pub fn is_empty(&self) -> bool {
        self.time_ms.is_empty()
    }

    /// Reserves room for `additional` more bars in every column: an error, not an abort, when
    /// the memory is not there.
    pub fn try_reserve(&mut self, additional: usize) -> Result<(), TryReserveError> {
        self.time_ms.try_reserve_exact(additional)?;
        for column in [
            &mut self.open,
            &mut self.high,
            &mut self.low,
            &mut self.close,
            &mut self.volume,
        ] {
            column.try_reserve_exact(additional)?;
        }
        for series in &mut self.extra {
            series.values.try_reserve_exact(additional)?;
        }
        Ok(())
    }

    /// Appends one bar; `extra` holds one value per extra column, in order.
    pub fn push(&mut self, time_ms: i64, ohlcv: [f64; 5], extra: &[f64]) {
        let [open, high, low, close, volume] = ohlcv;
        self.time_ms.push(time_ms);
        self.open.push(open);
        self.high.push(high);
        self.low.push(low);
        self.close.push(close);
        self.volume.push(volume);
        for (series, &value) in self.extra.iter_mut().zip(extra) {
            series.values.push(value);
        }
    }

    /// A 64-bit FNV-1a fingerprint of every bar (time, OHLCV and extra columns, in order),
    /// written to a model's config.json so a run can be tied to the exact data it saw.
    pub fn fingerprint(&self) -> String {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        let mut feed = |bytes: [u8; 8]| {
            for b in bytes {
                hash = (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
            }
        };
        for i in 0..self.len() {
            feed(self.time_ms[i].to_le_bytes());
            for v in [
                self.open[i],
                self.high[i],
                self.low[i],
                self.close[i],
                self.volume[i],
            ] {
                feed(v.to_bits().to_le_bytes());
            }
            for series in &self.extra {
                feed(series.values[i].to_bits().to_le_bytes());
            }
        }
        format!("fnv1a64:{hash:016x}")
    }

    /// The line bar `index` was read from, when known.
    pub fn line_of(&self, index: usize) -> Option<usize> {
        self.source_line.get(index).copied()
    }

    /// The bars in `range` (indices into this set), as a new set from the same source.
    /// Panics if `range` reaches past [`Candles::len`], like slice indexing.
    pub fn slice(&self, range: Range<usize>) -> Self {
        Self {
            source: self.source.clone(),
            time_ms: self.time_ms[range.clone()].to_vec(),
            open: self.open[range.clone()].to_vec(),
            high: self.high[range.clone()].to_vec(),
            low: self.low[range.clone()].to_vec(),
            close: self.close[range.clone()].to_vec(),
            volume: self.volume[range.clone()].to_vec(),
            extra: self
                .extra
                .iter()
                .map(|s| ExtraSeries {
                    name: s.name.clone(),
                    values: s.values[range.clone()].to_vec(),
                })
                .collect(),
            source_line: self
                .source_line
                .get(range.clone())
                .map_or_else(Vec::new, <[usize]>::to_vec),
        }
    }
}

#[cfg(test)]
mod fingerprint_tests {
    use super::Candles;

    #[test]
    fn the_fingerprint_changes_with_any_value() {
        let mut a = Candles::empty("test", &[]);
        a.push(0, [1.0, 2.0, 0.5, 1.5, 10.0], &[]);
        a.push(3_600_000, [1.5, 2.0, 1.0, 1.8, 12.0], &[]);
        let mut b = a.clone();
        assert_eq!(a.fingerprint(), b.fingerprint());
        b.volume[1] = 12.5;
        assert_ne!(a.fingerprint(), b.fingerprint());
        assert!(a.fingerprint().starts_with("fnv1a64:"));
    }
}
