//! Launcher of `shaders/softmax.wgsl`.

use super::grid::{as_u32, grid_1d};
use super::row_threads::row_threads;
use crate::Result;
use crate::device::{Binding, BufferClass, Dispatch, GpuBuffer, GpuContext, Shader};

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Params {
    rows: u32,
    cols: u32,
    _pad: [u32; 2],
}

fn params(rows: usize, cols: usize) -> Result<Params> {
    Ok(Params {
        rows: as_u32(rows, "softmax")?,
        cols: as_u32(cols, "softmax")?,
        _pad: [0; 2],
    })
}

/// Softmax over each row of a row-major `rows × cols` matrix.
pub fn softmax_forward(
    ctx: &GpuContext,
    x: &GpuBuffer,
    rows: usize,
    cols: usize,
) -> Result<GpuBuffer> {
    let out = ctx.alloc(
        BufferClass::Storage,
        4 * (rows * cols) as u64,
        "softmax output",
    )?;
    ctx.dispatch(&Dispatch {
        shader: Shader::SOFTMAX,
        entry: "softmax_forward",
        constants: &[("THREADS", row_threads(cols))],
        params: bytemuck::bytes_of(&params(rows, cols)?),
        buffers: &[Binding::at(1, x), Binding::at(3, &out)],
        workgroups: grid_1d(ctx, rows, "softmax")?,
        label: "softmax_forward",
    })?;
    Ok(out)
}

/// `dx = y ⊙ (dy - Σ_row dy ⊙ y)` for the softmax output `y` of a `rows × cols` matrix.
pub fn softmax_backward(
    ctx: &GpuContext,
    y: &GpuBuffer,
    dy: &GpuBuffer,
    rows: usize,
    cols: usize,
) -> Result<GpuBuffer> {
    let out = ctx.alloc(BufferClass::Storage, 4 * (rows * cols) as u64, "softmax dx")?;
    ctx.dispatch(&Dispatch {
        shader: Shader::SOFTMAX,
        entry: "softmax_backward",
        constants: &[("THREADS", row_threads(cols))],
        params: bytemuck::bytes_of(&params(rows, cols)?),
        buffers: &Binding::in_order([y, dy, &out]),
        workgroups: grid_1d(ctx, rows, "softmax")?,
        label: "softmax_backward",
    })?;
    Ok(out)
}
