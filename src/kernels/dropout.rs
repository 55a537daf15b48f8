//! Launcher of `shaders/dropout.wgsl`.

use super::grid::{as_u32, grid_1d};
use crate::Result;
use crate::descriptors::dropout::DropoutMask;
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

/// Runs `entry` over `n` elements; `x` is read by the apply entries, `counter` (buffer, slot)
/// by `dropout_apply_counted`.
fn launch(
    ctx: &GpuContext,
    entry: &'static str,
    x: Option<&GpuBuffer>,
    counter: Option<(&GpuBuffer, u32)>,
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
        buffers.push(Binding::at(1, x));
    }
    buffers.push(Binding::at(2, &out));
    if let Some((buffer, _)) = counter {
        buffers.push(Binding::at(3, buffer));
    }
    let constants = counter.map(|(_, slot)| [("COUNTER_SLOT", f64::from(slot))]);
    ctx.dispatch(&Dispatch {
        shader: Shader::DROPOUT,
        entry,
        constants: constants.as_ref().map_or(&[], |c| &c[..]),
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
    launch(ctx, "dropout_apply", Some(x), None, n, mask)
}

/// [`dropout_apply`] with the mask's step offset by `counter[slot]`, read on the GPU.
pub fn dropout_apply_counted(
    ctx: &GpuContext,
    x: &GpuBuffer,
    counter: &GpuBuffer,
    slot: u32,
    n: usize,
    mask: &DropoutMask,
) -> Result<GpuBuffer> {
    launch(
        ctx,
        "dropout_apply_counted",
        Some(x),
        Some((counter, slot)),
        n,
        mask,
    )
}

/// `out[i] = kept(i) ? 1 : 0` for `n` elements.
pub fn dropout_mask(ctx: &GpuContext, n: usize, mask: &DropoutMask) -> Result<GpuBuffer> {
    launch(ctx, "dropout_mask", None, None, n, mask)
}
