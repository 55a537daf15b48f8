//! Launcher of `shaders/conv1d.wgsl`: the causal convolution and its input and weight gradients.

use super::grid::as_u32;
use crate::Result;
use crate::descriptors::conv1d::Conv1dShape;
use crate::descriptors::reduce::{ReduceAxis, ReduceOp};
use crate::device::{Binding, BufferClass, Dispatch, GpuBuffer, GpuContext, Shader};

/// Rows (batch·time, or tap·channel for the weight gradient) of one workgroup's tile.
const TILE_M: usize = 32;
/// Columns (channels) of one workgroup's tile.
const TILE_N: usize = 64;
/// Reduction steps staged per workgroup-memory tile.
const TILE_R: usize = 16;
/// The weight gradient sums B·T rows; each partial sum covers at least this many of them.
const MIN_CHUNK: usize = 256;
/// At most this many partial weight gradients are summed in the fixed-order second pass.
const MAX_CHUNKS: usize = 64;

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Params {
    rows: u32,
    time: u32,
    cin: u32,
    cout: u32,
    ksize: u32,
    dilation: u32,
    chunk: u32,
    _pad: u32,
}

impl Params {
    /// Checks that every index the shader computes fits in u32.
    fn new(s: &Conv1dShape, chunk: usize) -> Result<Params> {
        let rows = s.batch * s.time;
        let span = (s.kernel_size - 1) * s.dilation;
        // The largest values the shader computes: row·channels, K·Cin·Cout, and t + span.
        let channels = s.in_channels.max(s.out_channels);
        as_u32(rows.saturating_mul(channels), "conv1d")?;
        as_u32(
            s.kernel_size
                .saturating_mul(channels)
                .saturating_mul(channels),
            "conv1d",
        )?;
        as_u32(span.saturating_add(s.time), "conv1d")?;
        Ok(Params {
            rows: as_u32(rows, "conv1d")?,
            time: as_u32(s.time, "conv1d")?,
            cin: as_u32(s.in_channels, "conv1d")?,
            cout: as_u32(s.out_channels, "conv1d")?,
            ksize: as_u32(s.kernel_size, "conv1d")?,
            dilation: as_u32(s.dilation, "conv1d")?,
            chunk: as_u32(chunk, "conv1d")?,
            _pad: 0,
        })
    }
}

/// y `[B,T,Cout]` = causal conv of x `[B,T,Cin]` with w `[K,Cin,Cout]` plus `bias`.
pub fn conv1d_forward(
    ctx: &GpuContext,
    x: &GpuBuffer,
    w: &GpuBuffer,
    bias: Option<&GpuBuffer>,
    shape: &Conv1dShape,
) -> Result<GpuBuffer> {
    let rows = shape.batch * shape.time;
    let out_len = rows * shape.out_channels;
    let out = ctx.alloc(BufferClass::Storage, 4 * out_len as u64, "conv1d output")?;
    if out_len == 0 {
        return Ok(out);
    }
    let params = Params::new(shape, 0)?;
    let has_bias = if bias.is_some() { 1.0 } else { 0.0 };
    ctx.dispatch(&Dispatch {
        shader: Shader::CONV1D,
        entry: "conv1d_forward",
        constants: &[("HAS_BIAS", has_bias)],
        params: bytemuck::bytes_of(&params),
        // Without a bias the binding still needs a buffer: w is bound again, read-only.
        buffers: &Binding::in_order([x, w, bias.unwrap_or(w), &out]),
        workgroups: [
            as_u32(shape.out_channels.div_ceil(TILE_N), "conv1d")?,
            as_u32(rows.div_ceil(TILE_M), "conv1d")?,
            1,
        ],
        label: "conv1d_forward",
    })?;
    Ok(out)
}

/// dx `[B,T,Cin]` from w `[K,Cin,Cout]` and dy `[B,T,Cout]`.
pub fn conv1d_backward_input(
    ctx: &GpuContext,
    w: &GpuBuffer,
    dy: &GpuBuffer,
    shape: &Conv1dShape,
) -> Result<GpuBuffer> {
    let rows = shape.batch * shape.time;
    let out_len = rows * shape.in_channels;
    let out = ctx.alloc(BufferClass::Storage, 4 * out_len as u64, "conv1d dx")?;
    if out_len == 0 {
        return Ok(out);
    }
    let params = Params::new(shape, 0)?;
    ctx.dispatch(&Dispatch {
        shader: Shader::CONV1D,
        entry: "conv1d_backward_input",
        constants: &[],
        params: bytemuck::bytes_of(&params),
        buffers: &[Binding::at(1, dy), Binding::at(2, w), Binding::at(4, &out)],
        workgroups: [
            as_u32(shape.in_channels.div_ceil(TILE_N), "conv1d")?,
            as_u32(rows.div_ceil(TILE_M), "conv1d")?,
            1,
        ],
        label: "conv1d_backward_input",
    })?;
    Ok(out)
}

/// How the B·T reduction of the weight gradient is split: (rows per chunk, chunks). Chunks
/// are whole multiples of the staged tile depth and depend only on the shape.
fn weight_chunks(rows: usize) -> (usize, usize) {
    let chunks = rows.div_ceil(MIN_CHUNK).clamp(1, MAX_CHUNKS);
    let chunk = rows.div_ceil(chunks).div_ceil(TILE_R) * TILE_R;
    (chunk, rows.div_ceil(chunk))
}

/// dw `[K,Cin,Cout]` from x `[B,T,Cin]` and dy `[B,T,Cout]`: partial sums over fixed chunks of
/// B·T, then added in chunk order by `reduce_rows` (deterministic, no atomics).
pub fn conv1d_backward_weight(
    ctx: &GpuContext,
    x: &GpuBuffer,
    dy: &GpuBuffer,
    shape: &Conv1dShape,
) -> Result<GpuBuffer> {
    let rows = shape.batch * shape.time;
    let taps = shape.kernel_size * shape.in_channels;
    let out_len = taps * shape.out_channels;
    if rows == 0 {
        return ctx.upload(&vec![0.0f32; out_len], "conv1d dw");
    }
    let (chunk, chunks) = weight_chunks(rows);
    as_u32(chunks * out_len, "conv1d")?;
    let partials = ctx.alloc(
        BufferClass::Storage,
        4 * (chunks * out_len) as u64,
        "conv1d dw partials",
    )?;
    let params = Params::new(shape, chunk)?;
    ctx.dispatch(&Dispatch {
        shader: Shader::CONV1D,
        entry: "conv1d_backward_weight",
        constants: &[],
        params: bytemuck::bytes_of(&params),
        buffers: &[
            Binding::at(1, x),
            Binding::at(2, dy),
            Binding::at(4, &partials),
        ],
        workgroups: [
            as_u32(shape.out_channels.div_ceil(TILE_N), "conv1d")?,
            as_u32(taps.div_ceil(TILE_M), "conv1d")?,
            as_u32(chunks, "conv1d")?,
        ],
        label: "conv1d_backward_weight",
    })?;
    if chunks == 1 {
        return Ok(partials);
    }
    super::reduce::reduce(
        ctx,
        &partials,
        chunks,
        out_len,
        ReduceOp::Sum,
        ReduceAxis::Rows,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weight_chunks_cover_every_row_once() {
        for rows in [1, 15, 16, 17, 255, 256, 257, 1920, 15_360, 1_000_000] {
            let (chunk, chunks) = weight_chunks(rows);
            assert_eq!(chunk % TILE_R, 0, "rows {rows}");
            assert!((1..=MAX_CHUNKS).contains(&chunks), "rows {rows}");
            assert!(chunk * chunks >= rows, "rows {rows}: not covered");
            assert!(chunk * (chunks - 1) < rows, "rows {rows}: an empty chunk");
        }
    }
}
