//! CPU reference of `shaders/mse.wgsl`: mean squared error and its gradient (f64 sums).

use super::real::Real;

/// `Σ (pred - target)² / n` over all `n` (> 0) elements.
pub fn mse_loss<F: Real>(pred: &[F], target: &[F]) -> F {
    let sum: f64 = pred
        .iter()
        .zip(target)
        .map(|(&p, &t)| (p.into() - t.into()).powi(2))
        .sum();
    F::from_f64(sum / pred.len() as f64)
}

/// `dpred = 2 · (pred - target) / n · scale`.
pub fn mse_backward<F: Real>(pred: &[F], target: &[F], scale: f64) -> Vec<F> {
    let factor = 2.0 * scale / pred.len() as f64;
    pred.iter()
        .zip(target)
        .map(|(&p, &t)| F::from_f64((p.into() - t.into()) * factor))
        .collect()
}
