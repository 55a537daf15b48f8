//! The LSTM of `cpu::lstm` restructured for speed: the input projection of every step and
//! sample as one GEMM, then per step the recurrent product of a whole batch slice as one GEMM
//! `[b,H]·[H,4H]` with the gates fused into one loop; backward likewise (per step the gate
//! gradients of the slice, `dh_{t-1}` as one GEMM), then dx, dW_ih and dW_hh as one GEMM each
//! over all steps.
//!
//! Batch slices run on rayon threads. Samples never interact, and each element of a GEMM is
//! accumulated in the same order whatever the slice, so the result does not depend on the
//! thread count.

use rayon::prelude::*;

use super::gemm::{Mat, MatMut, gemm, par_gemm, par_gemm_short};
use super::math;
use super::threads;
use crate::cpu::lstm::{LstmGradients, LstmState, LstmStateRef};
use crate::descriptors::lstm::LstmShape;

/// The forward pass of `cpu::lstm::forward`, from h_{-1} = c_{-1} = 0.
pub fn forward(
    x: &[f32],
    w_ih: &[f32],
    w_hh: &[f32],
    bias: &[f32],
    shape: &LstmShape,
) -> LstmState<f32> {
    let LstmShape {
        batch,
        steps,
        features,
        hidden,
    } = *shape;
    let g4 = 4 * hidden;
    // gates ← x·W_ih for every (sample, step) row; the steps below add h·W_hh and the bias.
    let mut gates = vec![0.0f32; shape.gates_len()];
    par_gemm(
        1.0,
        Mat::rows(x, batch * steps, features),
        Mat::rows(w_ih, features, g4),
        0.0,
        &mut gates,
        g4,
    );
    let mut h = vec![0.0f32; shape.state_len()];
    let mut c = vec![0.0f32; shape.state_len()];
    let slice = threads::part_len(batch, threads::current());
    gates
        .par_chunks_mut(slice * steps * g4)
        .zip(h.par_chunks_mut(slice * steps * hidden))
        .zip(c.par_chunks_mut(slice * steps * hidden))
        .for_each(|((gates, h), c)| {
            let rows = h.len() / (steps * hidden);
            for t in 0..steps {
                if t > 0 {
                    let h_prev = Mat::new(&h[(t - 1) * hidden..], rows, hidden, steps * hidden, 1);
                    let z = MatMut::new(&mut gates[t * g4..], rows, g4, steps * g4, 1);
                    gemm(1.0, h_prev, Mat::rows(w_hh, hidden, g4), 1.0, z);
                }
                for b in 0..rows {
                    let row = b * steps + t;
                    let z = &mut gates[row * g4..(row + 1) * g4];
                    for (zv, &bv) in z.iter_mut().zip(bias) {
                        *zv += bv;
                    }
                    // Gate order i, f, g, o: sigmoid on i and f, tanh on g, sigmoid on o.
                    math::sigmoid_in_place(&mut z[..2 * hidden]);
                    math::tanh_in_place(&mut z[2 * hidden..3 * hidden]);
                    math::sigmoid_in_place(&mut z[3 * hidden..]);
                    let (i, rest) = z.split_at(hidden);
                    let (f, rest) = rest.split_at(hidden);
                    let (g, o) = rest.split_at(hidden);
                    let (done, now) = c.split_at_mut(row * hidden);
                    let c_row = &mut now[..hidden];
                    if t > 0 {
                        let c_prev = &done[(row - 1) * hidden..];
                        for j in 0..hidden {
                            c_row[j] = i[j] * g[j] + f[j] * c_prev[j];
                        }
                    } else {
                        for j in 0..hidden {
                            c_row[j] = i[j] * g[j];
                        }
                    }
                    let h_row = &mut h[row * hidden..(row + 1) * hidden];
                    math::tanh_into(c_row, h_row);
                    for (hv, &ov) in h_row.iter_mut().zip(o) {
                        *hv *= ov;
                    }
                }
            }
        });
    LstmState { h, c, gates }
}

/// Backward through time of [`forward`] for the upstream gradient `dh` `[B,T,H]`.
pub fn backward(
    x: &[f32],
    w_ih: &[f32],
    w_hh: &[f32],
    state: LstmStateRef<'_, f32>,
    dh: &[f32],
    shape: &LstmShape,
) -> LstmGradients<f32> {
    let LstmShape {
        batch,
        steps,
        features,
        hidden,
    } = *shape;
    let g4 = 4 * hidden;
    let rows_total = batch * steps;
    // dz[b,t,:] = ∂L/∂z_t (pre-activation gates), per batch slice through time.
    let mut dz = vec![0.0f32; shape.gates_len()];
    let slice = threads::part_len(batch, threads::current());
    dz.par_chunks_mut(slice * steps * g4)
        .enumerate()
        .for_each(|(part, dz)| {
            let rows = dz.len() / (steps * g4);
            let first = part * slice * steps;
            let gates = &state.gates[first * g4..(first + rows * steps) * g4];
            let cells = &state.c[first * hidden..(first + rows * steps) * hidden];
            let dh = &dh[first * hidden..(first + rows * steps) * hidden];
            let mut dh_rec = vec![0.0f32; rows * hidden];
            let mut dc_carry = vec![0.0f32; rows * hidden];
            let zeros = vec![0.0f32; hidden];
            let mut tanh_c = vec![0.0f32; hidden];
            for t in (0..steps).rev() {
                for b in 0..rows {
                    let row = b * steps + t;
                    let gate = &gates[row * g4..(row + 1) * g4];
                    let (gi, gf, gg, go) = (
                        &gate[..hidden],
                        &gate[hidden..2 * hidden],
                        &gate[2 * hidden..3 * hidden],
                        &gate[3 * hidden..],
                    );
                    let d = &mut dz[row * g4..(row + 1) * g4];
                    let (di, rest) = d.split_at_mut(hidden);
                    let (df, rest) = rest.split_at_mut(hidden);
                    let (dg, d_o) = rest.split_at_mut(hidden);
                    math::tanh_into(&cells[row * hidden..(row + 1) * hidden], &mut tanh_c);
                    let c_prev = if t > 0 {
                        &cells[(row - 1) * hidden..row * hidden]
                    } else {
                        &zeros[..]
                    };
                    let dh_row = &dh[row * hidden..(row + 1) * hidden];
                    let rec = &dh_rec[b * hidden..(b + 1) * hidden];
                    let carry = &mut dc_carry[b * hidden..(b + 1) * hidden];
                    for j in 0..hidden {
                        let (i, f, g, o) = (gi[j], gf[j], gg[j], go[j]);
                        let tc = tanh_c[j];
                        let dh_total = dh_row[j] + rec[j];
                        let dc = carry[j] + dh_total * o * (1.0 - tc * tc);
                        di[j] = dc * g * i * (1.0 - i);
                        df[j] = dc * c_prev[j] * f * (1.0 - f);
                        dg[j] = dc * i * (1.0 - g * g);
                        d_o[j] = dh_total * tc * o * (1.0 - o);
                        carry[j] = dc * f;
                    }
                }
                if t > 0 {
                    // dh_{t-1} = dz_t · W_hhᵀ for every sample of the slice.
                    let dz_t = Mat::new(&dz[t * g4..], rows, g4, steps * g4, 1);
                    gemm(
                        1.0,
                        dz_t,
                        Mat::rows(w_hh, hidden, g4).t(),
                        0.0,
                        MatMut::rows(&mut dh_rec, rows, hidden),
                    );
                }
            }
        });
    let dz_all = Mat::rows(&dz, rows_total, g4);
    let mut dx = vec![0.0f32; rows_total * features];
    par_gemm(
        1.0,
        dz_all,
        Mat::rows(w_ih, features, g4).t(),
        0.0,
        &mut dx,
        features,
    );
    let dw_ih = par_gemm_short(Mat::rows(x, rows_total, features).t(), dz_all);
    // h_{t-1} beside dz_t: h shifted one step within each sample, zero at t = 0.
    let mut h_prev = vec![0.0f32; rows_total * hidden];
    for (dst, src) in h_prev
        .chunks_exact_mut(steps * hidden)
        .zip(state.h.chunks_exact(steps * hidden))
    {
        dst[hidden..].copy_from_slice(&src[..(steps - 1) * hidden]);
    }
    let dw_hh = par_gemm_short(Mat::rows(&h_prev, rows_total, hidden).t(), dz_all);
    let mut dbias = vec![0.0f32; g4];
    for row in dz.chunks_exact(g4) {
        for (s, &v) in dbias.iter_mut().zip(row) {
            *s += v;
        }
    }
    LstmGradients {
        dx,
        dw_ih,
        dw_hh,
        dbias,
    }
}
