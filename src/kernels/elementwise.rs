//! Launcher of `shaders/elementwise.wgsl`.

use super::{as_u32, grid_1d};
use crate::Result;
use crate::activation::Activation;
use crate::device::{Binding, BufferClass, Dispatch, GpuBuffer, GpuContext, Shader};
use crate::ops::{BinaryOp, ReduceAxis, UnaryOp};

const WORKGROUP: usize = 256;

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Params {
    n: u32,
    rhs_len: u32,
    alpha: f32,
    _pad: u32,
}

/// `out[i] = op(x[i])` for the first `n` elements.
pub fn unary(ctx: &GpuContext, op: UnaryOp, x: &GpuBuffer, n: usize) -> Result<GpuBuffer> {
    let out = ctx.alloc(BufferClass::Storage, 4 * n as u64, "unary output")?;
    let (code, alpha) = match op {
        UnaryOp::Scale(alpha) => (0, alpha),
        UnaryOp::Activation(act) => (act.shader_code(), 1.0),
    };
    let params = Params {
        n: as_u32(n, "unary")?,
        rhs_len: 1,
        alpha,
        _pad: 0,
    };
    ctx.dispatch(&Dispatch {
        shader: Shader::ELEMENTWISE,
        entry: "unary",
        constants: &[("UNARY_OP", f64::from(code))],
        params: bytemuck::bytes_of(&params),
        buffers: &[
            Binding {
                index: 1,
                buffer: x,
            },
            Binding {
                index: 3,
                buffer: &out,
            },
        ],
        workgroups: grid_1d(ctx, n.div_ceil(WORKGROUP), "unary")?,
        label: "unary",
    })?;
    Ok(out)
}

/// `out[i] = lhs[i] op rhs[i % rhs_len]` for the first `n` elements.
pub fn binary(
    ctx: &GpuContext,
    op: BinaryOp,
    lhs: &GpuBuffer,
    rhs: &GpuBuffer,
    n: usize,
    rhs_len: usize,
) -> Result<GpuBuffer> {
    let out = ctx.alloc(BufferClass::Storage, 4 * n as u64, "binary output")?;
    let code = match op {
        BinaryOp::Add => 0.0,
        BinaryOp::Sub => 1.0,
        BinaryOp::Mul => 2.0,
    };
    let params = Params {
        n: as_u32(n, "binary")?,
        rhs_len: as_u32(rhs_len.max(1), "binary")?,
        alpha: 1.0,
        _pad: 0,
    };
    ctx.dispatch(&Dispatch {
        shader: Shader::ELEMENTWISE,
        entry: "binary",
        constants: &[("BINARY_OP", code)],
        params: bytemuck::bytes_of(&params),
        buffers: &[
            Binding {
                index: 1,
                buffer: lhs,
            },
            Binding {
                index: 2,
                buffer: rhs,
            },
            Binding {
                index: 3,
                buffer: &out,
            },
        ],
        workgroups: grid_1d(ctx, n.div_ceil(WORKGROUP), "binary")?,
        label: "binary",
    })?;
    Ok(out)
}

/// `out[i] = dy[i] · act'(x[i])` for the first `n` elements.
pub fn activation_backward(
    ctx: &GpuContext,
    act: Activation,
    x: &GpuBuffer,
    dy: &GpuBuffer,
    n: usize,
) -> Result<GpuBuffer> {
    let out = ctx.alloc(BufferClass::Storage, 4 * n as u64, "activation grad")?;
    let params = Params {
        n: as_u32(n, "activation_backward")?,
        rhs_len: 1,
        alpha: 1.0,
        _pad: 0,
    };
    ctx.dispatch(&Dispatch {
        shader: Shader::ELEMENTWISE,
        entry: "activation_backward",
        constants: &[("UNARY_OP", f64::from(act.shader_code()))],
        params: bytemuck::bytes_of(&params),
        buffers: &[
            Binding {
                index: 1,
                buffer: x,
            },
            Binding {
                index: 2,
                buffer: dy,
            },
            Binding {
                index: 3,
                buffer: &out,
            },
        ],
        workgroups: grid_1d(ctx, n.div_ceil(WORKGROUP), "activation_backward")?,
        label: "activation_backward",
    })?;
    Ok(out)
}

/// `alpha · src` repeated to `n` elements (see `cpu::elementwise::expand`).
pub fn expand(
    ctx: &GpuContext,
    src: &GpuBuffer,
    n: usize,
    len: usize,
    axis: ReduceAxis,
    alpha: f32,
) -> Result<GpuBuffer> {
    let out = ctx.alloc(BufferClass::Storage, 4 * n as u64, "expand output")?;
    let params = Params {
        n: as_u32(n, "expand")?,
        rhs_len: as_u32(len.max(1), "expand")?,
        alpha,
        _pad: 0,
    };
    let mode = match axis {
        ReduceAxis::Last => 0.0,
        ReduceAxis::Rows => 1.0,
    };
    ctx.dispatch(&Dispatch {
        shader: Shader::ELEMENTWISE,
        entry: "broadcast",
        constants: &[("BROADCAST_MODE", mode)],
        params: bytemuck::bytes_of(&params),
        buffers: &[
            Binding {
                index: 1,
                buffer: src,
            },
            Binding {
                index: 3,
                buffer: &out,
            },
        ],
        workgroups: grid_1d(ctx, n.div_ceil(WORKGROUP), "expand")?,
        label: "expand",
    })?;
    Ok(out)
}

/// A new buffer of `n` copies of `value`.
pub fn fill(ctx: &GpuContext, n: usize, value: f32) -> Result<GpuBuffer> {
    let out = ctx.alloc(BufferClass::Storage, 4 * n as u64, "fill")?;
    let params = Params {
        n: as_u32(n, "fill")?,
        rhs_len: 1,
        alpha: value,
        _pad: 0,
    };
    ctx.dispatch(&Dispatch {
        shader: Shader::ELEMENTWISE,
        entry: "fill",
        constants: &[],
        params: bytemuck::bytes_of(&params),
        buffers: &[Binding {
            index: 3,
            buffer: &out,
        }],
        workgroups: grid_1d(ctx, n.div_ceil(WORKGROUP), "fill")?,
        label: "fill",
    })?;
    Ok(out)
}

/// `dst[i] += alpha · src[i]` in place for the first `n` elements.
pub fn accumulate(
    ctx: &GpuContext,
    dst: &GpuBuffer,
    src: &GpuBuffer,
    n: usize,
    alpha: f32,
) -> Result<()> {
    let params = Params {
        n: as_u32(n, "accumulate")?,
        rhs_len: 1,
        alpha,
        _pad: 0,
    };
    ctx.dispatch(&Dispatch {
        shader: Shader::ELEMENTWISE,
        entry: "accumulate",
        constants: &[],
        params: bytemuck::bytes_of(&params),
        buffers: &[
            Binding {
                index: 1,
                buffer: src,
            },
            Binding {
                index: 3,
                buffer: dst,
            },
        ],
        workgroups: grid_1d(ctx, n.div_ceil(WORKGROUP), "accumulate")?,
        label: "accumulate",
    })
}
