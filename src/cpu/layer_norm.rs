//! CPU reference of `shaders/layer_norm.wgsl`: layer normalisation over the last axis of a
//! row-major `rows × cols` slice with affine `gamma`/`beta`, and its backward (f64 sums).

use super::real::Real;

/// The forward's outputs: the normalised values and the per-row statistics.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerNormForward<F> {
    /// `(x - mean) · rstd · gamma + beta`, row-major like `x`.
    pub y: Vec<F>,
    /// Mean of each row.
    pub mean: Vec<F>,
    /// `1 / sqrt(variance + eps)` of each row (biased variance, as Keras).
    pub rstd: Vec<F>,
}

/// The backward's outputs.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerNormGrads<F> {
    /// Gradient with respect to `x`.
    pub dx: Vec<F>,
    /// Gradient with respect to `gamma` (summed over rows in row order).
    pub dgamma: Vec<F>,
    /// Gradient with respect to `beta` (summed over rows in row order).
    pub dbeta: Vec<F>,
}

/// Normalises each row of `cols` (> 0) elements; `gamma` and `beta` have `cols` elements.
pub fn layer_norm_forward<F: Real>(
    x: &[F],
    gamma: &[F],
    beta: &[F],
    cols: usize,
    eps: f64,
) -> LayerNormForward<F> {
    let rows = x.len() / cols;
    let mut out = LayerNormForward {
        y: Vec::with_capacity(x.len()),
        mean: Vec::with_capacity(rows),
        rstd: Vec::with_capacity(rows),
    };
    let n = cols as f64;
    for row in x.chunks_exact(cols) {
        let mean = row.iter().map(|&v| v.into()).sum::<f64>() / n;
        let var = row.iter().map(|&v| (v.into() - mean).powi(2)).sum::<f64>() / n;
        let rstd = 1.0 / (var + eps).sqrt();
        out.y.extend(
            row.iter()
                .zip(gamma)
                .zip(beta)
                .map(|((&v, &g), &b)| F::from_f64((v.into() - mean) * rstd * g.into() + b.into())),
        );
        out.mean.push(F::from_f64(mean));
        out.rstd.push(F::from_f64(rstd));
    }
    out
}

/// Gradients of the forward given `dy`, reusing the forward's `mean` and `rstd`.
pub fn layer_norm_backward<F: Real>(
    x: &[F],
    gamma: &[F],
    mean: &[F],
    rstd: &[F],
    dy: &[F],
    cols: usize,
) -> LayerNormGrads<F> {
    let n = cols as f64;
    let mut dx = Vec::with_capacity(x.len());
    let mut dgamma = vec![0.0f64; cols];
    let mut dbeta = vec![0.0f64; cols];
    let rows = x.chunks_exact(cols).zip(dy.chunks_exact(cols));
    for (r, (x_row, dy_row)) in rows.enumerate() {
        let (mu, rs) = (mean[r].into(), rstd[r].into());
        let xhat: Vec<f64> = x_row.iter().map(|&v| (v.into() - mu) * rs).collect();
        let g: Vec<f64> = dy_row
            .iter()
            .zip(gamma)
            .map(|(&d, &w)| d.into() * w.into())
            .collect();
        let mean_g = g.iter().sum::<f64>() / n;
        let mean_gx = g.iter().zip(&xhat).map(|(a, b)| a * b).sum::<f64>() / n;
        for c in 0..cols {
            dx.push(F::from_f64(rs * (g[c] - mean_g - xhat[c] * mean_gx)));
            let d = dy_row[c].into();
            dgamma[c] += d * xhat[c];
            dbeta[c] += d;
        }
    }
    LayerNormGrads {
        dx,
        dgamma: dgamma.into_iter().map(F::from_f64).collect(),
        dbeta: dbeta.into_iter().map(F::from_f64).collect(),
    }
}
