//! Launcher of `shaders/adam.wgsl`.

use super::grid::{as_u32, grid_1d};
use crate::Result;
use crate::device::{Binding, Dispatch, GpuBuffer, GpuContext, Shader};

const WORKGROUP: usize = 256;

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Params {
    n: u32,
    one_minus_beta1: f32,
    one_minus_beta2: f32,
    eps: f32,
    beta1: f32,
    beta2: f32,
    weight_decay: f32,
    _pad: u32,
}

/// The constant hyperparameters of every step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdamConstants {
    /// Decay of the first moment.
    pub beta1: f32,
    /// Decay of the second moment.
    pub beta2: f32,
    /// Added to `sqrt(v)`.
    pub eps: f32,
    /// Decoupled weight decay per unit of learning rate.
    pub weight_decay: f32,
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
    /// The learning rate (one f32).
    pub learning_rate: &'a GpuBuffer,
    /// The schedule `[alpha, decay, beta1^t, beta2^t]` (four f32, start `[0, 0, 1, 1]`).
    pub schedule: &'a GpuBuffer,
}

/// Records one Adam/AdamW update of `n` elements: the schedule's advance, then the fused update.
pub fn adam_step(
    ctx: &GpuContext,
    buffers: &AdamBuffers<'_>,
    n: usize,
    c: &AdamConstants,
) -> Result<()> {
    let params = Params {
        n: as_u32(n, "adam")?,
        one_minus_beta1: 1.0 - c.beta1,
        one_minus_beta2: 1.0 - c.beta2,
        eps: c.eps,
        beta1: c.beta1,
        beta2: c.beta2,
        weight_decay: c.weight_decay,
        _pad: 0,
    };
    ctx.dispatch(&Dispatch {
        shader: Shader::ADAM,
        entry: "adam_schedule",
        constants: &[],
        params: bytemuck::bytes_of(&params),
        buffers: &[
            Binding::at(8, buffers.schedule),
            Binding::at(10, buffers.learning_rate),
        ],
        workgroups: [1, 1, 1],
        label: "adam_schedule",
    })?;
    let flag = |on: bool| if on { 1.0 } else { 0.0 };
    // A missing optional buffer is replaced by the gradients, bound read-only and never read.
    ctx.dispatch(&Dispatch {
        shader: Shader::ADAM,
        entry: "adam_step",
        constants: &[
            ("HAS_DECAY_MASK", flag(buffers.decay_mask.is_some())),
            ("HAS_GRAD_SCALE", flag(buffers.grad_scale.is_some())),
        ],
        params: bytemuck::bytes_of(&params),
        buffers: &Binding::in_order([
            buffers.params,
            buffers.grads,
            buffers.m,
            buffers.v,
            buffers.decay_mask.unwrap_or(buffers.grads),
            buffers.grad_scale.unwrap_or(buffers.grads),
            buffers.schedule,
        ]),
        workgroups: grid_1d(ctx, n.div_ceil(WORKGROUP), "adam")?,
        label: "adam_step",
    })
}
