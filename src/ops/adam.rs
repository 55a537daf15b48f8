//! Adam / AdamW over one flat parameter buffer: every parameter of a model in one dispatch.
//!
//! The model's parameters, gradients and both moments are each one flat tensor (its tensors
//! back to back); the update is elementwise, so no per-tensor offsets are needed. Weight decay
//! is decoupled (AdamW) and can be masked per element so biases and norms are excluded; the
//! gradients can be scaled by a one-element GPU tensor (the global-norm clip factor), so
//! clipping needs no host readback.

use super::checks::expect_shape;
use super::counter::StepCounter;
use super::operands::{Operands, contiguous, operands};
use crate::cpu::adam::AdamScalars;
use crate::device::GpuBuffer;
use crate::kernels::adam::{AdamBuffers, AdamConstants};
use crate::tensor::Storage;
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
    /// Checks the ranges.
    fn validate(&self) -> Result<()> {
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
        Ok(())
    }

    fn constants(&self) -> AdamConstants {
        AdamConstants {
            beta1: self.beta1,
            beta2: self.beta2,
            eps: self.epsilon,
            weight_decay: self.weight_decay,
        }
    }
}

/// The flat parameters with their moments, the step count and the learning rate, all on the
/// parameters' device; [`adam_step`] updates them. The step count and the learning rate live
/// in device buffers, so a captured training step replays correctly; change the rate with
/// [`AdamState::set_learning_rate`]. A clone of a GPU state shares its buffers.
#[derive(Clone)]
pub struct AdamState {
    params: Tensor,
    m: Tensor,
    v: Tensor,
    config: AdamConfig,
    steps: StepCounter,
    learning_rate: Tensor,
    schedule: Tensor,
}

impl AdamState {
    /// Starts optimising `params` with `config` (zero moments on its device, step 0). On a GPU
    /// the updates are written into `params`' buffer, so clones of `params` see them too.
    pub fn new(params: Tensor, config: &AdamConfig) -> Result<AdamState> {
        config.validate()?;
        let zeros = Tensor::from_vec(params.shape(), vec![0.0; params.len()])?;
        let device = params.device();
        Ok(AdamState {
            m: zeros.to_device(&device)?,
            v: zeros.to_device(&device)?,
            steps: StepCounter::new(&device, 1)?,
            learning_rate: Tensor::from_vec(&[1], vec![config.learning_rate])?
                .to_device(&device)?,
            schedule: Tensor::from_vec(&[4], vec![0.0, 0.0, 1.0, 1.0])?.to_device(&device)?,
            config: *config,
            params,
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

    /// Steps taken so far (read from the device).
    pub fn step(&self) -> Result<u32> {
        self.steps.get(0)
    }

    /// The learning rate of the following steps (after all work recorded so far).
    pub fn set_learning_rate(&mut self, learning_rate: f32) -> Result<()> {
        AdamConfig {
            learning_rate,
            ..self.config
        }
        .validate()?;
        self.config.learning_rate = learning_rate;
        match self.learning_rate.storage() {
            Storage::Gpu { ctx, buffer } => ctx.write(buffer, &[learning_rate]),
            Storage::Cpu(_) => {
                self.learning_rate = Tensor::from_vec(&[1], vec![learning_rate])?;
                Ok(())
            }
        }
    }
}

/// What an [`AdamState`] holds besides the parameters, read back to the host, so a fit can
/// be checkpointed and continued exactly.
#[derive(Debug, Clone, PartialEq)]
pub struct AdamMoments {
    /// First moments.
    pub m: Vec<f32>,
    /// Second moments.
    pub v: Vec<f32>,
    /// The device schedule: step size, decay, β₁ᵗ, β₂ᵗ.
    pub schedule: Vec<f32>,
    /// Steps taken.
    pub steps: u32,
    /// Learning rate of the following steps.
    pub learning_rate: f32,
}

impl AdamState {
    /// The moments, schedule, step count and learning rate (one readback each).
    pub fn moments(&self) -> Result<AdamMoments> {
        Ok(AdamMoments {
            m: self.m.to_vec()?,
            v: self.v.to_vec()?,
            schedule: self.schedule.to_vec()?,
            steps: self.step()?,
            learning_rate: self.config.learning_rate,
        })
    }

    /// Puts back what [`moments`](Self::moments) read; the lengths must match.
    pub fn restore(&mut self, saved: &AdamMoments) -> Result<()> {
        for (name, tensor, values) in [
            ("m", &self.m, &saved.m),
            ("v", &self.v, &saved.v),
            ("schedule", &self.schedule, &saved.schedule),
        ] {
            if tensor.len() != values.len() {
                return Err(AtbError::Shape {
                    op: "AdamState::restore",
                    detail: format!("{name} has {} values, got {}", tensor.len(), values.len()),
                });
            }
        }
        self.set_learning_rate(saved.learning_rate)?;
        self.steps.set(0, saved.steps)?;
        for (tensor, values) in [
            (&mut self.m, &saved.m),
            (&mut self.v, &saved.v),
            (&mut self.schedule, &saved.schedule),
        ] {
            if let Storage::Gpu { ctx, buffer } = tensor.storage() {
                ctx.write(buffer, values)?;
            } else {
                let shape = tensor.shape().to_vec();
                *tensor = Tensor::from_vec(&shape, values.clone())?;
            }
        }
        Ok(())
    }
}

impl std::fmt::Debug for AdamState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AdamState({:?}, {:?})", self.params, self.config)
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

/// One Adam/AdamW step (the first step is t = 1): `grads` has the parameters' shape;
/// `decay_mask` (same shape, 1 = decayed, 0 = excluded) multiplies the weight decay;
/// `grad_scale` (shape `[1]`) multiplies every gradient. On a GPU everything is recorded
/// (schedule, update, step count), nothing is read back.
pub fn adam_step(
    state: &mut AdamState,
    grads: &Tensor,
    decay_mask: Option<&Tensor>,
    grad_scale: Option<&Tensor>,
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
    let mut inputs = vec![&state.params, grads, &state.m, &state.v];
    inputs.extend(decay_mask);
    inputs.extend(grad_scale);
    inputs.push(&state.learning_rate);
    inputs.push(&state.schedule);
    let mask_index = decay_mask.map(|_| 4);
    let scale_index = grad_scale.map(|_| 4 + usize::from(decay_mask.is_some()));
    let (lr_index, schedule_index) = (inputs.len() - 2, inputs.len() - 1);
    match operands(op, &inputs)? {
        Operands::Cpu(a) => {
            let c = &state.config;
            let mut schedule = [0.0f32; 4];
            schedule.copy_from_slice(&contiguous(a[schedule_index]));
            cpu::adam::advance_schedule(
                &mut schedule,
                contiguous(a[lr_index])[0],
                c.beta1,
                c.beta2,
                c.weight_decay,
            );
            let scalars = AdamScalars {
                alpha: schedule[0],
                one_minus_beta1: 1.0 - c.beta1,
                one_minus_beta2: 1.0 - c.beta2,
                eps: c.epsilon,
                decay: schedule[1],
            };
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
            state.schedule = Tensor::from_vec(&[4], schedule.to_vec())?;
        }
        Operands::Gpu(ctx, b) => {
            check_distinct(&b[..lr_index])?;
            let buffers = AdamBuffers {
                params: b[0],
                grads: b[1],
                m: b[2],
                v: b[3],
                decay_mask: mask_index.map(|i| b[i]),
                grad_scale: scale_index.map(|i| b[i]),
                learning_rate: b[lr_index],
                schedule: b[schedule_index],
            };
            kernels::adam::adam_step(ctx, &buffers, grads.len(), &state.config.constants())?;
        }
    }
    state.steps.advance(0, 1)
}
