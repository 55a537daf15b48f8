//! Launcher of `shaders/gather.wgsl`.

use super::grid::{as_u32, grid_1d};
use crate::Result;
use crate::descriptors::gather::Window;
use crate::device::{Binding, Dispatch, GpuBuffer, GpuContext, Shader};

const WORKGROUP: usize = 256;

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Params {
    outer: u32,
    src_axis: u32,
    dst_axis: u32,
    inner: u32,
    src_start: u32,
    dst_start: u32,
    len: u32,
    total: u32,
}

/// Copies a window of `src` into `dst` (see [`Window`]).
pub fn copy_window(ctx: &GpuContext, src: &GpuBuffer, dst: &GpuBuffer, w: &Window) -> Result<()> {
    let total = w.outer * w.len * w.inner;
    let params = Params {
        outer: as_u32(w.outer, "copy_window")?,
        src_axis: as_u32(w.src_axis, "copy_window")?,
        dst_axis: as_u32(w.dst_axis, "copy_window")?,
        inner: as_u32(w.inner.max(1), "copy_window")?,
        src_start: as_u32(w.src_start, "copy_window")?,
        dst_start: as_u32(w.dst_start, "copy_window")?,
        len: as_u32(w.len.max(1), "copy_window")?,
        total: as_u32(total, "copy_window")?,
    };
    ctx.dispatch(&Dispatch {
        shader: Shader::GATHER,
        entry: "copy_window",
        constants: &[],
        params: bytemuck::bytes_of(&params),
        buffers: &Binding::in_order([src, dst]),
        workgroups: grid_1d(ctx, total.div_ceil(WORKGROUP), "copy_window")?,
        label: "copy_window",
    })
}

/// Gathers `rows` rows of `cols` values from `table` by `indices[counter[slot]·rows + r]`.
#[allow(clippy::too_many_arguments)]
pub fn gather_rows(
    ctx: &GpuContext,
    table: &GpuBuffer,
    cols: usize,
    indices: &GpuBuffer,
    counter: &GpuBuffer,
    slot: u32,
    rows: usize,
    out: &GpuBuffer,
) -> Result<()> {
    let total = rows * cols;
    let params = Params {
        outer: as_u32(rows, "gather_rows")?,
        src_axis: 0,
        dst_axis: 0,
        inner: as_u32(cols.max(1), "gather_rows")?,
        src_start: 0,
        dst_start: 0,
        len: 0,
        total: as_u32(total, "gather_rows")?,
    };
    ctx.dispatch(&Dispatch {
        shader: Shader::GATHER,
        entry: "gather_rows",
        constants: &[("COUNTER_SLOT", f64::from(slot))],
        params: bytemuck::bytes_of(&params),
        buffers: &Binding::in_order([table, out, indices, counter]),
        workgroups: grid_1d(ctx, total.div_ceil(WORKGROUP), "gather_rows")?,
        label: "gather_rows",
    })
}
