// Layer normalisation over the last axis of a row-major rows×cols matrix, and its backward.
//
// `layer_norm_forward`:       mean_r = Σ_c x / cols, var_r = Σ_c (x - mean_r)² / cols (two
//                             passes), rstd_r = 1 / sqrt(var_r + eps),
//                             y = (x - mean_r) · rstd_r · gamma[c] + beta[c];
//                             also writes mean[r] and rstd[r] for the backward.
//                             Grid: one THREADS-wide (32…256) workgroup per row, 2D when rows
//                             are many.
// `layer_norm_backward_input`: with x̂ = (x - mean)·rstd and g = dy·gamma,
//                             dx = rstd · (g - mean_c(g) - x̂ · mean_c(g·x̂)).
//                             Grid: one THREADS-wide workgroup per row.
// `layer_norm_backward_params`: dgamma[c] = Σ_r dy·x̂, dbeta[c] = Σ_r dy.
//                             Grid: a 64×4 workgroup covers 64 columns; lane l adds rows
//                             l, l+4, l+8, … and the 4 lane sums are added in lane order.
// Every reduction has a fixed order (strided slices, then a tree or a lane loop): no atomics,
// the same input gives bit-identical results.

// prelude: grid, reduce

struct Params {
    rows: u32,
    cols: u32,
    eps: f32,
    _pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> gamma: array<f32>;
// Forward: beta. Backward: dy.
@group(0) @binding(3) var<storage, read> third: array<f32>;
// Forward: written. Backward: read.
@group(0) @binding(4) var<storage, read_write> mean: array<f32>;
@group(0) @binding(5) var<storage, read_write> rstd: array<f32>;
// Forward: y. Backward (input): dx. Backward (params): dgamma.
@group(0) @binding(6) var<storage, read_write> out: array<f32>;
// Backward (params): dbeta.
@group(0) @binding(7) var<storage, read_write> out2: array<f32>;

// Threads per row: a power of two from 32 to 256 picked by the launcher from the row length
// (src/kernels/row_threads.rs), so short rows do not leave most of a 256-wide group idle.
override THREADS: u32 = 256u;
const COL_TILE: u32 = 64u;
const LANES: u32 = 4u;

// layer_norm_backward_params: the lane sums of dgamma and dbeta.
var<workgroup> partial: array<f32, COL_TILE * LANES>;
var<workgroup> partial2: array<f32, COL_TILE * LANES>;

@compute @workgroup_size(THREADS)
fn layer_norm_forward(ids: GridIds) {
    let local = ids.local;
    let row = group_index(ids);
    // Rows past the end still take part in the barriers, with an empty slice.
    let cols = select(0u, params.cols, row < params.rows);
    let base = row * params.cols;
    let n = f32(params.cols);
    var sum = 0.0;
    for (var c = local; c < cols; c += THREADS) {
        sum += x[base + c];
    }
    let mu = workgroup_sum(local, THREADS, sum) / n;
    var squares = 0.0;
    for (var c = local; c < cols; c += THREADS) {
        let d = x[base + c] - mu;
        squares += d * d;
    }
    let variance = workgroup_sum(local, THREADS, squares) / n;
    let r = 1.0 / sqrt(variance + params.eps);
    for (var c = local; c < cols; c += THREADS) {
        out[base + c] = (x[base + c] - mu) * r * gamma[c] + third[c];
    }
    if local == 0u && row < params.rows {
        mean[row] = mu;
        rstd[row] = r;
    }
}

@compute @workgroup_size(THREADS)
fn layer_norm_backward_input(ids: GridIds) {
    let local = ids.local;
    let row = group_index(ids);
    let valid = row < params.rows;
    let cols = select(0u, params.cols, valid);
    let base = row * params.cols;
    let n = f32(params.cols);
    var mu = 0.0;
    var r = 0.0;
    if valid {
        mu = mean[row];
        r = rstd[row];
    }
    var sum_g = 0.0;
    var sum_gx = 0.0;
    for (var c = local; c < cols; c += THREADS) {
        let g = third[base + c] * gamma[c];
        sum_g += g;
        sum_gx += g * (x[base + c] - mu) * r;
    }
    let sums = workgroup_sum2(local, THREADS, sum_g, sum_gx);
    let mean_g = sums.x / n;
    let mean_gx = sums.y / n;
    for (var c = local; c < cols; c += THREADS) {
        let g = third[base + c] * gamma[c];
        let xhat = (x[base + c] - mu) * r;
        out[base + c] = r * (g - mean_g - xhat * mean_gx);
    }
}

@compute @workgroup_size(COL_TILE, LANES, 1)
fn layer_norm_backward_params(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(local_invocation_id) lid: vec3<u32>,
) {
    let col = wg.x * COL_TILE + lid.x;
    var sum_gamma = 0.0;
    var sum_beta = 0.0;
    if col < params.cols {
        for (var r = lid.y; r < params.rows; r += LANES) {
            let i = r * params.cols + col;
            let dy = third[i];
            sum_gamma += dy * (x[i] - mean[r]) * rstd[r];
            sum_beta += dy;
        }
    }
    partial[lid.y * COL_TILE + lid.x] = sum_gamma;
    partial2[lid.y * COL_TILE + lid.x] = sum_beta;
    workgroupBarrier();
    if lid.y == 0u && col < params.cols {
        var total_gamma = 0.0;
        var total_beta = 0.0;
        for (var lane = 0u; lane < LANES; lane++) {
            total_gamma += partial[lane * COL_TILE + lid.x];
            total_beta += partial2[lane * COL_TILE + lid.x];
        }
        out[col] = total_gamma;
        out2[col] = total_beta;
    }
}
