//! The booster's hyperparameters, with LightGBM's defaults and a builder.

use super::matrix::invalid;
use super::objective::Objective;
use crate::Result;

/// The hyperparameters of [`super::LightGbmModel`]; names and defaults follow LightGBM.
#[derive(Debug, Clone, PartialEq)]
pub struct GbdtParams {
    /// Loss to minimise.
    pub objective: Objective,
    /// Boosting rounds (`num_iterations`, the guide's `n_estimators`). Default 100.
    pub num_iterations: usize,
    /// Shrinkage applied to every tree's leaf values. Default 0.1.
    pub learning_rate: f64,
    /// Maximum leaves per tree (leaf-wise growth). Default 31.
    pub num_leaves: usize,
    /// Maximum depth of a leaf; `-1` (or any value <= 0) means unlimited. Default -1.
    pub max_depth: i32,
    /// Minimum rows in a leaf. Default 20.
    pub min_data_in_leaf: usize,
    /// Minimum sum of hessians in a leaf. Default 1e-3.
    pub min_sum_hessian_in_leaf: f64,
    /// Maximum number of value bins per feature (plus one bin for missing values), 2..=255.
    pub max_bin: usize,
    /// L1 regularisation of leaf values. Default 0.
    pub lambda_l1: f64,
    /// L2 regularisation of leaf values. Default 0.
    pub lambda_l2: f64,
    /// Minimum gain of a split. Default 0.
    pub min_gain_to_split: f64,
    /// Fraction of features drawn for each tree. Default 1.0.
    pub feature_fraction: f64,
    /// Fraction of rows drawn for training every `bagging_freq` rounds. Default 1.0.
    pub bagging_fraction: f64,
    /// Redraw the bag every this many rounds; 0 disables bagging. Default 0.
    pub bagging_freq: usize,
    /// Seed of feature and row sampling. Default 0.
    pub seed: u64,
    /// Stop when the validation RMSE has not improved for this many rounds (0 = never).
    /// Default 50 (the guide's `train_lightgbm_with_early_stopping`).
    pub early_stopping_rounds: usize,
}

impl Default for GbdtParams {
    fn default() -> Self {
        GbdtParams {
            objective: Objective::SquaredError,
            num_iterations: 100,
            learning_rate: 0.1,
            num_leaves: 31,
            max_depth: -1,
            min_data_in_leaf: 20,
            min_sum_hessian_in_leaf: 1e-3,
            max_bin: 255,
            lambda_l1: 0.0,
            lambda_l2: 0.0,
            min_gain_to_split: 0.0,
            feature_fraction: 1.0,
            bagging_fraction: 1.0,
            bagging_freq: 0,
            seed: 0,
            early_stopping_rounds: 50,
        }
    }
}

macro_rules! setter {
    ($(#[$doc:meta] $name:ident: $ty:ty),* $(,)?) => {
        $(#[$doc] pub fn $name(mut self, value: $ty) -> Self {
            self.$name = value;
            self
        })*
    };
}

impl GbdtParams {
    setter! {
        /// Sets `objective`.
        objective: Objective,
        /// Sets `num_iterations`.
        num_iterations: usize,
        /// Sets `learning_rate`.
        learning_rate: f64,
        /// Sets `num_leaves`.
        num_leaves: usize,
        /// Sets `max_depth` (<= 0: unlimited).
        max_depth: i32,
        /// Sets `min_data_in_leaf`.
        min_data_in_leaf: usize,
        /// Sets `min_sum_hessian_in_leaf`.
        min_sum_hessian_in_leaf: f64,
        /// Sets `max_bin`.
        max_bin: usize,
        /// Sets `lambda_l1`.
        lambda_l1: f64,
        /// Sets `lambda_l2`.
        lambda_l2: f64,
        /// Sets `min_gain_to_split`.
        min_gain_to_split: f64,
        /// Sets `feature_fraction`.
        feature_fraction: f64,
        /// Sets `bagging_fraction`.
        bagging_fraction: f64,
        /// Sets `bagging_freq`.
        bagging_freq: usize,
        /// Sets `seed`.
        seed: u64,
        /// Sets `early_stopping_rounds`.
        early_stopping_rounds: usize,
    }

    /// Checks every value's range, naming the first bad field.
    pub fn validate(&self) -> Result<()> {
        let field = |name: &str, ok: bool, want: &str| {
            if ok {
                Ok(())
            } else {
                Err(invalid(&format!("gbdt parameter {name}"), want.to_string()))
            }
        };
        field("num_iterations", self.num_iterations >= 1, "must be >= 1")?;
        field(
            "learning_rate",
            self.learning_rate.is_finite() && self.learning_rate > 0.0,
            "must be a positive number",
        )?;
        field(
            "num_leaves",
            (2..=131_072).contains(&self.num_leaves),
            "must be in 2..=131072",
        )?;
        field(
            "max_bin",
            (2..=255).contains(&self.max_bin),
            "must be in 2..=255",
        )?;
        field(
            "min_sum_hessian_in_leaf",
            self.min_sum_hessian_in_leaf >= 0.0,
            "must be >= 0",
        )?;
        field("lambda_l1", self.lambda_l1 >= 0.0, "must be >= 0")?;
        field("lambda_l2", self.lambda_l2 >= 0.0, "must be >= 0")?;
        field(
            "min_gain_to_split",
            self.min_gain_to_split >= 0.0,
            "must be >= 0",
        )?;
        field(
            "feature_fraction",
            self.feature_fraction > 0.0 && self.feature_fraction <= 1.0,
            "must be in (0, 1]",
        )?;
        field(
            "bagging_fraction",
            self.bagging_fraction > 0.0 && self.bagging_fraction <= 1.0,
            "must be in (0, 1]",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_lightgbms_and_validation_names_the_field() {
        let p = GbdtParams::default();
        assert_eq!((p.num_iterations, p.num_leaves, p.max_bin), (100, 31, 255));
        assert_eq!(
            (p.learning_rate, p.max_depth, p.min_data_in_leaf),
            (0.1, -1, 20)
        );
        assert!(p.validate().is_ok());
        let err = p.clone().max_bin(256).validate().unwrap_err().to_string();
        assert!(err.contains("max_bin"), "{err}");
        assert!(p.clone().feature_fraction(0.0).validate().is_err());
        assert!(p.learning_rate(-1.0).validate().is_err());
    }
}
