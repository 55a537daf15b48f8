//! Launcher of `shaders/dropout.wgsl`.

use super::{as_u32, grid_1d};
use crate::Result;
use crate::cpu::dropout::DropoutMask;
use crate::device::{Binding, BufferClass, Dispatch, GpuBuffer, GpuContext, Shader};

const WORKGROUP: usize = 256;

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Params {
    n: u32,
    threshold: u32,
    scale: f32,
    seed_lo: u32,
    seed_hi: u32,
    step_lo: u32,
    step_hi: u32,
    _pad: u32,
}

/// Runs `entry` over `n` elements; `x` is read only by `dropout_apply`.
fn launch(
    ctx: &GpuContext,
    entry: &'static str,
    x: Option<&GpuBuffer>,
    n: usize,
    mask: &DropoutMask,
) -> Result<GpuBuffer> {
    let out = ctx.alloc(BufferClass::Storage, 4 * n as u64, "dropout output")?;
    let params = Params {
        n: as_u32(n, "dropout")?,
        threshold: mask.threshold,
        scale: mask.scale,
        seed_lo: mask.seed as u32,
        seed_hi: (mask.seed >> 32) as u32,
        step_lo: mask.step as u32,
        step_hi: (mask.step >> 32) as u32,
        _pad: 0,
    };
    let mut buffers = Vec::with_capacity(2);
    if let Some(x) = x {
        buffers.push(Binding {
            index: 1,
            buffer: x,
        });
    }
    buffers.push(Binding {
        index: 2,
        buffer: &out,
    });
    ctx.dispatch(&Dispatch {
        shader: Shader::DROPOUT,
        entry,
        constants: &[],
        params: bytemuck::bytes_of(&params),
        buffers: &buffers,
        workgroups: grid_1d(ctx, n.div_ceil(WORKGROUP), "dropout")?,
        label: entry,
    })?;
    Ok(out)
}

/// `out[i] = kept(i) ? x[i] · scale : 0` over the first `n` elements.
pub fn dropout_apply(
    ctx: &GpuContext,
    x: &GpuBuffer,
    n: usize,
    mask: &DropoutMask,
) -> Result<GpuBuffer> {
    launch(ctx, "dropout_apply", Some(x), n, mask)
}

/// `out[i] = kept(i) ? 1 : 0` for `n` elements.
pub fn dropout_mask(ctx: &GpuContext, n: usize, mask: &DropoutMask) -> Result<GpuBuffer> {
    launch(ctx, "dropout_mask", None, n, mask)
}
