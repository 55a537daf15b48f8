//! Reader of the `model.txt` files [`super::model_text`] writes: the trees, feature names and
//! parameters come back as a trained [`LightGbmModel`] that predicts exactly as the one saved.
//!
//! `model.txt` holds no bins. Each feature's bins are rebuilt from the thresholds its splits
//! use (sorted, then `+inf`): `value <= threshold` ⇔ `bin(value) <= bin(threshold)`, so the
//! GPU's binned prediction routes every row as the raw values do. LightGBM folds the initial
//! score into the first tree's leaves; the model read back keeps it there (initial score 0),
//! which sums the same `f64`s in the same order. Only what atb-gpu writes is accepted:
//! numerical splits whose missing values are `NaN`.

use std::collections::HashMap;
use std::path::Path;

use super::binning::{BIN_STRIDE, BinMapper};
use super::booster::LightGbmModel;
use super::matrix::invalid;
use super::objective::Objective;
use super::params::GbdtParams;
use super::tree::Tree;
use crate::{AtbError, Result};

/// `decision_type` bit of a categorical split.
const CATEGORICAL: u32 = 1;
/// `decision_type` bit sending missing values left.
const DEFAULT_LEFT: u32 = 2;
/// `decision_type` bits 2–3: the missing type; 2 is `NaN`.
const MISSING_NAN: u32 = 2;

/// A line's `key=value` pairs of one section, with the line numbers for errors.
struct Section<'a> {
    source: &'a str,
    fields: HashMap<&'a str, (usize, &'a str)>,
    first_line: usize,
}

impl<'a> Section<'a> {
    fn new(source: &'a str, first_line: usize) -> Self {
        Section {
            source,
            fields: HashMap::new(),
            first_line,
        }
    }

    fn error(&self, line: usize, detail: String) -> AtbError {
        invalid(&format!("{} line {line}", self.source), detail)
    }

    fn text(&self, key: &str) -> Result<(usize, &'a str)> {
        self.fields.get(key).copied().ok_or_else(|| {
            self.error(
                self.first_line,
                format!("missing `{key}=` in the block starting here"),
            )
        })
    }

    /// The space-separated values of `key` (none for an empty value), `count` of them.
    fn list<T: std::str::FromStr>(&self, key: &str, count: usize) -> Result<Vec<T>> {
        let (line, text) = self.text(key)?;
        let values = text
            .split_whitespace()
            .map(|v| {
                parse_number(v)
                    .ok_or_else(|| self.error(line, format!("{key}: {v:?} is not a valid number")))
            })
            .collect::<Result<Vec<T>>>()?;
        if values.len() != count {
            return Err(self.error(
                line,
                format!("{key}: expected {count} values, found {}", values.len()),
            ));
        }
        Ok(values)
    }
}

/// A number as [`super::model_text`] writes it (`inf` and `-inf` included).
fn parse_number<T: std::str::FromStr>(text: &str) -> Option<T> {
    text.parse().ok()
}

/// Reads `model.txt` at `path`.
pub fn load_model_txt(path: &Path) -> Result<LightGbmModel> {
    let text = std::fs::read_to_string(path).map_err(|source| AtbError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse_model_string(&path.display().to_string(), &text)
}

/// Parses the text of a `model.txt`; `source` names it in errors.
pub fn parse_model_string(source: &str, text: &str) -> Result<LightGbmModel> {
    let mut header = Section::new(source, 1);
    let mut trees: Vec<Section<'_>> = Vec::new();
    let mut params: Vec<(usize, &str, &str)> = Vec::new();
    let mut in_parameters = false;
    let mut trees_ended = false;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let line = line.trim_end();
        if line == "end of trees" {
            trees_ended = true;
        } else if line == "parameters:" {
            in_parameters = true;
        } else if line == "end of parameters" {
            in_parameters = false;
        } else if in_parameters {
            if let Some((key, value)) = line
                .strip_prefix('[')
                .and_then(|l| l.strip_suffix(']'))
                .and_then(|l| l.split_once(": "))
            {
                params.push((n, key, value));
            }
        } else if trees_ended {
            // feature_importances and pandas_categorical: derived or unused.
        } else if let Some((key, value)) = line.split_once('=') {
            if key == "Tree" {
                trees.push(Section::new(source, n));
            }
            let section = trees.last_mut().unwrap_or(&mut header);
            section.fields.insert(key, (n, value));
        }
    }
    if !trees_ended {
        return Err(invalid(
            source,
            "no `end of trees` line: not a complete LightGBM model file".into(),
        ));
    }
    let (_, names) = header.text("feature_names")?;
    let feature_names: Vec<String> = names.split_whitespace().map(str::to_string).collect();
    let (line, objective) = header.text("objective")?;
    if objective.split_whitespace().next() != Some(Objective::SquaredError.lightgbm_name()) {
        return Err(header.error(
            line,
            format!("objective {objective:?}: only regression (squared error) is supported"),
        ));
    }
    let ranges = header.text("feature_infos")?;
    let ranges = ranges
        .1
        .split_whitespace()
        .map(|info| {
            parse_range(info).ok_or_else(|| {
                header.error(
                    ranges.0,
                    format!("feature_infos: {info:?} is neither none nor [min:max]"),
                )
            })
        })
        .collect::<Result<Vec<_>>>()?;
    if ranges.len() != feature_names.len() {
        return Err(header.error(
            1,
            format!(
                "{} feature_infos for {} feature_names",
                ranges.len(),
                feature_names.len()
            ),
        ));
    }
    let mut parsed = trees
        .iter()
        .map(|t| parse_tree(t, feature_names.len()))
        .collect::<Result<Vec<Tree>>>()?;
    let mappers = rebuild_bins(source, &mut parsed, &feature_names, &ranges)?;
    let params = parse_params(source, &params)?;
    Ok(LightGbmModel::from_parts(
        params,
        feature_names,
        mappers,
        0.0,
        parsed,
    ))
}

/// `[min:max]` as a range, `none` as `None`.
fn parse_range(info: &str) -> Option<Option<(f32, f32)>> {
    if info == "none" {
        return Some(None);
    }
    let (lo, hi) = info.strip_prefix('[')?.strip_suffix(']')?.split_once(':')?;
    Some(Some((lo.parse().ok()?, hi.parse().ok()?)))
}

/// One `Tree=` block; `threshold_bin` and `nan_bin` are filled by [`rebuild_bins`].
fn parse_tree(block: &Section<'_>, features: usize) -> Result<Tree> {
    let (line, leaves) = block.text("num_leaves")?;
    let leaves: usize = parse_number(leaves)
        .filter(|&l| l >= 1)
        .ok_or_else(|| block.error(line, format!("num_leaves {leaves:?} is not a count >= 1")))?;
    let nodes = leaves - 1;
    let split_feature: Vec<usize> = block.list("split_feature", nodes)?;
    if let Some(&f) = split_feature.iter().find(|&&f| f >= features) {
        let line = block.text("split_feature")?.0;
        return Err(block.error(
            line,
            format!("split_feature {f} but there are {features} features"),
        ));
    }
    let decision: Vec<u32> = block.list("decision_type", nodes)?;
    if decision
        .iter()
        .any(|&d| d & CATEGORICAL != 0 || (d >> 2) & 3 != MISSING_NAN)
    {
        let line = block.text("decision_type")?.0;
        return Err(block.error(
            line,
            "decision_type: only numerical splits with NaN as the missing value (as atb-gpu writes) are supported".into(),
        ));
    }
    let left_child: Vec<i32> = block.list("left_child", nodes)?;
    let right_child: Vec<i32> = block.list("right_child", nodes)?;
    let child_ok = |c: i32| {
        if c >= 0 {
            (c as usize) < nodes && c > 0
        } else {
            (!c as usize) < leaves
        }
    };
    if let Some(c) = left_child
        .iter()
        .chain(&right_child)
        .find(|&&c| !child_ok(c))
    {
        let line = block.text("left_child")?.0;
        return Err(block.error(line, format!("child {c} points outside the tree")));
    }
    let mut tree = Tree {
        split_feature,
        threshold_bin: vec![0; nodes],
        threshold: block.list("threshold", nodes)?,
        default_left: decision.iter().map(|&d| d & DEFAULT_LEFT != 0).collect(),
        nan_bin: vec![0; nodes],
        split_gain: block.list("split_gain", nodes)?,
        left_child,
        right_child,
        internal_value: block.list("internal_value", nodes)?,
        internal_weight: block.list("internal_weight", nodes)?,
        internal_count: block.list("internal_count", nodes)?,
        leaf_value: block.list("leaf_value", leaves)?,
        leaf_weight: block.list("leaf_weight", leaves)?,
        leaf_count: block.list("leaf_count", leaves)?,
        leaf_depth: vec![0; leaves],
        leaf_parent: vec![-1; leaves],
    };
    if !link_leaves(&mut tree) {
        return Err(block.error(
            block.first_line,
            "the children do not form one tree reaching every leaf once".into(),
        ));
    }
    Ok(tree)
}

/// Fills `leaf_depth` and `leaf_parent` by walking from the root; false unless every node
/// and leaf is reached exactly once.
fn link_leaves(tree: &mut Tree) -> bool {
    let nodes = tree.split_feature.len();
    if nodes == 0 {
        return true;
    }
    let mut seen_nodes = vec![false; nodes];
    let mut seen_leaves = vec![false; tree.leaf_value.len()];
    let mut stack = vec![(0usize, 0u32)];
    while let Some((node, depth)) = stack.pop() {
        if std::mem::replace(&mut seen_nodes[node], true) {
            return false;
        }
        for child in [tree.left_child[node], tree.right_child[node]] {
            if child >= 0 {
                stack.push((child as usize, depth + 1));
            } else {
                let leaf = !child as usize;
                if std::mem::replace(&mut seen_leaves[leaf], true) {
                    return false;
                }
                tree.leaf_depth[leaf] = depth + 1;
                tree.leaf_parent[leaf] = node as i32;
            }
        }
    }
    seen_nodes.iter().chain(&seen_leaves).all(|&s| s)
}

/// One bin mapper per feature from the thresholds of its splits, and every split's bins.
fn rebuild_bins(
    source: &str,
    trees: &mut [Tree],
    names: &[String],
    ranges: &[Option<(f32, f32)>],
) -> Result<Vec<BinMapper>> {
    let mut thresholds: Vec<Vec<f64>> = vec![Vec::new(); names.len()];
    for tree in trees.iter() {
        for (&f, &t) in tree.split_feature.iter().zip(&tree.threshold) {
            if t.is_nan() {
                return Err(invalid(
                    source,
                    format!("feature {}: a NaN threshold", names[f]),
                ));
            }
            if t != f64::INFINITY {
                thresholds[f].push(t);
            }
        }
    }
    let mappers = thresholds
        .into_iter()
        .zip(ranges)
        .zip(names)
        .map(|((mut uppers, &range), name)| {
            uppers.sort_by(f64::total_cmp);
            uppers.dedup();
            uppers.push(f64::INFINITY);
            if uppers.len() >= BIN_STRIDE {
                return Err(invalid(
                    source,
                    format!(
                        "feature {name}: {} distinct thresholds; at most {} fit the bins",
                        uppers.len() - 1,
                        BIN_STRIDE - 2
                    ),
                ));
            }
            Ok(BinMapper::from_uppers(uppers, range))
        })
        .collect::<Result<Vec<BinMapper>>>()?;
    for tree in trees.iter_mut() {
        for n in 0..tree.split_feature.len() {
            let mapper = &mappers[tree.split_feature[n]];
            tree.threshold_bin[n] = mapper.bin_of_threshold(tree.threshold[n]);
            tree.nan_bin[n] = mapper.nan_bin();
        }
    }
    Ok(mappers)
}

/// The `[key: value]` parameters atb-gpu writes; others are ignored.
fn parse_params(source: &str, lines: &[(usize, &str, &str)]) -> Result<GbdtParams> {
    let mut p = GbdtParams::default();
    for &(line, key, value) in lines {
        let bad = || {
            invalid(
                &format!("{source} line {line}"),
                format!("parameter {key}: {value:?} is not a valid value"),
            )
        };
        let count = || parse_number::<usize>(value).ok_or_else(bad);
        let real = || parse_number::<f64>(value).ok_or_else(bad);
        match key {
            "num_iterations" => p.num_iterations = count()?,
            "learning_rate" => p.learning_rate = real()?,
            "num_leaves" => p.num_leaves = count()?,
            "max_depth" => p.max_depth = parse_number(value).ok_or_else(bad)?,
            "min_data_in_leaf" => p.min_data_in_leaf = count()?,
            "min_sum_hessian_in_leaf" => p.min_sum_hessian_in_leaf = real()?,
            "bagging_fraction" => p.bagging_fraction = real()?,
            "bagging_freq" => p.bagging_freq = count()?,
            "feature_fraction" => p.feature_fraction = real()?,
            "early_stopping_round" => p.early_stopping_rounds = count()?,
            "lambda_l1" => p.lambda_l1 = real()?,
            "lambda_l2" => p.lambda_l2 = real()?,
            "min_gain_to_split" => p.min_gain_to_split = real()?,
            "max_bin" => p.max_bin = count()?,
            "seed" => p.seed = parse_number(value).ok_or_else(bad)?,
            _ => {}
        }
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ComputeDevice;
    use crate::gbdt::booster::{predict, train};
    use crate::gbdt::matrix::FeatureMatrix;
    use crate::gbdt::model_text::to_model_string;
    use crate::gbdt::rng::uniform;

    fn trained() -> (LightGbmModel, FeatureMatrix) {
        let rows = 400;
        let values: Vec<f32> = (0..rows * 3)
            .map(|i| {
                if i % 29 == 0 {
                    f32::NAN
                } else {
                    uniform(3, 0, i as u64) as f32 * 4.0 - 2.0
                }
            })
            .collect();
        let x = FeatureMatrix::with_default_names(rows, 3, values).unwrap();
        // Missing values count as 0 in the label; the trees learn where to send them.
        let at = |r: usize, c: usize| {
            let v = x.get(r, c);
            if v.is_nan() { 0.0 } else { v }
        };
        let y: Vec<f32> = (0..rows)
            .map(|r| at(r, 0).max(0.0) * 2.0 - at(r, 1).abs() + 0.5)
            .collect();
        let params = GbdtParams::default()
            .num_iterations(12)
            .min_data_in_leaf(5)
            .learning_rate(0.2);
        let model = train(
            LightGbmModel::new(params).unwrap(),
            &x,
            &y,
            None,
            &ComputeDevice::Cpu,
        )
        .unwrap();
        (model, x)
    }

    #[test]
    fn a_model_read_back_predicts_bit_identically_and_writes_the_same_text() {
        let (model, x) = trained();
        let text = to_model_string(&model).unwrap();
        let back = parse_model_string("model.txt", &text).unwrap();
        assert_eq!(back.feature_names(), model.feature_names());
        assert_eq!(back.params, model.params);
        assert_eq!(to_model_string(&back).unwrap(), text);
        // Rows between, beyond and at the thresholds, and NaN.
        let mut values: Vec<f32> = x.values().iter().map(|v| v * 1.01 + 0.003).collect();
        values[..6].copy_from_slice(&[-9.0, 9.0, f32::NAN, 0.0, f32::NAN, 1e30]);
        let probe = FeatureMatrix::with_default_names(x.rows(), 3, values).unwrap();
        for rows in [&x, &probe] {
            let want = predict(&model, rows, &ComputeDevice::Cpu).unwrap();
            assert_eq!(predict(&back, rows, &ComputeDevice::Cpu).unwrap(), want);
            // The rebuilt bins route every row as the raw values do.
            let binned = crate::gbdt::device::predict_cpu::gbdt_predict(
                &crate::gbdt::binning::BinnedMatrix::new(rows, back.bin_mappers()),
                back.trees(),
                back.init_score(),
            );
            assert_eq!(binned, want);
        }
    }

    #[test]
    fn damaged_files_are_errors_that_name_the_line() {
        let (model, _) = trained();
        let text = to_model_string(&model).unwrap();
        let cut = &text[..text.find("end of trees").unwrap()];
        let err = parse_model_string("m.txt", cut).unwrap_err().to_string();
        assert!(err.contains("end of trees"), "{err}");
        let line = text
            .lines()
            .position(|l| l.starts_with("threshold="))
            .unwrap()
            + 1;
        let broken = text.replacen("threshold=", "threshold=oops ", 1);
        let err = parse_model_string("m.txt", &broken)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(&format!("m.txt line {line}")) && err.contains("\"oops\""),
            "{err}"
        );
        let categorical = text.replacen("decision_type=10", "decision_type=11", 1);
        let categorical = categorical.replacen("decision_type=8", "decision_type=9", 1);
        let err = parse_model_string("m.txt", &categorical)
            .unwrap_err()
            .to_string();
        assert!(err.contains("numerical splits"), "{err}");
        let err = parse_model_string(
            "m.txt",
            &text.replace("objective=regression", "objective=binary"),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("objective"), "{err}");
    }
}
