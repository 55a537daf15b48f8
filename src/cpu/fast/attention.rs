//! The attention core of `cpu::attention`, bit-identical to it but laid out for speed: batch
//! entries run on rayon threads, and the loops are interchanged so the innermost one runs over
//! a contiguous axis and vectorises, while every sum keeps the reference's order (scores and
//! `dP = dO·Vᵀ` as dot products accumulated d = 0, 1, … with the key axis innermost, through a
//! transposed copy of the head's K or V; `out`, `dQ`, `dK`, `dV` as the reference's
//! row updates).
//!
//! Why the reference's order rather than GEMMs: the gradient of the key bias is zero in exact
//! arithmetic (a constant added to every key cancels in the softmax), so what training sees is
//! rounding noise, which Adam divides by its own size; kernels-tests/models.rs compares one
//! training step on the GPU and the CPU parameter by parameter, and only the reference's order
//! reproduces the GPU kernel's noise there.

use rayon::prelude::*;

use crate::descriptors::attention::AttentionShape;

/// `1 / sqrt(dk)`, rounded as the reference rounds it.
fn score_scale(key_dim: usize) -> f32 {
    1.0 / (key_dim as f32).sqrt()
}

/// Keys visible to query t: all T, or 0..=t with the causal mask.
fn visible(seq_len: usize, t: usize, causal: bool) -> usize {
    if causal { t + 1 } else { seq_len }
}

/// Head `h` of one batch entry's `[T, H·width]` rows, transposed into `out` `[width, T]`.
fn transpose_head(
    src: &[f32],
    seq_len: usize,
    heads: usize,
    width: usize,
    h: usize,
    out: &mut [f32],
) {
    for t in 0..seq_len {
        let row = &src[(t * heads + h) * width..][..width];
        for (d, &v) in row.iter().enumerate() {
            out[d * seq_len + t] = v;
        }
    }
}

/// `dots[s] = Σ_d a[d]·bt[d][s]` for s < dots.len(), summed d = 0, 1, … as a scalar fold.
fn dots_in_order(a: &[f32], bt: &[f32], seq_len: usize, dots: &mut [f32]) {
    dots.fill(0.0);
    for (d, &x) in a.iter().enumerate() {
        for (acc, &y) in dots.iter_mut().zip(&bt[d * seq_len..]) {
            *acc += x * y;
        }
    }
}

/// `dst += alpha·src`.
fn axpy(dst: &mut [f32], alpha: f32, src: &[f32]) {
    for (o, &x) in dst.iter_mut().zip(src) {
        *o += alpha * x;
    }
}

/// `out = softmax(Q_h·K_hᵀ·scale)·V_h` per batch entry and head; returns (out, weights), the
/// weights `[B,H,T,T]` with masked entries (s > t when `causal`) exactly 0.
pub fn forward(
    q: &[f32],
    k: &[f32],
    v: &[f32],
    shape: &AttentionShape,
    causal: bool,
) -> (Vec<f32>, Vec<f32>) {
    let AttentionShape {
        batch,
        seq_len: t_len,
        num_heads: heads,
        key_dim: kd,
        value_dim: vd,
    } = *shape;
    let scale = score_scale(kd);
    let mut out = vec![0.0f32; batch * t_len * heads * vd];
    let mut weights = vec![0.0f32; batch * heads * t_len * t_len];
    if batch * t_len == 0 {
        return (out, weights);
    }
    let (qk_len, v_len) = (t_len * heads * kd, t_len * heads * vd);
    out.par_chunks_mut(v_len)
        .zip(weights.par_chunks_mut(heads * t_len * t_len))
        .enumerate()
        .for_each(|(b, (out, weights))| {
            let (q, k, v) = (
                &q[b * qk_len..][..qk_len],
                &k[b * qk_len..][..qk_len],
                &v[b * v_len..][..v_len],
            );
            let mut kt = vec![0.0f32; kd * t_len];
            for (h, p) in weights.chunks_exact_mut(t_len * t_len).enumerate() {
                transpose_head(k, t_len, heads, kd, h, &mut kt);
                for (t, row) in p.chunks_exact_mut(t_len).enumerate() {
                    let row = &mut row[..visible(t_len, t, causal)];
                    dots_in_order(&q[(t * heads + h) * kd..][..kd], &kt, t_len, row);
                    let mut max = f32::NEG_INFINITY;
                    for w in row.iter_mut() {
                        *w *= scale;
                        max = max.max(*w);
                    }
                    let mut sum = 0.0f32;
                    for w in row.iter_mut() {
                        *w = (*w - max).exp();
                        sum += *w;
                    }
                    let o_row = &mut out[(t * heads + h) * vd..][..vd];
                    for (s, w) in row.iter_mut().enumerate() {
                        *w /= sum;
                        axpy(o_row, *w, &v[(s * heads + h) * vd..][..vd]);
                    }
                }
            }
        });
    (out, weights)
}

/// Gradients (dq, dk, dv) of [`forward`] from its weights and `d_out`:
/// dV = Pᵀ·dO, dP = dO·Vᵀ, dS = P ⊙ (dP − rowsum(dP ⊙ P))·scale, dQ = dS·K, dK = dSᵀ·Q.
pub fn backward(
    q: &[f32],
    k: &[f32],
    v: &[f32],
    weights: &[f32],
    d_out: &[f32],
    shape: &AttentionShape,
    causal: bool,
) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
    let AttentionShape {
        batch,
        seq_len: t_len,
        num_heads: heads,
        key_dim: kd,
        value_dim: vd,
    } = *shape;
    let scale = score_scale(kd);
    let mut dq = vec![0.0f32; q.len()];
    let mut dk_all = vec![0.0f32; k.len()];
    let mut dv_all = vec![0.0f32; v.len()];
    if batch * t_len == 0 {
        return (dq, dk_all, dv_all);
    }
    let (qk_len, v_len, p_len) = (
        t_len * heads * kd,
        t_len * heads * vd,
        heads * t_len * t_len,
    );
    dq.par_chunks_mut(qk_len)
        .zip(dk_all.par_chunks_mut(qk_len))
        .zip(dv_all.par_chunks_mut(v_len))
        .enumerate()
        .for_each(|(b, ((dq, dk), dv))| {
            let (q, k, v) = (
                &q[b * qk_len..][..qk_len],
                &k[b * qk_len..][..qk_len],
                &v[b * v_len..][..v_len],
            );
            let d_out = &d_out[b * v_len..][..v_len];
            let weights = &weights[b * p_len..][..p_len];
            let mut vt = vec![0.0f32; vd * t_len];
            let mut d_scores = vec![0.0f32; t_len];
            for (h, p) in weights.chunks_exact(t_len * t_len).enumerate() {
                transpose_head(v, t_len, heads, vd, h, &mut vt);
                for t in 0..t_len {
                    let keys = visible(t_len, t, causal);
                    let p_row = &p[t * t_len..][..keys];
                    let g_row = &d_out[(t * heads + h) * vd..][..vd];
                    let ds = &mut d_scores[..keys];
                    dots_in_order(g_row, &vt, t_len, ds);
                    let mut row_dot = 0.0f32;
                    for (s, (&d, &pv)) in ds.iter().zip(p_row).enumerate() {
                        row_dot += d * pv;
                        axpy(&mut dv[(s * heads + h) * vd..][..vd], pv, g_row);
                    }
                    let q_row = &q[(t * heads + h) * kd..][..kd];
                    for (s, (d, &pv)) in ds.iter_mut().zip(p_row).enumerate() {
                        *d = pv * (*d - row_dot) * scale;
                        let k_row = &k[(s * heads + h) * kd..][..kd];
                        axpy(&mut dq[(t * heads + h) * kd..][..kd], *d, k_row);
                        axpy(&mut dk[(s * heads + h) * kd..][..kd], *d, q_row);
                    }
                }
            }
        });
    (dq, dk_all, dv_all)
}
