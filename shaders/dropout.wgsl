// Inverted dropout with a counter-based random mask: nothing is stored between the forward
// and the backward, the backward regenerates the same mask from (seed, step, index).
//
// Random bits: bits(i) = pcg(i ^ key), key = pcg(seed_lo ^ pcg(seed_hi ^ pcg(step_lo ^
// pcg(step_hi)))), where pcg is the PCG-RXS-M-XS 32-bit output hash (Jarzynski & Olano,
// "Hash Functions for GPU Rendering", 2020). src/cpu/dropout.rs implements the same integer
// arithmetic, so GPU and CPU masks are bit-identical.
// Element i is kept when bits(i) >= threshold, threshold = round(rate · 2³²) (computed on the
// host), which keeps it with probability 1 - rate.
//
// `dropout_apply`: out[i] = keep(i) ? x[i] · scale : 0, scale = 1 / (1 - rate) from the host.
//                  The forward applies it to x, the backward to dy.
// `dropout_apply_counted`: the same with step = params.step + counter[COUNTER_SLOT] (64-bit
//                  add), so a captured training step draws a new mask on every replay.
// `dropout_mask`:  out[i] = keep(i) ? 1 : 0 (for inspection and tests).
// Grid: 256 threads per workgroup, one element per thread, 2D when n needs more workgroups
// than max_compute_workgroups_per_dimension.

// prelude: grid

struct Params {
    n: u32,
    threshold: u32,
    scale: f32,
    seed_lo: u32,
    seed_hi: u32,
    step_lo: u32,
    step_hi: u32,
    _pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<storage, read> counter: array<u32>;

override COUNTER_SLOT: u32 = 0u;

const WORKGROUP: u32 = 256u;

fn pcg(v: u32) -> u32 {
    let state = v * 747796405u + 2891336453u;
    let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
    return (word >> 22u) ^ word;
}

fn kept(i: u32, step_lo: u32, step_hi: u32) -> bool {
    let key = pcg(params.seed_lo ^ pcg(params.seed_hi ^ pcg(step_lo ^ pcg(step_hi))));
    return pcg(i ^ key) >= params.threshold;
}

@compute @workgroup_size(WORKGROUP)
fn dropout_apply(ids: GridIds) {
    let i = flat_index(ids, WORKGROUP);
    if i < params.n {
        out[i] = select(0.0, x[i] * params.scale, kept(i, params.step_lo, params.step_hi));
    }
}

@compute @workgroup_size(WORKGROUP)
fn dropout_apply_counted(ids: GridIds) {
    let i = flat_index(ids, WORKGROUP);
    if i < params.n {
        let offset = counter[COUNTER_SLOT];
        let lo = params.step_lo + offset;
        let hi = params.step_hi + select(0u, 1u, lo < offset);
        out[i] = select(0.0, x[i] * params.scale, kept(i, lo, hi));
    }
}

@compute @workgroup_size(WORKGROUP)
fn dropout_mask(ids: GridIds) {
    let i = flat_index(ids, WORKGROUP);
    if i < params.n {
        out[i] = select(0.0, 1.0, kept(i, params.step_lo, params.step_hi));
    }
}
