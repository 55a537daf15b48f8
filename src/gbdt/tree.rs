//! A regression tree in LightGBM's layout: internal nodes and leaves in separate arrays, a
//! child `c >= 0` is internal node `c`, `c < 0` is leaf `!c` (`~c` in C).

use super::binning::BinMapper;

/// One grown tree. Leaf values already include the shrinkage (learning rate).
#[derive(Debug, Clone, PartialEq)]
pub struct Tree {
    /// Feature of each internal node.
    pub split_feature: Vec<usize>,
    /// Last bin that goes left at each internal node.
    pub threshold_bin: Vec<usize>,
    /// The same threshold as a value: `value <= threshold` goes left.
    pub threshold: Vec<f64>,
    /// Whether missing values (`NaN`) go left at each internal node.
    pub default_left: Vec<bool>,
    /// The feature's missing-value bin at each internal node.
    pub nan_bin: Vec<usize>,
    /// Gain of each split.
    pub split_gain: Vec<f64>,
    /// Left child of each internal node.
    pub left_child: Vec<i32>,
    /// Right child of each internal node.
    pub right_child: Vec<i32>,
    /// Unshrunk output the node would have as a leaf (for `model.txt`).
    pub internal_value: Vec<f64>,
    /// Hessian sum of each internal node.
    pub internal_weight: Vec<f64>,
    /// Row count of each internal node.
    pub internal_count: Vec<u64>,
    /// Output of each leaf (shrinkage applied).
    pub leaf_value: Vec<f64>,
    /// Hessian sum of each leaf.
    pub leaf_weight: Vec<f64>,
    /// Row count of each leaf.
    pub leaf_count: Vec<u64>,
    /// Depth of each leaf (the root leaf has depth 0).
    pub leaf_depth: Vec<u32>,
    /// Internal node whose child each leaf is (`-1` for the root leaf).
    pub leaf_parent: Vec<i32>,
}

/// Where a new split goes and what it carries.
#[derive(Debug, Clone, Copy)]
pub struct SplitRecord {
    /// Feature index.
    pub feature: usize,
    /// Last bin going left.
    pub threshold_bin: usize,
    /// Missing values go left.
    pub default_left: bool,
    /// Split gain.
    pub gain: f64,
}

impl Tree {
    /// A tree with one leaf holding `count` rows of hessian sum `weight`.
    pub fn single_leaf(value: f64, weight: f64, count: u64) -> Tree {
        Tree {
            split_feature: vec![],
            threshold_bin: vec![],
            threshold: vec![],
            default_left: vec![],
            nan_bin: vec![],
            split_gain: vec![],
            left_child: vec![],
            right_child: vec![],
            internal_value: vec![],
            internal_weight: vec![],
            internal_count: vec![],
            leaf_value: vec![value],
            leaf_weight: vec![weight],
            leaf_count: vec![count],
            leaf_depth: vec![0],
            leaf_parent: vec![-1],
        }
    }

    /// Number of leaves.
    pub fn num_leaves(&self) -> usize {
        self.leaf_value.len()
    }

    /// Splits `leaf`: it becomes the left child (keeping its index), the new leaf
    /// `num_leaves()` the right child. Returns the new leaf's index.
    pub fn split(&mut self, leaf: usize, split: &SplitRecord, mapper: &BinMapper) -> usize {
        let node = self.split_feature.len() as i32;
        let parent = self.leaf_parent[leaf];
        if parent >= 0 {
            let p = parent as usize;
            if self.left_child[p] == !(leaf as i32) {
                self.left_child[p] = node;
            } else {
                self.right_child[p] = node;
            }
        }
        let new_leaf = self.num_leaves();
        self.split_feature.push(split.feature);
        self.threshold_bin.push(split.threshold_bin);
        self.threshold.push(mapper.upper(split.threshold_bin));
        self.default_left.push(split.default_left);
        self.nan_bin.push(mapper.nan_bin());
        self.split_gain.push(split.gain);
        self.left_child.push(!(leaf as i32));
        self.right_child.push(!(new_leaf as i32));
        self.internal_value.push(self.leaf_value[leaf]);
        self.internal_weight.push(self.leaf_weight[leaf]);
        self.internal_count.push(self.leaf_count[leaf]);
        let depth = self.leaf_depth[leaf] + 1;
        self.leaf_depth[leaf] = depth;
        self.leaf_parent[leaf] = node;
        self.leaf_value.push(0.0);
        self.leaf_weight.push(0.0);
        self.leaf_count.push(0);
        self.leaf_depth.push(depth);
        self.leaf_parent.push(node);
        new_leaf
    }

    /// Whether a row with bin `bin` at internal node `node` goes left.
    pub fn goes_left_bin(&self, node: usize, bin: usize) -> bool {
        if bin == self.nan_bin[node] {
            self.default_left[node]
        } else {
            bin <= self.threshold_bin[node]
        }
    }

    /// The leaf a row reaches, from a function giving its bin of a feature.
    pub fn leaf_of_bins(&self, bin_of: impl Fn(usize) -> usize) -> usize {
        if self.split_feature.is_empty() {
            return 0;
        }
        let mut node = 0i32;
        while node >= 0 {
            let n = node as usize;
            node = if self.goes_left_bin(n, bin_of(self.split_feature[n])) {
                self.left_child[n]
            } else {
                self.right_child[n]
            };
        }
        !node as usize
    }

    /// The leaf a row of raw feature values reaches (`NaN` follows the default direction,
    /// otherwise `value <= threshold` goes left — LightGBM's rule).
    pub fn leaf_of_values(&self, row: &[f32]) -> usize {
        if self.split_feature.is_empty() {
            return 0;
        }
        let mut node = 0i32;
        while node >= 0 {
            let n = node as usize;
            let v = row[self.split_feature[n]];
            let left = if v.is_nan() {
                self.default_left[n]
            } else {
                f64::from(v) <= self.threshold[n]
            };
            node = if left {
                self.left_child[n]
            } else {
                self.right_child[n]
            };
        }
        !node as usize
    }
}
