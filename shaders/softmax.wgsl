// Softmax over the last axis of a row-major rows×cols matrix, and its backward.
//
// `softmax_forward`:  y[r, c] = exp(x[r, c] - max_r) / Σ_c' exp(x[r, c'] - max_r)
//                     (subtracting the row maximum keeps exp from overflowing).
// `softmax_backward`: dx[r, c] = y[r, c] · (dy[r, c] - Σ_c' dy[r, c'] · y[r, c'])
//
// Grid: one workgroup of THREADS (32…256) threads per row (rows above
// max_compute_workgroups_per_dimension are laid out in 2D). Each thread walks a strided slice of the row in a fixed order, then a tree
// reduction in workgroup memory combines the THREADS partials: the result is deterministic.

// prelude: grid, matrix, reduce

@group(0) @binding(0) var<uniform> params: MatrixParams;
// Forward: x. Backward: y.
@group(0) @binding(1) var<storage, read> input: array<f32>;
// Backward only: dy (the forward binds nothing here).
@group(0) @binding(2) var<storage, read> upstream: array<f32>;
// Forward: y. Backward: dx.
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

// Threads per row: a power of two from 32 to 256 picked by the launcher from the row length
// (src/kernels/row_threads.rs), so short rows do not leave most of a 256-wide group idle.
override THREADS: u32 = 256u;

@compute @workgroup_size(THREADS)
fn softmax_forward(ids: GridIds) {
    let local = ids.local;
    let row = group_index(ids);
    // Rows past the end still take part in the barriers, with an empty slice.
    let cols = select(0u, params.cols, row < params.rows);
    let base = row * params.cols;
    var row_max = -3.4028235e38;
    for (var c = local; c < cols; c += THREADS) {
        row_max = max(row_max, input[base + c]);
    }
    row_max = workgroup_max(local, THREADS, row_max);
    var sum = 0.0;
    for (var c = local; c < cols; c += THREADS) {
        sum += exp(input[base + c] - row_max);
    }
    sum = workgroup_sum(local, THREADS, sum);
    let inv = 1.0 / sum;
    for (var c = local; c < cols; c += THREADS) {
        out[base + c] = exp(input[base + c] - row_max) * inv;
    }
}

@compute @workgroup_size(THREADS)
fn softmax_backward(ids: GridIds) {
    let local = ids.local;
    let row = group_index(ids);
    let cols = select(0u, params.cols, row < params.rows);
    let base = row * params.cols;
    var dot = 0.0;
    for (var c = local; c < cols; c += THREADS) {
        dot += upstream[base + c] * input[base + c];
    }
    dot = workgroup_sum(local, THREADS, dot);
    for (var c = local; c < cols; c += THREADS) {
        out[base + c] = input[base + c] * (upstream[base + c] - dot);
    }
}
