//! Adam / AdamW over one flat parameter buffer: every parameter of a model in one dispatch.
//!
//! The model's parameters, gradients and both moments are each one flat tensor (its tensors
//! back to back); the update is elementwise, so no per-tensor offsets are needed. Weight decay
//! is decoupled (AdamW) and can be masked per element so biases and norms are excluded; the
//! gradients can be scaled by a one-element GPU tensor (the global-norm clip factor), so
//! clipping needs no host readback.

use super::checks::expect_shape;
use super::{Operands, contiguous, operands};
use crate::cpu::adam::AdamScalars;
use crate::device::GpuBuffer;
use crate::kernels::adam::AdamBuffers;
use crate::{AtbError, Result, Tensor, cpu, kernels};

/// Adam hyperparameters; [`Default`] gives Keras' defaults without weight decay.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdamConfig {
    /// Step size (Keras default 1e-3).
    pub learning_rate: f32,
    /// Decay of the first moment (0.9).
    pub beta1: f32,
    /// Decay of the second moment (0.999).
    pub beta2: f32,
    /// Added to `sqrt(v)` (Keras default 1e-7).
    pub epsilon: f32,
    /// Decoupled weight decay per unit of learning rate (AdamW); 0 is plain Adam.
    pub weight_decay: f32,
}

impl Default for AdamConfig {
    fn default() -> AdamConfig {
        AdamConfig {
            learning_rate: 1e-3,
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-7,
            weight_decay: 0.0,
        }
    }
}

impl AdamConfig {
    /// Checks the ranges and derives the per-step scalars for step `t` (1-based).
    fn scalars(&self, t: u64) -> Result<AdamScalars> {
        let bad = |detail: String| AtbError::InvalidArgument {
            op: "adam_step",
            detail,
        };
        let unit = 0.0..1.0;
        if !(self.learning_rate.is_finite() && self.learning_rate >= 0.0) {
            return Err(bad(format!(
                "learning_rate must be finite and >= 0, got {}",
                self.learning_rate
            )));
        }
        if !unit.contains(&self.beta1) || !unit.contains(&self.beta2) {
            return Err(bad(format!(
                "beta1 and beta2 must be in [0, 1), got {} and {}",
                self.beta1, self.beta2
            )));
        }
        if !(self.epsilon.is_finite() && self.epsilon > 0.0) {
            return Err(bad(format!(
                "epsilon must be finite and > 0, got {}",
                self.epsilon
            )));
        }
        if !(self.weight_decay.is_finite() && self.weight_decay >= 0.0) {
            return Err(bad(format!(
                "weight_decay must be finite and >= 0, got {}",
                self.weight_decay
            )));
        }
        let t = t as f64;
        let (b1, b2) = (f64::from(self.beta1), f64::from(self.beta2));
        let alpha = f64::from(self.learning_rate) * (1.0 - b2.powf(t)).sqrt() / (1.0 - b1.powf(t));
        Ok(AdamScalars {
            alpha: alpha as f32,
            one_minus_beta1: 1.0 - self.beta1,
            one_minus_beta2: 1.0 - self.beta2,
            eps: self.epsilon,
            decay: self.weight_decay * self.learning_rate,
        })
    }
}

/// The flat parameters with their moments and the step count; [`adam_step`] updates them.
/// A clone of a GPU state shares its buffers (a step on one shows in the other).
#[derive(Debug, Clone)]
pub struct AdamState {
    params: Tensor,
    m: Tensor,
    v: Tensor,
    step: u64,
}

impl AdamState {
    /// Starts optimising `params` (zero moments on its device, step 0). On a GPU the updates
    /// are written into `params`' buffer, so clones of `params` see them too.
    pub fn new(params: Tensor) -> Result<AdamState> {
        let zeros = Tensor::from_vec(params.shape(), vec![0.0; params.len()])?;
        let device = params.device();
        Ok(AdamState {
            m: zeros.to_device(&device)?,
            v: zeros.to_device(&device)?,
            params,
            step: 0,
        })
    }

    /// The parameters after the last step.
    pub fn params(&self) -> &Tensor {
        &self.params
    }

    /// The first moments.
    pub fn m(&self) -> &Tensor {
        &self.m
    }

    /// The second moments.
    pub fn v(&self) -> &Tensor {
        &self.v
    }

    /// Steps taken so far.
    pub fn step(&self) -> u64 {
        self.step
    }
}

/// Fails when a buffer the kernel writes is also bound elsewhere in the same dispatch.
fn check_distinct(buffers: &[&GpuBuffer]) -> Result<()> {
    for (i, written) in buffers
        .iter()
        .enumerate()
        .filter(|(i, _)| [0, 2, 3].contains(i))
    {
        if buffers
            .iter()
            .enumerate()
            .any(|(j, other)| j != i && std::ptr::eq(*written, *other))
        {
            return Err(AtbError::InvalidArgument {
                op: "adam_step",
                detail: "the parameter and moment buffers must not alias the gradients, the \
                         mask, the scale or each other"
                    .to_string(),
            });
        }
    }
    Ok(())
}

/// One Adam/AdamW step (the step count is incremented first, so the first step is t = 1):
/// `grads` has the parameters' shape; `decay_mask` (same shape, 1 = decayed, 0 = excluded)
/// multiplies the weight decay; `grad_scale` (shape `[1]`) multiplies every gradient.
pub fn adam_step(
    state: &mut AdamState,
    grads: &Tensor,
    decay_mask: Option<&Tensor>,
    grad_scale: Option<&Tensor>,
    config: &AdamConfig,
) -> Result<()> {
    let op = "adam_step";
    let shape = state.params.shape().to_vec();
    expect_shape(op, "grads", grads, &shape)?;
    if let Some(mask) = decay_mask {
        expect_shape(op, "decay_mask", mask, &shape)?;
    }
    if let Some(scale) = grad_scale {
        expect_shape(op, "grad_scale", scale, &[1])?;
    }
    let scalars = config.scalars(state.step + 1)?;
    let mut inputs = vec![&state.params, grads, &state.m, &state.v];
    inputs.extend(decay_mask);
    inputs.extend(grad_scale);
    let mask_index = decay_mask.map(|_| 4);
    let scale_index = grad_scale.map(|_| 4 + usize::from(decay_mask.is_some()));
    match operands(op, &inputs)? {
        Operands::Cpu(a) => {
            let mut params = contiguous(a[0]).into_owned();
            let mut m = contiguous(a[2]).into_owned();
            let mut v = contiguous(a[3]).into_owned();
            let mask = mask_index.map(|i| contiguous(a[i]));
            let scale = scale_index.map(|i| contiguous(a[i])[0]);
            cpu::adam::adam_step(
                &mut params,
                &contiguous(a[1]),
                &mut m,
                &mut v,
                mask.as_deref(),
                scale,
                &scalars,
            );
            state.params = Tensor::from_vec(&shape, params)?;
            state.m = Tensor::from_vec(&shape, m)?;
            state.v = Tensor::from_vec(&shape, v)?;
        }
        Operands::Gpu(ctx, b) => {
            check_distinct(&b)?;
            let buffers = AdamBuffers {
                params: b[0],
                grads: b[1],
                m: b[2],
                v: b[3],
                decay_mask: mask_index.map(|i| b[i]),
                grad_scale: scale_index.map(|i| b[i]),
            };
            kernels::adam::adam_step(ctx, &buffers, grads.len(), &scalars)?;
        }
    }
    state.step += 1;
    Ok(())
}
