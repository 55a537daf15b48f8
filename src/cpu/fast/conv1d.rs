//! The dilated causal convolution of `cpu::conv1d` as GEMMs (im2col): the K shifted copies of
//! the input side by side form `cols [B·T, K·Cin]`, whose product with the weights
//! `[K·Cin, Cout]` (their storage order already) is the output. The input gradient is
//! `dy·Wᵀ` folded back onto the shifted rows, the weight gradient `colsᵀ·dy`.
//!
//! Rows of a sample before a tap's shift read the causal zero padding. Work is split into
//! blocks that depend on the shape only and each element is summed by one thread, so the
//! results do not depend on the thread count.

use rayon::prelude::*;

use super::gemm::{Mat, par_gemm, par_gemm_short};
use crate::descriptors::conv1d::Conv1dShape;

/// Rows per parallel block of the copies into and out of `cols`.
const ROWS: usize = 64;

/// `cols [B·T, K·Cin]`: block k of row (b, t) is x[b, t − shift(k)], or zeros before the start.
fn im2col(x: &[f32], s: &Conv1dShape) -> Vec<f32> {
    let (t_len, cin) = (s.time, s.in_channels);
    let width = s.kernel_size * cin;
    let mut cols = vec![0.0f32; s.batch * t_len * width];
    cols.par_chunks_mut(ROWS * width)
        .enumerate()
        .for_each(|(block, cols)| {
            for (offset, col_row) in cols.chunks_exact_mut(width).enumerate() {
                let row = block * ROWS + offset;
                let t = row % t_len;
                for (k, tap) in col_row.chunks_exact_mut(cin).enumerate() {
                    let shift = s.shift(k);
                    if shift <= t {
                        tap.copy_from_slice(&x[(row - shift) * cin..(row - shift + 1) * cin]);
                    }
                }
            }
        });
    cols
}

/// The forward pass of `cpu::conv1d::conv1d_forward`; returns y `[B,T,Cout]`.
pub fn conv1d_forward(x: &[f32], w: &[f32], bias: Option<&[f32]>, s: &Conv1dShape) -> Vec<f32> {
    let rows = s.batch * s.time;
    let (width, cout) = (s.kernel_size * s.in_channels, s.out_channels);
    let mut y = vec![0.0f32; rows * cout];
    if y.is_empty() {
        return y;
    }
    if let Some(bias) = bias {
        for y_row in y.chunks_exact_mut(cout) {
            y_row.copy_from_slice(bias);
        }
    }
    let cols = im2col(x, s);
    par_gemm(
        1.0,
        Mat::rows(&cols, rows, width),
        Mat::rows(w, width, cout),
        if bias.is_some() { 1.0 } else { 0.0 },
        &mut y,
        cout,
    );
    y
}

/// The input gradient of `cpu::conv1d::conv1d_backward_input`; returns dx `[B,T,Cin]`.
pub fn conv1d_backward_input(w: &[f32], dy: &[f32], s: &Conv1dShape) -> Vec<f32> {
    let (t_len, cin, cout) = (s.time, s.in_channels, s.out_channels);
    let rows = s.batch * t_len;
    let width = s.kernel_size * cin;
    let mut dx = vec![0.0f32; rows * cin];
    if dx.is_empty() {
        return dx;
    }
    // dcols[(b,t), k] = ∂L/∂x[b, t − shift(k)] through tap k.
    let mut dcols = vec![0.0f32; rows * width];
    par_gemm(
        1.0,
        Mat::rows(dy, rows, cout),
        Mat::rows(w, width, cout).t(),
        0.0,
        &mut dcols,
        width,
    );
    // dx[b, t] = Σ_k dcols[(b, t + shift(k)), k] over the taps that reach inside the sample.
    dx.par_chunks_mut(ROWS * cin)
        .enumerate()
        .for_each(|(block, dx)| {
            for (offset, dx_row) in dx.chunks_exact_mut(cin).enumerate() {
                let row = block * ROWS + offset;
                let t = row % t_len;
                for k in 0..s.kernel_size {
                    let shift = s.shift(k);
                    if shift >= t_len - t {
                        continue;
                    }
                    let start = (row + shift) * width + k * cin;
                    for (d, &g) in dx_row.iter_mut().zip(&dcols[start..start + cin]) {
                        *d += g;
                    }
                }
            }
        });
    dx
}

/// The weight gradient of `cpu::conv1d::conv1d_backward_weight`; returns dw `[K,Cin,Cout]`.
pub fn conv1d_backward_weight(x: &[f32], dy: &[f32], s: &Conv1dShape) -> Vec<f32> {
    let rows = s.batch * s.time;
    let (width, cout) = (s.kernel_size * s.in_channels, s.out_channels);
    if rows == 0 {
        return vec![0.0f32; width * cout];
    }
    let cols = im2col(x, s);
    par_gemm_short(Mat::rows(&cols, rows, width).t(), Mat::rows(dy, rows, cout))
}
