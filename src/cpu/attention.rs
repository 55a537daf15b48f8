//! CPU reference of `shaders/attention.wgsl`: multi-head self-attention forward and backward.
//!
//! Generic over the float type so the tests can run it in f64 (finite differences, exact
//! references); the CPU backend runs it in f32. Layouts are those of the shader: q, k
//! `[B, T, H·dk]`, v, out, d_out `[B, T, H·dv]`, weights `[B, H, T, T]`, heads contiguous
//! along the last axis.

use ndarray::NdFloat;

use crate::descriptors::attention::AttentionShape;

/// Offset of row t of head h in a `[B, T, H·width]` tensor.
fn row_start(shape: &AttentionShape, b: usize, t: usize, h: usize, width: usize) -> usize {
    (b * shape.seq_len + t) * shape.num_heads * width + h * width
}

/// Offset of row t of the `[B, H, T, T]` weights of batch b and head h.
fn weights_start(shape: &AttentionShape, b: usize, h: usize, t: usize) -> usize {
    ((b * shape.num_heads + h) * shape.seq_len + t) * shape.seq_len
}

/// 1 / sqrt(dk), the score scale.
fn score_scale<F: NdFloat>(key_dim: usize) -> F {
    let dk: F = F::from(key_dim)
        .unwrap_or_else(|| unreachable!("every usize converts to a float (rounded)"));
    F::one() / dk.sqrt()
}

/// Keys visible to query t: all T, or 0..=t with the causal mask.
fn visible(seq_len: usize, t: usize, causal: bool) -> usize {
    if causal { t + 1 } else { seq_len }
}

fn dot<F: NdFloat>(a: &[F], b: &[F]) -> F {
    a.iter().zip(b).fold(F::zero(), |acc, (&x, &y)| acc + x * y)
}

/// `out = softmax(Q_h·K_hᵀ·scale)·V_h` per batch entry and head; returns (out, weights).
/// Masked weights (s > t when `causal`) are exactly 0.
pub fn forward<F: NdFloat>(
    q: &[F],
    k: &[F],
    v: &[F],
    shape: &AttentionShape,
    causal: bool,
) -> (Vec<F>, Vec<F>) {
    let AttentionShape {
        batch,
        seq_len,
        num_heads,
        key_dim,
        value_dim,
    } = *shape;
    let scale = score_scale::<F>(key_dim);
    let mut out = vec![F::zero(); batch * seq_len * num_heads * value_dim];
    let mut weights = vec![F::zero(); batch * num_heads * seq_len * seq_len];
    for b in 0..batch {
        for h in 0..num_heads {
            for t in 0..seq_len {
                let start = weights_start(shape, b, h, t);
                let row = &mut weights[start..start + visible(seq_len, t, causal)];
                let q_start = row_start(shape, b, t, h, key_dim);
                let q_row = &q[q_start..q_start + key_dim];
                let mut max = F::neg_infinity();
                for (s, w) in row.iter_mut().enumerate() {
                    let k_start = row_start(shape, b, s, h, key_dim);
                    *w = dot(q_row, &k[k_start..k_start + key_dim]) * scale;
                    max = max.max(*w);
                }
                let mut sum = F::zero();
                for w in row.iter_mut() {
                    *w = (*w - max).exp();
                    sum += *w;
                }
                let o_start = row_start(shape, b, t, h, value_dim);
                let o_row = &mut out[o_start..o_start + value_dim];
                for (s, w) in row.iter_mut().enumerate() {
                    *w /= sum;
                    let v_start = row_start(shape, b, s, h, value_dim);
                    for (o, &x) in o_row.iter_mut().zip(&v[v_start..v_start + value_dim]) {
                        *o += *w * x;
                    }
                }
            }
        }
    }
    (out, weights)
}

/// Gradients (dq, dk, dv) of [`forward`] from the weights P it returned and `d_out`:
/// dV = Pᵀ·dO, dP = dO·Vᵀ, dS = P ⊙ (dP − rowsum(dP ⊙ P)), dQ = dS·K·scale, dK = dSᵀ·Q·scale.
pub fn backward<F: NdFloat>(
    q: &[F],
    k: &[F],
    v: &[F],
    weights: &[F],
    d_out: &[F],
    shape: &AttentionShape,
    causal: bool,
) -> (Vec<F>, Vec<F>, Vec<F>) {
    let AttentionShape {
        batch,
        seq_len,
        num_heads,
        key_dim,
        value_dim,
    } = *shape;
    let scale = score_scale::<F>(key_dim);
    let mut dq = vec![F::zero(); q.len()];
    let mut dk = vec![F::zero(); k.len()];
    let mut dv = vec![F::zero(); v.len()];
    let mut d_scores = vec![F::zero(); seq_len];
    for b in 0..batch {
        for h in 0..num_heads {
            for t in 0..seq_len {
                let keys = visible(seq_len, t, causal);
                let w_start = weights_start(shape, b, h, t);
                let p_row = &weights[w_start..w_start + keys];
                let g_start = row_start(shape, b, t, h, value_dim);
                let g_row = &d_out[g_start..g_start + value_dim];
                let mut row_dot = F::zero();
                for (s, (ds, &p)) in d_scores.iter_mut().zip(p_row).enumerate() {
                    let v_start = row_start(shape, b, s, h, value_dim);
                    *ds = dot(g_row, &v[v_start..v_start + value_dim]);
                    row_dot += *ds * p;
                    for (g, &x) in dv[v_start..v_start + value_dim].iter_mut().zip(g_row) {
                        *g += p * x;
                    }
                }
                let q_start = row_start(shape, b, t, h, key_dim);
                for (s, (ds, &p)) in d_scores.iter_mut().zip(p_row).enumerate() {
                    *ds = p * (*ds - row_dot) * scale;
                    let k_start = row_start(shape, b, s, h, key_dim);
                    for d in 0..key_dim {
                        dq[q_start + d] += *ds * k[k_start + d];
                        dk[k_start + d] += *ds * q[q_start + d];
                    }
                }
            }
        }
    }
    (dq, dk, dv)
}
