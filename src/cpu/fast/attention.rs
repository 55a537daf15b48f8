//! The attention core of `cpu::attention` with GEMMs per (batch entry, head): scores
//! `S = Q_h·K_hᵀ·scale`, a row softmax, `O_h = P·V_h`; backward `dV_h = Pᵀ·dO_h`,
//! `dP = dO_h·V_hᵀ`, `dS = P ⊙ (dP − rowsum(dP ⊙ P))·scale`, `dQ_h = dS·K_h`, `dK_h = dSᵀ·Q_h`.
//! Heads are strided views of the `[B,T,H·d]` tensors, so nothing is copied.
//!
//! Batch entries run on rayon threads; each is computed by one thread in a fixed order, so
//! the result does not depend on the thread count.

use rayon::prelude::*;

use super::gemm::{Mat, MatMut, gemm};
use crate::ops::AttentionShape;

/// `1 / sqrt(dk)`, rounded as the reference rounds it.
fn score_scale(key_dim: usize) -> f32 {
    1.0 / (key_dim as f32).sqrt()
}

/// Head `h` of one batch entry's `[T, H·width]` rows: a `T × width` view.
fn head(data: &[f32], seq_len: usize, heads: usize, width: usize, h: usize) -> Mat<'_> {
    Mat::new(&data[h * width..], seq_len, width, heads * width, 1)
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
        key_dim: dk,
        value_dim: dv,
    } = *shape;
    let scale = score_scale(dk);
    let mut out = vec![0.0f32; batch * t_len * heads * dv];
    let mut weights = vec![0.0f32; batch * heads * t_len * t_len];
    if batch * t_len == 0 {
        return (out, weights);
    }
    out.par_chunks_mut(t_len * heads * dv)
        .zip(weights.par_chunks_mut(heads * t_len * t_len))
        .enumerate()
        .for_each(|(b, (out, weights))| {
            let (q, k, v) = (
                &q[b * t_len * heads * dk..(b + 1) * t_len * heads * dk],
                &k[b * t_len * heads * dk..(b + 1) * t_len * heads * dk],
                &v[b * t_len * heads * dv..(b + 1) * t_len * heads * dv],
            );
            for (h, p) in weights.chunks_exact_mut(t_len * t_len).enumerate() {
                let (qh, kh) = (head(q, t_len, heads, dk, h), head(k, t_len, heads, dk, h));
                gemm(scale, qh, kh.t(), 0.0, MatMut::rows(p, t_len, t_len));
                for (t, row) in p.chunks_exact_mut(t_len).enumerate() {
                    let visible = if causal { t + 1 } else { t_len };
                    let (row, masked) = row.split_at_mut(visible);
                    masked.fill(0.0);
                    let max = row.iter().fold(f32::NEG_INFINITY, |m, &s| m.max(s));
                    let mut sum = 0.0f32;
                    for s in row.iter_mut() {
                        *s = (*s - max).exp();
                        sum += *s;
                    }
                    for s in row.iter_mut() {
                        *s /= sum;
                    }
                }
                let o = MatMut::new(&mut out[h * dv..], t_len, dv, heads * dv, 1);
                gemm(
                    1.0,
                    Mat::rows(p, t_len, t_len),
                    head(v, t_len, heads, dv, h),
                    0.0,
                    o,
                );
            }
        });
    (out, weights)
}

/// Gradients (dq, dk, dv) of [`forward`] from its weights and `d_out`.
pub fn backward(
    q: &[f32],
    k: &[f32],
    v: &[f32],
    weights: &[f32],
    d_out: &[f32],
    shape: &AttentionShape,
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
            let mut ds = vec![0.0f32; t_len * t_len];
            for (h, p) in weights.chunks_exact(t_len * t_len).enumerate() {
                let p = Mat::rows(p, t_len, t_len);
                let d_o = head(d_out, t_len, heads, vd, h);
                let dv_h = MatMut::new(&mut dv[h * vd..], t_len, vd, heads * vd, 1);
                gemm(1.0, p.t(), d_o, 0.0, dv_h);
                // dP = dO·Vᵀ into ds, then dS in place.
                gemm(
                    1.0,
                    d_o,
                    head(v, t_len, heads, vd, h).t(),
                    0.0,
                    MatMut::rows(&mut ds, t_len, t_len),
                );
                let p_rows = &weights[h * t_len * t_len..(h + 1) * t_len * t_len];
                for (d_row, p_row) in ds.chunks_exact_mut(t_len).zip(p_rows.chunks_exact(t_len)) {
                    let row_dot = d_row
                        .iter()
                        .zip(p_row)
                        .fold(0.0f32, |acc, (&d, &p)| acc + d * p);
                    for (d, &p) in d_row.iter_mut().zip(p_row) {
                        *d = p * (*d - row_dot) * scale;
                    }
                }
                let ds_m = Mat::rows(&ds, t_len, t_len);
                let dq_h = MatMut::new(&mut dq[h * kd..], t_len, kd, heads * kd, 1);
                gemm(1.0, ds_m, head(k, t_len, heads, kd, h), 0.0, dq_h);
                let dk_h = MatMut::new(&mut dk[h * kd..], t_len, kd, heads * kd, 1);
                gemm(1.0, ds_m.t(), head(q, t_len, heads, kd, h), 0.0, dk_h);
            }
        });
    (dq, dk_all, dv_all)
}
