// Pointwise kernels over flat f32 buffers.
//
// `unary`:  out[i] = f(lhs[i])            f chosen by UNARY_OP (0 scale by alpha, 1 relu,
//                                          2 tanh, 3 sigmoid, 4 gelu, 5 abs; 1..4 are the
//                                          codes of src/activation.rs)
// `binary`: out[i] = lhs[i] op rhs[j]     op chosen by BINARY_OP (0 add, 1 sub, 2 mul);
//                                          j = i when rhs has n elements, j = i % rhs_len
//                                          when rhs is one row broadcast over all rows.
// `activation_backward`: out[i] = rhs[i] · f'(lhs[i]), f chosen by UNARY_OP (1..4 as above;
//                                          lhs is the activation's input, rhs the upstream grad)
// `broadcast`: out[i] = alpha · lhs[j]    j = i / rhs_len when BROADCAST_MODE = 0 (one value per
//                                          row, repeated along the last axis of length rhs_len),
//                                          j = i % rhs_len when 1 (one row repeated over rows)
// `fill`: out[i] = alpha
// `accumulate`: out[i] += alpha · lhs[i]   (in place: running sums on the device)
// Grid: 256 threads per workgroup, workgroups laid out in 2D when n needs more than
// max_compute_workgroups_per_dimension of them.

// prelude: activation, grid

struct Params {
    n: u32,
    rhs_len: u32,
    alpha: f32,
    _pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> lhs: array<f32>;
@group(0) @binding(2) var<storage, read> rhs: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

override UNARY_OP: u32 = 0u;
override BINARY_OP: u32 = 0u;
override BROADCAST_MODE: u32 = 0u;

const WORKGROUP: u32 = 256u;

fn apply_unary(x: f32) -> f32 {
    switch UNARY_OP {
        case 1u, 2u, 3u, 4u: { return activate(UNARY_OP, x); }
        case 5u: { return abs(x); }
        default: { return x * params.alpha; }
    }
}

@compute @workgroup_size(WORKGROUP)
fn unary(ids: GridIds) {
    let i = flat_index(ids, WORKGROUP);
    if i < params.n {
        out[i] = apply_unary(lhs[i]);
    }
}

@compute @workgroup_size(WORKGROUP)
fn binary(ids: GridIds) {
    let i = flat_index(ids, WORKGROUP);
    if i >= params.n {
        return;
    }
    let a = lhs[i];
    let b = rhs[i % params.rhs_len];
    switch BINARY_OP {
        case 1u: { out[i] = a - b; }
        case 2u: { out[i] = a * b; }
        default: { out[i] = a + b; }
    }
}

@compute @workgroup_size(WORKGROUP)
fn activation_backward(ids: GridIds) {
    let i = flat_index(ids, WORKGROUP);
    if i < params.n {
        out[i] = rhs[i] * activate_derivative(UNARY_OP, lhs[i]);
    }
}

@compute @workgroup_size(WORKGROUP)
fn broadcast(ids: GridIds) {
    let i = flat_index(ids, WORKGROUP);
    if i >= params.n {
        return;
    }
    var j = i % params.rhs_len;
    if BROADCAST_MODE == 0u {
        j = i / params.rhs_len;
    }
    out[i] = params.alpha * lhs[j];
}

@compute @workgroup_size(WORKGROUP)
fn fill(ids: GridIds) {
    let i = flat_index(ids, WORKGROUP);
    if i < params.n {
        out[i] = params.alpha;
    }
}

@compute @workgroup_size(WORKGROUP)
fn accumulate(ids: GridIds) {
    let i = flat_index(ids, WORKGROUP);
    if i < params.n {
        out[i] = out[i] + params.alpha * lhs[i];
    }
}
