//! Global-norm gradient clipping over one flat gradient tensor, without a host readback.
//!
//! [`clip_scale`] computes the global norm and the factor `min(1, max_norm / norm)` as
//! one-element tensors on the gradients' device; [`clip_apply`] multiplies the gradients by
//! it, or the factor can be handed to [`super::adam_step`] as its `grad_scale`, which fuses
//! the scaling into the optimizer update.

use super::checks::expect_shape;
use super::operands::{Operands, contiguous, operands};
use crate::{AtbError, Result, Tensor, cpu, kernels};

/// The global norm of a gradient tensor and its clipping factor, both of shape `[1]`.
#[derive(Debug, Clone)]
pub struct ClipScale {
    /// `sqrt(Σ g²)` over every element (for logging).
    pub norm: Tensor,
    /// `max_norm / norm` when `norm > max_norm`, else 1.
    pub scale: Tensor,
}

/// The global norm of `grads` and the factor that clips it to `max_norm` (finite, > 0).
pub fn clip_scale(grads: &Tensor, max_norm: f32) -> Result<ClipScale> {
    if !(max_norm.is_finite() && max_norm > 0.0) {
        return Err(AtbError::InvalidArgument {
            op: "clip_scale",
            detail: format!("max_norm must be finite and > 0, got {max_norm}"),
        });
    }
    match operands("clip_scale", &[grads])? {
        Operands::Cpu(a) => {
            let (norm, scale) = cpu::clip::clip_scale(&contiguous(a[0]), max_norm);
            Ok(ClipScale {
                norm: Tensor::from_vec(&[1], vec![norm])?,
                scale: Tensor::from_vec(&[1], vec![scale])?,
            })
        }
        Operands::Gpu(ctx, b) => {
            let (norm, scale) = kernels::clip::clip_scale(ctx, b[0], grads.len(), max_norm)?;
            Ok(ClipScale {
                norm: Tensor::from_gpu(ctx.clone(), norm, vec![1]),
                scale: Tensor::from_gpu(ctx.clone(), scale, vec![1]),
            })
        }
    }
}

/// `grads · scale[0]`, `scale` a one-element tensor on the same device.
pub fn clip_apply(grads: &Tensor, scale: &Tensor) -> Result<Tensor> {
    expect_shape("clip_apply", "scale", scale, &[1])?;
    match operands("clip_apply", &[grads, scale])? {
        Operands::Cpu(a) => Tensor::from_vec(
            grads.shape(),
            cpu::clip::clip_apply(&contiguous(a[0]), contiguous(a[1])[0]),
        ),
        Operands::Gpu(ctx, b) => {
            let out = kernels::clip::clip_apply(ctx, b[0], b[1], grads.len())?;
            Ok(Tensor::from_gpu(ctx.clone(), out, grads.shape().to_vec()))
        }
    }
}

/// `(clipped gradients, global norm)`: `grads` scaled so their global norm is at most
/// `max_norm`, computed entirely on the gradients' device.
pub fn clip_by_global_norm(grads: &Tensor, max_norm: f32) -> Result<(Tensor, Tensor)> {
    let ClipScale { norm, scale } = clip_scale(grads, max_norm)?;
    Ok((clip_apply(grads, &scale)?, norm))
}
