//! Launcher of `shaders/counter.wgsl`.

use crate::Result;
use crate::device::{Binding, Dispatch, GpuBuffer, GpuContext, Shader};

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Params {
    slot: u32,
    amount: u32,
    _pad: [u32; 2],
}

/// Records `counter[slot] += amount` on the GPU.
pub fn advance(ctx: &GpuContext, counter: &GpuBuffer, slot: u32, amount: u32) -> Result<()> {
    let params = Params {
        slot,
        amount,
        _pad: [0; 2],
    };
    ctx.dispatch(&Dispatch {
        shader: Shader::COUNTER,
        entry: "advance",
        constants: &[],
        params: bytemuck::bytes_of(&params),
        buffers: &Binding::in_order([counter]),
        workgroups: [1, 1, 1],
        label: "advance",
    })
}
