//! CPU reference of `shaders/softmax.wgsl`: softmax over the last axis of a row-major
//! `rows × cols` slice and its backward, accumulating in f64.

use super::real::Real;

/// `y[r, c] = exp(x[r, c] - max_r) / Σ_c' exp(x[r, c'] - max_r)` for rows of `cols` (> 0).
pub fn softmax_forward<F: Real>(x: &[F], cols: usize) -> Vec<F> {
    let mut out = Vec::with_capacity(x.len());
    for row in x.chunks_exact(cols) {
        let max = row.iter().fold(F::neg_infinity(), |m, &v| m.max(v));
        let exps: Vec<f64> = row.iter().map(|&v| (v - max).into().exp()).collect();
        let sum: f64 = exps.iter().sum();
        out.extend(exps.iter().map(|&e| F::from_f64(e / sum)));
    }
    out
}

/// `dx[r, c] = y[r, c] · (dy[r, c] - Σ_c' dy[r, c'] · y[r, c'])` for rows of `cols` (> 0).
pub fn softmax_backward<F: Real>(y: &[F], dy: &[F], cols: usize) -> Vec<F> {
    let mut out = Vec::with_capacity(y.len());
    for (y_row, dy_row) in y.chunks_exact(cols).zip(dy.chunks_exact(cols)) {
        let dot: f64 = y_row
            .iter()
            .zip(dy_row)
            .map(|(&y, &d)| y.into() * d.into())
            .sum();
        out.extend(
            y_row
                .iter()
                .zip(dy_row)
                .map(|(&y, &d)| F::from_f64(y.into() * (d.into() - dot))),
        );
    }
    out
}
