//! The dilated causal convolution of `cpu::conv1d`, bit-identical to it, on rayon threads:
//! the output rows (forward, input gradient) or the taps (weight gradient) are split into
//! fixed blocks, and every element is summed in the reference's order by one thread.
//!
//! Why not im2col GEMMs (tried, about 2× faster on one core): the GEMM's fused multiply-adds
//! and accumulation order change the last bits, and the gradient of the attention key bias
//! behind a TCN is pure rounding noise that Adam normalises, so kernels-tests/models.rs
//! (one training step, GPU vs CPU, parameter by parameter) needs the reference's order.

use rayon::prelude::*;

use crate::ops::Conv1dShape;

/// Output rows per parallel block.
const ROWS: usize = 64;

/// The forward pass of `cpu::conv1d::conv1d_forward`; returns y `[B,T,Cout]`.
pub fn conv1d_forward(x: &[f32], w: &[f32], bias: Option<&[f32]>, s: &Conv1dShape) -> Vec<f32> {
    let (t_len, cin, cout) = (s.time, s.in_channels, s.out_channels);
    let mut y = vec![0.0f32; s.batch * t_len * cout];
    if y.is_empty() {
        return y;
    }
    y.par_chunks_mut(ROWS * cout)
        .enumerate()
        .for_each(|(block, y)| {
            for (offset, y_row) in y.chunks_exact_mut(cout).enumerate() {
                let row = block * ROWS + offset;
                if let Some(bias) = bias {
                    y_row.copy_from_slice(bias);
                }
                let t = row % t_len;
                for k in 0..s.kernel_size {
                    let shift = s.shift(k);
                    if shift > t {
                        continue;
                    }
                    let x_row = &x[(row - shift) * cin..(row - shift + 1) * cin];
                    for (ci, &xv) in x_row.iter().enumerate() {
                        let w_row = &w[(k * cin + ci) * cout..(k * cin + ci + 1) * cout];
                        for (yv, &wv) in y_row.iter_mut().zip(w_row) {
                            *yv += wv * xv;
                        }
                    }
                }
            }
        });
    y
}

/// The input gradient of `cpu::conv1d::conv1d_backward_input`; returns dx `[B,T,Cin]`.
pub fn conv1d_backward_input(w: &[f32], dy: &[f32], s: &Conv1dShape) -> Vec<f32> {
    let (t_len, cin, cout) = (s.time, s.in_channels, s.out_channels);
    let mut dx = vec![0.0f32; s.batch * t_len * cin];
    if dx.is_empty() {
        return dx;
    }
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
                    let dy_row = &dy[(row + shift) * cout..(row + shift + 1) * cout];
                    for (ci, dxv) in dx_row.iter_mut().enumerate() {
                        let w_row = &w[(k * cin + ci) * cout..(k * cin + ci + 1) * cout];
                        let dot: f32 = w_row.iter().zip(dy_row).map(|(&a, &b)| a * b).sum();
                        *dxv += dot;
                    }
                }
            }
        });
    dx
}

/// The weight gradient of `cpu::conv1d::conv1d_backward_weight` (summed over (b, t) in
/// order), one tap per parallel task; returns dw `[K,Cin,Cout]`.
pub fn conv1d_backward_weight(x: &[f32], dy: &[f32], s: &Conv1dShape) -> Vec<f32> {
    let (t_len, cin, cout) = (s.time, s.in_channels, s.out_channels);
    let mut dw = vec![0.0f32; s.kernel_size * cin * cout];
    dw.par_chunks_mut(cin * cout)
        .enumerate()
        .for_each(|(k, dw_k)| {
            let shift = s.shift(k);
            for (row, dy_row) in dy.chunks_exact(cout).enumerate() {
                if shift > row % t_len {
                    continue;
                }
                let x_row = &x[(row - shift) * cin..(row - shift + 1) * cin];
                for (&xv, dw_row) in x_row.iter().zip(dw_k.chunks_exact_mut(cout)) {
                    for (dwv, &dyv) in dw_row.iter_mut().zip(dy_row) {
                        *dwv += xv * dyv;
                    }
                }
            }
        });
    dw
}
