//! Launcher of `shaders/gbdt_histogram.wgsl`.

use crate::Result;
use crate::device::{Binding, BufferClass, Dispatch, GpuBuffer, GpuContext, Shader};
use crate::kernels::grid::{as_u32, grid_1d};

/// Threads per workgroup (the shader's `WORKGROUP`).
const WORKGROUP: usize = 256;
/// Histogram entries per packed word: 4 features × 256 bins × 3 channels.
const WORD_ENTRIES: usize = 3072;
/// Leaf rows per `build_histogram` workgroup (raised when the grid would be too wide).
const ROWS_PER_GROUP: usize = 4096;

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Params {
    num_rows: u32,
    words_per_row: u32,
    num_features: u32,
    rows_per_group: u32,
    hist_len: u32,
    first_row: u32,
    _pad: [u32; 2],
}

/// The integer histogram of the `num_rows` leaf rows listed in `rows` from index
/// `first_row` on, over the packed bins
/// `bins` (`words_per_row` words per row, `num_features` features) and the fixed-point
/// `(gradient, hessian)` pairs `pairs`. Returns `words_per_row × 3072` `i32`s: the first
/// `num_features × 768` are [`crate::gbdt::Histogram`]'s layout.
#[allow(clippy::too_many_arguments)]
pub fn gbdt_histogram(
    ctx: &GpuContext,
    bins: &GpuBuffer,
    words_per_row: usize,
    num_features: usize,
    rows: &GpuBuffer,
    first_row: usize,
    num_rows: usize,
    pairs: &GpuBuffer,
) -> Result<GpuBuffer> {
    let hist_len = words_per_row * WORD_ENTRIES;
    let hist = ctx.alloc(BufferClass::Storage, 4 * hist_len as u64, "gbdt histogram")?;
    let limit = ctx.limits().max_compute_workgroups_per_dimension as usize;
    let rows_per_group = ROWS_PER_GROUP.max(num_rows.div_ceil(limit.max(1)));
    let params = Params {
        num_rows: as_u32(num_rows, "gbdt_histogram")?,
        words_per_row: as_u32(words_per_row, "gbdt_histogram")?,
        num_features: as_u32(num_features, "gbdt_histogram")?,
        rows_per_group: as_u32(rows_per_group, "gbdt_histogram")?,
        hist_len: as_u32(hist_len, "gbdt_histogram")?,
        first_row: as_u32(first_row, "gbdt_histogram")?,
        _pad: [0; 2],
    };
    let params = bytemuck::bytes_of(&params);
    let buffers = Binding::in_order([bins, rows, pairs, &hist]);
    ctx.dispatch(&Dispatch {
        shader: Shader::GBDT_HISTOGRAM,
        entry: "clear_histogram",
        constants: &[],
        params,
        buffers: &buffers[3..],
        workgroups: grid_1d(ctx, hist_len.div_ceil(WORKGROUP), "gbdt_histogram clear")?,
        label: "gbdt_histogram clear",
    })?;
    ctx.dispatch(&Dispatch {
        shader: Shader::GBDT_HISTOGRAM,
        entry: "build_histogram",
        constants: &[],
        params,
        buffers: &buffers,
        workgroups: [
            as_u32(num_rows.div_ceil(rows_per_group), "gbdt_histogram")?,
            as_u32(words_per_row, "gbdt_histogram")?,
            1,
        ],
        label: "gbdt_histogram",
    })?;
    Ok(hist)
}
