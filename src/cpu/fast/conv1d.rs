//! The dilated causal convolution of `cpu::conv1d` as GEMMs over an im2col matrix: row
//! (b, t) of `cols` holds the K taps `x[b, t-(K-1-k)·d, :]` side by side (zeros before the
//! start), so `y = cols·W` with W `[K·Cin, Cout]` as stored, `dw = colsᵀ·dy`, and
//! `dx = dcols·Wᵀ` where row (b, t) of `dcols` holds `dy[b, t+(K-1-k)·d, :]` per tap.
//!
//! Every GEMM is split into fixed row blocks (see `gemm::par_gemm`), so the result does not
//! depend on the thread count.

use rayon::prelude::*;

use super::gemm::{Mat, par_gemm, par_gemm_short};
use crate::ops::Conv1dShape;

/// Row (b, t) of the result holds `src[b, t + sign·shift(k), :]` for each tap k, or zeros
/// where that time lies outside 0..T: the im2col matrix `[B·T, K·width]` of `src` `[B,T,width]`.
fn taps(src: &[f32], width: usize, s: &Conv1dShape, look_back: bool) -> Vec<f32> {
    let (t_len, kernel) = (s.time, s.kernel_size);
    let row_len = kernel * width;
    let mut cols = vec![0.0f32; s.batch * t_len * row_len];
    if row_len == 0 || t_len == 0 {
        return cols;
    }
    cols.par_chunks_mut(t_len * row_len)
        .zip(src.par_chunks(t_len * width))
        .for_each(|(cols, src)| {
            for (t, row) in cols.chunks_exact_mut(row_len).enumerate() {
                for (k, dst) in row.chunks_exact_mut(width).enumerate() {
                    let shift = s.shift(k);
                    let from = if look_back {
                        t.checked_sub(shift)
                    } else {
                        Some(t + shift).filter(|&u| u < t_len)
                    };
                    if let Some(u) = from {
                        dst.copy_from_slice(&src[u * width..(u + 1) * width]);
                    }
                }
            }
        });
    cols
}

/// The forward pass of `cpu::conv1d::conv1d_forward`; returns y `[B,T,Cout]`.
pub fn conv1d_forward(x: &[f32], w: &[f32], bias: Option<&[f32]>, s: &Conv1dShape) -> Vec<f32> {
    let (rows, cin, cout) = (s.batch * s.time, s.in_channels, s.out_channels);
    let depth = s.kernel_size * cin;
    let cols = taps(x, cin, s, true);
    let mut y = vec![0.0f32; rows * cout];
    if let Some(bias) = bias {
        for row in y.chunks_exact_mut(cout) {
            row.copy_from_slice(bias);
        }
    }
    let beta = if bias.is_some() { 1.0 } else { 0.0 };
    par_gemm(
        1.0,
        Mat::rows(&cols, rows, depth),
        Mat::rows(w, depth, cout),
        beta,
        &mut y,
        cout,
    );
    y
}

/// The input gradient of `cpu::conv1d::conv1d_backward_input`; returns dx `[B,T,Cin]`.
pub fn conv1d_backward_input(w: &[f32], dy: &[f32], s: &Conv1dShape) -> Vec<f32> {
    let (rows, cin, cout, kernel) = (
        s.batch * s.time,
        s.in_channels,
        s.out_channels,
        s.kernel_size,
    );
    let dcols = taps(dy, cout, s, false);
    // Wᵀ per tap, stacked: row (k, co) of `w_t` is w[k, :, co].
    let mut w_t = vec![0.0f32; kernel * cout * cin];
    for k in 0..kernel {
        for ci in 0..cin {
            for co in 0..cout {
                w_t[(k * cout + co) * cin + ci] = w[(k * cin + ci) * cout + co];
            }
        }
    }
    let mut dx = vec![0.0f32; rows * cin];
    par_gemm(
        1.0,
        Mat::rows(&dcols, rows, kernel * cout),
        Mat::rows(&w_t, kernel * cout, cin),
        0.0,
        &mut dx,
        cin,
    );
    dx
}

/// The weight gradient of `cpu::conv1d::conv1d_backward_weight`; returns dw `[K,Cin,Cout]`.
pub fn conv1d_backward_weight(x: &[f32], dy: &[f32], s: &Conv1dShape) -> Vec<f32> {
    let (rows, cin, cout) = (s.batch * s.time, s.in_channels, s.out_channels);
    let depth = s.kernel_size * cin;
    let cols = taps(x, cin, s, true);
    par_gemm_short(Mat::rows(&cols, rows, depth).t(), Mat::rows(dy, rows, cout))
}
