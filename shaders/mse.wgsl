// Mean squared error over all n elements, and its gradient.
// validate: HAS_UPSTREAM=true
//
// The loss is a deterministic two-pass reduction (no atomics, fixed order), the prelude part
// `chunk_sum` (shaders/prelude/chunk_sum.wgsl):
// `mse_partial`:  workgroup w sums (pred - target)² over its chunk [w·CHUNK, (w+1)·CHUNK),
//                 CHUNK = 256·16: thread t adds elements t, t+256, … of the chunk in order,
//                 then a tree reduction → partials[w]. Grid: ceil(n / CHUNK) workgroups (2D
//                 when they exceed max_compute_workgroups_per_dimension).
// `mse_finish`:   one 256-thread workgroup: thread t adds partials t, t+256, …, a tree
//                 reduction, then loss[0] = total / n.
// `mse_backward`: dpred[i] = (pred[i] - target[i]) · factor, factor = 2·scale/n from the host;
//                 with HAS_UPSTREAM the factor is 2/n and the result is also multiplied by
//                 upstream[0], the loss gradient left on the GPU by the autograd (when off,
//                 pred is bound in its place and never read).
//                 Grid: 256 threads per workgroup, one element each, 2D when needed.

// prelude: grid, reduce, chunk_sum

struct Params {
    n: u32,
    partials: u32,
    factor: f32,
    _pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> pred: array<f32>;
@group(0) @binding(2) var<storage, read> target_values: array<f32>;
// mse_partial: partial sums. mse_finish: read as the input. mse_backward: unused.
@group(0) @binding(3) var<storage, read_write> partial_sums: array<f32>;
// mse_finish: the loss [1]. mse_backward: dpred.
@group(0) @binding(4) var<storage, read_write> out: array<f32>;
// mse_backward: the one-element upstream gradient (read when HAS_UPSTREAM).
@group(0) @binding(5) var<storage, read> upstream: array<f32>;

override HAS_UPSTREAM: bool = false;

const THREADS: u32 = 256u;

// The term chunk_partial sums for element i.
fn chunk_term(i: u32) -> f32 {
    let d = pred[i] - target_values[i];
    return d * d;
}

@compute @workgroup_size(CHUNK_THREADS)
fn mse_partial(ids: GridIds) {
    chunk_partial(ids, params.n, params.partials);
}

@compute @workgroup_size(CHUNK_THREADS)
fn mse_finish(@builtin(local_invocation_index) local: u32) {
    let total = chunk_total(local, params.partials);
    if local == 0u {
        out[0] = total / f32(params.n);
    }
}

@compute @workgroup_size(THREADS)
fn mse_backward(ids: GridIds) {
    let i = flat_index(ids, THREADS);
    if i < params.n {
        var grad = (pred[i] - target_values[i]) * params.factor;
        if HAS_UPSTREAM {
            grad = grad * upstream[0];
        }
        out[i] = grad;
    }
}
