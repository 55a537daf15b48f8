//! CPU reference of `shaders/gbdt_partition.wgsl`: stable partition of a leaf's row segment.

use crate::gbdt::BinnedMatrix;

/// Where a leaf's rows go: rows whose bin of `feature` is `<= threshold_bin` go left, rows in
/// the missing-value bin `nan_bin` go left when `default_left`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartitionRule {
    /// Feature split on.
    pub feature: usize,
    /// Last value bin going left.
    pub threshold_bin: usize,
    /// The feature's missing-value bin.
    pub nan_bin: usize,
    /// Whether missing values go left.
    pub default_left: bool,
}

impl PartitionRule {
    /// Whether a row with bin `bin` goes left.
    pub fn goes_left(&self, bin: usize) -> bool {
        if bin == self.nan_bin {
            self.default_left
        } else {
            bin <= self.threshold_bin
        }
    }
}

/// Reorders `rows[begin .. begin + count]`: left rows first, then right rows, each keeping
/// their order (right rows pass through `scratch`, which grows as needed). Returns the number
/// of left rows.
pub fn gbdt_partition(
    bins: &BinnedMatrix,
    rows: &mut [u32],
    scratch: &mut Vec<u32>,
    begin: usize,
    count: usize,
    rule: &PartitionRule,
) -> usize {
    let segment = &mut rows[begin..begin + count];
    scratch.clear();
    let mut left = 0;
    for i in 0..segment.len() {
        let r = segment[i];
        if rule.goes_left(bins.get(r as usize, rule.feature)) {
            segment[left] = r;
            left += 1;
        } else {
            scratch.push(r);
        }
    }
    segment[left..].copy_from_slice(scratch);
    left
}
