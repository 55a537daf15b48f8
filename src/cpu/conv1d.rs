//! CPU reference of `shaders/conv1d.wgsl`: dilated causal convolution and its input and
//! weight gradients over row-major slices, in a fixed loop order (deterministic). The inner
//! loops run over the contiguous channel axis so they vectorise.

use crate::descriptors::conv1d::Conv1dShape;

/// `y[b,t,co] = bias[co] + Σ_{k,ci} w[k,ci,co] · x[b, t-(K-1-k)·d, ci]`; returns y `[B,T,Cout]`.
pub fn conv1d_forward(x: &[f32], w: &[f32], bias: Option<&[f32]>, s: &Conv1dShape) -> Vec<f32> {
    let (t_len, cin, cout) = (s.time, s.in_channels, s.out_channels);
    let mut y = vec![0.0f32; s.batch * t_len * cout];
    for (row, y_row) in y.chunks_exact_mut(cout).enumerate() {
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
    y
}

/// `dx[b,t,ci] = Σ_{k,co} w[k,ci,co] · dy[b, t+(K-1-k)·d, co]` over `t+(K-1-k)·d < T`;
/// returns dx `[B,T,Cin]`.
pub fn conv1d_backward_input(w: &[f32], dy: &[f32], s: &Conv1dShape) -> Vec<f32> {
    let (t_len, cin, cout) = (s.time, s.in_channels, s.out_channels);
    let mut dx = vec![0.0f32; s.batch * t_len * cin];
    for (row, dx_row) in dx.chunks_exact_mut(cin).enumerate() {
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
    dx
}

/// `dw[k,ci,co] = Σ_{b,t} x[b, t-(K-1-k)·d, ci] · dy[b,t,co]`, summed in (b, t) order;
/// returns dw `[K,Cin,Cout]`.
pub fn conv1d_backward_weight(x: &[f32], dy: &[f32], s: &Conv1dShape) -> Vec<f32> {
    let (t_len, cin, cout) = (s.time, s.in_channels, s.out_channels);
    let mut dw = vec![0.0f32; s.kernel_size * cin * cout];
    for (k, dw_k) in dw.chunks_exact_mut(cin * cout).enumerate() {
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
    }
    dw
}
