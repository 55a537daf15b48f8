//! Leaf-wise (best-first) growth of one tree, as LightGBM grows them: repeatedly split the
//! leaf with the largest gain until `num_leaves` leaves or no valid split remains. Only the
//! smaller child's histogram is built; the sibling's is the parent's minus it.

use super::binning::BinMapper;
use super::device::partition_rule::PartitionRule;
use super::histogram::{BinSums, Histogram};
use super::params::GbdtParams;
use super::split::{Scales, SplitCandidate, best_split, leaf_output};
use super::tree::{SplitRecord, Tree};
use super::tree_backend::TreeBackend;
use crate::Result;

/// A leaf under construction: its row segment, best split and histogram. The histogram is
/// kept only while the leaf may still be split (it is then the parent of a subtraction).
struct OpenLeaf {
    begin: usize,
    count: usize,
    hist: Histogram,
    best: Option<SplitCandidate>,
}

impl OpenLeaf {
    fn new(best: Option<SplitCandidate>, begin: usize, count: usize, hist: Histogram) -> Self {
        let hist = if best.is_some() {
            hist
        } else {
            Histogram::zeros(0)
        };
        OpenLeaf {
            begin,
            count,
            hist,
            best,
        }
    }
}

/// Everything one tree is grown from.
pub struct GrowInput<'a> {
    /// One mapper per feature.
    pub mappers: &'a [BinMapper],
    /// The rows of this round's bag, ascending.
    pub rows: Vec<u32>,
    /// The features this tree may split on, ascending.
    pub features: &'a [usize],
    /// The round's fixed-point scales.
    pub scales: Scales,
    /// Hyperparameters.
    pub params: &'a GbdtParams,
}

/// Grows one tree; leaf values are shrunk by the learning rate. Returns the tree and, for
/// every leaf, its segment `(begin, count)` of the backend's row-id array.
pub fn grow_tree(
    input: GrowInput<'_>,
    backend: &mut TreeBackend<'_>,
) -> Result<(Tree, Vec<(usize, usize)>)> {
    let GrowInput {
        mappers,
        rows,
        features,
        scales,
        params: p,
    } = input;
    let value_of = |s: BinSums| leaf_output(scales.grad(s), scales.hess(s), p);
    let depth_ok = |d: u32| p.max_depth <= 0 || (d as i64) < i64::from(p.max_depth);
    backend.reset_rows(&rows)?;
    let root_hist = backend.build(0, rows.len())?;
    let root_total = root_hist.totals();
    let mut tree = Tree::single_leaf(
        value_of(root_total) * p.learning_rate,
        scales.hess(root_total),
        root_total.count as u64,
    );
    let search = |hist: &Histogram, total: BinSums, depth: u32| {
        if depth_ok(depth) {
            best_split(hist, total, mappers, features, scales, p)
        } else {
            None
        }
    };
    let mut leaves = vec![OpenLeaf::new(
        search(&root_hist, root_total, 0),
        0,
        rows.len(),
        root_hist,
    )];
    while tree.num_leaves() < p.num_leaves {
        let mut chosen: Option<(usize, SplitCandidate)> = None;
        for (i, leaf) in leaves.iter().enumerate() {
            if let Some(c) = leaf.best
                && chosen.is_none_or(|(_, b)| c.gain > b.gain)
            {
                chosen = Some((i, c));
            }
        }
        let Some((leaf_index, split)) = chosen else {
            break;
        };
        let record = SplitRecord {
            feature: split.feature,
            threshold_bin: split.threshold_bin,
            default_left: split.default_left,
            gain: split.gain,
        };
        let right_index = tree.split(leaf_index, &record, &mappers[split.feature]);
        let parent = &leaves[leaf_index];
        let (begin, count) = (parent.begin, parent.count);
        let left_count = split.left.count as usize;
        let rule = PartitionRule {
            feature: split.feature,
            threshold_bin: split.threshold_bin,
            nan_bin: mappers[split.feature].nan_bin(),
            default_left: split.default_left,
        };
        backend.partition(begin, count, left_count, &rule)?;
        let right_count = count - left_count;
        let left_smaller = left_count <= right_count;
        let small_hist = if left_smaller {
            backend.build(begin, left_count)?
        } else {
            backend.build(begin + left_count, right_count)?
        };
        let large_hist = leaves[leaf_index].hist.subtract(&small_hist);
        let (left_hist, right_hist) = if left_smaller {
            (small_hist, large_hist)
        } else {
            (large_hist, small_hist)
        };
        let depth = tree.leaf_depth[leaf_index];
        for (index, sums) in [(leaf_index, split.left), (right_index, split.right)] {
            tree.leaf_value[index] = value_of(sums) * p.learning_rate;
            tree.leaf_weight[index] = scales.hess(sums);
            tree.leaf_count[index] = sums.count as u64;
        }
        leaves[leaf_index] = OpenLeaf::new(
            search(&left_hist, split.left, depth),
            begin,
            left_count,
            left_hist,
        );
        leaves.push(OpenLeaf::new(
            search(&right_hist, split.right, depth),
            begin + left_count,
            right_count,
            right_hist,
        ));
    }
    Ok((tree, leaves.iter().map(|l| (l.begin, l.count)).collect()))
}
