//! CPU reference of `shaders/gbdt_predict.wgsl`: tree-ensemble predictions over binned rows.

use crate::gbdt::binning::BinnedMatrix;
use crate::gbdt::tree::Tree;

/// `base_score + Σ_t leaf value of row r in tree t`, added in tree order in `f64`.
pub fn gbdt_predict(bins: &BinnedMatrix, trees: &[Tree], base_score: f64) -> Vec<f64> {
    (0..bins.rows())
        .map(|r| {
            trees.iter().fold(base_score, |sum, tree| {
                sum + tree.leaf_value[tree.leaf_of_bins(|f| bins.get(r, f))]
            })
        })
        .collect()
}
