//! CPU reference of `shaders/gbdt_partition.wgsl`: stable partition of a leaf's row segment.

use super::partition_rule::PartitionRule;
use crate::gbdt::binning::BinnedMatrix;

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
