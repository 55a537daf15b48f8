//! `Optimizer`: Adam/AdamW with optional global-norm clipping over a model's [`Params`].
//!
//! On a GPU it works on the flat parameter and gradient buffers directly: one clip kernel
//! pair and one fused Adam update per step, all recorded (nothing read back), so it can be
//! part of a captured step. On the CPU it gathers the gradients into one flat vector, runs
//! the same reference update and writes the parameters back.

use crate::nn::Params;
use crate::ops::{self, AdamConfig, AdamMoments, AdamState};
use crate::tensor::Storage;
use crate::{AtbError, Result, Tensor};

/// Adam over every parameter of one model.
pub struct Optimizer {
    state: AdamState,
    decay_mask: Option<Tensor>,
    gpu_grads: Option<Tensor>,
    clip_norm: Option<f32>,
}

fn flat_values(params: &Params) -> Result<Vec<f32>> {
    let mut flat = vec![0.0f32; params.flat_len()];
    for (entry, host) in params.entries().iter().zip(params.to_host()?) {
        flat[entry.offset..entry.offset + entry.len].copy_from_slice(&host.values);
    }
    Ok(flat)
}

impl Optimizer {
    /// Starts optimising `params`; `clip_norm` clips the global gradient norm.
    pub fn new(params: &Params, config: &AdamConfig, clip_norm: Option<f32>) -> Result<Optimizer> {
        let shape = vec![params.flat_len()];
        let (flat_params, gpu_grads) = match (params.flat(), params.device().gpu()) {
            (Some(flat), Some(ctx)) => (
                Tensor::from_shared_gpu(ctx.clone(), flat.values.clone(), shape.clone()),
                Some(Tensor::from_shared_gpu(
                    ctx.clone(),
                    flat.grads.clone(),
                    shape.clone(),
                )),
            ),
            _ => (Tensor::from_vec(&shape, flat_values(params)?)?, None),
        };
        let decay_mask = if config.weight_decay > 0.0 {
            let mut mask = vec![0.0f32; params.flat_len()];
            for e in params.entries().iter().filter(|e| e.decay) {
                mask[e.offset..e.offset + e.len].fill(1.0);
            }
            Some(Tensor::from_vec(&shape, mask)?.to_device(params.device())?)
        } else {
            None
        };
        if let Some(norm) = clip_norm
            && !(norm.is_finite() && norm > 0.0)
        {
            return Err(AtbError::Config(format!(
                "clip norm must be finite and > 0, got {norm}"
            )));
        }
        Ok(Optimizer {
            state: AdamState::new(flat_params, config)?,
            decay_mask,
            gpu_grads,
            clip_norm,
        })
    }

    /// Updates the parameters from the gradients of a backward pass (as returned by
    /// [`Params::gather_gradients`], which on a GPU has also filled the flat gradient buffer).
    pub fn step(&mut self, params: &mut Params, grads: &[Tensor]) -> Result<()> {
        let flat_grads = match &self.gpu_grads {
            Some(g) => g.clone(),
            None => {
                let mut flat = vec![0.0f32; params.flat_len()];
                for (entry, grad) in params.entries().iter().zip(grads) {
                    flat[entry.offset..entry.offset + entry.len].copy_from_slice(&grad.to_vec()?);
                }
                Tensor::from_vec(&[params.flat_len()], flat)?
            }
        };
        let scale = match self.clip_norm {
            Some(max_norm) => Some(ops::clip_scale(&flat_grads, max_norm)?.scale),
            None => None,
        };
        ops::adam_step(
            &mut self.state,
            &flat_grads,
            self.decay_mask.as_ref(),
            scale.as_ref(),
        )?;
        if let Storage::Cpu(_) = self.state.params().storage() {
            let values = self.state.params().to_vec()?;
            for (id, entry) in params.entries().to_vec().iter().enumerate() {
                let value = Tensor::from_vec(
                    &entry.shape,
                    values[entry.offset..entry.offset + entry.len].to_vec(),
                )?;
                params.set_cpu_value(id, value)?;
            }
        }
        Ok(())
    }

    /// The learning rate of the following steps.
    pub fn set_learning_rate(&mut self, learning_rate: f32) -> Result<()> {
        self.state.set_learning_rate(learning_rate)
    }

    /// Steps taken so far.
    pub fn steps(&self) -> Result<u32> {
        self.state.step()
    }

    /// Adam's moments, schedule, step count and learning rate (for a checkpoint).
    pub fn moments(&self) -> Result<AdamMoments> {
        self.state.moments()
    }

    /// Puts back what [`moments`](Self::moments) read.
    pub fn restore(&mut self, saved: &AdamMoments) -> Result<()> {
        self.state.restore(saved)
    }
}
