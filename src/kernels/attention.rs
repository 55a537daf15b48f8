//! Launcher of `shaders/attention.wgsl`: fused multi-head self-attention forward (one
//! dispatch) and backward (two dispatches: per query tile, then per key tile).

use super::grid::as_u32;
use crate::descriptors::attention::AttentionShape;
use crate::device::{Binding, BufferClass, Dispatch, GpuBuffer, GpuContext, Shader};
use crate::{AtbError, Result};

/// Rows (queries or keys) per workgroup and keys per staged tile (TILE in the shader).
const TILE: usize = 16;
/// Largest per-head width dk or dv the kernels hold in workgroup memory (D_MAX in the shader).
pub const MAX_HEAD_DIM: usize = 128;
/// Workgroup memory of the largest entry point (`forward`: Q, Kᵀ and V tiles of
/// TILE × MAX_HEAD_DIM f32 plus a TILE × TILE score tile).
const WORKGROUP_BYTES: u32 = ((3 * TILE * MAX_HEAD_DIM + TILE * TILE) * 4) as u32;

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Params {
    seq_len: u32,
    num_heads: u32,
    key_dim: u32,
    value_dim: u32,
    scale: f32,
    _pad: [u32; 3],
}

/// The gradients written by [`backward`].
pub struct AttentionGradBuffers {
    /// `[B, T, H·dk]`.
    pub dq: GpuBuffer,
    /// `[B, T, H·dk]`.
    pub dk: GpuBuffer,
    /// `[B, T, H·dv]`.
    pub dv: GpuBuffer,
}

/// Checks the GPU-specific limits and packs the parameter block.
fn params(ctx: &GpuContext, shape: &AttentionShape) -> Result<Params> {
    for (name, dim) in [("key_dim", shape.key_dim), ("value_dim", shape.value_dim)] {
        if dim > MAX_HEAD_DIM {
            return Err(AtbError::Shape {
                op: "attention",
                detail: format!(
                    "{name} = {dim} per head exceeds the {MAX_HEAD_DIM} the GPU kernel holds in workgroup memory; use more heads or the CPU backend"
                ),
            });
        }
    }
    if ctx.limits().max_compute_workgroup_storage_size < WORKGROUP_BYTES {
        return Err(AtbError::WorkgroupMemory {
            kernel: "attention",
            bytes: u64::from(WORKGROUP_BYTES),
            limit: ctx.limits().max_compute_workgroup_storage_size,
            hint: "use the CPU backend (--device cpu)",
        });
    }
    Ok(Params {
        seq_len: as_u32(shape.seq_len, "attention")?,
        num_heads: as_u32(shape.num_heads, "attention")?,
        key_dim: as_u32(shape.key_dim, "attention")?,
        value_dim: as_u32(shape.value_dim, "attention")?,
        scale: 1.0 / (shape.key_dim as f32).sqrt(),
        _pad: [0; 3],
    })
}

/// Sizes every buffer index must fit in u32, and the grid (tiles, heads, batch).
fn grid(shape: &AttentionShape) -> Result<[u32; 3]> {
    let widest = shape.key_dim.max(shape.value_dim).max(shape.seq_len);
    as_u32(
        shape.batch * shape.seq_len * shape.num_heads * widest,
        "attention",
    )?;
    Ok([
        as_u32(shape.seq_len.div_ceil(TILE), "attention")?,
        as_u32(shape.num_heads, "attention")?,
        as_u32(shape.batch, "attention")?,
    ])
}

fn flag(on: bool) -> f64 {
    if on { 1.0 } else { 0.0 }
}

fn alloc_f32(ctx: &GpuContext, len: usize, label: &str) -> Result<GpuBuffer> {
    ctx.alloc(BufferClass::Storage, 4 * len as u64, label)
}

/// Forward pass for a validated shape: returns the output `[B, T, H·dv]` and, when
/// `return_weights`, the weights `[B, H, T, T]`.
pub fn forward(
    ctx: &GpuContext,
    [q, k, v]: [&GpuBuffer; 3],
    shape: &AttentionShape,
    causal: bool,
    return_weights: bool,
) -> Result<(GpuBuffer, Option<GpuBuffer>)> {
    let params = params(ctx, shape)?;
    let workgroups = grid(shape)?;
    let out = alloc_f32(ctx, shape.out_shape().iter().product(), "attention output")?;
    // Without weights the binding still needs a buffer; the shader never touches it.
    let weights_len = if return_weights {
        shape.weights_shape().iter().product()
    } else {
        1
    };
    let weights = alloc_f32(ctx, weights_len, "attention weights")?;
    ctx.dispatch(&Dispatch {
        shader: Shader::ATTENTION,
        entry: "forward",
        constants: &[
            ("CAUSAL", flag(causal)),
            ("WRITE_WEIGHTS", flag(return_weights)),
        ],
        params: bytemuck::bytes_of(&params),
        buffers: &Binding::in_order([q, k, v, &out, &weights]),
        workgroups,
        label: "attention_forward",
    })?;
    Ok((out, return_weights.then_some(weights)))
}

/// Backward pass for a validated shape from the forward weights and `d_out`.
pub fn backward(
    ctx: &GpuContext,
    [q, k, v]: [&GpuBuffer; 3],
    weights: &GpuBuffer,
    d_out: &GpuBuffer,
    shape: &AttentionShape,
    causal: bool,
) -> Result<AttentionGradBuffers> {
    let params = params(ctx, shape)?;
    let workgroups = grid(shape)?;
    let query_len = shape.query_shape().iter().product();
    let dq = alloc_f32(ctx, query_len, "attention dq")?;
    let dk = alloc_f32(ctx, query_len, "attention dk")?;
    let dv = alloc_f32(ctx, shape.out_shape().iter().product(), "attention dv")?;
    let d_scores = alloc_f32(
        ctx,
        shape.weights_shape().iter().product(),
        "attention score gradients",
    )?;
    let constants = [("CAUSAL", flag(causal))];
    ctx.dispatch(&Dispatch {
        shader: Shader::ATTENTION,
        entry: "backward_query",
        constants: &constants,
        params: bytemuck::bytes_of(&params),
        buffers: &[
            Binding::at(2, k),
            Binding::at(3, v),
            Binding::at(6, weights),
            Binding::at(7, d_out),
            Binding::at(8, &d_scores),
            Binding::at(9, &dq),
        ],
        workgroups,
        label: "attention_backward_query",
    })?;
    ctx.dispatch(&Dispatch {
        shader: Shader::ATTENTION,
        entry: "backward_key",
        constants: &constants,
        params: bytemuck::bytes_of(&params),
        buffers: &[
            Binding::at(1, q),
            Binding::at(6, weights),
            Binding::at(7, d_out),
            Binding::at(8, &d_scores),
            Binding::at(10, &dk),
            Binding::at(11, &dv),
        ],
        workgroups,
        label: "attention_backward_key",
    })?;
    Ok(AttentionGradBuffers { dq, dk, dv })
}
