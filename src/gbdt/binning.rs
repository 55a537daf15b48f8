//! Discretisation of features into at most `max_bin` value bins plus one missing-value bin.
//!
//! Each feature's bins come from the training data: with at most `max_bin` distinct values,
//! every distinct value gets its own bin; otherwise bins are filled greedily to about
//! `rows / max_bin` rows each, never splitting a distinct value (LightGBM's approach). A bin's
//! upper bound is the midpoint between the largest value inside and the next distinct value
//! (`+inf` for the last bin), so `value <= upper[b]` ⇔ `bin(value) <= b`: these bounds are the
//! thresholds written to `model.txt`, and LightGBM's `fval <= threshold` routes every row as
//! our bins do. `NaN` goes to the bin after the value bins.

use super::matrix::FeatureMatrix;

/// Bins per feature in the histogram layout: 255 value bins at most, plus the missing bin.
pub const BIN_STRIDE: usize = 256;

/// The bins of one feature.
#[derive(Debug, Clone, PartialEq)]
pub struct BinMapper {
    /// Upper bound of each value bin (ascending, the last is `+inf`).
    uppers: Vec<f64>,
    /// Smallest and largest finite training value (`None` when the feature was all `NaN`).
    range: Option<(f32, f32)>,
}

impl BinMapper {
    /// Bins for one feature's training values (`NaN` values are ignored here).
    pub fn fit(values: &[f32], max_bin: usize) -> BinMapper {
        let mut sorted: Vec<f32> = values.iter().copied().filter(|v| !v.is_nan()).collect();
        sorted.sort_unstable_by(f32::total_cmp);
        let mut distinct: Vec<(f32, usize)> = Vec::new();
        for &v in &sorted {
            match distinct.last_mut() {
                // -0.0 and 0.0 compare equal and are one value.
                Some((last, count)) if *last == v => *count += 1,
                _ => distinct.push((v, 1)),
            }
        }
        let range = match (sorted.first(), sorted.last()) {
            (Some(&lo), Some(&hi)) => Some((lo, hi)),
            _ => None,
        };
        let midpoint = |i: usize| (f64::from(distinct[i].0) + f64::from(distinct[i + 1].0)) / 2.0;
        let mut uppers = Vec::new();
        if distinct.len() <= max_bin {
            uppers.extend((0..distinct.len().saturating_sub(1)).map(midpoint));
        } else {
            let mut remaining = sorted.len();
            let mut bins_left = max_bin;
            let mut in_bin = 0usize;
            for i in 0..distinct.len() - 1 {
                in_bin += distinct[i].1;
                let target = remaining as f64 / bins_left as f64;
                let distinct_left = distinct.len() - 1 - i;
                if bins_left > 1 && (in_bin as f64 >= target || distinct_left < bins_left) {
                    uppers.push(midpoint(i));
                    remaining -= in_bin;
                    in_bin = 0;
                    bins_left -= 1;
                }
            }
        }
        uppers.push(f64::INFINITY);
        BinMapper { uppers, range }
    }

    /// Bins with the given upper bounds (ascending, the last `+inf`) and training range: the
    /// bins of a model read back from `model.txt`.
    pub(crate) fn from_uppers(uppers: Vec<f64>, range: Option<(f32, f32)>) -> BinMapper {
        BinMapper { uppers, range }
    }

    /// The bin whose upper bound is `threshold` (or the first above it).
    pub(crate) fn bin_of_threshold(&self, threshold: f64) -> usize {
        self.uppers.partition_point(|&u| u < threshold)
    }

    /// Number of value bins (the missing-value bin is number `value_bins()`).
    pub fn value_bins(&self) -> usize {
        self.uppers.len()
    }

    /// The missing-value bin.
    pub fn nan_bin(&self) -> usize {
        self.uppers.len()
    }

    /// The upper bound (split threshold) of value bin `b`.
    pub fn upper(&self, b: usize) -> f64 {
        self.uppers[b]
    }

    /// The smallest and largest finite training value, if any.
    pub fn range(&self) -> Option<(f32, f32)> {
        self.range
    }

    /// The bin of `value`: the first bin whose upper bound is `>= value`, or the missing bin.
    pub fn bin(&self, value: f32) -> usize {
        if value.is_nan() {
            return self.nan_bin();
        }
        let v = f64::from(value);
        self.uppers.partition_point(|&u| u < v)
    }
}

/// A feature matrix mapped to bins: row-major `u8`, one byte per (row, feature).
#[derive(Debug, Clone, PartialEq)]
pub struct BinnedMatrix {
    rows: usize,
    cols: usize,
    bins: Vec<u8>,
}

impl BinnedMatrix {
    /// Maps `x` through `mappers` (one per column).
    pub fn new(x: &FeatureMatrix, mappers: &[BinMapper]) -> BinnedMatrix {
        let bins = x
            .values()
            .iter()
            .enumerate()
            .map(|(i, &v)| mappers[i % x.cols()].bin(v) as u8)
            .collect();
        BinnedMatrix {
            rows: x.rows(),
            cols: x.cols(),
            bins,
        }
    }

    /// Wraps raw bins (row-major `rows × cols`); used by tests of the histogram kernels.
    pub fn from_raw(rows: usize, cols: usize, bins: Vec<u8>) -> Option<BinnedMatrix> {
        (bins.len() == rows * cols).then_some(BinnedMatrix { rows, cols, bins })
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of features.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// The bin of (`row`, `feature`).
    pub fn get(&self, row: usize, feature: usize) -> usize {
        usize::from(self.bins[row * self.cols + feature])
    }

    /// The bins of one row, one byte per feature.
    pub fn row(&self, row: usize) -> &[u8] {
        &self.bins[row * self.cols..(row + 1) * self.cols]
    }

    /// The `u32` words per row of [`BinnedMatrix::packed`]: four features per word.
    pub fn words_per_row(&self) -> usize {
        self.cols.div_ceil(4)
    }

    /// The GPU layout: row-major words, feature `f` of a row in byte `f % 4` (little end
    /// first) of word `f / 4`; padding bytes are 0.
    pub fn packed(&self) -> Vec<u32> {
        let wpr = self.words_per_row();
        let mut out = vec![0u32; self.rows * wpr];
        for r in 0..self.rows {
            for f in 0..self.cols {
                out[r * wpr + f / 4] |= u32::from(self.bins[r * self.cols + f]) << (8 * (f % 4));
            }
        }
        out
    }
}

/// Fits one [`BinMapper`] per column of `x`.
pub fn fit_bin_mappers(x: &FeatureMatrix, max_bin: usize) -> Vec<BinMapper> {
    let mut column = Vec::with_capacity(x.rows());
    (0..x.cols())
        .map(|c| {
            column.clear();
            column.extend((0..x.rows()).map(|r| x.get(r, c)));
            BinMapper::fit(&column, max_bin)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn few_distinct_values_get_one_bin_each_with_midpoint_bounds() {
        let m = BinMapper::fit(&[3.0, 1.0, 1.0, f32::NAN, 2.0], 255);
        assert_eq!(m.value_bins(), 3);
        assert_eq!(
            (m.upper(0), m.upper(1), m.upper(2)),
            (1.5, 2.5, f64::INFINITY)
        );
        assert_eq!(
            [m.bin(1.0), m.bin(2.0), m.bin(3.0), m.bin(1.5)],
            [0, 1, 2, 0]
        );
        assert_eq!([m.bin(-9.0), m.bin(9.0), m.bin(f32::NAN)], [0, 2, 3]);
        assert_eq!(m.range(), Some((1.0, 3.0)));
    }

    #[test]
    fn many_values_are_capped_at_max_bin_with_balanced_counts() {
        let values: Vec<f32> = (0..10_000).map(|i| ((i * 7919) % 10_000) as f32).collect();
        let m = BinMapper::fit(&values, 255);
        assert_eq!(m.value_bins(), 255);
        let mut counts = vec![0usize; 256];
        for &v in &values {
            counts[m.bin(v)] += 1;
        }
        assert!(
            counts[..255].iter().all(|&c| (30..=50).contains(&c)),
            "{counts:?}"
        );
        // Bounds route exactly like bins.
        for &v in &values[..500] {
            let b = m.bin(v);
            assert!(f64::from(v) <= m.upper(b) && (b == 0 || f64::from(v) > m.upper(b - 1)));
        }
    }

    #[test]
    fn a_heavy_value_keeps_its_own_bin_and_all_nan_is_one_bin() {
        let mut values = vec![5.0f32; 900];
        values.extend((0..100).map(|i| i as f32 * 0.01));
        let m = BinMapper::fit(&values, 16);
        assert!(m.value_bins() <= 16);
        let b5 = m.bin(5.0);
        assert!(
            values
                .iter()
                .filter(|&&v| v != 5.0)
                .all(|&v| m.bin(v) != b5)
        );
        let nan = BinMapper::fit(&[f32::NAN; 4], 255);
        assert_eq!(
            (nan.value_bins(), nan.bin(f32::NAN), nan.range()),
            (1, 1, None)
        );
    }

    #[test]
    fn packing_puts_four_features_in_a_word() {
        let x = BinnedMatrix::from_raw(2, 5, vec![1, 2, 3, 4, 5, 6, 7, 8, 9, 255]).unwrap();
        assert_eq!(x.words_per_row(), 2);
        assert_eq!(x.packed(), vec![0x0403_0201, 5, 0x0908_0706, 255]);
    }
}
