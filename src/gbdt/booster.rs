//! The boosting loop and the guide's API: `create_lightgbm_model`,
//! `train_lightgbm_with_early_stopping`, `predict`.
//!
//! Every round: gradients of the loss at the current scores (f64, host), fixed-point
//! quantisation, one tree grown leaf-wise from histograms built on the chosen device, scores
//! updated. CPU and GPU differ only in where histograms (and predictions) are computed;
//! histograms are integer-exact, so both devices grow identical trees from the same seed.

use super::binning::{BinMapper, BinnedMatrix, fit_bin_mappers};
use super::grower::{GrowInput, grow_tree};
use super::matrix::{FeatureMatrix, check_labels, invalid};
use super::params::GbdtParams;
use super::quantise::quantise;
use super::rng::{choose_subset, uniform};
use super::split::Scales;
use super::tree::Tree;
use super::tree_backend::TreeBackend;
use crate::Result;
use crate::device::ComputeDevice;

/// RNG stream of the row bag of round `i` is `BAG_STREAM + i`.
const BAG_STREAM: u64 = 1 << 32;
/// RNG stream of the feature subset of round `i` is `FEATURE_STREAM + i`.
const FEATURE_STREAM: u64 = 2 << 32;

/// Training and validation RMSE after one boosting round.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RoundMetrics {
    /// RMSE on the training rows.
    pub train_rmse: f64,
    /// RMSE on the validation rows, when a validation set was given.
    pub valid_rmse: Option<f64>,
}

/// A LightGBM-style gradient-boosted tree regressor: its parameters and, once trained, the
/// bins, initial score and trees.
#[derive(Debug, Clone, PartialEq)]
pub struct LightGbmModel {
    /// Hyperparameters.
    pub params: GbdtParams,
    feature_names: Vec<String>,
    mappers: Vec<BinMapper>,
    init_score: f64,
    trees: Vec<Tree>,
    best_iteration: Option<usize>,
    history: Vec<RoundMetrics>,
}

/// The guide's `create_lightgbm_model(n_estimators, learning_rate)`: an untrained model with
/// LightGBM's other defaults (change them through `model.params` or [`LightGbmModel::new`]).
pub fn create_lightgbm_model(n_estimators: usize, learning_rate: f64) -> LightGbmModel {
    LightGbmModel::unchecked(
        GbdtParams::default()
            .num_iterations(n_estimators)
            .learning_rate(learning_rate),
    )
}

impl LightGbmModel {
    /// An untrained model with `params` (checked).
    pub fn new(params: GbdtParams) -> Result<LightGbmModel> {
        params.validate()?;
        Ok(Self::unchecked(params))
    }

    fn unchecked(params: GbdtParams) -> LightGbmModel {
        LightGbmModel {
            params,
            feature_names: Vec::new(),
            mappers: Vec::new(),
            init_score: 0.0,
            trees: Vec::new(),
            best_iteration: None,
            history: Vec::new(),
        }
    }

    /// A trained model from its parts, e.g. read back from `model.txt`.
    pub(crate) fn from_parts(
        params: GbdtParams,
        feature_names: Vec<String>,
        mappers: Vec<BinMapper>,
        init_score: f64,
        trees: Vec<Tree>,
    ) -> LightGbmModel {
        LightGbmModel {
            params,
            feature_names,
            mappers,
            init_score,
            trees,
            best_iteration: None,
            history: Vec::new(),
        }
    }

    /// Whether the model has been trained.
    pub fn is_trained(&self) -> bool {
        !self.mappers.is_empty()
    }

    /// Feature names seen in training.
    pub fn feature_names(&self) -> &[String] {
        &self.feature_names
    }

    /// One bin mapper per feature.
    pub fn bin_mappers(&self) -> &[BinMapper] {
        &self.mappers
    }

    /// The constant score boosting started from (the mean label for squared error).
    pub fn init_score(&self) -> f64 {
        self.init_score
    }

    /// The trees (after early stopping: up to the best round).
    pub fn trees(&self) -> &[Tree] {
        &self.trees
    }

    /// The round (0-based) with the best validation RMSE, when early stopping ran.
    pub fn best_iteration(&self) -> Option<usize> {
        self.best_iteration
    }

    /// Metrics of every round trained (including rounds after the best one).
    pub fn history(&self) -> &[RoundMetrics] {
        &self.history
    }
}

/// The guide's `train_lightgbm_with_early_stopping`: trains on (`x_train`, `y_train`) on
/// `device`, stopping when the RMSE on (`x_val`, `y_val`) has not improved for
/// `params.early_stopping_rounds` rounds, and keeps the trees up to the best round.
pub fn train_lightgbm_with_early_stopping(
    model: LightGbmModel,
    x_train: &FeatureMatrix,
    y_train: &[f32],
    x_val: &FeatureMatrix,
    y_val: &[f32],
    device: &ComputeDevice,
) -> Result<LightGbmModel> {
    train(model, x_train, y_train, Some((x_val, y_val)), device)
}

/// Trains `model` on (`x`, `y`), with optional validation data for metrics and early stopping.
pub fn train(
    model: LightGbmModel,
    x: &FeatureMatrix,
    y: &[f32],
    valid: Option<(&FeatureMatrix, &[f32])>,
    device: &ComputeDevice,
) -> Result<LightGbmModel> {
    let p = model.params.clone();
    p.validate()?;
    check_labels(x, y, "training labels")?;
    if x.rows() == 0 {
        return Err(invalid("training set", "it has no rows".into()));
    }
    if let Some((xv, yv)) = valid {
        check_labels(xv, yv, "validation labels")?;
        if xv.rows() == 0 {
            return Err(invalid("validation set", "it has no rows".into()));
        }
        if xv.cols() != x.cols() {
            return Err(invalid(
                "validation set",
                format!("{} features, training has {}", xv.cols(), x.cols()),
            ));
        }
    }
    let mappers = fit_bin_mappers(x, p.max_bin);
    let bins = BinnedMatrix::new(x, &mappers);
    let valid_bins = valid.map(|(xv, yv)| (BinnedMatrix::new(xv, &mappers), yv));
    let init_score = p.objective.initial_score(y);
    let n = x.rows();
    let mut scores = vec![init_score; n];
    let mut valid_scores = vec![init_score; valid.map_or(0, |(xv, _)| xv.rows())];
    let mut backend = match device {
        ComputeDevice::Cpu => TreeBackend::cpu(&bins),
        ComputeDevice::Gpu(ctx) => TreeBackend::gpu(ctx.clone(), &bins)?,
    };
    let bagging = p.bagging_freq > 0 && p.bagging_fraction < 1.0;
    let mut in_bag = vec![true; n];
    let all_features: Vec<usize> = (0..x.cols()).collect();
    let (mut grad, mut hess) = (vec![0.0; n], vec![0.0; n]);
    let mut trees = Vec::new();
    let mut history = Vec::new();
    let mut best: Option<(usize, f64)> = None;
    for round in 0..p.num_iterations {
        if bagging && round % p.bagging_freq == 0 {
            for (r, bagged) in in_bag.iter_mut().enumerate() {
                *bagged = uniform(p.seed, BAG_STREAM + round as u64, r as u64) < p.bagging_fraction;
            }
            if !in_bag.contains(&true) {
                in_bag[0] = true;
            }
        }
        let features = if p.feature_fraction < 1.0 {
            let k = ((x.cols() as f64 * p.feature_fraction).round() as usize).max(1);
            choose_subset(x.cols(), k, p.seed, FEATURE_STREAM + round as u64)
        } else {
            all_features.clone()
        };
        p.objective.gradients(&scores, y, &mut grad, &mut hess);
        let q = quantise(&grad, &hess, bagging.then_some(&in_bag[..]));
        backend.set_gradients(&q)?;
        let rows: Vec<u32> = (0..n as u32).filter(|&r| in_bag[r as usize]).collect();
        let (tree, segments) = grow_tree(
            GrowInput {
                mappers: &mappers,
                rows,
                features: &features,
                scales: Scales {
                    grad: q.grad_scale,
                    hess: q.hess_scale,
                },
                params: &p,
            },
            &mut backend,
        )?;
        if bagging {
            for (r, s) in scores.iter_mut().enumerate() {
                *s += tree.leaf_value[tree.leaf_of_bins(|f| bins.get(r, f))];
            }
        } else {
            let rows = backend.rows()?;
            for (leaf, &(begin, count)) in segments.iter().enumerate() {
                for &r in &rows[begin..begin + count] {
                    scores[r as usize] += tree.leaf_value[leaf];
                }
            }
        }
        let train_rmse = rmse(&scores, y);
        let valid_rmse = valid_bins.as_ref().map(|(vb, yv)| {
            for (r, s) in valid_scores.iter_mut().enumerate() {
                *s += tree.leaf_value[tree.leaf_of_bins(|f| vb.get(r, f))];
            }
            rmse(&valid_scores, yv)
        });
        trees.push(tree);
        history.push(RoundMetrics {
            train_rmse,
            valid_rmse,
        });
        if let Some(v) = valid_rmse
            && p.early_stopping_rounds > 0
        {
            match best {
                Some((_, b)) if v >= b => {}
                _ => best = Some((round, v)),
            }
            if best.is_some_and(|(b, _)| round - b >= p.early_stopping_rounds) {
                break;
            }
        }
    }
    if let Some((b, _)) = best {
        trees.truncate(b + 1);
    }
    Ok(LightGbmModel {
        params: p,
        feature_names: x.names().to_vec(),
        mappers,
        init_score,
        trees,
        best_iteration: best.map(|(b, _)| b),
        history,
    })
}

/// Root mean squared error of `scores` against `labels`.
pub fn rmse(scores: &[f64], labels: &[f32]) -> f64 {
    if scores.is_empty() {
        return 0.0;
    }
    let sse: f64 = scores
        .iter()
        .zip(labels)
        .map(|(s, &y)| (s - f64::from(y)).powi(2))
        .sum();
    (sse / scores.len() as f64).sqrt()
}

/// Predictions of a trained model for the rows of `x`. On the CPU: `f64` sums over the raw
/// values with LightGBM's routing (bit-identical to LightGBM loading our `model.txt`). On a
/// GPU: rows are binned on the host, the kernel walks the trees and sums in `f32`.
pub fn predict(
    model: &LightGbmModel,
    x: &FeatureMatrix,
    device: &ComputeDevice,
) -> Result<Vec<f64>> {
    if !model.is_trained() {
        return Err(invalid("predict", "the model has not been trained".into()));
    }
    if x.cols() != model.mappers.len() {
        return Err(invalid(
            "predict",
            format!(
                "{} features, the model was trained on {}",
                x.cols(),
                model.mappers.len()
            ),
        ));
    }
    match device {
        ComputeDevice::Cpu => Ok((0..x.rows())
            .map(|r| {
                let row = x.row(r);
                model.trees.iter().fold(model.init_score, |s, t| {
                    s + t.leaf_value[t.leaf_of_values(row)]
                })
            })
            .collect()),
        ComputeDevice::Gpu(ctx) => {
            let bins = BinnedMatrix::new(x, &model.mappers);
            super::gpu_forest::predict_binned(ctx, &bins, &model.trees, model.init_score)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// y = sin(3 x0) + x1² − (x2 > 0) + noise; x3 is pure noise.
    fn synthetic(rows: usize, seed: u64) -> (FeatureMatrix, Vec<f32>) {
        let u = |i: u64| uniform(seed, 0, i) as f32 * 2.0 - 1.0;
        let mut values = Vec::with_capacity(rows * 4);
        let mut y = Vec::with_capacity(rows);
        for r in 0..rows as u64 {
            let x: Vec<f32> = (0..4).map(|c| u(r * 4 + c)).collect();
            let target = (3.0 * x[0]).sin() + x[1] * x[1] - f32::from(u8::from(x[2] > 0.0))
                + 0.1 * u(1_000_000 + r);
            values.extend_from_slice(&x);
            y.push(target);
        }
        (
            FeatureMatrix::with_default_names(rows, 4, values).unwrap(),
            y,
        )
    }

    #[test]
    fn learns_a_nonlinear_function_far_below_the_label_spread() {
        let (x, y) = synthetic(2000, 1);
        let (xv, yv) = synthetic(500, 2);
        let model = create_lightgbm_model(60, 0.1);
        let model =
            train_lightgbm_with_early_stopping(model, &x, &y, &xv, &yv, &ComputeDevice::Cpu)
                .unwrap();
        let mean = y.iter().map(|&v| f64::from(v)).sum::<f64>() / y.len() as f64;
        let spread = rmse(&vec![mean; yv.len()], &yv);
        let pred = predict(&model, &xv, &ComputeDevice::Cpu).unwrap();
        let got = rmse(&pred, &yv);
        assert!(
            got < 0.3 * spread,
            "validation RMSE {got} vs spread {spread}"
        );
        let last = model.history()[model.trees().len() - 1].valid_rmse.unwrap();
        assert!(
            (got - last).abs() < 1e-9,
            "predict agrees with the training-time scores"
        );
        assert!(model.trees().iter().all(|t| t.num_leaves() <= 31));
    }

    #[test]
    fn raw_value_routing_equals_bin_routing_between_and_beyond_training_values() {
        let (x, y) = synthetic(500, 7);
        let params = GbdtParams::default().num_iterations(10).min_data_in_leaf(5);
        let model = train(
            LightGbmModel::new(params).unwrap(),
            &x,
            &y,
            None,
            &ComputeDevice::Cpu,
        )
        .unwrap();
        // Unseen values: midpoints of training values, out-of-range values and NaN.
        let mut values: Vec<f32> = x
            .values()
            .windows(2)
            .map(|w| (w[0] + w[1]) / 2.0)
            .take(400 * 4)
            .collect();
        values[..8].copy_from_slice(&[-5.0, 5.0, f32::NAN, 0.0, f32::NAN, -0.0, 1e-30, -1e30]);
        let xt = FeatureMatrix::with_default_names(400, 4, values).unwrap();
        let raw = predict(&model, &xt, &ComputeDevice::Cpu).unwrap();
        let binned = crate::gbdt::device::predict_cpu::gbdt_predict(
            &BinnedMatrix::new(&xt, model.bin_mappers()),
            model.trees(),
            model.init_score(),
        );
        assert_eq!(raw, binned);
    }

    #[test]
    fn early_stopping_keeps_the_best_round() {
        let (x, y) = synthetic(300, 3);
        // Validation labels are pure noise: the best round comes early.
        let (xv, _) = synthetic(200, 4);
        let yv: Vec<f32> = (0..200).map(|i| uniform(9, 9, i) as f32).collect();
        let params = GbdtParams::default()
            .num_iterations(200)
            .early_stopping_rounds(5);
        let model = LightGbmModel::new(params).unwrap();
        let model = train(model, &x, &y, Some((&xv, &yv)), &ComputeDevice::Cpu).unwrap();
        let best = model.best_iteration().unwrap();
        assert_eq!(model.trees().len(), best + 1);
        assert_eq!(model.history().len(), best + 6);
        let v: Vec<f64> = model
            .history()
            .iter()
            .map(|m| m.valid_rmse.unwrap())
            .collect();
        assert!(v[best + 1..].iter().all(|&r| r >= v[best]));
    }

    #[test]
    fn respects_leaf_depth_and_data_limits_and_is_deterministic_with_sampling() {
        let (x, y) = synthetic(1000, 5);
        let params = GbdtParams::default()
            .num_iterations(8)
            .num_leaves(63)
            .max_depth(3)
            .min_data_in_leaf(40)
            .feature_fraction(0.5)
            .bagging_fraction(0.7)
            .bagging_freq(2)
            .seed(42);
        let run = || {
            let m = LightGbmModel::new(params.clone()).unwrap();
            train(m, &x, &y, None, &ComputeDevice::Cpu).unwrap()
        };
        let a = run();
        for t in a.trees() {
            assert!(t.num_leaves() <= 8, "max_depth 3 allows 8 leaves");
            assert!(t.leaf_depth.iter().all(|&d| d <= 3));
            assert!(t.leaf_count.iter().all(|&c| c >= 40));
            let used: std::collections::BTreeSet<usize> = t.split_feature.iter().copied().collect();
            assert!(used.len() <= 2, "feature_fraction 0.5 of 4 features");
        }
        assert_eq!(a, run(), "same seed, same model");
        let other = LightGbmModel::new(params.clone().seed(43)).unwrap();
        let b = train(other, &x, &y, None, &ComputeDevice::Cpu).unwrap();
        assert_ne!(a.trees(), b.trees(), "another seed samples differently");
    }

    #[test]
    fn bad_inputs_are_errors() {
        let (x, y) = synthetic(50, 6);
        let m = create_lightgbm_model(5, 0.1);
        assert!(train(m.clone(), &x, &y[..10], None, &ComputeDevice::Cpu).is_err());
        assert!(predict(&m, &x, &ComputeDevice::Cpu).is_err(), "untrained");
        let bad = create_lightgbm_model(0, 0.1);
        assert!(train(bad, &x, &y, None, &ComputeDevice::Cpu).is_err());
        let empty = FeatureMatrix::with_default_names(0, 4, vec![]).unwrap();
        assert!(train(m.clone(), &x, &y, Some((&empty, &[])), &ComputeDevice::Cpu).is_err());
        let narrow = FeatureMatrix::with_default_names(1, 2, vec![0.0; 2]).unwrap();
        assert!(train(m, &x, &y, Some((&narrow, &[1.0])), &ComputeDevice::Cpu).is_err());
    }
}
