// Mean squared error over all n elements, and its gradient.
// validate: HAS_UPSTREAM=true
//
// The loss is a deterministic two-pass reduction (no atomics, fixed order):
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
const PER_THREAD: u32 = 16u;
const CHUNK: u32 = THREADS * PER_THREAD;

var<workgroup> scratch: array<f32, THREADS>;

fn tree_sum(local: u32, value: f32) -> f32 {
    scratch[local] = value;
    workgroupBarrier();
    for (var width = THREADS / 2u; width > 0u; width /= 2u) {
        if local < width {
            scratch[local] += scratch[local + width];
        }
        workgroupBarrier();
    }
    return scratch[0];
}

@compute @workgroup_size(THREADS)
fn mse_partial(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let chunk = wg.y * groups.x + wg.x;
    let start = chunk * CHUNK;
    var sum = 0.0;
    for (var k = 0u; k < PER_THREAD; k++) {
        let i = start + k * THREADS + local;
        if chunk < params.partials && i < params.n {
            let d = pred[i] - target_values[i];
            sum += d * d;
        }
    }
    let total = tree_sum(local, sum);
    if local == 0u && chunk < params.partials {
        partial_sums[chunk] = total;
    }
}

@compute @workgroup_size(THREADS)
fn mse_finish(@builtin(local_invocation_index) local: u32) {
    var sum = 0.0;
    for (var p = local; p < params.partials; p += THREADS) {
        sum += partial_sums[p];
    }
    let total = tree_sum(local, sum);
    if local == 0u {
        out[0] = total / f32(params.n);
    }
}

@compute @workgroup_size(THREADS)
fn mse_backward(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let i = (wg.y * groups.x + wg.x) * THREADS + local;
    if i < params.n {
        var grad = (pred[i] - target_values[i]) * params.factor;
        if HAS_UPSTREAM {
            grad = grad * upstream[0];
        }
        out[i] = grad;
    }
}
