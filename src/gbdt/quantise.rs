//! Fixed-point quantisation of gradients and hessians for integer-atomic histograms.
//!
//! WGSL has 32-bit integer atomics only, so a histogram bin is an `i32` sum. The scale is
//! chosen so that no sum can overflow: with `n` rows in the bag, every quantised value lies in
//! `[-q_max, q_max]` with `q_max = floor((2^31 - 1) / n)`, hence any sum over at most `n` rows
//! (every bin of every leaf) stays within `i32`. The gradient scale is `q_max / max|g|` (the
//! hessian's `q_max / max|h|`), so the largest value uses the full range. Integer sums do not
//! depend on the order of addition: histograms are exact and identical on every device.
//! Precision is `max|g| / q_max` per row (about 2^-11 of max|g| at one million rows), and the
//! rounding errors of a sum grow like its square root, well below the noise of the split gains.

/// The quantised gradients of one boosting round and the scales that undo the quantisation.
#[derive(Debug, Clone, PartialEq)]
pub struct QuantisedGradients {
    /// Interleaved `(gradient, hessian)` fixed-point pairs, one per training row (rows out of
    /// the bag have `(0, 0)`).
    pub pairs: Vec<i32>,
    /// Fixed-point units per gradient unit.
    pub grad_scale: f64,
    /// Fixed-point units per hessian unit.
    pub hess_scale: f64,
}

/// The largest quantised magnitude for which `rows` values always sum within `i32`.
pub fn max_quantised(rows: usize) -> i64 {
    (i64::from(i32::MAX) / rows.max(1) as i64).max(1)
}

/// Quantises the gradients and hessians of the rows where `in_bag` is true (all when `None`).
pub fn quantise(grad: &[f64], hess: &[f64], in_bag: Option<&[bool]>) -> QuantisedGradients {
    let bagged = |i: usize| in_bag.is_none_or(|bag| bag[i]);
    let rows = (0..grad.len()).filter(|&i| bagged(i)).count();
    let q_max = max_quantised(rows);
    let max_abs = |v: &[f64]| {
        (0..v.len())
            .filter(|&i| bagged(i))
            .fold(0.0f64, |m, i| m.max(v[i].abs()))
    };
    let scale_of = |m: f64| if m > 0.0 { q_max as f64 / m } else { 1.0 };
    let grad_scale = scale_of(max_abs(grad));
    let hess_scale = scale_of(max_abs(hess));
    let q = |v: f64, s: f64| (v * s).round().clamp(-(q_max as f64), q_max as f64) as i32;
    let mut pairs = vec![0i32; 2 * grad.len()];
    for i in (0..grad.len()).filter(|&i| bagged(i)) {
        pairs[2 * i] = q(grad[i], grad_scale);
        pairs[2 * i + 1] = q(hess[i], hess_scale);
    }
    QuantisedGradients {
        pairs,
        grad_scale,
        hess_scale,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worst_case_sums_fit_in_i32_and_values_round_trip() {
        for rows in [1usize, 7, 1000, 1_000_000] {
            let grad: Vec<f64> = (0..rows)
                .map(|i| if i % 2 == 0 { -3.0 } else { 3.0 })
                .collect();
            let q = quantise(&grad, &vec![1.0; rows], None);
            let sum: i64 = q.pairs.iter().step_by(2).map(|&v| i64::from(v).abs()).sum();
            assert!(sum <= i64::from(i32::MAX), "rows {rows}");
            let hess: i64 = q
                .pairs
                .iter()
                .skip(1)
                .step_by(2)
                .map(|&v| i64::from(v))
                .sum();
            assert!(hess <= i64::from(i32::MAX));
            assert_eq!(f64::from(q.pairs[0]) / q.grad_scale, -3.0);
        }
        let grad = [0.5, -0.25, 1.0, 0.0];
        let q = quantise(&grad, &[1.0; 4], Some(&[true, true, false, true]));
        assert_eq!(q.pairs[4..6], [0, 0]);
        let err = (f64::from(q.pairs[2]) / q.grad_scale + 0.25).abs();
        assert!(err <= 0.5 / q.grad_scale);
    }
}
