//! Exact one-sided binomial test against a fair coin, computed in log space so it stays exact
//! (to f64 rounding) for the tens of thousands of trials of a full test split.

/// P(X >= `hits`) for X ~ Binomial(`trials`, 0.5): the one-sided p-value of scoring at least
/// `hits` correct directions out of `trials` by guessing. Returns 1.0 when `hits` is 0 and 0.0
/// when `hits` exceeds `trials`.
pub fn binomial_upper_tail_half(hits: usize, trials: usize) -> f64 {
    if hits == 0 {
        return 1.0;
    }
    if hits > trials {
        return 0.0;
    }
    let n = trials as f64;
    // ln C(n, hits), then each following term by the ratio C(n, i + 1) / C(n, i) = (n - i) / (i + 1).
    let mut log_term: f64 = (1..=hits)
        .map(|j| ((trials - hits + j) as f64 / j as f64).ln())
        .sum();
    let mut log_terms = Vec::with_capacity(trials - hits + 1);
    for i in hits..=trials {
        log_terms.push(log_term);
        if i < trials {
            log_term += ((trials - i) as f64 / (i + 1) as f64).ln();
        }
    }
    let max = log_terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let sum: f64 = log_terms.iter().map(|t| (t - max).exp()).sum();
    (max + sum.ln() - n * std::f64::consts::LN_2).exp().min(1.0)
}

#[cfg(test)]
mod tests {
    use super::binomial_upper_tail_half;

    #[test]
    fn small_cases_match_direct_enumeration() {
        // n = 3: P(X >= k) = (C(3,k) + ... + C(3,3)) / 8.
        assert_eq!(binomial_upper_tail_half(0, 3), 1.0);
        assert!((binomial_upper_tail_half(1, 3) - 7.0 / 8.0).abs() < 1e-15);
        assert!((binomial_upper_tail_half(2, 3) - 4.0 / 8.0).abs() < 1e-15);
        assert!((binomial_upper_tail_half(3, 3) - 1.0 / 8.0).abs() < 1e-15);
        assert_eq!(binomial_upper_tail_half(4, 3), 0.0);
    }

    #[test]
    fn large_trial_counts_stay_finite_and_exact() {
        // Symmetry: for odd n, P(X >= (n + 1) / 2) = 0.5 exactly.
        let p = binomial_upper_tail_half(10_001, 20_001);
        assert!((p - 0.5).abs() < 1e-9, "{p}");
        // All hits out of 2000: 2^-2000 underflows f64 to 0, never NaN.
        let p = binomial_upper_tail_half(2000, 2000);
        assert!((0.0..1e-300).contains(&p), "{p}");
    }
}
