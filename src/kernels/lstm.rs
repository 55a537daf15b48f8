//! Launcher of `shaders/lstm.wgsl`: the LSTM forward and backward through time.
//!
//! Forward: one matmul projects every time step's input (x `[B·T,F]` · W_ih + bias), then
//! the recurrence runs either as one `forward_sequence` dispatch (state kept in workgroup
//! memory across all T steps) or as T `forward_step` dispatches. Backward: W_hhᵀ is made
//! once, the recurrence runs backwards the same two ways producing dz `[B,T,4H]` and the
//! shifted states h_prev, and the input, weight and bias gradients are matmuls (the weight
//! gradients split-K over chunks of whole sequences) and column reductions over the B·T rows.

use super::grid::{as_u32, grid_1d};
use crate::descriptors::lstm::{LstmPath, LstmShape};
use crate::descriptors::matmul::{MatmulOptions, MatmulShape};
use crate::descriptors::reduce::{ReduceAxis, ReduceOp};
use crate::device::{Binding, BufferClass, Dispatch, GpuBuffer, GpuContext, Shader};
use crate::{AtbError, Result};

/// Most batch rows one sequence workgroup owns (MAX_ROWS in the shader).
pub const MAX_ROWS: usize = 8;
/// Most splits of one recurrent dot product in a sequence workgroup.
pub const MAX_KSPLIT: usize = 8;
/// Fewest recurrent terms one split sums: shorter chunks cost more in the reduction of the
/// partials than they save.
const MIN_SPLIT_CHUNK: usize = 16;
/// Fewest workgroups the sequence kernels aim for before giving one workgroup more rows:
/// at small batch, parallelism across compute units matters more than weight reuse.
const TARGET_WORKGROUPS: usize = 64;
/// Most lanes (threads per split) of one sequence workgroup; a lane owns ⌈H / lanes⌉ units.
const MAX_UNIT_THREADS: usize = 256;
/// Most threads of one sequence workgroup, below the adapter's own limits.
const MAX_SEQUENCE_THREADS: usize = 1024;
/// Most row chunks of the split-K weight-gradient matmuls.
pub const MAX_WEIGHT_CHUNKS: usize = 32;
/// Threads per workgroup of the per-step kernels and of the transpose.
const STEP_THREADS: usize = 64;

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Params {
    batch: u32,
    steps: u32,
    step: u32,
    cols: u32,
}

/// Which direction of the recurrence a tile is for (they keep different state on chip).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    /// `forward_sequence`: h, c and the partial pre-activations of the tile.
    Forward,
    /// `backward_sequence`: dz (4H per row), the carried dc and the partial dh of the tile.
    Backward,
}

/// The workgroup shape of a sequence kernel (the ROWS, KSPLIT and THREADS override
/// constants; THREADS = lanes · KSPLIT).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SequenceTile {
    /// Batch rows per workgroup.
    pub rows: usize,
    /// Splits of each recurrent dot product.
    pub ksplit: usize,
    /// Threads per workgroup.
    pub threads: usize,
}

/// Workgroup memory, in bytes, of one sequence workgroup with this tile.
pub fn workgroup_bytes(pass: Pass, rows: usize, ksplit: usize, hidden: usize) -> u64 {
    let floats_per_cell = match pass {
        // h, c and 4 partial pre-activations per split.
        Pass::Forward => 2 + 4 * ksplit,
        // dz (4), the carried dc and one partial dh per split.
        Pass::Backward => 4 + 1 + ksplit,
    };
    4 * (floats_per_cell * rows * hidden) as u64
}

/// The adapter limits a sequence tile must respect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TileLimits {
    /// `max_compute_workgroup_storage_size`, bytes.
    pub workgroup_storage: u32,
    /// The smaller of `max_compute_invocations_per_workgroup` and
    /// `max_compute_workgroup_size_x`.
    pub threads: u32,
}

impl TileLimits {
    /// The limits of `ctx`'s device.
    pub fn of(ctx: &GpuContext) -> TileLimits {
        let l = ctx.limits();
        TileLimits {
            workgroup_storage: l.max_compute_workgroup_storage_size,
            threads: l
                .max_compute_invocations_per_workgroup
                .min(l.max_compute_workgroup_size_x),
        }
    }
}

/// The sequence kernel's tile for this batch and hidden size, or `None` when even
/// ROWS = KSPLIT = 1 exceeds the workgroup memory (then the per-step path runs).
///
/// Lanes: H rounded up to a multiple of 32, at most 256. Rows: the largest power of two up
/// to [`MAX_ROWS`] that still leaves 64 workgroups. KSPLIT: the largest power of two up to
/// [`MAX_KSPLIT`] with at least 16 terms per split and lanes · KSPLIT threads within the
/// limits. Then KSPLIT, and after it ROWS, are halved until the workgroup memory fits.
pub fn sequence_tile(
    pass: Pass,
    batch: usize,
    hidden: usize,
    limits: TileLimits,
) -> Option<SequenceTile> {
    let max_threads = (limits.threads as usize).min(MAX_SEQUENCE_THREADS);
    let lanes = hidden
        .next_multiple_of(32)
        .min(MAX_UNIT_THREADS)
        .min(max_threads);
    if lanes == 0 {
        return None;
    }
    let mut rows = MAX_ROWS;
    while rows > 1 && batch.div_ceil(rows) < TARGET_WORKGROUPS {
        rows /= 2;
    }
    let mut ksplit = MAX_KSPLIT;
    while ksplit > 1 && (hidden / ksplit < MIN_SPLIT_CHUNK || lanes * ksplit > max_threads) {
        ksplit /= 2;
    }
    let fits = |rows, ksplit| {
        workgroup_bytes(pass, rows, ksplit, hidden) <= u64::from(limits.workgroup_storage)
    };
    while ksplit > 1 && !fits(rows, ksplit) {
        ksplit /= 2;
    }
    while rows > 1 && !fits(rows, ksplit) {
        rows /= 2;
    }
    fits(rows, ksplit).then_some(SequenceTile {
        rows,
        ksplit,
        threads: lanes * ksplit,
    })
}

/// The tile to run, `None` for the per-step path.
fn plan(
    ctx: &GpuContext,
    pass: Pass,
    shape: &LstmShape,
    path: LstmPath,
) -> Result<Option<SequenceTile>> {
    let limits = TileLimits::of(ctx);
    let tile = sequence_tile(pass, shape.batch, shape.hidden, limits);
    match path {
        LstmPath::Auto => Ok(tile),
        LstmPath::PerStep => Ok(None),
        LstmPath::Sequence => match tile {
            Some(tile) => Ok(Some(tile)),
            None => Err(AtbError::WorkgroupMemory {
                kernel: match pass {
                    Pass::Forward => "lstm forward_sequence",
                    Pass::Backward => "lstm backward_sequence",
                },
                bytes: workgroup_bytes(pass, 1, 1, shape.hidden),
                limit: limits.workgroup_storage,
                hint: "use LstmPath::Auto or LstmPath::PerStep for this hidden size",
            }),
        },
    }
}

/// Records one whole-sequence dispatch (`forward_sequence` or `backward_sequence`): a workgroup
/// per `tile.rows` batch rows, the tile's sizes as override constants.
fn dispatch_sequence(
    ctx: &GpuContext,
    shape: &LstmShape,
    tile: SequenceTile,
    hidden: f64,
    buffers: &[Binding<'_>],
    (entry, label): (&'static str, &'static str),
) -> Result<()> {
    ctx.dispatch(&Dispatch {
        shader: Shader::LSTM,
        entry,
        constants: &[
            ("HIDDEN", hidden),
            ("ROWS", tile.rows as f64),
            ("KSPLIT", tile.ksplit as f64),
            ("THREADS", tile.threads as f64),
        ],
        params: bytemuck::bytes_of(&params(shape, 0)?),
        buffers,
        workgroups: grid_1d(ctx, shape.batch.div_ceil(tile.rows), label)?,
        label,
    })
}

fn params(shape: &LstmShape, step: usize) -> Result<Params> {
    Ok(Params {
        batch: as_u32(shape.batch, "lstm")?,
        steps: as_u32(shape.steps, "lstm")?,
        step: as_u32(step, "lstm")?,
        cols: 0,
    })
}

/// The forward pass's outputs: h and c `[B,T,H]`, activated gates `[B,T,4H]`.
pub struct ForwardOutput {
    /// Hidden states.
    pub h: GpuBuffer,
    /// Cell states.
    pub c: GpuBuffer,
    /// Activated gates (i, f, g, o).
    pub gates: GpuBuffer,
}

/// The forward pass's outputs, borrowed, as the backward pass reads them.
pub struct ForwardRefs<'a> {
    /// Hidden states `[B,T,H]`.
    pub h: &'a GpuBuffer,
    /// Cell states `[B,T,H]`.
    pub c: &'a GpuBuffer,
    /// Activated gates `[B,T,4H]`.
    pub gates: &'a GpuBuffer,
}

/// Gradients of the backward pass.
pub struct Gradients {
    /// `[B,T,F]`.
    pub dx: GpuBuffer,
    /// `[F,4H]`.
    pub dw_ih: GpuBuffer,
    /// `[H,4H]`.
    pub dw_hh: GpuBuffer,
    /// `[4H]`.
    pub dbias: GpuBuffer,
}

/// Runs the LSTM forward for a validated shape.
pub fn forward(
    ctx: &GpuContext,
    x: &GpuBuffer,
    w_ih: &GpuBuffer,
    w_hh: &GpuBuffer,
    bias: &GpuBuffer,
    shape: &LstmShape,
    path: LstmPath,
) -> Result<ForwardOutput> {
    let tile = plan(ctx, Pass::Forward, shape, path)?;
    let rows = shape.batch * shape.steps;
    let g4 = 4 * shape.hidden;
    let projection = MatmulOptions::default();
    let proj_shape = MatmulShape::infer(
        &[rows, shape.features],
        &[shape.features, g4],
        Some(&[g4]),
        &projection,
    )?;
    let xproj = super::matmul::matmul(ctx, x, w_ih, Some(bias), &proj_shape, &projection)?;
    let state_bytes = 4 * shape.state_len() as u64;
    let out = ForwardOutput {
        h: ctx.alloc(BufferClass::Storage, state_bytes, "lstm h")?,
        c: ctx.alloc(BufferClass::Storage, state_bytes, "lstm c")?,
        gates: ctx.alloc(
            BufferClass::Storage,
            4 * shape.gates_len() as u64,
            "lstm gates",
        )?,
    };
    let buffers = Binding::in_order([&xproj, w_hh, &out.h, &out.c, &out.gates]);
    let hidden = f64::from(as_u32(shape.hidden, "lstm")?);
    match tile {
        Some(tile) => dispatch_sequence(
            ctx,
            shape,
            tile,
            hidden,
            &buffers,
            ("forward_sequence", "lstm forward_sequence"),
        )?,
        None => {
            let workgroups = grid_1d(
                ctx,
                (shape.batch * shape.hidden).div_ceil(STEP_THREADS),
                "lstm forward_step",
            )?;
            for t in 0..shape.steps {
                ctx.dispatch(&Dispatch {
                    shader: Shader::LSTM,
                    entry: "forward_step",
                    constants: &[("HIDDEN", hidden), ("THREADS", STEP_THREADS as f64)],
                    params: bytemuck::bytes_of(&params(shape, t)?),
                    buffers: &buffers,
                    workgroups,
                    label: "lstm forward_step",
                })?;
            }
        }
    }
    Ok(out)
}

/// `out = srcᵀ` for a row-major `rows × cols` matrix.
fn transpose(ctx: &GpuContext, src: &GpuBuffer, rows: usize, cols: usize) -> Result<GpuBuffer> {
    let dst = ctx.alloc(
        BufferClass::Storage,
        4 * (rows * cols) as u64,
        "lstm transpose",
    )?;
    let params = Params {
        batch: 0,
        steps: 0,
        step: as_u32(rows, "lstm transpose")?,
        cols: as_u32(cols, "lstm transpose")?,
    };
    ctx.dispatch(&Dispatch {
        shader: Shader::LSTM,
        entry: "transpose",
        constants: &[("THREADS", STEP_THREADS as f64)],
        params: bytemuck::bytes_of(&params),
        buffers: &[Binding::at(14, src), Binding::at(15, &dst)],
        workgroups: grid_1d(ctx, (rows * cols).div_ceil(STEP_THREADS), "lstm transpose")?,
        label: "lstm transpose",
    })?;
    Ok(dst)
}

/// Backward through time for a validated shape and the upstream gradient `dh` `[B,T,H]`.
#[allow(clippy::too_many_arguments)]
pub fn backward(
    ctx: &GpuContext,
    x: &GpuBuffer,
    w_ih: &GpuBuffer,
    w_hh: &GpuBuffer,
    state: &ForwardRefs<'_>,
    dh: &GpuBuffer,
    shape: &LstmShape,
    path: LstmPath,
) -> Result<Gradients> {
    let tile = plan(ctx, Pass::Backward, shape, path)?;
    let (hidden, g4) = (shape.hidden, 4 * shape.hidden);
    let w_hh_t = transpose(ctx, w_hh, hidden, g4)?;
    let dz = ctx.alloc(
        BufferClass::Storage,
        4 * shape.gates_len() as u64,
        "lstm dz",
    )?;
    let h_prev = ctx.alloc(
        BufferClass::Storage,
        4 * shape.state_len() as u64,
        "lstm h_prev",
    )?;
    let mut buffers = vec![
        Binding::at(6, state.gates),
        Binding::at(7, state.c),
        Binding::at(8, state.h),
        Binding::at(9, dh),
        Binding::at(10, &w_hh_t),
        Binding::at(11, &dz),
        Binding::at(12, &h_prev),
    ];
    let hidden_constant = f64::from(as_u32(hidden, "lstm")?);
    match tile {
        Some(tile) => dispatch_sequence(
            ctx,
            shape,
            tile,
            hidden_constant,
            &buffers,
            ("backward_sequence", "lstm backward_sequence"),
        )?,
        None => {
            let carry_bytes = 4 * (shape.batch * hidden) as u64;
            let dc_carry = ctx.alloc(BufferClass::Storage, carry_bytes, "lstm dc carry")?;
            buffers.push(Binding::at(13, &dc_carry));
            let workgroups = grid_1d(
                ctx,
                (shape.batch * hidden).div_ceil(STEP_THREADS),
                "lstm backward_step",
            )?;
            for t in (0..shape.steps).rev() {
                ctx.dispatch(&Dispatch {
                    shader: Shader::LSTM,
                    entry: "backward_step",
                    constants: &[
                        ("HIDDEN", hidden_constant),
                        ("THREADS", STEP_THREADS as f64),
                    ],
                    params: bytemuck::bytes_of(&params(shape, t)?),
                    buffers: &buffers,
                    workgroups,
                    label: "lstm backward_step",
                })?;
            }
        }
    }
    let rows = shape.batch * shape.steps;
    let dx_opts = MatmulOptions {
        trans_b: true,
        ..MatmulOptions::default()
    };
    let dx_shape = MatmulShape::infer(&[rows, g4], &[shape.features, g4], None, &dx_opts)?;
    let chunks = weight_gradient_chunks(shape.batch);
    Ok(Gradients {
        dx: super::matmul::matmul(ctx, &dz, w_ih, None, &dx_shape, &dx_opts)?,
        dw_ih: sum_of_products(ctx, x, shape.features, &dz, g4, rows, chunks)?,
        dw_hh: sum_of_products(ctx, &h_prev, hidden, &dz, g4, rows, chunks)?,
        dbias: super::reduce::reduce(ctx, &dz, rows, g4, ReduceOp::Sum, ReduceAxis::Rows)?,
    })
}

/// Into how many equal chunks of whole sequences the B·T rows of a weight gradient are split:
/// the largest divisor of the batch up to [`MAX_WEIGHT_CHUNKS`].
pub fn weight_gradient_chunks(batch: usize) -> usize {
    (1..=batch.min(MAX_WEIGHT_CHUNKS))
        .rev()
        .find(|&chunks| batch.is_multiple_of(chunks))
        .unwrap_or(1)
}

/// `aᵀ·b` for a `[rows, m]` and b `[rows, n]` (a weight gradient summed over rows), split-K:
/// one batched matmul over `chunks` equal row chunks, then a fixed-order sum of the chunks.
/// With K = B·T in the thousands and M·N small, a single matmul would run only
/// ⌈M/64⌉·⌈N/64⌉ workgroups, each walking all of K.
fn sum_of_products(
    ctx: &GpuContext,
    a: &GpuBuffer,
    m: usize,
    b: &GpuBuffer,
    n: usize,
    rows: usize,
    chunks: usize,
) -> Result<GpuBuffer> {
    let opts = MatmulOptions {
        trans_a: true,
        ..MatmulOptions::default()
    };
    if chunks <= 1 {
        let shape = MatmulShape::infer(&[rows, m], &[rows, n], None, &opts)?;
        return super::matmul::matmul(ctx, a, b, None, &shape, &opts);
    }
    let per_chunk = rows / chunks;
    let shape = MatmulShape::infer(
        &[chunks, per_chunk, m],
        &[chunks, per_chunk, n],
        None,
        &opts,
    )?;
    let partial = super::matmul::matmul(ctx, a, b, None, &shape, &opts)?;
    super::reduce::reduce(
        ctx,
        &partial,
        chunks,
        m * n,
        ReduceOp::Sum,
        ReduceAxis::Rows,
    )
}
