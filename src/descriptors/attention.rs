//! The descriptors of scaled dot-product attention: its options and validated shape.

use crate::error::{AtbError, Result};

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
