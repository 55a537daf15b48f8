//! Writer of LightGBM's text model format (`model.txt`), loadable by
//! `lightgbm.Booster(model_file=...)`, which then predicts exactly as we do.
//!
//! Conventions that make LightGBM route every row as we do: thresholds are our bins' upper
//! bounds (`value <= threshold` goes left, `inf` when every value goes left); every split has
//! missing type NaN (`decision_type` bits 2–3 = 2) with the default-left bit (1) set when
//! missing values go left. LightGBM stores no separate initial score: the mean label
//! (`boost_from_average`) is added into the first tree's leaf values.

use std::fmt::Write as _;
use std::path::Path;

use super::booster::LightGbmModel;
use super::importance::{ImportanceType, feature_importances};
use super::tree::Tree;
use crate::{AtbError, Result};

/// A number as LightGBM's parser reads it back exactly (shortest round-trip form).
fn num(v: f64) -> String {
    if v.is_infinite() {
        return if v > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let a = v.abs();
    if a != 0.0 && !(1e-5..1e16).contains(&a) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

fn join<T>(items: &[T], f: impl Fn(&T) -> String) -> String {
    items.iter().map(f).collect::<Vec<_>>().join(" ")
}

/// One `Tree=i` block, ending with the blank lines LightGBM counts in `tree_sizes`.
fn tree_block(index: usize, tree: &Tree, bias: f64, shrinkage: f64) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "Tree={index}");
    let _ = writeln!(s, "num_leaves={}", tree.num_leaves());
    let _ = writeln!(s, "num_cat=0");
    let _ = writeln!(
        s,
        "split_feature={}",
        join(&tree.split_feature, |f| f.to_string())
    );
    let _ = writeln!(s, "split_gain={}", join(&tree.split_gain, |&g| num(g)));
    let _ = writeln!(s, "threshold={}", join(&tree.threshold, |&t| num(t)));
    let decision = |&dl: &bool| (8 + if dl { 2 } else { 0 }).to_string();
    let _ = writeln!(s, "decision_type={}", join(&tree.default_left, decision));
    let _ = writeln!(
        s,
        "left_child={}",
        join(&tree.left_child, |c| c.to_string())
    );
    let _ = writeln!(
        s,
        "right_child={}",
        join(&tree.right_child, |c| c.to_string())
    );
    let _ = writeln!(
        s,
        "leaf_value={}",
        join(&tree.leaf_value, |&v| num(bias + v))
    );
    let _ = writeln!(s, "leaf_weight={}", join(&tree.leaf_weight, |&v| num(v)));
    let _ = writeln!(
        s,
        "leaf_count={}",
        join(&tree.leaf_count, |c| c.to_string())
    );
    let _ = writeln!(
        s,
        "internal_value={}",
        join(&tree.internal_value, |&v| num(bias + v))
    );
    let _ = writeln!(
        s,
        "internal_weight={}",
        join(&tree.internal_weight, |&v| num(v))
    );
    let _ = writeln!(
        s,
        "internal_count={}",
        join(&tree.internal_count, |c| c.to_string())
    );
    let _ = writeln!(s, "is_linear=0");
    let _ = writeln!(s, "shrinkage={}", num(shrinkage));
    s.push_str("\n\n");
    s
}

/// `[min:max]` of a feature's training values, or `none` when it has no spread.
fn feature_info(range: Option<(f32, f32)>) -> String {
    match range {
        Some((lo, hi)) if lo < hi => format!("[{}:{}]", num(f64::from(lo)), num(f64::from(hi))),
        _ => "none".into(),
    }
}

/// The model in LightGBM's text format.
pub fn to_model_string(model: &LightGbmModel) -> Result<String> {
    if !model.is_trained() {
        return Err(AtbError::InvalidInput {
            context: "model.txt".into(),
            detail: "the model has not been trained".into(),
        });
    }
    let p = &model.params;
    let names = model.feature_names();
    let mut blocks: Vec<String> = model
        .trees()
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let bias = if i == 0 { model.init_score() } else { 0.0 };
            tree_block(i, t, bias, p.learning_rate)
        })
        .collect();
    if blocks.is_empty() {
        // No round ran: one constant tree carries the initial score.
        blocks.push(tree_block(
            0,
            &Tree::single_leaf(0.0, 0.0, 0),
            model.init_score(),
            1.0,
        ));
    }
    let mut s = String::new();
    s.push_str("tree\nversion=v4\nnum_class=1\nnum_tree_per_iteration=1\nlabel_index=0\n");
    let _ = writeln!(s, "max_feature_idx={}", names.len() - 1);
    let _ = writeln!(s, "objective={}", p.objective.lightgbm_name());
    let _ = writeln!(s, "feature_names={}", names.join(" "));
    let infos: Vec<String> = model
        .bin_mappers()
        .iter()
        .map(|m| feature_info(m.range()))
        .collect();
    let _ = writeln!(s, "feature_infos={}", infos.join(" "));
    let _ = writeln!(s, "tree_sizes={}", join(&blocks, |b| b.len().to_string()));
    s.push('\n');
    for b in &blocks {
        s.push_str(b);
    }
    s.push_str("end of trees\n\nfeature_importances:\n");
    let splits = feature_importances(model, ImportanceType::Split);
    let mut order: Vec<usize> = (0..splits.len()).filter(|&i| splits[i] > 0.0).collect();
    order.sort_by(|&a, &b| splits[b].total_cmp(&splits[a]).then(a.cmp(&b)));
    for i in order {
        let _ = writeln!(s, "{}={}", names[i], splits[i]);
    }
    s.push_str("\nparameters:\n[boosting: gbdt]\n");
    let _ = writeln!(s, "[objective: {}]", p.objective.lightgbm_name());
    let params: [(&str, String); 15] = [
        ("num_iterations", p.num_iterations.to_string()),
        ("learning_rate", num(p.learning_rate)),
        ("num_leaves", p.num_leaves.to_string()),
        ("max_depth", p.max_depth.to_string()),
        ("min_data_in_leaf", p.min_data_in_leaf.to_string()),
        ("min_sum_hessian_in_leaf", num(p.min_sum_hessian_in_leaf)),
        ("bagging_fraction", num(p.bagging_fraction)),
        ("bagging_freq", p.bagging_freq.to_string()),
        ("feature_fraction", num(p.feature_fraction)),
        ("early_stopping_round", p.early_stopping_rounds.to_string()),
        ("lambda_l1", num(p.lambda_l1)),
        ("lambda_l2", num(p.lambda_l2)),
        ("min_gain_to_split", num(p.min_gain_to_split)),
        ("max_bin", p.max_bin.to_string()),
        ("seed", p.seed.to_string()),
    ];
    for (k, v) in params {
        let _ = writeln!(s, "[{k}: {v}]");
    }
    s.push_str("[boost_from_average: 1]\n\nend of parameters\n\npandas_categorical:null\n");
    Ok(s)
}

/// Writes [`to_model_string`] to `path`.
pub fn save_model_txt(model: &LightGbmModel, path: &Path) -> Result<()> {
    std::fs::write(path, to_model_string(model)?).map_err(|source| AtbError::Io {
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ComputeDevice;
    use crate::gbdt::booster::train;
    use crate::gbdt::matrix::FeatureMatrix;
    use crate::gbdt::params::GbdtParams;

    #[test]
    fn numbers_round_trip_and_tree_sizes_count_each_block() {
        for v in [0.1, -1.5e-7, 3.0, 1.0 / 3.0, 2.5e20, 0.0] {
            assert_eq!(num(v).parse::<f64>().unwrap(), v, "{}", num(v));
        }
        assert_eq!(num(f64::INFINITY), "inf");
        let values: Vec<f32> = (0..200)
            .map(|i| {
                if i % 13 == 0 {
                    f32::NAN
                } else {
                    (i % 17) as f32
                }
            })
            .collect();
        let x = FeatureMatrix::with_default_names(100, 2, values).unwrap();
        let y: Vec<f32> = (0..100)
            .map(|r| x.get(r, 0).max(0.0) + r as f32 * 0.01)
            .collect();
        let model = LightGbmModel::new(GbdtParams::default().num_iterations(3)).unwrap();
        let model = train(model, &x, &y, None, &ComputeDevice::Cpu).unwrap();
        let text = to_model_string(&model).unwrap();
        let sizes: Vec<usize> = text
            .lines()
            .find_map(|l| l.strip_prefix("tree_sizes="))
            .unwrap()
            .split(' ')
            .map(|s| s.parse().unwrap())
            .collect();
        assert_eq!(sizes.len(), 3);
        let start = text.find("Tree=0").unwrap();
        let mut at = start;
        for (i, size) in sizes.iter().enumerate() {
            assert!(text[at..].starts_with(&format!("Tree={i}\n")));
            at += size;
        }
        assert!(text[at..].starts_with("end of trees"));
        assert!(text.contains("decision_type=") && text.contains("feature_names=f0 f1"));
        // The first tree carries the initial score.
        let first_leaf: f64 = text
            .lines()
            .find_map(|l| l.strip_prefix("leaf_value="))
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(
            first_leaf,
            model.init_score() + model.trees()[0].leaf_value[0]
        );
    }
}
