//! Launcher of `shaders/layer_norm.wgsl`.

use super::grid::{as_u32, grid_1d};
use super::row_threads::row_threads;
use crate::Result;
use crate::device::{Binding, BufferClass, Dispatch, GpuBuffer, GpuContext, Shader};

/// Columns covered by one `layer_norm_backward_params` workgroup (COL_TILE in the shader).
const COL_TILE: usize = 64;

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Params {
    rows: u32,
    cols: u32,
    eps: f32,
    _pad: u32,
}

fn params(rows: usize, cols: usize, eps: f32) -> Result<Params> {
    Ok(Params {
        rows: as_u32(rows, "layer_norm")?,
        cols: as_u32(cols, "layer_norm")?,
        eps,
        _pad: 0,
    })
}

/// The forward's GPU outputs: `y` (`rows × cols`), `mean` and `rstd` (`rows` each).
pub struct LayerNormBuffers {
    /// The normalised, scaled and shifted values.
    pub y: GpuBuffer,
    /// Per-row mean.
    pub mean: GpuBuffer,
    /// Per-row `1 / sqrt(variance + eps)`.
    pub rstd: GpuBuffer,
}

/// Layer norm of each row of a row-major `rows × cols` matrix.
pub fn layer_norm_forward(
    ctx: &GpuContext,
    x: &GpuBuffer,
    gamma: &GpuBuffer,
    beta: &GpuBuffer,
    rows: usize,
    cols: usize,
    eps: f32,
) -> Result<LayerNormBuffers> {
    let y = ctx.alloc(
        BufferClass::Storage,
        4 * (rows * cols) as u64,
        "layer_norm y",
    )?;
    let mean = ctx.alloc(BufferClass::Storage, 4 * rows as u64, "layer_norm mean")?;
    let rstd = ctx.alloc(BufferClass::Storage, 4 * rows as u64, "layer_norm rstd")?;
    ctx.dispatch(&Dispatch {
        shader: Shader::LAYER_NORM,
        entry: "layer_norm_forward",
        constants: &[("THREADS", row_threads(cols))],
        params: bytemuck::bytes_of(&params(rows, cols, eps)?),
        buffers: &Binding::in_order([x, gamma, beta, &mean, &rstd, &y]),
        workgroups: grid_1d(ctx, rows, "layer_norm")?,
        label: "layer_norm_forward",
    })?;
    Ok(LayerNormBuffers { y, mean, rstd })
}

/// `(dx, dgamma, dbeta)` of the layer norm of a `rows × cols` matrix, given `dy` and the
/// forward's `mean` and `rstd`: two dispatches (per row for dx, per column for the params).
#[allow(clippy::too_many_arguments)]
pub fn layer_norm_backward(
    ctx: &GpuContext,
    x: &GpuBuffer,
    gamma: &GpuBuffer,
    mean: &GpuBuffer,
    rstd: &GpuBuffer,
    dy: &GpuBuffer,
    rows: usize,
    cols: usize,
) -> Result<(GpuBuffer, GpuBuffer, GpuBuffer)> {
    let dx = ctx.alloc(
        BufferClass::Storage,
        4 * (rows * cols) as u64,
        "layer_norm dx",
    )?;
    let dgamma = ctx.alloc(BufferClass::Storage, 4 * cols as u64, "layer_norm dgamma")?;
    let dbeta = ctx.alloc(BufferClass::Storage, 4 * cols as u64, "layer_norm dbeta")?;
    let params = params(rows, cols, 0.0)?;
    ctx.dispatch(&Dispatch {
        shader: Shader::LAYER_NORM,
        entry: "layer_norm_backward_input",
        constants: &[("THREADS", row_threads(cols))],
        params: bytemuck::bytes_of(&params),
        buffers: &Binding::in_order([x, gamma, dy, mean, rstd, &dx]),
        workgroups: grid_1d(ctx, rows, "layer_norm")?,
        label: "layer_norm_backward_input",
    })?;
    ctx.dispatch(&Dispatch {
        shader: Shader::LAYER_NORM,
        entry: "layer_norm_backward_params",
        constants: &[],
        params: bytemuck::bytes_of(&params),
        buffers: &[
            Binding::at(1, x),
            Binding::at(3, dy),
            Binding::at(4, mean),
            Binding::at(5, rstd),
            Binding::at(6, &dgamma),
            Binding::at(7, &dbeta),
        ],
        workgroups: [as_u32(cols.div_ceil(COL_TILE), "layer_norm")?, 1, 1],
        label: "layer_norm_backward_params",
    })?;
    Ok((dx, dgamma, dbeta))
}
