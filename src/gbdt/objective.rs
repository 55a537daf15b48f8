//! Objectives: the per-row gradient and hessian of the loss, and the initial score.

/// A loss the booster minimises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Objective {
    /// ½(score − label)²: gradient score − label, hessian 1, initial score the mean label
    /// (LightGBM's `regression` with `boost_from_average`).
    SquaredError,
}

impl Objective {
    /// The name LightGBM writes in `model.txt` (`objective=...`).
    pub fn lightgbm_name(self) -> &'static str {
        match self {
            Objective::SquaredError => "regression",
        }
    }

    /// The constant score boosting starts from.
    pub fn initial_score(self, labels: &[f32]) -> f64 {
        match self {
            Objective::SquaredError => {
                if labels.is_empty() {
                    0.0
                } else {
                    labels.iter().map(|&y| f64::from(y)).sum::<f64>() / labels.len() as f64
                }
            }
        }
    }

    /// Writes the gradient and hessian of every row into `grad` and `hess`.
    pub fn gradients(self, scores: &[f64], labels: &[f32], grad: &mut [f64], hess: &mut [f64]) {
        match self {
            Objective::SquaredError => {
                for (i, (&s, &y)) in scores.iter().zip(labels).enumerate() {
                    grad[i] = s - f64::from(y);
                    hess[i] = 1.0;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn squared_error_gradient_matches_finite_differences() {
        let labels = [1.5f32, -2.0, 0.25];
        let scores = [0.5, 1.0, 0.25];
        let (mut g, mut h) = (vec![0.0; 3], vec![0.0; 3]);
        Objective::SquaredError.gradients(&scores, &labels, &mut g, &mut h);
        let loss = |s: f64, y: f32| 0.5 * (s - f64::from(y)).powi(2);
        for i in 0..3 {
            let e = 1e-4;
            let fd = (loss(scores[i] + e, labels[i]) - loss(scores[i] - e, labels[i])) / (2.0 * e);
            let fd2 = (loss(scores[i] + e, labels[i]) - 2.0 * loss(scores[i], labels[i])
                + loss(scores[i] - e, labels[i]))
                / (e * e);
            assert!((g[i] - fd).abs() < 1e-8, "grad {i}");
            assert!((h[i] - fd2).abs() < 1e-4, "hess {i}");
        }
        assert!((Objective::SquaredError.initial_score(&labels) + 0.0833333).abs() < 1e-6);
    }
}
