//! Multi-head scaled dot-product self-attention (the core of Keras `MultiHeadAttention`):
//! `O_h = softmax(Q_h·K_hᵀ / sqrt(dk) [+ causal mask])·V_h` for every batch entry and head, and
//! its gradients. Q, K and V arrive already projected; the projections are `ops::matmul`s.

use super::operands::{Operands, contiguous, operands};
use crate::descriptors::attention::{AttentionOptions, AttentionShape};
use crate::{AtbError, Result, Tensor, cpu, kernels};

/// The result of [`attention`].
#[derive(Debug, Clone)]
pub struct AttentionForward {
    /// Output `[B, T, H·dv]`.
    pub out: Tensor,
    /// Attention weights P `[B, H, T, T]` when `return_weights` was set.
    pub weights: Option<Tensor>,
}

/// Gradients of a loss with respect to q, k and v.
#[derive(Debug, Clone)]
pub struct AttentionGrads {
    /// `[B, T, H·dk]`.
    pub dq: Tensor,
    /// `[B, T, H·dk]`.
    pub dk: Tensor,
    /// `[B, T, H·dv]`.
    pub dv: Tensor,
}

/// Multi-head self-attention of already projected q, k, v (see [`AttentionShape::infer`]).
pub fn attention(
    q: &Tensor,
    k: &Tensor,
    v: &Tensor,
    opts: &AttentionOptions,
) -> Result<AttentionForward> {
    let shape = AttentionShape::infer(q.shape(), k.shape(), v.shape(), opts)?;
    match operands("attention", &[q, k, v])? {
        Operands::Cpu(a) => {
            let (out, weights) = cpu::fast::attention::forward(
                &contiguous(a[0]),
                &contiguous(a[1]),
                &contiguous(a[2]),
                &shape,
                opts.causal,
            );
            Ok(AttentionForward {
                out: Tensor::from_vec(&shape.out_shape(), out)?,
                weights: if opts.return_weights {
                    Some(Tensor::from_vec(&shape.weights_shape(), weights)?)
                } else {
                    None
                },
            })
        }
        Operands::Gpu(ctx, b) => {
            let (out, weights) = kernels::attention::forward(
                ctx,
                [b[0], b[1], b[2]],
                &shape,
                opts.causal,
                opts.return_weights,
            )?;
            Ok(AttentionForward {
                out: Tensor::from_gpu(ctx.clone(), out, shape.out_shape()),
                weights: weights.map(|w| Tensor::from_gpu(ctx.clone(), w, shape.weights_shape())),
            })
        }
    }
}

/// Gradients of [`attention`] given `d_out` = ∂loss/∂out `[B, T, H·dv]`. `weights` are the P
/// of the forward pass (`AttentionForward::weights`); `None` recomputes them.
pub fn attention_backward(
    q: &Tensor,
    k: &Tensor,
    v: &Tensor,
    weights: Option<&Tensor>,
    d_out: &Tensor,
    opts: &AttentionOptions,
) -> Result<AttentionGrads> {
    let shape = AttentionShape::infer(q.shape(), k.shape(), v.shape(), opts)?;
    let err = |detail: String| AtbError::Shape {
        op: "attention_backward",
        detail,
    };
    if d_out.shape() != shape.out_shape() {
        return Err(err(format!(
            "d_out must have the output shape {:?}, got {:?}",
            shape.out_shape(),
            d_out.shape()
        )));
    }
    let recomputed;
    let weights = match weights {
        Some(w) => {
            if w.shape() != shape.weights_shape() {
                return Err(err(format!(
                    "weights must have shape [B, H, T, T] = {:?}, got {:?}",
                    shape.weights_shape(),
                    w.shape()
                )));
            }
            w
        }
        None => {
            let with_weights = AttentionOptions {
                return_weights: true,
                ..*opts
            };
            recomputed = attention(q, k, v, &with_weights)?.weights;
            recomputed
                .as_ref()
                .ok_or_else(|| err("the forward pass returned no weights".to_string()))?
        }
    };
    match operands("attention_backward", &[q, k, v, weights, d_out])? {
        Operands::Cpu(a) => {
            let (dq, dk, dv) = cpu::fast::attention::backward(
                &contiguous(a[0]),
                &contiguous(a[1]),
                &contiguous(a[2]),
                &contiguous(a[3]),
                &contiguous(a[4]),
                &shape,
                opts.causal,
            );
            Ok(AttentionGrads {
                dq: Tensor::from_vec(&shape.query_shape(), dq)?,
                dk: Tensor::from_vec(&shape.query_shape(), dk)?,
                dv: Tensor::from_vec(&shape.out_shape(), dv)?,
            })
        }
        Operands::Gpu(ctx, b) => {
            let grads = kernels::attention::backward(
                ctx,
                [b[0], b[1], b[2]],
                b[3],
                b[4],
                &shape,
                opts.causal,
            )?;
            Ok(AttentionGrads {
                dq: Tensor::from_gpu(ctx.clone(), grads.dq, shape.query_shape()),
                dk: Tensor::from_gpu(ctx.clone(), grads.dk, shape.query_shape()),
                dv: Tensor::from_gpu(ctx.clone(), grads.dv, shape.out_shape()),
            })
        }
    }
}
