// LSTM recurrence (Keras semantics, batch-first, zero initial state), forward and backward
// through time. The input projection xproj = x·W_ih + b is one matmul done beforehand
// (shaders/matmul.wgsl); these kernels run the part that must walk time in order.
//
// Layouts (row-major f32): xproj, gates, dz [B, T, 4H] with gate q ∈ {i, f, g, o} of hidden
// unit j at column q·H + j; h, c, dh, h_prev [B, T, H]; W_hh [H, 4H]; W_hhᵀ [4H, H].
//
// Per time step: z = xproj_t + h_{t-1}·W_hh; i, f, o = σ(z_i, z_f, z_o); g = tanh(z_g);
// c_t = f·c_{t-1} + i·g; h_t = o·tanh(c_t). gates stores the activated (i, f, g, o).
//
// `forward_sequence` / `backward_sequence`: one dispatch runs all T steps. A workgroup owns
// ROWS batch rows (grid: ceil(B / ROWS) workgroups, laid out in 2D when needed) and has
// THREADS = UNIT_THREADS · KSPLIT threads: thread `local` is lane local % UNIT_THREADS of
// split s = local / UNIT_THREADS. A lane owns hidden units j = lane, lane + UNIT_THREADS, ...
// for all ROWS rows (each weight load feeds ROWS rows); the KSPLIT splits of a unit each sum
// one contiguous 1/KSPLIT of the recurrent dot product (over k < H forward, over the 4H gate
// columns backward), which cuts the serial chain of each step by KSPLIT. Per step:
//   1. every thread: partial recurrent products from the tile's state in workgroup memory
//      (h_{t-1} forward, dz_{t+1} backward) into `partial` / `dh_partial`;   barrier
//   2. split-0 threads: add the KSPLIT partials in order, the fused cell update, store to
//      global memory and put the new state (h_t or dz_t) into the tile;       barrier
// i.e. two workgroupBarriers per step and no other synchronisation. c (forward) and the
// carried dc (backward) are only touched by the owning split-0 thread. The weights are read
// from global memory every step: the same 16·H² bytes for every workgroup and step, so they
// stay in L1/L2. Workgroup memory (bytes): forward 4·(2 + 4·KSPLIT)·ROWS·H, backward
// 4·(5 + KSPLIT)·ROWS·H; src/kernels/lstm.rs picks ROWS and KSPLIT to fit
// max_compute_workgroup_storage_size and falls back to the per-step kernels when even
// ROWS = KSPLIT = 1 does not fit.
//
// `forward_step` / `backward_step`: the fallback, one dispatch per time step (params.step);
// one thread per (batch row, hidden unit) computes the recurrent dot products from the
// previous step's h (or the next step's dz) in global memory and the fused cell update.
//
// `backward_*` walk t = T-1 .. 0: dh_t = dh_upstream[t] + dz_{t+1}·W_hhᵀ,
// dc_t = dc_{t+1}·f_{t+1} + dh_t·o·(1 - tanh²c_t), then dz_t (pre-activation gradients) and
// h_prev[t] = h_{t-1} (zero at t = 0), from which the weight gradients are matmuls.
//
// `transpose`: out[c, r] = src[r, c] for a rows×cols matrix (W_hh → W_hhᵀ so the backward's
// recurrent loads coalesce).
//
// validate: HIDDEN=33 ROWS=4 KSPLIT=2 THREADS=128

// prelude: activation, grid

struct Params {
    batch: u32,
    steps: u32,
    // The time step of the per-step kernels; rows of `transpose`.
    step: u32,
    // Columns of `transpose`.
    cols: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
// Forward.
@group(0) @binding(1) var<storage, read> xproj: array<f32>;
@group(0) @binding(2) var<storage, read> w_hh: array<f32>;
@group(0) @binding(3) var<storage, read_write> h_out: array<f32>;
@group(0) @binding(4) var<storage, read_write> c_out: array<f32>;
@group(0) @binding(5) var<storage, read_write> gates_out: array<f32>;
// Backward.
@group(0) @binding(6) var<storage, read> gates: array<f32>;
@group(0) @binding(7) var<storage, read> c_all: array<f32>;
@group(0) @binding(8) var<storage, read> h_all: array<f32>;
@group(0) @binding(9) var<storage, read> dh: array<f32>;
@group(0) @binding(10) var<storage, read> w_hh_t: array<f32>;
@group(0) @binding(11) var<storage, read_write> dz: array<f32>;
@group(0) @binding(12) var<storage, read_write> h_prev: array<f32>;
@group(0) @binding(13) var<storage, read_write> dc_carry: array<f32>;
// Transpose.
@group(0) @binding(14) var<storage, read> src: array<f32>;
@group(0) @binding(15) var<storage, read_write> dst: array<f32>;

// Hidden size H.
override HIDDEN: u32 = 1u;
// Batch rows per workgroup of the sequence kernels (1..=MAX_ROWS).
override ROWS: u32 = 1u;
// Splits of each recurrent dot product in the sequence kernels (THREADS = UNIT_THREADS·KSPLIT).
override KSPLIT: u32 = 1u;
// Threads per workgroup.
override THREADS: u32 = 32u;

const MAX_ROWS: u32 = 8u;

// Forward: h of the tile, c, and the KSPLIT partial pre-activations (i, f, g, o) per cell.
var<workgroup> h_tile: array<f32, ROWS * HIDDEN>;
var<workgroup> c_tile: array<f32, ROWS * HIDDEN>;
var<workgroup> partial: array<vec4<f32>, KSPLIT * ROWS * HIDDEN>;
// Backward: dz of the tile (4H per row), the KSPLIT partial dh_rec per cell, the carried dc.
var<workgroup> dz_tile: array<f32, 4u * ROWS * HIDDEN>;
var<workgroup> dh_partial: array<f32, KSPLIT * ROWS * HIDDEN>;
var<workgroup> dc_tile: array<f32, ROWS * HIDDEN>;

// How a sequence workgroup divides its work: batch rows row0..row0 + rows (rows <= ROWS, the
// rows of its tile inside the batch), and its THREADS split into KSPLIT groups (`split`) of
// unit_threads lanes (`lane`).
struct SequenceLanes {
    row0: u32,
    rows: u32,
    unit_threads: u32,
    split: u32,
    lane: u32,
}

fn sequence_lanes(ids: GridIds) -> SequenceLanes {
    let unit_threads = THREADS / KSPLIT;
    let row0 = group_index(ids) * ROWS;
    return SequenceLanes(
        row0,
        select(0u, min(ROWS, params.batch - row0), row0 < params.batch),
        unit_threads,
        ids.local / unit_threads,
        ids.local % unit_threads,
    );
}

// The cells split 0 combines once the partial sums are in: lane `lane` owns units j = lane,
// lane + unit_threads, … of every row of the tile (row r fastest). `owned_cells` counts this
// thread's cells, `owned_cell` gives its n-th: batch row b, tile row r, unit j and tile cell.
fn owned_cells(at: SequenceLanes) -> u32 {
    if at.split != 0u || at.lane >= HIDDEN {
        return 0u;
    }
    return (HIDDEN - at.lane + at.unit_threads - 1u) / at.unit_threads * at.rows;
}

struct TileCell {
    b: u32,
    r: u32,
    j: u32,
    cell: u32,
}

fn owned_cell(at: SequenceLanes, n: u32) -> TileCell {
    let r = n % at.rows;
    let j = at.lane + n / at.rows * at.unit_threads;
    return TileCell(at.row0 + r, r, j, r * HIDDEN + j);
}

// The cell a per-step thread works on: item = b·HIDDEN + j for batch row b and unit j, at
// step t = params.step; `inside` is false for threads past the batch.
struct StepUnit {
    item: u32,
    b: u32,
    j: u32,
    t: u32,
    inside: bool,
}

fn step_unit(ids: GridIds) -> StepUnit {
    let item = flat_index(ids, THREADS);
    return StepUnit(item, item / HIDDEN, item % HIDDEN, params.step, item < params.batch * HIDDEN);
}

// The activated gates and new state of unit j of batch row b at step t, from the
// recurrent pre-activations `rec` (i, f, g, o) and c_{t-1}. Stores gates, h_t, c_t;
// returns (h_t, c_t).
fn cell_forward(b: u32, t: u32, j: u32, rec: vec4<f32>, c_prev: f32) -> vec2<f32> {
    let g4 = 4u * HIDDEN;
    let base = (b * params.steps + t) * g4 + j;
    let i = sigmoid(rec.x + xproj[base]);
    let f = sigmoid(rec.y + xproj[base + HIDDEN]);
    let g = stable_tanh(rec.z + xproj[base + 2u * HIDDEN]);
    let o = sigmoid(rec.w + xproj[base + 3u * HIDDEN]);
    let c = f * c_prev + i * g;
    let h = o * stable_tanh(c);
    gates_out[base] = i;
    gates_out[base + HIDDEN] = f;
    gates_out[base + 2u * HIDDEN] = g;
    gates_out[base + 3u * HIDDEN] = o;
    let cell = (b * params.steps + t) * HIDDEN + j;
    h_out[cell] = h;
    c_out[cell] = c;
    return vec2<f32>(h, c);
}

@compute @workgroup_size(THREADS)
fn forward_sequence(ids: GridIds) {
    let at = sequence_lanes(ids);
    let tile = ROWS * HIDDEN;
    let g4 = 4u * HIDDEN;
    let chunk = (HIDDEN + KSPLIT - 1u) / KSPLIT;
    let k_begin = at.split * chunk;
    let k_end = min(k_begin + chunk, HIDDEN);
    for (var e = ids.local; e < tile; e += THREADS) {
        h_tile[e] = 0.0;
        c_tile[e] = 0.0;
    }
    workgroupBarrier();
    for (var t = 0u; t < params.steps; t++) {
        for (var j = at.lane; j < HIDDEN; j += at.unit_threads) {
            var acc: array<vec4<f32>, MAX_ROWS>;
            for (var k = k_begin; k < k_end; k++) {
                let w = k * g4 + j;
                let wk = vec4<f32>(w_hh[w], w_hh[w + HIDDEN], w_hh[w + 2u * HIDDEN], w_hh[w + 3u * HIDDEN]);
                for (var r = 0u; r < ROWS; r++) {
                    acc[r] = fma(vec4<f32>(h_tile[r * HIDDEN + k]), wk, acc[r]);
                }
            }
            for (var r = 0u; r < ROWS; r++) {
                partial[(at.split * ROWS + r) * HIDDEN + j] = acc[r];
            }
        }
        workgroupBarrier();
        // Split 0 adds the KSPLIT partial products of each cell it owns and steps it forward.
        for (var n = 0u; n < owned_cells(at); n++) {
            let c = owned_cell(at, n);
            var rec = vec4<f32>(0.0);
            for (var part = 0u; part < KSPLIT; part++) {
                rec += partial[(part * ROWS + c.r) * HIDDEN + c.j];
            }
            let state = cell_forward(c.b, t, c.j, rec, c_tile[c.cell]);
            h_tile[c.cell] = state.x;
            c_tile[c.cell] = state.y;
        }
        workgroupBarrier();
    }
}

@compute @workgroup_size(THREADS)
fn forward_step(ids: GridIds) {
    let at = step_unit(ids);
    if !at.inside {
        return;
    }
    let g4 = 4u * HIDDEN;
    var acc = vec4<f32>(0.0);
    var c_prev = 0.0;
    if at.t > 0u {
        let prev = (at.b * params.steps + at.t - 1u) * HIDDEN;
        for (var k = 0u; k < HIDDEN; k++) {
            let w = k * g4 + at.j;
            let wk = vec4<f32>(w_hh[w], w_hh[w + HIDDEN], w_hh[w + 2u * HIDDEN], w_hh[w + 3u * HIDDEN]);
            acc = fma(vec4<f32>(h_out[prev + k]), wk, acc);
        }
        c_prev = c_out[prev + at.j];
    }
    cell_forward(at.b, at.t, at.j, acc, c_prev);
}

// The pre-activation gradients (i, f, g, o) of one cell and the dc it carries to t-1.
struct CellGrad {
    dz: vec4<f32>,
    carry: f32,
}

// Backward of unit j of batch row b at step t, given the total dh_t and the carried dc
// (dc_{t+1}·f_{t+1}). Stores dz_t and h_prev[t] = h_{t-1}.

fn cell_backward(b: u32, t: u32, j: u32, dh_total: f32, carry: f32) -> CellGrad {
    let g4 = 4u * HIDDEN;
    let base = (b * params.steps + t) * g4 + j;
    let i = gates[base];
    let f = gates[base + HIDDEN];
    let g = gates[base + 2u * HIDDEN];
    let o = gates[base + 3u * HIDDEN];
    let cell = (b * params.steps + t) * HIDDEN + j;
    var c_prev = 0.0;
    var h_before = 0.0;
    if t > 0u {
        c_prev = c_all[cell - HIDDEN];
        h_before = h_all[cell - HIDDEN];
    }
    let tc = stable_tanh(c_all[cell]);
    let dc = carry + dh_total * o * (1.0 - tc * tc);
    let d = vec4<f32>(
        dc * g * i * (1.0 - i),
        dc * c_prev * f * (1.0 - f),
        dc * i * (1.0 - g * g),
        dh_total * tc * o * (1.0 - o),
    );
    dz[base] = d.x;
    dz[base + HIDDEN] = d.y;
    dz[base + 2u * HIDDEN] = d.z;
    dz[base + 3u * HIDDEN] = d.w;
    h_prev[cell] = h_before;
    return CellGrad(d, dc * f);
}

@compute @workgroup_size(THREADS)
fn backward_sequence(ids: GridIds) {
    let at = sequence_lanes(ids);
    let tile = ROWS * HIDDEN;
    let g4 = 4u * HIDDEN;
    let chunk = (g4 + KSPLIT - 1u) / KSPLIT;
    let col_begin = at.split * chunk;
    let col_end = min(col_begin + chunk, g4);
    for (var e = ids.local; e < tile; e += THREADS) {
        dc_tile[e] = 0.0;
    }
    for (var e = ids.local; e < ROWS * g4; e += THREADS) {
        dz_tile[e] = 0.0;
    }
    workgroupBarrier();
    for (var s = 0u; s < params.steps; s++) {
        let t = params.steps - 1u - s;
        // dz_tile holds dz_{t+1} (zero before the last step).
        for (var j = at.lane; j < HIDDEN; j += at.unit_threads) {
            var acc: array<f32, MAX_ROWS>;
            for (var col = col_begin; col < col_end; col++) {
                let w = w_hh_t[col * HIDDEN + j];
                for (var r = 0u; r < ROWS; r++) {
                    acc[r] = fma(dz_tile[r * g4 + col], w, acc[r]);
                }
            }
            for (var r = 0u; r < ROWS; r++) {
                dh_partial[(at.split * ROWS + r) * HIDDEN + j] = acc[r];
            }
        }
        workgroupBarrier();
        // Split 0 adds dh_t and the KSPLIT partial recurrent gradients of each cell it owns
        // and steps it backward.
        for (var n = 0u; n < owned_cells(at); n++) {
            let c = owned_cell(at, n);
            var dh_total = dh[(c.b * params.steps + t) * HIDDEN + c.j];
            for (var part = 0u; part < KSPLIT; part++) {
                dh_total += dh_partial[(part * ROWS + c.r) * HIDDEN + c.j];
            }
            let grad = cell_backward(c.b, t, c.j, dh_total, dc_tile[c.cell]);
            dc_tile[c.cell] = grad.carry;
            let out = c.r * g4 + c.j;
            dz_tile[out] = grad.dz.x;
            dz_tile[out + HIDDEN] = grad.dz.y;
            dz_tile[out + 2u * HIDDEN] = grad.dz.z;
            dz_tile[out + 3u * HIDDEN] = grad.dz.w;
        }
        workgroupBarrier();
    }
}

@compute @workgroup_size(THREADS)
fn backward_step(ids: GridIds) {
    let at = step_unit(ids);
    if !at.inside {
        return;
    }
    let g4 = 4u * HIDDEN;
    var dh_total = dh[(at.b * params.steps + at.t) * HIDDEN + at.j];
    var carry = 0.0;
    if at.t + 1u < params.steps {
        let later = (at.b * params.steps + at.t + 1u) * g4;
        var rec = 0.0;
        for (var col = 0u; col < g4; col++) {
            rec = fma(dz[later + col], w_hh_t[col * HIDDEN + at.j], rec);
        }
        dh_total += rec;
        carry = dc_carry[at.item];
    }
    let grad = cell_backward(at.b, at.t, at.j, dh_total, carry);
    dc_carry[at.item] = grad.carry;
}

@compute @workgroup_size(THREADS)
fn transpose(ids: GridIds) {
    let e = flat_index(ids, THREADS);
    let rows = params.step;
    let cols = params.cols;
    if e >= rows * cols {
        return;
    }
    // Consecutive threads write consecutive outputs.
    let c = e / rows;
    let r = e % rows;
    dst[e] = src[r * cols + c];
}
