//! Where a leaf's rows go in one split: the rule both partition implementations apply.

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
