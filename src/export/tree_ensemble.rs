//! A boosted model as one ONNX-ML `TreeEnsembleRegressor` (`ai.onnx.ml` opset 3): input
//! `features` [batch, F] of raw engineered features, output `forecast` [batch, 1], the
//! next-bar log return (the initial score is in the first tree's leaves, as in `model.txt`).
//!
//! Routing is kept exact: a node `value <= threshold` (LightGBM's rule) becomes `BRANCH_LEQ`
//! with the true branch left, and the f64 threshold is rounded *down* to an f32, so that for
//! every f32 input `v <= t32` exactly when `v <= t`. `NaN` follows the default direction
//! (`nodes_missing_value_tracks_true`). Leaf values are rounded to f32.

use super::attributes::{floats, int, ints, string, strings};
use super::graph::{GraphBuilder, ML_DOMAIN, ModelHeader, TensorSignature};
use super::neural::FORECAST_OUTPUT;
use super::proto::ModelProto;
use crate::Result;
use crate::gbdt::{TextModel, TextTree};

/// Name of the boosted model's input.
pub const FEATURES_INPUT: &str = "features";

/// The largest f32 not above `t`.
fn threshold_f32(t: f64) -> f32 {
    let rounded = t as f32;
    if f64::from(rounded) > t {
        rounded.next_down()
    } else {
        rounded
    }
}

/// The node arrays of the operator, filled tree by tree.
#[derive(Default)]
struct Nodes {
    tree: Vec<i64>,
    id: Vec<i64>,
    feature: Vec<i64>,
    mode: Vec<&'static str>,
    value: Vec<f32>,
    true_id: Vec<i64>,
    false_id: Vec<i64>,
    nan_true: Vec<i64>,
    leaf_tree: Vec<i64>,
    leaf_id: Vec<i64>,
    leaf_weight: Vec<f32>,
}

impl Nodes {
    /// Internal node `i` keeps id `i`; leaf `j` gets id `internal + j`.
    fn add(&mut self, index: i64, tree: &TextTree) {
        let internal = tree.split_feature.len() as i64;
        let id_of = |child: i32| {
            if child >= 0 {
                i64::from(child)
            } else {
                internal + i64::from(!child)
            }
        };
        for n in 0..tree.split_feature.len() {
            self.tree.push(index);
            self.id.push(n as i64);
            self.feature.push(tree.split_feature[n] as i64);
            self.mode.push("BRANCH_LEQ");
            self.value.push(threshold_f32(tree.threshold[n]));
            self.true_id.push(id_of(tree.left_child[n]));
            self.false_id.push(id_of(tree.right_child[n]));
            self.nan_true.push(i64::from(tree.default_left[n]));
        }
        for (j, &v) in tree.leaf_value.iter().enumerate() {
            let id = internal + j as i64;
            self.tree.push(index);
            self.id.push(id);
            self.feature.push(0);
            self.mode.push("LEAF");
            self.value.push(0.0);
            self.true_id.push(0);
            self.false_id.push(0);
            self.nan_true.push(0);
            self.leaf_tree.push(index);
            self.leaf_id.push(id);
            self.leaf_weight.push(v as f32);
        }
    }
}

/// The ONNX model of `model`.
pub fn tree_ensemble_model(model: &TextModel, header: ModelHeader) -> Result<ModelProto> {
    let mut nodes = Nodes::default();
    for (i, tree) in model.trees.iter().enumerate() {
        nodes.add(i as i64, tree);
    }
    let targets = vec![0; nodes.leaf_id.len()];
    let mut g = GraphBuilder::new();
    let x = g.input(FEATURES_INPUT);
    let y = g.node_in(
        ML_DOMAIN,
        "TreeEnsembleRegressor",
        "trees",
        &[&x],
        vec![
            int("n_targets", 1),
            string("aggregate_function", "SUM"),
            string("post_transform", "NONE"),
            ints("nodes_treeids", nodes.tree),
            ints("nodes_nodeids", nodes.id),
            ints("nodes_featureids", nodes.feature),
            strings("nodes_modes", &nodes.mode),
            floats("nodes_values", nodes.value),
            ints("nodes_truenodeids", nodes.true_id),
            ints("nodes_falsenodeids", nodes.false_id),
            ints("nodes_missing_value_tracks_true", nodes.nan_true),
            ints("target_treeids", nodes.leaf_tree),
            ints("target_nodeids", nodes.leaf_id),
            ints("target_ids", targets),
            floats("target_weights", nodes.leaf_weight),
        ],
    );
    let features = model.feature_names.len();
    g.finish(
        &TensorSignature {
            name: x,
            dims: vec![features],
            doc: format!(
                "{features} raw engineered features of one bar, in the order of config.json's \
                 features (NaN where undefined)"
            ),
        },
        &y,
        &TensorSignature {
            name: FORECAST_OUTPUT.to_string(),
            dims: vec![1],
            doc: "next-bar log return ln(close[t+1]/close[t]), unscaled".to_string(),
        },
        header,
    )
}
