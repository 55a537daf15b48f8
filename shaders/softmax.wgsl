// Softmax over the last axis of a row-major rows×cols matrix, and its backward.
//
// `softmax_forward`:  y[r, c] = exp(x[r, c] - max_r) / Σ_c' exp(x[r, c'] - max_r)
//                     (subtracting the row maximum keeps exp from overflowing).
// `softmax_backward`: dx[r, c] = y[r, c] · (dy[r, c] - Σ_c' dy[r, c'] · y[r, c'])
//
// Grid: one workgroup of THREADS (32…256) threads per row (rows above
// max_compute_workgroups_per_dimension are laid out in 2D). Each thread walks a strided slice of the row in a fixed order, then a tree
// reduction in workgroup memory combines the THREADS partials: the result is deterministic.

struct Params {
    rows: u32,
    cols: u32,
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
// Forward: x. Backward: y.
@group(0) @binding(1) var<storage, read> input: array<f32>;
// Backward only: dy (the forward binds nothing here).
@group(0) @binding(2) var<storage, read> upstream: array<f32>;
// Forward: y. Backward: dx.
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

// Threads per row: a power of two from 32 to 256 picked by the launcher from the row length
// (src/kernels/row_threads.rs), so short rows do not leave most of a 256-wide group idle.
override THREADS: u32 = 256u;
const MAX_THREADS: u32 = 256u;

var<workgroup> partial: array<f32, MAX_THREADS>;

fn row_index(wg: vec3<u32>, groups: vec3<u32>) -> u32 {
    return wg.y * groups.x + wg.x;
}

// Tree reduction of `partial` by max; every thread returns the row result.
fn reduce_max(local: u32, value: f32) -> f32 {
    partial[local] = value;
    workgroupBarrier();
    for (var width = THREADS / 2u; width > 0u; width /= 2u) {
        if local < width {
            partial[local] = max(partial[local], partial[local + width]);
        }
        workgroupBarrier();
    }
    let result = partial[0];
    workgroupBarrier();
    return result;
}

// Tree reduction of `partial` by sum; every thread returns the row result.
fn reduce_sum(local: u32, value: f32) -> f32 {
    partial[local] = value;
    workgroupBarrier();
    for (var width = THREADS / 2u; width > 0u; width /= 2u) {
        if local < width {
            partial[local] += partial[local + width];
        }
        workgroupBarrier();
    }
    let result = partial[0];
    workgroupBarrier();
    return result;
}

@compute @workgroup_size(THREADS)
fn softmax_forward(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let row = row_index(wg, groups);
    // Rows past the end still take part in the barriers, with an empty slice.
    let cols = select(0u, params.cols, row < params.rows);
    let base = row * params.cols;
    var row_max = -3.4028235e38;
    for (var c = local; c < cols; c += THREADS) {
        row_max = max(row_max, input[base + c]);
    }
    row_max = reduce_max(local, row_max);
    var sum = 0.0;
    for (var c = local; c < cols; c += THREADS) {
        sum += exp(input[base + c] - row_max);
    }
    sum = reduce_sum(local, sum);
    let inv = 1.0 / sum;
    for (var c = local; c < cols; c += THREADS) {
        out[base + c] = exp(input[base + c] - row_max) * inv;
    }
}

@compute @workgroup_size(THREADS)
fn softmax_backward(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let row = row_index(wg, groups);
    let cols = select(0u, params.cols, row < params.rows);
    let base = row * params.cols;
    var dot = 0.0;
    for (var c = local; c < cols; c += THREADS) {
        dot += upstream[base + c] * input[base + c];
    }
    dot = reduce_sum(local, dot);
    for (var c = local; c < cols; c += THREADS) {
        out[base + c] = input[base + c] * (upstream[base + c] - dot);
    }
}
