// Fused Adam / AdamW step over every parameter of a model in one dispatch.
//
// Layout: parameters, gradients, first moments m and second moments v each live in one flat
// buffer of n elements (the model's tensors back to back; the update is elementwise so
// per-tensor offsets are not needed). Optional per-element buffers:
//   decay_mask[i]  multiplies the weight decay (1 = decayed, 0 = excluded, e.g. biases/norms),
//   grad_scale[0]  multiplies every gradient (the global-norm clip factor of shaders/clip.wgsl,
//                  read on the GPU so clipping needs no host readback).
// Update (Keras 3 order, with decoupled weight decay applied first as Keras' AdamW does):
//   g = grad · grad_scale
//   p = p - p · (decay · mask)                  decay = weight_decay · lr
//   m = m + (g - m) · (1 - beta1)
//   v = v + (g² - v) · (1 - beta2)
//   p = p - (m · alpha) / (sqrt(v) + eps)       alpha = lr · sqrt(1 - beta2^t) / (1 - beta1^t)
//
// Two entry points, so a captured training step (a replayed plan) stays correct step after
// step with no host write:
//   `adam_schedule` (one thread) advances the running powers beta1^t, beta2^t kept in
//     schedule[2..4] (exact f32 products, so CPU and GPU agree bit for bit, unlike pow), reads
//     the learning rate from learning_rate[0], and writes schedule[0..2] = (alpha, decay);
//   `adam_step` (256 threads per workgroup, one element each, 2D grid past
//     max_compute_workgroups_per_dimension) reads the schedule.
// src/cpu/adam.rs evaluates the same f32 expressions in the same order.
// Override constants: HAS_DECAY_MASK, HAS_GRAD_SCALE; when false the gradient buffer is
// bound in place of the missing one and never read.
// validate: HAS_DECAY_MASK=true HAS_GRAD_SCALE=true

// prelude: grid

struct Params {
    n: u32,
    one_minus_beta1: f32,
    one_minus_beta2: f32,
    eps: f32,
    beta1: f32,
    beta2: f32,
    weight_decay: f32,
    _pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> weights: array<f32>;
@group(0) @binding(2) var<storage, read> grads: array<f32>;
@group(0) @binding(3) var<storage, read_write> m: array<f32>;
@group(0) @binding(4) var<storage, read_write> v: array<f32>;
@group(0) @binding(5) var<storage, read> decay_mask: array<f32>;
@group(0) @binding(6) var<storage, read> grad_scale: array<f32>;
@group(0) @binding(7) var<storage, read> schedule: array<f32>;
@group(0) @binding(8) var<storage, read_write> schedule_out: array<f32>;
@group(0) @binding(10) var<storage, read> learning_rate: array<f32>;

override HAS_DECAY_MASK: bool = false;
override HAS_GRAD_SCALE: bool = false;

const THREADS: u32 = 256u;

@compute @workgroup_size(1)
fn adam_schedule() {
    let beta1_power = schedule_out[2] * params.beta1;
    let beta2_power = schedule_out[3] * params.beta2;
    let lr = learning_rate[0];
    schedule_out[0] = lr * sqrt(1.0 - beta2_power) / (1.0 - beta1_power);
    schedule_out[1] = params.weight_decay * lr;
    schedule_out[2] = beta1_power;
    schedule_out[3] = beta2_power;
}

@compute @workgroup_size(THREADS)
fn adam_step(ids: GridIds) {
    let i = flat_index(ids, THREADS);
    if i >= params.n {
        return;
    }
    var g = grads[i];
    if HAS_GRAD_SCALE {
        g = g * grad_scale[0];
    }
    var decay = schedule[1];
    if HAS_DECAY_MASK {
        decay = decay * decay_mask[i];
    }
    var p = weights[i];
    p = p - p * decay;
    let m_new = m[i] + (g - m[i]) * params.one_minus_beta1;
    let v_new = v[i] + (g * g - v[i]) * params.one_minus_beta2;
    p = p - (m_new * schedule[0]) / (sqrt(v_new) + params.eps);
    m[i] = m_new;
    v[i] = v_new;
    weights[i] = p;
}
