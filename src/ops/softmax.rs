//! Softmax over the last axis (numerically stable) and its backward.

use super::checks::{expect_shape, rows_cols};
use super::operands::{Operands, contiguous, operands};
use crate::{Result, Tensor, cpu, kernels};

/// Softmax of `x` over its last axis; the result has `x`'s shape.
pub fn softmax(x: &Tensor) -> Result<Tensor> {
    let (rows, cols) = rows_cols(x.shape(), "softmax")?;
    let shape = x.shape().to_vec();
    match operands("softmax", &[x])? {
        Operands::Cpu(a) if x.is_empty() => Tensor::from_vec(&shape, contiguous(a[0]).to_vec()),
        Operands::Cpu(a) => Tensor::from_vec(
            &shape,
            cpu::softmax::softmax_forward(&contiguous(a[0]), cols),
        ),
        Operands::Gpu(ctx, b) => {
            let out = kernels::softmax::softmax_forward(ctx, b[0], rows, cols)?;
            Ok(Tensor::from_gpu(ctx.clone(), out, shape))
        }
    }
}

/// Gradient of [`softmax`] with respect to its input, from its output `y` and the upstream
/// gradient `dy` (same shape): `dx = y ⊙ (dy - Σ_last dy ⊙ y)`.
pub fn softmax_backward(y: &Tensor, dy: &Tensor) -> Result<Tensor> {
    let (rows, cols) = rows_cols(y.shape(), "softmax_backward")?;
    expect_shape("softmax_backward", "dy", dy, y.shape())?;
    let shape = y.shape().to_vec();
    match operands("softmax_backward", &[y, dy])? {
        Operands::Cpu(a) if y.is_empty() => Tensor::from_vec(&shape, contiguous(a[0]).to_vec()),
        Operands::Cpu(a) => Tensor::from_vec(
            &shape,
            cpu::softmax::softmax_backward(&contiguous(a[0]), &contiguous(a[1]), cols),
        ),
        Operands::Gpu(ctx, b) => {
            let out = kernels::softmax::softmax_backward(ctx, b[0], b[1], rows, cols)?;
            Ok(Tensor::from_gpu(ctx.clone(), out, shape))
        }
    }
}
