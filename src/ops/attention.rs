//! Multi-head scaled dot-product self-attention (the core of Keras `MultiHeadAttention`):
//! `O_h = softmax(Q_h·K_hᵀ / sqrt(dk) [+ causal mask])·V_h` for every batch entry and head, and
//! its gradients. Q, K and V arrive already projected; the projections are [`super::matmul`]s.

use super::{Operands, contiguous, operands};
use crate::{AtbError, Result, Tensor, cpu, kernels};

/// How to run the attention core.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttentionOptions {
    /// Number of heads H; it must divide the widths of q/k (H·dk) and v (H·dv).
    pub num_heads: usize,
    /// Position t attends only to positions s <= t.
    pub causal: bool,
    /// Also return the attention weights P `[B, H, T, T]`.
    pub return_weights: bool,
}

/// The validated sizes of one attention call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttentionShape {
    /// Batch size B.
    pub batch: usize,
    /// Sequence length T (queries and keys).
    pub seq_len: usize,
    /// Number of heads H.
    pub num_heads: usize,
    /// Per-head query/key width dk.
    pub key_dim: usize,
    /// Per-head value width dv.
    pub value_dim: usize,
}

impl AttentionShape {
    /// Checks q `[B, T, H·dk]`, k `[B, T, H·dk]` and v `[B, T, H·dv]` against `num_heads`.
    pub fn infer(
        q: &[usize],
        k: &[usize],
        v: &[usize],
        opts: &AttentionOptions,
    ) -> Result<AttentionShape> {
        let err = |detail: String| AtbError::Shape {
            op: "attention",
            detail,
        };
        let split = |s: &[usize], name: &str| match *s {
            [b, t, w] => Ok((b, t, w)),
            _ => Err(err(format!(
                "{name} must be 3-D [batch, time, width], got {s:?}"
            ))),
        };
        let (batch, seq_len, q_width) = split(q, "q")?;
        let (kb, kt, k_width) = split(k, "k")?;
        let (vb, vt, v_width) = split(v, "v")?;
        if (kb, kt) != (batch, seq_len) || (vb, vt) != (batch, seq_len) {
            return Err(err(format!(
                "q {q:?}, k {k:?} and v {v:?} must share batch and time (self-attention)"
            )));
        }
        if k_width != q_width {
            return Err(err(format!(
                "q width {q_width} and k width {k_width} differ (q {q:?}, k {k:?})"
            )));
        }
        let heads = opts.num_heads;
        if heads == 0 {
            return Err(err("num_heads is 0".to_string()));
        }
        for (name, width) in [("q/k", q_width), ("v", v_width)] {
            if width == 0 || width % heads != 0 {
                return Err(err(format!(
                    "num_heads = {heads} does not divide the {name} width {width} into non-empty heads"
                )));
            }
        }
        Ok(AttentionShape {
            batch,
            seq_len,
            num_heads: heads,
            key_dim: q_width / heads,
            value_dim: v_width / heads,
        })
    }

    /// Shape of the output `[B, T, H·dv]`.
    pub fn out_shape(&self) -> Vec<usize> {
        vec![self.batch, self.seq_len, self.num_heads * self.value_dim]
    }

    /// Shape of q and k `[B, T, H·dk]`.
    pub fn query_shape(&self) -> Vec<usize> {
        vec![self.batch, self.seq_len, self.num_heads * self.key_dim]
    }

    /// Shape of the weights `[B, H, T, T]`.
    pub fn weights_shape(&self) -> Vec<usize> {
        vec![self.batch, self.num_heads, self.seq_len, self.seq_len]
    }

    /// Floating-point operations of the forward pass (scores and weighted sum, unmasked).
    pub fn forward_flops(&self) -> u64 {
        let pairs = (self.batch * self.num_heads * self.seq_len * self.seq_len) as u64;
        2 * pairs * (self.key_dim + self.value_dim) as u64
    }
}

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

/// The dense projections around the attention core, in Keras `MultiHeadAttention` layout
/// flattened to 2-D: query/key kernels `[F, H·dk]`, value kernel `[F, H·dv]`, output kernel
/// `[H·dv, F_out]` (Keras' `[F, H, dk]` and `[H, dv, F_out]` reshaped), biases 1-D.
#[derive(Debug, Clone, Copy)]
pub struct AttentionProjections<'a> {
    /// Query kernel `[F, H·dk]`.
    pub w_query: &'a Tensor,
    /// Query bias `[H·dk]`.
    pub b_query: &'a Tensor,
    /// Key kernel `[F, H·dk]`.
    pub w_key: &'a Tensor,
    /// Key bias `[H·dk]`.
    pub b_key: &'a Tensor,
    /// Value kernel `[F, H·dv]`.
    pub w_value: &'a Tensor,
    /// Value bias `[H·dv]`.
    pub b_value: &'a Tensor,
    /// Output kernel `[H·dv, F_out]`.
    pub w_out: &'a Tensor,
    /// Output bias `[F_out]`.
    pub b_out: &'a Tensor,
}

/// Self-attention of `x` `[B, T, F]` with its projections: `attention(x·Wq + bq, x·Wk + bk,
/// x·Wv + bv)·Wo + bo`, four [`super::matmul`]s around [`attention`]. `out` is `[B, T, F_out]`;
/// `weights` as in [`attention`].
pub fn multi_head_self_attention(
    x: &Tensor,
    projections: &AttentionProjections<'_>,
    opts: &AttentionOptions,
) -> Result<AttentionForward> {
    if x.shape().len() != 3 {
        return Err(AtbError::Shape {
            op: "multi_head_self_attention",
            detail: format!("x must be 3-D [batch, time, features], got {:?}", x.shape()),
        });
    }
    let dense = super::MatmulOptions::default();
    let p = projections;
    let q = super::matmul(x, p.w_query, Some(p.b_query), &dense)?;
    let k = super::matmul(x, p.w_key, Some(p.b_key), &dense)?;
    let v = super::matmul(x, p.w_value, Some(p.b_value), &dense)?;
    let core = attention(&q, &k, &v, opts)?;
    Ok(AttentionForward {
        out: super::matmul(&core.out, p.w_out, Some(p.b_out), &dense)?,
        weights: core.weights,
    })
}
