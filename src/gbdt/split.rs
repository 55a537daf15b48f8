//! Best split of a leaf from its histogram: per feature, prefix sums over the bins in both
//! missing-value directions, scored with LightGBM's gain and constraints.

use super::binning::BinMapper;
use super::histogram::{BinSums, Histogram};
use super::params::GbdtParams;

/// Fixed-point scales of the round's gradients (see [`mod@super::quantise`]).
#[derive(Debug, Clone, Copy)]
pub struct Scales {
    /// Fixed-point units per gradient unit.
    pub grad: f64,
    /// Fixed-point units per hessian unit.
    pub hess: f64,
}

impl Scales {
    /// The gradient sum of `s` in gradient units.
    pub fn grad(&self, s: BinSums) -> f64 {
        s.grad as f64 * (1.0 / self.grad)
    }

    /// The hessian sum of `s` in hessian units.
    pub fn hess(&self, s: BinSums) -> f64 {
        s.hess as f64 * (1.0 / self.hess)
    }
}

/// The best split found for a leaf.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SplitCandidate {
    /// Feature index.
    pub feature: usize,
    /// Last value bin going left.
    pub threshold_bin: usize,
    /// Missing values go left.
    pub default_left: bool,
    /// Gain over the unsplit leaf.
    pub gain: f64,
    /// Sums of the left child.
    pub left: BinSums,
    /// Sums of the right child.
    pub right: BinSums,
}

/// LightGBM's `ThresholdL1`: soft-thresholding of a gradient sum by `l1`.
fn threshold_l1(g: f64, l1: f64) -> f64 {
    if l1 == 0.0 {
        return g;
    }
    g.signum() * (g.abs() - l1).max(0.0)
}

/// The optimal (unshrunk) output of a leaf: `-ThresholdL1(G) / (H + λ2)`.
pub fn leaf_output(grad: f64, hess: f64, p: &GbdtParams) -> f64 {
    let denom = hess + p.lambda_l2;
    if denom <= 0.0 {
        return 0.0;
    }
    -threshold_l1(grad, p.lambda_l1) / denom
}

/// The loss reduction of a leaf at its optimal output: `ThresholdL1(G)² / (H + λ2)`.
pub fn leaf_gain(grad: f64, hess: f64, p: &GbdtParams) -> f64 {
    let denom = hess + p.lambda_l2;
    if denom <= 0.0 {
        return 0.0;
    }
    let g = threshold_l1(grad, p.lambda_l1);
    g * g / denom
}

/// The best split of a leaf with totals `total` over `features` (ascending), or `None` when no
/// split satisfies the constraints with gain above `min_gain_to_split`. Ties keep the first
/// candidate in (feature, direction, threshold) order, so the result is deterministic.
pub fn best_split(
    hist: &Histogram,
    total: BinSums,
    mappers: &[BinMapper],
    features: &[usize],
    scales: Scales,
    p: &GbdtParams,
) -> Option<SplitCandidate> {
    let parent_gain = leaf_gain(scales.grad(total), scales.hess(total), p);
    let min_count = p.min_data_in_leaf.max(1) as i64;
    let hess_ok = |s: BinSums| scales.hess(s) >= p.min_sum_hessian_in_leaf;
    let gain_of = |s: BinSums| leaf_gain(scales.grad(s), scales.hess(s), p);
    let mut best: Option<SplitCandidate> = None;
    for &f in features {
        let value_bins = mappers[f].value_bins();
        let nan = hist.bin(f, mappers[f].nan_bin());
        let directions: &[bool] = if nan.count > 0 {
            &[false, true]
        } else {
            &[false]
        };
        for &default_left in directions {
            let mut left = if default_left {
                nan
            } else {
                BinSums::default()
            };
            // With missing values on the right, "every value left" is a split too.
            let last = if default_left || nan.count == 0 {
                value_bins.saturating_sub(1)
            } else {
                value_bins
            };
            for t in 0..last {
                let bin = hist.bin(f, t);
                if bin.count == 0 && t > 0 {
                    // Same split as the previous threshold: no new candidate.
                    continue;
                }
                left = left + bin;
                let right = total - left;
                if right.count < min_count {
                    // The left side only grows from here on.
                    break;
                }
                if left.count < min_count || !hess_ok(left) || !hess_ok(right) {
                    continue;
                }
                let gain = gain_of(left) + gain_of(right) - parent_gain;
                if gain > p.min_gain_to_split && best.is_none_or(|b| gain > b.gain) {
                    best = Some(SplitCandidate {
                        feature: f,
                        threshold_bin: t,
                        default_left,
                        gain,
                        left,
                        right,
                    });
                }
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gbdt::binning::BinnedMatrix;
    use crate::gbdt::device::histogram_cpu::gbdt_histogram;

    /// Brute force over every (feature, threshold, direction) from raw rows.
    fn brute(
        bins: &BinnedMatrix,
        mappers: &[BinMapper],
        pairs: &[i32],
        p: &GbdtParams,
    ) -> Option<(usize, usize, bool, f64)> {
        let sc = Scales {
            grad: 1.0,
            hess: 1.0,
        };
        let sums = |rows: &[usize]| {
            rows.iter().fold(BinSums::default(), |a, &r| {
                a + BinSums {
                    grad: pairs[2 * r].into(),
                    hess: pairs[2 * r + 1].into(),
                    count: 1,
                }
            })
        };
        let all: Vec<usize> = (0..bins.rows()).collect();
        let total = sums(&all);
        let parent = leaf_gain(sc.grad(total), sc.hess(total), p);
        let mut best: Option<(usize, usize, bool, f64)> = None;
        for (f, m) in mappers.iter().enumerate() {
            for dl in [false, true] {
                for t in 0..m.value_bins() {
                    let goes_left = |r: usize| {
                        let b = bins.get(r, f);
                        if b == m.nan_bin() { dl } else { b <= t }
                    };
                    let l: Vec<usize> = all.iter().copied().filter(|&r| goes_left(r)).collect();
                    let r: Vec<usize> = all.iter().copied().filter(|&r| !goes_left(r)).collect();
                    let (ls, rs) = (sums(&l), sums(&r));
                    if ls.count < p.min_data_in_leaf.max(1) as i64
                        || rs.count < p.min_data_in_leaf.max(1) as i64
                    {
                        continue;
                    }
                    let gain = leaf_gain(sc.grad(ls), sc.hess(ls), p)
                        + leaf_gain(sc.grad(rs), sc.hess(rs), p)
                        - parent;
                    if gain > p.min_gain_to_split && best.is_none_or(|b| gain > b.3 + 1e-9) {
                        best = Some((f, t, dl, gain));
                    }
                }
            }
        }
        best
    }

    #[test]
    fn prefix_sum_search_matches_brute_force_with_missing_values() {
        let rows = 60;
        let values: Vec<f32> = (0..rows * 3)
            .map(|i| {
                if i % 11 == 4 {
                    f32::NAN
                } else {
                    ((i * 37) % 17) as f32
                }
            })
            .collect();
        let x = crate::gbdt::matrix::FeatureMatrix::with_default_names(rows, 3, values).unwrap();
        let mappers = crate::gbdt::binning::fit_bin_mappers(&x, 8);
        let bins = BinnedMatrix::new(&x, &mappers);
        let pairs: Vec<i32> = (0..rows)
            .flat_map(|r| {
                let nan_bonus = if x.get(r, 1).is_nan() { 500 } else { 0 };
                [((r * 31) % 23) as i32 * 10 - 100 + nan_bonus, 1]
            })
            .collect();
        let p = GbdtParams::default().min_data_in_leaf(3).lambda_l2(0.5);
        let rows_u32: Vec<u32> = (0..rows as u32).collect();
        let hist = gbdt_histogram(&bins, &rows_u32, &pairs);
        let sc = Scales {
            grad: 1.0,
            hess: 1.0,
        };
        let got = best_split(&hist, hist.totals(), &mappers, &[0, 1, 2], sc, &p).unwrap();
        let want = brute(&bins, &mappers, &pairs, &p).unwrap();
        assert_eq!(
            (got.feature, got.threshold_bin, got.default_left),
            (want.0, want.1, want.2)
        );
        assert!((got.gain - want.3).abs() < 1e-9);
        assert_eq!(got.left + got.right, hist.totals());
        // Constraints: nothing passes when min_data_in_leaf exceeds half the rows.
        let strict = p.clone().min_data_in_leaf(31);
        assert!(best_split(&hist, hist.totals(), &mappers, &[0, 1, 2], sc, &strict).is_none());
        let huge_gain = p.min_gain_to_split(1e12);
        assert!(best_split(&hist, hist.totals(), &mappers, &[0, 1, 2], sc, &huge_gain).is_none());
    }

    #[test]
    fn l1_shrinks_outputs_and_gains() {
        let p = GbdtParams::default().lambda_l1(1.0).lambda_l2(1.0);
        assert_eq!(leaf_output(3.0, 1.0, &p), -1.0);
        assert_eq!(leaf_output(0.5, 1.0, &p), 0.0);
        assert_eq!(leaf_gain(-3.0, 1.0, &p), 2.0);
    }
}
