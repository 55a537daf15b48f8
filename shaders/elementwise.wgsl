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

fn erf_approx(x: f32) -> f32 {
    // Abramowitz & Stegun 7.1.26, |error| < 1.5e-7 (same formula as src/activation.rs).
    let t = 1.0 / (1.0 + 0.3275911 * abs(x));
    let poly = t * (0.2548296 + t * (-0.28449674 + t * (1.4214137 + t * (-1.4531521 + t * 1.0614054))));
    let y = 1.0 - poly * exp(-x * x);
    return select(y, -y, x < 0.0);
}

fn stable_tanh(x: f32) -> f32 {
    // exp of a non-positive argument never overflows, unlike some native tanh lowerings.
    let e = exp(-2.0 * abs(x));
    let t = (1.0 - e) / (1.0 + e);
    return select(t, -t, x < 0.0);
}

fn apply_unary(x: f32) -> f32 {
    switch UNARY_OP {
        case 1u: { return max(x, 0.0); }
        case 2u: { return stable_tanh(x); }
        case 3u: { return 1.0 / (1.0 + exp(-x)); }
        case 4u: { return 0.5 * x * (1.0 + erf_approx(x * 0.70710678118654752)); }
        case 5u: { return abs(x); }
        default: { return x * params.alpha; }
    }
}

fn unary_derivative(x: f32) -> f32 {
    switch UNARY_OP {
        case 1u: { return select(0.0, 1.0, x > 0.0); }
        case 2u: {
            let t = stable_tanh(x);
            return 1.0 - t * t;
        }
        case 3u: {
            let s = 1.0 / (1.0 + exp(-x));
            return s * (1.0 - s);
        }
        case 4u: {
            // d/dx x·Φ(x) = Φ(x) + x·φ(x)
            let cdf = 0.5 * (1.0 + erf_approx(x * 0.70710678118654752));
            let pdf = 0.39894228040143268 * exp(-0.5 * x * x);
            return cdf + x * pdf;
        }
        default: { return 1.0; }
    }
}

fn flat_index(wg: vec3<u32>, groups: vec3<u32>, local: u32) -> u32 {
    return (wg.y * groups.x + wg.x) * WORKGROUP + local;
}

@compute @workgroup_size(WORKGROUP)
fn unary(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let i = flat_index(wg, groups, local);
    if i < params.n {
        out[i] = apply_unary(lhs[i]);
    }
}

@compute @workgroup_size(WORKGROUP)
fn binary(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let i = flat_index(wg, groups, local);
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
fn activation_backward(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let i = flat_index(wg, groups, local);
    if i < params.n {
        out[i] = rhs[i] * unary_derivative(lhs[i]);
    }
}

@compute @workgroup_size(WORKGROUP)
fn broadcast(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let i = flat_index(wg, groups, local);
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
fn fill(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let i = flat_index(wg, groups, local);
    if i < params.n {
        out[i] = params.alpha;
    }
}

@compute @workgroup_size(WORKGROUP)
fn accumulate(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let i = flat_index(wg, groups, local);
    if i < params.n {
        out[i] = out[i] + params.alpha * lhs[i];
    }
}
