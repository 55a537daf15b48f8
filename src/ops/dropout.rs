//! Inverted dropout with a counter-based random mask of (seed, step, flat index).
//!
//! Nothing is stored between forward and backward: [`dropout_backward`] regenerates the mask
//! from the same `(rate, seed, step)`. The mask depends only on those and the element's flat
//! index, so two dropout layers of the same shape need different seeds (or steps) to drop
//! different elements.

use super::counter::StepCounter;
use super::operands::{Operands, contiguous, operands};
use crate::descriptors::dropout::DropoutMask;
use crate::device::ComputeDevice;
use crate::{AtbError, Result, Tensor, cpu, kernels};

/// The mask constants for `rate` in [0, 1) over `n` elements (the hash counts them in u32),
/// or an error naming `op`.
fn mask_for(op: &'static str, n: usize, rate: f32, seed: u64, step: u64) -> Result<DropoutMask> {
    if u32::try_from(n).is_err() {
        return Err(AtbError::Shape {
            op,
            detail: format!("{n} elements exceed the 2^32 - 1 the mask hash can index"),
        });
    }
    if !(0.0..1.0).contains(&rate) {
        return Err(AtbError::InvalidArgument {
            op,
            detail: format!("rate must be in [0, 1), got {rate}"),
        });
    }
    Ok(DropoutMask::new(rate, seed, step))
}

/// Zeroes each element of `t` with probability `rate` and scales the rest by
/// `1 / (1 - rate)`; `rate` 0 returns `t` itself.
fn apply(op: &'static str, t: &Tensor, rate: f32, seed: u64, step: u64) -> Result<Tensor> {
    let mask = mask_for(op, t.len(), rate, seed, step)?;
    if rate == 0.0 {
        return Ok(t.clone());
    }
    match operands(op, &[t])? {
        Operands::Cpu(a) => Tensor::from_vec(
            t.shape(),
            cpu::dropout::dropout_apply(&contiguous(a[0]), &mask),
        ),
        Operands::Gpu(ctx, b) => {
            let out = kernels::dropout::dropout_apply(ctx, b[0], t.len(), &mask)?;
            Ok(Tensor::from_gpu(ctx.clone(), out, t.shape().to_vec()))
        }
    }
}

/// Dropout whose step is `step + counter[slot]`, the counter read on the device when the
/// work runs — the form a captured training step uses, so every replay draws a new mask.
/// [`dropout_backward_counted`] with the same arguments (before the counter advances) is its
/// gradient.
pub fn dropout_counted(
    x: &Tensor,
    rate: f32,
    seed: u64,
    step: u64,
    counter: &StepCounter,
    slot: u32,
) -> Result<Tensor> {
    apply_counted("dropout", x, rate, seed, step, counter, slot)
}

/// Gradient of [`dropout_counted`].
pub fn dropout_backward_counted(
    dy: &Tensor,
    rate: f32,
    seed: u64,
    step: u64,
    counter: &StepCounter,
    slot: u32,
) -> Result<Tensor> {
    apply_counted("dropout_backward", dy, rate, seed, step, counter, slot)
}

fn apply_counted(
    op: &'static str,
    t: &Tensor,
    rate: f32,
    seed: u64,
    step: u64,
    counter: &StepCounter,
    slot: u32,
) -> Result<Tensor> {
    mask_for(op, t.len(), rate, seed, step)?;
    if rate == 0.0 {
        return Ok(t.clone());
    }
    match (operands(op, &[t])?, counter) {
        (Operands::Cpu(a), StepCounter::Cpu(_)) => {
            let mask =
                DropoutMask::new(rate, seed, step.wrapping_add(u64::from(counter.get(slot)?)));
            Tensor::from_vec(
                t.shape(),
                cpu::dropout::dropout_apply(&contiguous(a[0]), &mask),
            )
        }
        (Operands::Gpu(ctx, b), StepCounter::Gpu { buffer, slots, .. }) => {
            if slot as usize >= *slots {
                return Err(AtbError::Shape {
                    op,
                    detail: format!("counter slot {slot} of {slots}"),
                });
            }
            let mask = DropoutMask::new(rate, seed, step);
            let out =
                kernels::dropout::dropout_apply_counted(ctx, b[0], buffer, slot, t.len(), &mask)?;
            Ok(Tensor::from_gpu(ctx.clone(), out, t.shape().to_vec()))
        }
        _ => Err(AtbError::DeviceMismatch {
            op,
            detail: "the tensor and the step counter live on different devices".to_string(),
        }),
    }
}

/// Training-mode dropout of `x`: each element is dropped with probability `rate` (in [0, 1))
/// and kept ones are scaled by `1 / (1 - rate)`. The mask is a hash of `(seed, step, index)`.
pub fn dropout(x: &Tensor, rate: f32, seed: u64, step: u64) -> Result<Tensor> {
    apply("dropout", x, rate, seed, step)
}

/// Gradient of [`dropout`]: the same mask and scale applied to `dy`.
pub fn dropout_backward(dy: &Tensor, rate: f32, seed: u64, step: u64) -> Result<Tensor> {
    apply("dropout_backward", dy, rate, seed, step)
}

/// The 0/1 keep-mask [`dropout`] uses for a tensor of `shape` on `device`.
pub fn dropout_mask(
    shape: &[usize],
    device: &ComputeDevice,
    rate: f32,
    seed: u64,
    step: u64,
) -> Result<Tensor> {
    let n: usize = shape.iter().product();
    let mask = mask_for("dropout_mask", n, rate, seed, step)?;
    match device {
        ComputeDevice::Cpu => Tensor::from_vec(shape, cpu::dropout::dropout_mask(n, &mask)),
        ComputeDevice::Gpu(ctx) => {
            let out = kernels::dropout::dropout_mask(ctx, n, &mask)?;
            Ok(Tensor::from_gpu(ctx.clone(), out, shape.to_vec()))
        }
    }
}
