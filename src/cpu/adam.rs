//! CPU reference of `shaders/adam.wgsl`: the same f32 expressions in the same order.

/// The per-step scalars of an Adam update.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdamScalars {
    /// `lr · sqrt(1 - beta2^t) / (1 - beta1^t)` (see [`advance_schedule`]).
    pub alpha: f32,
    /// `1 - beta1`.
    pub one_minus_beta1: f32,
    /// `1 - beta2`.
    pub one_minus_beta2: f32,
    /// Added to `sqrt(v)` (Keras' epsilon-hat form).
    pub eps: f32,
    /// `weight_decay · lr`, the decoupled decay factor.
    pub decay: f32,
}

/// Advances the schedule `[alpha, decay, beta1^t, beta2^t]` (start: `[0, 0, 1, 1]`) to the
/// next step: the same f32 expressions as the WGSL `adam_schedule`.
pub fn advance_schedule(
    schedule: &mut [f32; 4],
    learning_rate: f32,
    beta1: f32,
    beta2: f32,
    weight_decay: f32,
) {
    let beta1_power = schedule[2] * beta1;
    let beta2_power = schedule[3] * beta2;
    schedule[0] = learning_rate * (1.0 - beta2_power).sqrt() / (1.0 - beta1_power);
    schedule[1] = weight_decay * learning_rate;
    schedule[2] = beta1_power;
    schedule[3] = beta2_power;
}

/// One Adam/AdamW step in place over flat slices of equal length; `decay_mask` multiplies
/// the decay per element and `grad_scale` every gradient.
pub fn adam_step(
    params: &mut [f32],
    grads: &[f32],
    m: &mut [f32],
    v: &mut [f32],
    decay_mask: Option<&[f32]>,
    grad_scale: Option<f32>,
    s: &AdamScalars,
) {
    for i in 0..params.len() {
        let mut g = grads[i];
        if let Some(scale) = grad_scale {
            g *= scale;
        }
        let mut decay = s.decay;
        if let Some(mask) = decay_mask {
            decay *= mask[i];
        }
        let mut p = params[i];
        p = p - p * decay;
        let m_new = m[i] + (g - m[i]) * s.one_minus_beta1;
        let v_new = v[i] + (g * g - v[i]) * s.one_minus_beta2;
        p -= (m_new * s.alpha) / (v_new.sqrt() + s.eps);
        m[i] = m_new;
        v[i] = v_new;
        params[i] = p;
    }
}
