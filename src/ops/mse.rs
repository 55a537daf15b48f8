//! Mean squared error loss and its gradient.

use super::checks::expect_shape;
use super::operands::{Operands, contiguous, operands};
use crate::{AtbError, Result, Tensor, cpu, kernels};

/// Checks that `pred` and `target` agree and are not empty.
fn check(op: &'static str, pred: &Tensor, target: &Tensor) -> Result<()> {
    expect_shape(op, "target", target, pred.shape())?;
    if pred.is_empty() {
        return Err(AtbError::Shape {
            op,
            detail: format!(
                "the mean of an empty tensor {:?} is undefined",
                pred.shape()
            ),
        });
    }
    Ok(())
}

/// `mean((pred - target)²)` over all elements, as a tensor of shape `[1]` on the operands'
/// device (a deterministic fixed-order reduction, no host readback).
pub fn mse_loss(pred: &Tensor, target: &Tensor) -> Result<Tensor> {
    check("mse_loss", pred, target)?;
    match operands("mse_loss", &[pred, target])? {
        Operands::Cpu(a) => {
            let loss = cpu::mse::mse_loss(&contiguous(a[0]), &contiguous(a[1]));
            Tensor::from_vec(&[1], vec![loss])
        }
        Operands::Gpu(ctx, b) => {
            let out = kernels::mse::mse_loss(ctx, b[0], b[1], pred.len())?;
            Ok(Tensor::from_gpu(ctx.clone(), out, vec![1]))
        }
    }
}

/// Gradient of [`mse_loss`] with respect to `pred`, times the upstream gradient `scale`:
/// `2 · (pred - target) / n · scale`.
pub fn mse_backward(pred: &Tensor, target: &Tensor, scale: f32) -> Result<Tensor> {
    check("mse_backward", pred, target)?;
    let n = pred.len();
    match operands("mse_backward", &[pred, target])? {
        Operands::Cpu(a) => Tensor::from_vec(
            pred.shape(),
            cpu::mse::mse_backward(&contiguous(a[0]), &contiguous(a[1]), f64::from(scale)),
        ),
        Operands::Gpu(ctx, b) => {
            let factor = (2.0 * f64::from(scale) / n as f64) as f32;
            let out = kernels::mse::mse_backward(ctx, b[0], b[1], None, n, factor)?;
            Ok(Tensor::from_gpu(ctx.clone(), out, pred.shape().to_vec()))
        }
    }
}

/// [`mse_backward`] with the upstream gradient as a one-element tensor on the operands'
/// device (the loss's gradient in an autograd tape), so the GPU never reads it back.
pub fn mse_backward_upstream(pred: &Tensor, target: &Tensor, upstream: &Tensor) -> Result<Tensor> {
    let op = "mse_backward_upstream";
    check(op, pred, target)?;
    expect_shape(op, "upstream", upstream, &[1])?;
    let n = pred.len();
    match operands(op, &[pred, target, upstream])? {
        Operands::Cpu(a) => Tensor::from_vec(
            pred.shape(),
            cpu::mse::mse_backward(
                &contiguous(a[0]),
                &contiguous(a[1]),
                f64::from(contiguous(a[2])[0]),
            ),
        ),
        Operands::Gpu(ctx, b) => {
            let factor = (2.0 / n as f64) as f32;
            let out = kernels::mse::mse_backward(ctx, b[0], b[1], Some(b[2]), n, factor)?;
            Ok(Tensor::from_gpu(ctx.clone(), out, pred.shape().to_vec()))
        }
    }
}
