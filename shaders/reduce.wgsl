// Sum or mean of a row-major rows×cols matrix, in a fixed order (deterministic).
//
// `reduce_last_axis`: out[r] = Σ_c x[r, c]  — one 256-thread workgroup per row: each thread
//                     adds a strided slice, then a tree reduction in workgroup memory.
// `reduce_rows`:      out[c] = Σ_r x[r, c]  — a 64×4 workgroup covers 64 columns; each of
//                     the 4 lanes adds every 4th row, then the 4 partial sums are combined.
// MEAN = 1 divides by the number of reduced elements.
// Row counts above max_compute_workgroups_per_dimension are laid out in 2D.

// prelude: grid, matrix, reduce

@group(0) @binding(0) var<uniform> params: MatrixParams;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

override MEAN: u32 = 0u;

const ROW_THREADS: u32 = 256u;
const COL_TILE: u32 = 64u;
const LANES: u32 = 4u;

// reduce_rows: the lane sums.
var<workgroup> partial: array<f32, COL_TILE * LANES>;

@compute @workgroup_size(ROW_THREADS)
fn reduce_last_axis(ids: GridIds) {
    let local = ids.local;
    let row = group_index(ids);
    var sum = 0.0;
    if row < params.rows {
        let base = row * params.cols;
        for (var c = local; c < params.cols; c += ROW_THREADS) {
            sum += x[base + c];
        }
    }
    let row_sum = workgroup_sum(local, ROW_THREADS, sum);
    if local == 0u && row < params.rows {
        var total = row_sum;
        if MEAN == 1u {
            total /= f32(params.cols);
        }
        out[row] = total;
    }
}

@compute @workgroup_size(COL_TILE, LANES, 1)
fn reduce_rows(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(local_invocation_id) lid: vec3<u32>,
) {
    let col = wg.x * COL_TILE + lid.x;
    var sum = 0.0;
    if col < params.cols {
        for (var r = lid.y; r < params.rows; r += LANES) {
            sum += x[r * params.cols + col];
        }
    }
    partial[lid.y * COL_TILE + lid.x] = sum;
    workgroupBarrier();
    if lid.y == 0u && col < params.cols {
        var total = 0.0;
        for (var lane = 0u; lane < LANES; lane++) {
            total += partial[lane * COL_TILE + lid.x];
        }
        if MEAN == 1u {
            total /= f32(params.rows);
        }
        out[col] = total;
    }
}
