// Global-norm gradient clipping over one flat gradient buffer, without a host readback.
//
// `clip_partial`: workgroup w sums g² over its chunk [w·CHUNK, (w+1)·CHUNK), CHUNK = 256·16:
//                 thread t adds elements t, t+256, … of the chunk in order, then a tree
//                 reduction → partials[w]. Grid: ceil(n / CHUNK) workgroups (2D if needed).
// `clip_scale`:   one 256-thread workgroup: thread t adds partials t, t+256, …, a tree
//                 reduction; norm[0] = sqrt(total) and
//                 scale[0] = max_norm / norm when norm > max_norm, else 1
//                 (= min(1, max_norm / norm), and 1 for a zero or NaN norm).
// `clip_apply`:   out[i] = g[i] · scale[0]. Grid: 256 threads per workgroup, 2D if needed.
// The scale stays in a one-element GPU buffer: `clip_apply` reads it here, and the fused Adam
// kernel (shaders/adam.wgsl) can read it instead of a clipped copy of the gradients.
// Both reductions have a fixed order (no atomics): the norm is bit-reproducible. The two
// passes are the prelude part `chunk_sum` (shaders/prelude/chunk_sum.wgsl).

// prelude: grid, reduce, chunk_sum

struct Params {
    n: u32,
    partials: u32,
    max_norm: f32,
    _pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> grads: array<f32>;
@group(0) @binding(2) var<storage, read_write> partial_sums: array<f32>;
@group(0) @binding(3) var<storage, read_write> norm: array<f32>;
@group(0) @binding(4) var<storage, read_write> scale: array<f32>;
@group(0) @binding(5) var<storage, read_write> out: array<f32>;

const THREADS: u32 = 256u;

// The term chunk_partial sums for element i.
fn chunk_term(i: u32) -> f32 {
    let g = grads[i];
    return g * g;
}

@compute @workgroup_size(CHUNK_THREADS)
fn clip_partial(ids: GridIds) {
    chunk_partial(ids, params.n, params.partials);
}

@compute @workgroup_size(CHUNK_THREADS)
fn clip_scale(@builtin(local_invocation_index) local: u32) {
    let total = chunk_total(local, params.partials);
    if local == 0u {
        let global_norm = sqrt(total);
        norm[0] = global_norm;
        scale[0] = select(1.0, params.max_norm / global_norm, global_norm > params.max_norm);
    }
}

@compute @workgroup_size(THREADS)
fn clip_apply(ids: GridIds) {
    let i = flat_index(ids, THREADS);
    if i < params.n {
        out[i] = grads[i] * scale[0];
    }
}
