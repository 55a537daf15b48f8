//! Launcher of `shaders/gbdt_predict.wgsl`.

use crate::Result;
use crate::device::{Binding, BufferClass, Dispatch, GpuBuffer, GpuContext, Shader};
use crate::kernels::grid::{as_u32, grid_1d};

/// Threads per workgroup (the shader's `WORKGROUP`).
const WORKGROUP: usize = 64;

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Params {
    num_rows: u32,
    words_per_row: u32,
    num_trees: u32,
    total_nodes: u32,
    base_score: f32,
    _pad: [u32; 3],
}

/// A tree ensemble flattened for the kernel (see the shader's header for the layout).
pub struct FlatForest<'a> {
    /// 6 words per internal node.
    pub nodes: &'a GpuBuffer,
    /// 2 words per tree.
    pub trees: &'a GpuBuffer,
    /// Leaf values.
    pub leaves: &'a GpuBuffer,
    /// Number of trees.
    pub num_trees: usize,
    /// Number of internal nodes over all trees.
    pub total_nodes: usize,
    /// Added to every prediction first.
    pub base_score: f32,
}

/// Predictions (`f32`, one per row) of `forest` for the `num_rows` packed binned rows `bins`.
pub fn gbdt_predict(
    ctx: &GpuContext,
    bins: &GpuBuffer,
    words_per_row: usize,
    num_rows: usize,
    forest: &FlatForest<'_>,
) -> Result<GpuBuffer> {
    let out = ctx.alloc(
        BufferClass::Storage,
        4 * num_rows as u64,
        "gbdt predictions",
    )?;
    let params = Params {
        num_rows: as_u32(num_rows, "gbdt_predict")?,
        words_per_row: as_u32(words_per_row, "gbdt_predict")?,
        num_trees: as_u32(forest.num_trees, "gbdt_predict")?,
        total_nodes: as_u32(forest.total_nodes, "gbdt_predict")?,
        base_score: forest.base_score,
        _pad: [0; 3],
    };
    ctx.dispatch(&Dispatch {
        shader: Shader::GBDT_PREDICT,
        entry: "predict_rows",
        constants: &[],
        params: bytemuck::bytes_of(&params),
        buffers: &Binding::in_order([bins, forest.nodes, forest.trees, forest.leaves, &out]),
        workgroups: grid_1d(ctx, num_rows.div_ceil(WORKGROUP), "gbdt_predict")?,
        label: "gbdt_predict",
    })?;
    Ok(out)
}
