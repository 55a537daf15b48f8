//! The boosting job of `atb-gpu train model --model-type lightgbm`: the LightGBM feature set,
//! histogram boosting with early stopping, test metrics beside persistence, and a registry
//! version LightGBM itself can load (`model.txt`) with the data to check it.

use std::fmt::Write as _;
use std::time::Instant;

use serde_json::json;

use super::candles::{LoadedCandles, load_candles};
use super::outcome::TrainOutcome;
use super::request::TrainRequest;
use crate::data::time::format_timestamp;
use crate::data::{SplitFractions, SplitRanges, chronological_split, engineer_features_for_lgb};
use crate::device::ComputeDevice;
use crate::eval::Comparison;
use crate::gbdt::{
    FeatureMatrix, GbdtParams, ImportanceType, LightGbmModel, get_feature_importance, predict,
    to_model_string, train_lightgbm_with_early_stopping, write_feature_csv,
};
use crate::models::Overrides;
use crate::plots::importance_png;
use crate::registry::{PendingVersion, Registry, VersionInfo};
use crate::{AtbError, Result};

/// The boosting parameters `--set` accepts.
const ACCEPTED: &[&str] = &[
    "n_estimators",
    "learning_rate",
    "num_leaves",
    "max_depth",
    "min_data_in_leaf",
    "min_sum_hessian_in_leaf",
    "max_bin",
    "lambda_l1",
    "lambda_l2",
    "min_gain_to_split",
    "feature_fraction",
    "bagging_fraction",
    "bagging_freq",
    "early_stopping_rounds",
];

/// What the booster predicts.
pub const BOOSTING_TARGET: &str = "next-bar log return ln(close[t+1]/close[t]) (raw, unscaled)";

/// One split's features, targets and closes.
pub struct BoostingSplit {
    /// Engineered features.
    pub x: FeatureMatrix,
    /// Next-bar log returns.
    pub y: Vec<f32>,
    /// Close of each row's bar.
    pub close: Vec<f64>,
    /// The next bar's close.
    pub next_close: Vec<f64>,
    /// Open time of the next (target) bar.
    pub target_time_ms: Vec<i64>,
}

/// A trained booster with its data and test metrics.
pub struct TrainedBooster {
    /// The model.
    pub model: LightGbmModel,
    /// Training, validation and test splits.
    pub splits: [BoostingSplit; 3],
    /// Raw test predictions (log returns).
    pub test_predictions: Vec<f64>,
    /// Test metrics in price units beside persistence.
    pub comparison: Comparison,
    /// The parameters used.
    pub params: GbdtParams,
    /// Seconds of training.
    pub train_seconds: f64,
    /// The device that trained.
    pub device: String,
    /// The candles.
    pub loaded: LoadedCandles,
}

/// The defaults of the job (the guide's example: 1000 rounds at 0.05 with early stopping),
/// then `--learning-rate`, `--seed`, `--patience` (at least 10 rounds), then `--set`.
pub fn boosting_params(request: &TrainRequest) -> Result<GbdtParams> {
    let o = Overrides::parse(&request.overrides)?;
    o.check_known("lightgbm", ACCEPTED)?;
    let d = GbdtParams::default();
    let lr = request.learning_rate.unwrap_or(0.05);
    let params = GbdtParams {
        num_iterations: o.positive("n_estimators", 1000)?,
        learning_rate: o.number("learning_rate", lr, f64::MIN_POSITIVE)?,
        num_leaves: o.positive("num_leaves", d.num_leaves)?,
        max_depth: i32::try_from(o.integer("max_depth", i64::from(d.max_depth), -1)?).map_err(
            |_| AtbError::Config("invalid value for 'max_depth': too large".to_string()),
        )?,
        min_data_in_leaf: o.positive("min_data_in_leaf", d.min_data_in_leaf)?,
        min_sum_hessian_in_leaf: o.number(
            "min_sum_hessian_in_leaf",
            d.min_sum_hessian_in_leaf,
            0.0,
        )?,
        max_bin: o.positive("max_bin", d.max_bin)?,
        lambda_l1: o.number("lambda_l1", d.lambda_l1, 0.0)?,
        lambda_l2: o.number("lambda_l2", d.lambda_l2, 0.0)?,
        min_gain_to_split: o.number("min_gain_to_split", d.min_gain_to_split, 0.0)?,
        feature_fraction: o.number("feature_fraction", d.feature_fraction, f64::MIN_POSITIVE)?,
        bagging_fraction: o.number("bagging_fraction", d.bagging_fraction, f64::MIN_POSITIVE)?,
        bagging_freq: usize::try_from(o.integer("bagging_freq", 0, 0)?).unwrap_or(0),
        early_stopping_rounds: o.positive("early_stopping_rounds", request.patience.max(10))?,
        seed: request.seed,
        ..d
    };
    params.validate()?;
    Ok(params)
}

/// Trains and evaluates the booster of `request`; its settings are checked before the device
/// opens or data is read.
pub fn fit_lightgbm(request: &TrainRequest) -> Result<TrainedBooster> {
    request.validate()?;
    let device = ComputeDevice::open(&request.device)?;
    let split = |rows| chronological_split(rows, SplitFractions::default());
    fit_lightgbm_split(request, &device, &split)
}

/// [`fit_lightgbm`] on an open `device`, with `split` choosing the train / validation / test
/// rows (of those with a next close) from their count: the default split, or one walk-forward
/// fold.
pub fn fit_lightgbm_split(
    request: &TrainRequest,
    device: &ComputeDevice,
    split: &dyn Fn(usize) -> Result<SplitRanges>,
) -> Result<TrainedBooster> {
    let params = boosting_params(request)?;
    let loaded = load_candles(request)?;
    let (frame, names) = engineer_features_for_lgb(&loaded.candles)?;
    let rows: Vec<usize> = (0..frame.rows())
        .filter(|&r| frame.next_close[r].is_some())
        .collect();
    let ranges = split(rows.len())?;
    let cols = names.len();
    let split = |range: std::ops::Range<usize>| -> Result<BoostingSplit> {
        let picked = &rows[range];
        let mut values = Vec::with_capacity(picked.len() * cols);
        let (mut y, mut close, mut next_close, mut target_time_ms) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for &r in picked {
            target_time_ms.push(frame.time_ms.get(r + 1).copied().unwrap_or(i64::MAX));
            values.extend(frame.values.row(r).iter().map(|&v| v as f32));
            let next = frame.next_close[r].unwrap_or(f64::NAN);
            y.push((next / frame.close[r]).ln() as f32);
            close.push(frame.close[r]);
            next_close.push(next);
        }
        Ok(BoostingSplit {
            x: FeatureMatrix::new(picked.len(), cols, values, names.clone())?,
            y,
            close,
            next_close,
            target_time_ms,
        })
    };
    let splits = [
        split(ranges.train)?,
        split(ranges.validation)?,
        split(ranges.test)?,
    ];
    let started = Instant::now();
    let model = train_lightgbm_with_early_stopping(
        LightGbmModel::new(params.clone())?,
        &splits[0].x,
        &splits[0].y,
        &splits[1].x,
        &splits[1].y,
        device,
    )?;
    let train_seconds = started.elapsed().as_secs_f64();
    let test = &splits[2];
    let test_predictions = predict(&model, &test.x, &ComputeDevice::Cpu)?;
    let forecasts: Vec<f64> = test_predictions
        .iter()
        .zip(&test.close)
        .map(|(p, c)| c * p.exp())
        .collect();
    let comparison = Comparison::new(&forecasts, &test.next_close, &test.close)?;
    Ok(TrainedBooster {
        model,
        splits,
        test_predictions,
        comparison,
        params,
        train_seconds,
        device: device.describe(),
        loaded,
    })
}

/// Saves a registry version: `model.txt`, `importance.csv`, `importance.png`,
/// `test_predictions.csv`, `train.csv`, `validation.csv`, `config.json`, `metrics.json`.
pub fn save_lightgbm(request: &TrainRequest, trained: &TrainedBooster) -> Result<VersionInfo> {
    stage_lightgbm(request, trained)?.commit()
}

/// The files of [`save_lightgbm`] in a pending version, for a caller that adds its own before
/// committing.
pub fn stage_lightgbm(request: &TrainRequest, trained: &TrainedBooster) -> Result<PendingVersion> {
    let pending = Registry::open(&request.models_dir)?.begin(&request.symbol)?;
    let model = &trained.model;
    let names = model.feature_names().to_vec();
    pending.write_bytes("model.txt", to_model_string(model)?.as_bytes())?;
    let gain = get_feature_importance(model, &names, names.len(), ImportanceType::Gain);
    let splits = get_feature_importance(model, &names, names.len(), ImportanceType::Split);
    let mut csv = String::from("feature,split,gain\n");
    for g in &gain {
        let count = splits
            .iter()
            .find(|s| s.feature == g.feature)
            .map_or(0.0, |s| s.importance);
        let _ = writeln!(csv, "{},{count},{}", g.feature, g.importance);
    }
    pending.write_bytes("importance.csv", csv.as_bytes())?;
    let bars: Vec<(String, f64)> = gain
        .iter()
        .map(|g| (g.feature.clone(), g.importance))
        .collect();
    importance_png(
        &pending.file_path("importance.png")?,
        &bars,
        "Feature importance (total gain)",
        20,
    )?;
    let label = |s: &BoostingSplit| s.y.iter().map(|&v| f64::from(v)).collect::<Vec<f64>>();
    let [train, validation, test] = &trained.splits;
    write_feature_csv(
        &pending.file_path("train.csv")?,
        &train.x,
        &[("label", &label(train))],
    )?;
    write_feature_csv(
        &pending.file_path("validation.csv")?,
        &validation.x,
        &[("label", &label(validation))],
    )?;
    write_feature_csv(
        &pending.file_path("test_predictions.csv")?,
        &test.x,
        &[
            ("prediction", &trained.test_predictions),
            ("label", &label(test)),
        ],
    )?;
    let p = &trained.params;
    let candles = &trained.loaded.candles;
    let config = json!({
        "atb_gpu_version": env!("CARGO_PKG_VERSION"),
        "symbol": request.symbol,
        "model_type": "lightgbm",
        "parameters": {
            "n_estimators": p.num_iterations, "learning_rate": p.learning_rate, "num_leaves": p.num_leaves,
            "max_depth": p.max_depth, "min_data_in_leaf": p.min_data_in_leaf,
            "min_sum_hessian_in_leaf": p.min_sum_hessian_in_leaf, "max_bin": p.max_bin,
            "lambda_l1": p.lambda_l1, "lambda_l2": p.lambda_l2, "min_gain_to_split": p.min_gain_to_split,
            "feature_fraction": p.feature_fraction, "bagging_fraction": p.bagging_fraction,
            "bagging_freq": p.bagging_freq, "early_stopping_rounds": p.early_stopping_rounds, "seed": p.seed,
        },
        "features": names,
        "target": BOOSTING_TARGET,
        "data": {
            "source": trained.loaded.source,
            "first": candles.time_ms.first().map(|&t| format_timestamp(t)),
            "last": candles.time_ms.last().map(|&t| format_timestamp(t)),
            "bars": candles.len(),
            "fingerprint": candles.fingerprint(),
            "days": request.days,
            "gaps": trained.loaded.gaps.to_string(),
            "rows": [train.y.len(), validation.y.len(), test.y.len()],
        },
        "device": trained.device,
    });
    pending.write_json("config.json", &config)?;
    let metrics = json!({
        "model": trained.comparison.model,
        "naive": trained.comparison.naive,
        "skill": trained.comparison.skill,
        "diebold_mariano": trained.comparison.diebold_mariano,
        "trees": model.trees().len(),
        "best_iteration": model.best_iteration(),
    });
    pending.write_json("metrics.json", &metrics)?;
    Ok(pending)
}

/// Trains, evaluates and saves the booster of `request`.
pub fn train_lightgbm(request: &TrainRequest) -> Result<TrainOutcome> {
    request.validate()?;
    request.check_destination()?;
    let trained = fit_lightgbm(request)?;
    let version = save_lightgbm(request, &trained)?;
    Ok(TrainOutcome {
        version,
        comparison: trained.comparison,
        train_seconds: trained.train_seconds,
        device: trained.device,
    })
}
