//! Launcher of `shaders/matmul.wgsl`.

use super::grid::as_u32;
use crate::Result;
use crate::descriptors::matmul::{MatmulOptions, MatmulShape};
use crate::device::{Binding, BufferClass, Dispatch, GpuBuffer, GpuContext, Shader};

/// Rows and columns of C computed by one workgroup (TILE_M / TILE_N in the shader).
const TILE: usize = 64;

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Params {
    m: u32,
    n: u32,
    k: u32,
    batch_stride_a: u32,
    batch_stride_b: u32,
    batch_stride_c: u32,
    _pad: [u32; 2],
}

/// `act(op(a) · op(b) + bias)` for a validated shape; returns the row-major result.
pub fn matmul(
    ctx: &GpuContext,
    a: &GpuBuffer,
    b: &GpuBuffer,
    bias: Option<&GpuBuffer>,
    shape: &MatmulShape,
    opts: &MatmulOptions,
) -> Result<GpuBuffer> {
    let MatmulShape { batch, m, n, k, .. } = *shape;
    let out_len = batch * m * n;
    let out = ctx.alloc(BufferClass::Storage, 4 * out_len as u64, "matmul output")?;
    if out_len == 0 {
        return Ok(out);
    }
    let params = Params {
        m: as_u32(m, "matmul")?,
        n: as_u32(n, "matmul")?,
        k: as_u32(k, "matmul")?,
        batch_stride_a: as_u32(if shape.a_batched { m * k } else { 0 }, "matmul")?,
        batch_stride_b: as_u32(if shape.b_batched { k * n } else { 0 }, "matmul")?,
        batch_stride_c: as_u32(m * n, "matmul")?,
        _pad: [0; 2],
    };
    let flag = |on: bool| if on { 1.0 } else { 0.0 };
    // Without a bias the binding still needs a buffer: A is bound again, read-only.
    let bias_buffer = bias.unwrap_or(a);
    ctx.dispatch(&Dispatch {
        shader: Shader::MATMUL,
        entry: "main",
        constants: &[
            ("TRANS_A", flag(opts.trans_a)),
            ("TRANS_B", flag(opts.trans_b)),
            ("HAS_BIAS", flag(bias.is_some())),
            ("ACTIVATION", f64::from(opts.activation.shader_code())),
        ],
        params: bytemuck::bytes_of(&params),
        buffers: &Binding::in_order([a, b, bias_buffer, &out]),
        workgroups: [
            as_u32(n.div_ceil(TILE), "matmul")?,
            as_u32(m.div_ceil(TILE), "matmul")?,
            as_u32(batch, "matmul")?,
        ],
        label: "matmul",
    })?;
    Ok(out)
}
