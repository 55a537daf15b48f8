//! Launcher of `shaders/adam.wgsl`.

use super::{as_u32, grid_1d};
use crate::Result;
use crate::cpu::adam::AdamScalars;
use crate::device::{Binding, Dispatch, GpuBuffer, GpuContext, Shader};

const WORKGROUP: usize = 256;

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Params {
    n: u32,
    alpha: f32,
    one_minus_beta1: f32,
    one_minus_beta2: f32,
    eps: f32,
    decay: f32,
    _pad: [u32; 2],
}

/// The buffers of one fused Adam step: `params`, `m` and `v` are updated in place.
pub struct AdamBuffers<'a> {
    /// Flat parameters (read and written).
    pub params: &'a GpuBuffer,
    /// Flat gradients.
    pub grads: &'a GpuBuffer,
    /// First moments (read and written).
    pub m: &'a GpuBuffer,
    /// Second moments (read and written).
    pub v: &'a GpuBuffer,
    /// Per-element weight-decay multipliers, if any.
    pub decay_mask: Option<&'a GpuBuffer>,
    /// One-element gradient scale (e.g. the clip factor), if any.
    pub grad_scale: Option<&'a GpuBuffer>,
}

/// One Adam/AdamW update of `n` elements in a single dispatch.
pub fn adam_step(
    ctx: &GpuContext,
    buffers: &AdamBuffers<'_>,
    n: usize,
    s: &AdamScalars,
) -> Result<()> {
    let params = Params {
        n: as_u32(n, "adam")?,
        alpha: s.alpha,
        one_minus_beta1: s.one_minus_beta1,
        one_minus_beta2: s.one_minus_beta2,
        eps: s.eps,
        decay: s.decay,
        _pad: [0; 2],
    };
    let flag = |on: bool| if on { 1.0 } else { 0.0 };
    let bind = |index, buffer| Binding { index, buffer };
    // A missing optional buffer is replaced by the gradients, bound read-only and never read.
    ctx.dispatch(&Dispatch {
        shader: Shader::ADAM,
        entry: "adam_step",
        constants: &[
            ("HAS_DECAY_MASK", flag(buffers.decay_mask.is_some())),
            ("HAS_GRAD_SCALE", flag(buffers.grad_scale.is_some())),
        ],
        params: bytemuck::bytes_of(&params),
        buffers: &[
            bind(1, buffers.params),
            bind(2, buffers.grads),
            bind(3, buffers.m),
            bind(4, buffers.v),
            bind(5, buffers.decay_mask.unwrap_or(buffers.grads)),
            bind(6, buffers.grad_scale.unwrap_or(buffers.grads)),
        ],
        workgroups: grid_1d(ctx, n.div_ceil(WORKGROUP), "adam")?,
        label: "adam_step",
    })
}
