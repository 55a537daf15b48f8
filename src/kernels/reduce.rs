//! Launcher of `shaders/reduce.wgsl`.

use super::grid::{as_u32, grid_1d};
use crate::Result;
use crate::descriptors::reduce::{ReduceAxis, ReduceOp};
use crate::device::{Binding, BufferClass, Dispatch, GpuBuffer, GpuContext, Shader};

/// Columns covered by one `reduce_rows` workgroup (COL_TILE in the shader).
const COL_TILE: usize = 64;

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Params {
    rows: u32,
    cols: u32,
    _pad: [u32; 2],
}

/// Sum or mean of a row-major `rows × cols` matrix along `axis`.
pub fn reduce(
    ctx: &GpuContext,
    x: &GpuBuffer,
    rows: usize,
    cols: usize,
    op: ReduceOp,
    axis: ReduceAxis,
) -> Result<GpuBuffer> {
    let (out_len, entry, workgroups) = match axis {
        ReduceAxis::Last => (rows, "reduce_last_axis", grid_1d(ctx, rows, "reduce")?),
        ReduceAxis::Rows => (
            cols,
            "reduce_rows",
            [as_u32(cols.div_ceil(COL_TILE), "reduce")?, 1, 1],
        ),
    };
    let out = ctx.alloc(BufferClass::Storage, 4 * out_len as u64, "reduce output")?;
    let params = Params {
        rows: as_u32(rows, "reduce")?,
        cols: as_u32(cols, "reduce")?,
        _pad: [0; 2],
    };
    let mean = if op == ReduceOp::Mean { 1.0 } else { 0.0 };
    ctx.dispatch(&Dispatch {
        shader: Shader::REDUCE,
        entry,
        constants: &[("MEAN", mean)],
        params: bytemuck::bytes_of(&params),
        buffers: &Binding::in_order([x, &out]),
        workgroups,
        label: "reduce",
    })?;
    Ok(out)
}
