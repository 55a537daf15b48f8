//! Launcher of `shaders/clip.wgsl`.

use super::grid::{as_u32, grid_1d};
use crate::Result;
use crate::device::{Binding, BufferClass, Dispatch, GpuBuffer, GpuContext, Shader};

/// Elements per `clip_partial` workgroup (CHUNK in the shader).
const CHUNK: usize = 256 * 16;
const WORKGROUP: usize = 256;

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Params {
    n: u32,
    partials: u32,
    max_norm: f32,
    _pad: u32,
}

/// `(norm, scale)` as one-element buffers: `norm = sqrt(Σ g²)` over `n` elements and
/// `scale = min(1, max_norm / norm)`, without leaving the GPU.
pub fn clip_scale(
    ctx: &GpuContext,
    grads: &GpuBuffer,
    n: usize,
    max_norm: f32,
) -> Result<(GpuBuffer, GpuBuffer)> {
    let partials = n.div_ceil(CHUNK);
    let partial_sums = ctx.alloc(BufferClass::Storage, 4 * partials as u64, "clip partials")?;
    let norm = ctx.alloc(BufferClass::Storage, 4, "clip norm")?;
    let scale = ctx.alloc(BufferClass::Storage, 4, "clip scale")?;
    let params = Params {
        n: as_u32(n, "clip")?,
        partials: as_u32(partials, "clip")?,
        max_norm,
        _pad: 0,
    };
    ctx.dispatch(&Dispatch {
        shader: Shader::CLIP,
        entry: "clip_partial",
        constants: &[],
        params: bytemuck::bytes_of(&params),
        buffers: &Binding::in_order([grads, &partial_sums]),
        workgroups: grid_1d(ctx, partials, "clip")?,
        label: "clip_partial",
    })?;
    ctx.dispatch(&Dispatch {
        shader: Shader::CLIP,
        entry: "clip_scale",
        constants: &[],
        params: bytemuck::bytes_of(&params),
        buffers: &[
            Binding::at(2, &partial_sums),
            Binding::at(3, &norm),
            Binding::at(4, &scale),
        ],
        workgroups: [1, 1, 1],
        label: "clip_scale",
    })?;
    Ok((norm, scale))
}

/// `out[i] = grads[i] · scale[0]` over `n` elements, `scale` a one-element GPU buffer.
pub fn clip_apply(
    ctx: &GpuContext,
    grads: &GpuBuffer,
    scale: &GpuBuffer,
    n: usize,
) -> Result<GpuBuffer> {
    let out = ctx.alloc(BufferClass::Storage, 4 * n as u64, "clipped gradients")?;
    let params = Params {
        n: as_u32(n, "clip")?,
        partials: 0,
        max_norm: 0.0,
        _pad: 0,
    };
    ctx.dispatch(&Dispatch {
        shader: Shader::CLIP,
        entry: "clip_apply",
        constants: &[],
        params: bytemuck::bytes_of(&params),
        buffers: &[
            Binding::at(1, grads),
            Binding::at(4, scale),
            Binding::at(5, &out),
        ],
        workgroups: grid_1d(ctx, n.div_ceil(WORKGROUP), "clip")?,
        label: "clip_apply",
    })?;
    Ok(out)
}
