//! Flattening of trees into the GPU prediction kernel's buffers, and GPU prediction.

use std::sync::Arc;

use super::binning::BinnedMatrix;
use super::device::predict_gpu::{FlatForest, gbdt_predict};
use super::tree::Tree;
use crate::Result;
use crate::device::GpuContext;

/// Predictions (`f32` sums, returned as `f64`) of `trees` over the binned rows `bins`.
pub fn predict_binned(
    ctx: &Arc<GpuContext>,
    bins: &BinnedMatrix,
    trees: &[Tree],
    base_score: f64,
) -> Result<Vec<f64>> {
    if bins.rows() == 0 {
        return Ok(Vec::new());
    }
    let mut nodes: Vec<u32> = Vec::new();
    let mut offsets: Vec<u32> = Vec::new();
    let mut leaves: Vec<f32> = Vec::new();
    for tree in trees {
        offsets.push((nodes.len() / 6) as u32);
        offsets.push(leaves.len() as u32);
        for n in 0..tree.split_feature.len() {
            nodes.extend_from_slice(&[
                tree.split_feature[n] as u32,
                tree.threshold_bin[n] as u32,
                tree.nan_bin[n] as u32,
                u32::from(tree.default_left[n]),
                tree.left_child[n] as u32,
                tree.right_child[n] as u32,
            ]);
        }
        leaves.extend(tree.leaf_value.iter().map(|&v| v as f32));
    }
    let total_nodes = nodes.len() / 6;
    // Buffers must not be empty; a dummy entry is never read.
    nodes.resize(nodes.len().max(6), 0);
    offsets.resize(offsets.len().max(2), 0);
    leaves.resize(leaves.len().max(1), 0.0);
    let packed = ctx.upload(&bins.packed(), "gbdt predict bins")?;
    let nodes_buf = ctx.upload(&nodes, "gbdt nodes")?;
    let trees_buf = ctx.upload(&offsets, "gbdt trees")?;
    let leaves_buf = ctx.upload(&leaves, "gbdt leaves")?;
    let out = gbdt_predict(
        ctx,
        &packed,
        bins.words_per_row(),
        bins.rows(),
        &FlatForest {
            nodes: &nodes_buf,
            trees: &trees_buf,
            leaves: &leaves_buf,
            num_trees: trees.len(),
            total_nodes,
            base_score: base_score as f32,
        },
    )?;
    let values: Vec<f32> = ctx.read(&out)?;
    Ok(values[..bins.rows()]
        .iter()
        .map(|&v| f64::from(v))
        .collect())
}
