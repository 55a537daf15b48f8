//! Launcher of `shaders/mse.wgsl`.

use super::grid::{as_u32, grid_1d};
use crate::Result;
use crate::device::{Binding, BufferClass, Dispatch, GpuBuffer, GpuContext, Shader};

/// Elements per `mse_partial` workgroup (CHUNK in the shader).
const CHUNK: usize = 256 * 16;
const WORKGROUP: usize = 256;

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Params {
    n: u32,
    partials: u32,
    factor: f32,
    _pad: u32,
}

/// The mean of `(pred - target)²` over `n` (> 0) elements as a one-element buffer: a partial
/// sum per chunk, then one workgroup adds the partials in a fixed order.
pub fn mse_loss(
    ctx: &GpuContext,
    pred: &GpuBuffer,
    target: &GpuBuffer,
    n: usize,
) -> Result<GpuBuffer> {
    let partials = n.div_ceil(CHUNK);
    let partial_sums = ctx.alloc(BufferClass::Storage, 4 * partials as u64, "mse partials")?;
    let loss = ctx.alloc(BufferClass::Storage, 4, "mse loss")?;
    let params = Params {
        n: as_u32(n, "mse_loss")?,
        partials: as_u32(partials, "mse_loss")?,
        factor: 0.0,
        _pad: 0,
    };
    ctx.dispatch(&Dispatch {
        shader: Shader::MSE,
        entry: "mse_partial",
        constants: &[],
        params: bytemuck::bytes_of(&params),
        buffers: &Binding::in_order([pred, target, &partial_sums]),
        workgroups: grid_1d(ctx, partials, "mse_loss")?,
        label: "mse_partial",
    })?;
    ctx.dispatch(&Dispatch {
        shader: Shader::MSE,
        entry: "mse_finish",
        constants: &[],
        params: bytemuck::bytes_of(&params),
        buffers: &[Binding::at(3, &partial_sums), Binding::at(4, &loss)],
        workgroups: [1, 1, 1],
        label: "mse_finish",
    })?;
    Ok(loss)
}

/// `dpred = (pred - target) · factor [· upstream[0]]` over `n` elements (`factor = 2·scale/n`,
/// `upstream` an optional one-element buffer).
pub fn mse_backward(
    ctx: &GpuContext,
    pred: &GpuBuffer,
    target: &GpuBuffer,
    upstream: Option<&GpuBuffer>,
    n: usize,
    factor: f32,
) -> Result<GpuBuffer> {
    let out = ctx.alloc(BufferClass::Storage, 4 * n as u64, "mse dpred")?;
    let params = Params {
        n: as_u32(n, "mse_backward")?,
        partials: 0,
        factor,
        _pad: 0,
    };
    ctx.dispatch(&Dispatch {
        shader: Shader::MSE,
        entry: "mse_backward",
        constants: &[("HAS_UPSTREAM", if upstream.is_some() { 1.0 } else { 0.0 })],
        params: bytemuck::bytes_of(&params),
        buffers: &[
            Binding::at(1, pred),
            Binding::at(2, target),
            Binding::at(4, &out),
            Binding::at(5, upstream.unwrap_or(pred)),
        ],
        workgroups: grid_1d(ctx, n.div_ceil(WORKGROUP), "mse_backward")?,
        label: "mse_backward",
    })?;
    Ok(out)
}
