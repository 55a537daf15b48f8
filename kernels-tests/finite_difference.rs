//! Central finite differences in f64, for checking the CPU references' gradients of single
//! kernels (the tape-level checks are in gradcheck.rs).

/// `∂f/∂x_i ≈ (f(x + h·e_i) - f(x - h·e_i)) / 2h` for every `i`.
pub fn central_difference(x: &[f64], h: f64, f: impl Fn(&[f64]) -> f64) -> Vec<f64> {
    let mut probe = x.to_vec();
    (0..x.len())
        .map(|i| {
            probe[i] = x[i] + h;
            let up = f(&probe);
            probe[i] = x[i] - h;
            let down = f(&probe);
            probe[i] = x[i];
            (up - down) / (2.0 * h)
        })
        .collect()
}

/// Asserts `|analytic - numeric| <= 1e-6 · (1 + |numeric|)` element by element; with f64
/// arithmetic and h = 1e-5 the differencing error is far below this.
pub fn assert_gradient(analytic: &[f64], numeric: &[f64], what: &str) {
    assert_eq!(analytic.len(), numeric.len(), "{what}: lengths differ");
    for (i, (&a, &n)) in analytic.iter().zip(numeric).enumerate() {
        assert!(
            (a - n).abs() <= 1e-6 * (1.0 + n.abs()),
            "{what}: element {i}: analytic {a}, finite difference {n}"
        );
    }
}

/// Deterministic values in [-1, 1) as f64 (the f32 test data widened).
pub fn random64(len: usize, seed: u64) -> Vec<f64> {
    crate::common::random(len, seed)
        .into_iter()
        .map(f64::from)
        .collect()
}

/// `Σ w_i · y_i`: a scalar loss whose gradient with respect to `y` is `w`.
pub fn weighted_sum(w: &[f64], y: &[f64]) -> f64 {
    w.iter().zip(y).map(|(a, b)| a * b).sum()
}
