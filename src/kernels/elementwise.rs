//! Launcher of `shaders/elementwise.wgsl`.

use super::grid::{as_u32, grid_1d};
use crate::Result;
use crate::activation::Activation;
use crate::descriptors::elementwise::{BinaryOp, UnaryOp};
use crate::descriptors::reduce::ReduceAxis;
use crate::device::{Binding, BufferClass, Dispatch, GpuBuffer, GpuContext, Shader};

const WORKGROUP: usize = 256;

/// `UNARY_OP` code of the absolute value (after the activation codes).
const ABS_CODE: u32 = 5;

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Params {
    n: u32,
    rhs_len: u32,
    alpha: f32,
    _pad: u32,
}

impl Params {
    fn new(n: usize, rhs_len: usize, alpha: f32, op: &'static str) -> Result<Params> {
        Ok(Params {
            n: as_u32(n, op)?,
            rhs_len: as_u32(rhs_len.max(1), op)?,
            alpha,
            _pad: 0,
        })
    }
}

/// Records one `elementwise.wgsl` entry over `n` elements.
fn launch(
    ctx: &GpuContext,
    entry: &'static str,
    constants: &[(&'static str, f64)],
    params: &Params,
    buffers: &[Binding<'_>],
    n: usize,
) -> Result<()> {
    ctx.dispatch(&Dispatch {
        shader: Shader::ELEMENTWISE,
        entry,
        constants,
        params: bytemuck::bytes_of(params),
        buffers,
        workgroups: grid_1d(ctx, n.div_ceil(WORKGROUP), entry)?,
        label: entry,
    })
}

fn output(ctx: &GpuContext, n: usize, label: &str) -> Result<GpuBuffer> {
    ctx.alloc(BufferClass::Storage, 4 * n as u64, label)
}

/// `out[i] = op(x[i])` for the first `n` elements.
pub fn unary(ctx: &GpuContext, op: UnaryOp, x: &GpuBuffer, n: usize) -> Result<GpuBuffer> {
    let out = output(ctx, n, "unary output")?;
    let (code, alpha) = match op {
        UnaryOp::Scale(alpha) => (0, alpha),
        UnaryOp::Activation(act) => (act.shader_code(), 1.0),
        UnaryOp::Abs => (ABS_CODE, 1.0),
    };
    let buffers = [Binding::at(1, x), Binding::at(3, &out)];
    let constants = [("UNARY_OP", f64::from(code))];
    launch(
        ctx,
        "unary",
        &constants,
        &Params::new(n, 1, alpha, "unary")?,
        &buffers,
        n,
    )?;
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
    let out = output(ctx, n, "binary output")?;
    let code = match op {
        BinaryOp::Add => 0.0,
        BinaryOp::Sub => 1.0,
        BinaryOp::Mul => 2.0,
    };
    let buffers = Binding::in_order([lhs, rhs, &out]);
    let params = Params::new(n, rhs_len, 1.0, "binary")?;
    launch(ctx, "binary", &[("BINARY_OP", code)], &params, &buffers, n)?;
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
    let out = output(ctx, n, "activation grad")?;
    let buffers = Binding::in_order([x, dy, &out]);
    let constants = [("UNARY_OP", f64::from(act.shader_code()))];
    let params = Params::new(n, 1, 1.0, "activation_backward")?;
    launch(ctx, "activation_backward", &constants, &params, &buffers, n)?;
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
    let out = output(ctx, n, "expand output")?;
    let mode = match axis {
        ReduceAxis::Last => 0.0,
        ReduceAxis::Rows => 1.0,
    };
    let buffers = [Binding::at(1, src), Binding::at(3, &out)];
    let params = Params::new(n, len, alpha, "expand")?;
    launch(
        ctx,
        "broadcast",
        &[("BROADCAST_MODE", mode)],
        &params,
        &buffers,
        n,
    )?;
    Ok(out)
}

/// A new buffer of `n` copies of `value`.
pub fn fill(ctx: &GpuContext, n: usize, value: f32) -> Result<GpuBuffer> {
    let out = output(ctx, n, "fill")?;
    let buffers = [Binding::at(3, &out)];
    launch(
        ctx,
        "fill",
        &[],
        &Params::new(n, 1, value, "fill")?,
        &buffers,
        n,
    )?;
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
    let buffers = [Binding::at(1, src), Binding::at(3, dst)];
    launch(
        ctx,
        "accumulate",
        &[],
        &Params::new(n, 1, alpha, "accumulate")?,
        &buffers,
        n,
    )
}
