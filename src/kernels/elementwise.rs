//! Launcher of `shaders/elementwise.wgsl`.

use super::{as_u32, grid_1d};
use crate::Result;
use crate::device::{Binding, BufferClass, Dispatch, GpuBuffer, GpuContext, Shader};
use crate::ops::{BinaryOp, UnaryOp};

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
