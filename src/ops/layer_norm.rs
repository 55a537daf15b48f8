//! Layer normalisation over the last axis with affine `gamma`/`beta`, and its backward.

use super::checks::{expect_shape, rows_cols};
use super::operands::{Operands, contiguous, operands};
use crate::{AtbError, Result, Tensor, cpu, kernels};

/// What the backward needs from the forward: per-row statistics, shaped like `x` without its
/// last axis.
#[derive(Debug, Clone)]
pub struct LayerNormCache {
    /// Mean of each row.
    pub mean: Tensor,
    /// `1 / sqrt(variance + eps)` of each row (biased variance, as Keras).
    pub rstd: Tensor,
}

/// Validates `x` (at least 1-D with a non-empty last axis) and returns `(rows, cols)`.
fn normalised_axis(x: &Tensor, op: &'static str) -> Result<(usize, usize)> {
    let (rows, cols) = rows_cols(x.shape(), op)?;
    if cols == 0 {
        return Err(AtbError::Shape {
            op,
            detail: format!("the normalised last axis of {:?} is empty", x.shape()),
        });
    }
    Ok((rows, cols))
}

/// `y = (x - mean) / sqrt(var + eps) · gamma + beta` over the last axis of `x` (`gamma`,
/// `beta`: shape `[last]`; `eps` > 0, Keras' default is 1e-3). Returns `y` and the cache for
/// [`layer_norm_backward`].
pub fn layer_norm(
    x: &Tensor,
    gamma: &Tensor,
    beta: &Tensor,
    eps: f32,
) -> Result<(Tensor, LayerNormCache)> {
    let op = "layer_norm";
    let (rows, cols) = normalised_axis(x, op)?;
    expect_shape(op, "gamma", gamma, &[cols])?;
    expect_shape(op, "beta", beta, &[cols])?;
    if !(eps.is_finite() && eps > 0.0) {
        return Err(AtbError::InvalidArgument {
            op,
            detail: format!("eps must be finite and > 0, got {eps}"),
        });
    }
    let stats_shape = x.shape()[..x.shape().len() - 1].to_vec();
    match operands(op, &[x, gamma, beta])? {
        Operands::Cpu(a) => {
            let out = cpu::layer_norm::layer_norm_forward(
                &contiguous(a[0]),
                &contiguous(a[1]),
                &contiguous(a[2]),
                cols,
                f64::from(eps),
            );
            let cache = LayerNormCache {
                mean: Tensor::from_vec(&stats_shape, out.mean)?,
                rstd: Tensor::from_vec(&stats_shape, out.rstd)?,
            };
            Ok((Tensor::from_vec(x.shape(), out.y)?, cache))
        }
        Operands::Gpu(ctx, b) => {
            let out =
                kernels::layer_norm::layer_norm_forward(ctx, b[0], b[1], b[2], rows, cols, eps)?;
            let cache = LayerNormCache {
                mean: Tensor::from_gpu(ctx.clone(), out.mean, stats_shape.clone()),
                rstd: Tensor::from_gpu(ctx.clone(), out.rstd, stats_shape),
            };
            Ok((
                Tensor::from_gpu(ctx.clone(), out.y, x.shape().to_vec()),
                cache,
            ))
        }
    }
}

/// Gradients `(dx, dgamma, dbeta)` of [`layer_norm`] given the upstream gradient `dy` (shape
/// of `x`). `dgamma` and `dbeta` are summed over rows in a fixed order (deterministic).
pub fn layer_norm_backward(
    x: &Tensor,
    gamma: &Tensor,
    cache: &LayerNormCache,
    dy: &Tensor,
) -> Result<(Tensor, Tensor, Tensor)> {
    let op = "layer_norm_backward";
    let (rows, cols) = normalised_axis(x, op)?;
    let stats_shape = &x.shape()[..x.shape().len() - 1];
    expect_shape(op, "gamma", gamma, &[cols])?;
    expect_shape(op, "cache.mean", &cache.mean, stats_shape)?;
    expect_shape(op, "cache.rstd", &cache.rstd, stats_shape)?;
    expect_shape(op, "dy", dy, x.shape())?;
    match operands(op, &[x, gamma, &cache.mean, &cache.rstd, dy])? {
        Operands::Cpu(a) => {
            let grads = cpu::layer_norm::layer_norm_backward(
                &contiguous(a[0]),
                &contiguous(a[1]),
                &contiguous(a[2]),
                &contiguous(a[3]),
                &contiguous(a[4]),
                cols,
            );
            Ok((
                Tensor::from_vec(x.shape(), grads.dx)?,
                Tensor::from_vec(&[cols], grads.dgamma)?,
                Tensor::from_vec(&[cols], grads.dbeta)?,
            ))
        }
        Operands::Gpu(ctx, b) => {
            let (dx, dgamma, dbeta) = kernels::layer_norm::layer_norm_backward(
                ctx, b[0], b[1], b[2], b[3], b[4], rows, cols,
            )?;
            Ok((
                Tensor::from_gpu(ctx.clone(), dx, x.shape().to_vec()),
                Tensor::from_gpu(ctx.clone(), dgamma, vec![cols]),
                Tensor::from_gpu(ctx.clone(), dbeta, vec![cols]),
            ))
        }
    }
}
