//! The pure-Rust check of an exported tree ensemble: decode the file's bytes, find its
//! `TreeEnsembleRegressor`, and evaluate it by the ONNX-ML definition — each tree walked from
//! the first node listed for it, `BRANCH_LEQ` taking the true branch when `x <= value` (f32),
//! `NaN` taking the true branch where `nodes_missing_value_tracks_true` is set, leaf weights
//! summed in f32 as onnxruntime does. Used because tract 0.23 has no `TreeEnsembleRegressor`;
//! CI also loads the file in onnxruntime (`tools/onnx_check.py`).

use std::collections::HashMap;

use prost::Message;

use super::proto::{AttributeProto, ModelProto, NodeProto};
use crate::{AtbError, Result};

fn invalid(detail: String) -> AtbError {
    AtbError::Export(format!("TreeEnsembleRegressor: {detail}"))
}

fn attribute<'a>(node: &'a NodeProto, name: &str) -> Result<&'a AttributeProto> {
    node.attribute
        .iter()
        .find(|a| a.name == name)
        .ok_or_else(|| invalid(format!("no attribute '{name}'")))
}

fn index(value: i64, what: &str) -> Result<usize> {
    usize::try_from(value).map_err(|_| invalid(format!("{what} {value} is negative")))
}

/// One decoded node.
#[derive(Debug, Clone)]
struct Node {
    leaf: bool,
    feature: usize,
    threshold: f32,
    true_id: i64,
    false_id: i64,
    nan_true: bool,
    weight: f32,
}

/// The trees of the operator, each a map from node id to node and the id of its root.
struct Ensemble {
    trees: Vec<(i64, HashMap<i64, Node>)>,
}

impl Ensemble {
    fn decode(node: &NodeProto) -> Result<Ensemble> {
        let ints = |name: &str| attribute(node, name).map(|a| a.ints.clone());
        let (tree_ids, node_ids) = (ints("nodes_treeids")?, ints("nodes_nodeids")?);
        let (features, true_ids) = (ints("nodes_featureids")?, ints("nodes_truenodeids")?);
        let (false_ids, nan_true) = (
            ints("nodes_falsenodeids")?,
            ints("nodes_missing_value_tracks_true")?,
        );
        let values = &attribute(node, "nodes_values")?.floats;
        let modes = &attribute(node, "nodes_modes")?.strings;
        let n = tree_ids.len();
        let lengths = [
            node_ids.len(),
            features.len(),
            true_ids.len(),
            false_ids.len(),
            nan_true.len(),
            values.len(),
            modes.len(),
        ];
        if lengths.iter().any(|&l| l != n) {
            return Err(invalid(format!(
                "node attributes of lengths {lengths:?} for {n} nodes"
            )));
        }
        let mut trees: Vec<(i64, HashMap<i64, Node>)> = Vec::new();
        let mut tree_of: HashMap<i64, usize> = HashMap::new();
        for i in 0..n {
            let slot = *tree_of.entry(tree_ids[i]).or_insert_with(|| {
                trees.push((node_ids[i], HashMap::new()));
                trees.len() - 1
            });
            let leaf = match modes[i].as_slice() {
                b"LEAF" => true,
                b"BRANCH_LEQ" => false,
                other => {
                    return Err(invalid(format!(
                        "node mode '{}' (the export writes BRANCH_LEQ and LEAF)",
                        String::from_utf8_lossy(other)
                    )));
                }
            };
            trees[slot].1.insert(
                node_ids[i],
                Node {
                    leaf,
                    feature: index(features[i], "feature id")?,
                    threshold: values[i],
                    true_id: true_ids[i],
                    false_id: false_ids[i],
                    nan_true: nan_true[i] != 0,
                    weight: 0.0,
                },
            );
        }
        let (leaf_trees, leaf_nodes) = (ints("target_treeids")?, ints("target_nodeids")?);
        let (targets, weights) = (
            ints("target_ids")?,
            &attribute(node, "target_weights")?.floats,
        );
        if leaf_nodes.len() != leaf_trees.len() || weights.len() != leaf_trees.len() {
            return Err(invalid(
                "target attributes of different lengths".to_string(),
            ));
        }
        for (i, (&tree, &id)) in leaf_trees.iter().zip(&leaf_nodes).enumerate() {
            if targets.get(i).copied().unwrap_or(0) != 0 {
                return Err(invalid(format!(
                    "target {} of a one-target model",
                    targets[i]
                )));
            }
            let slot = tree_of
                .get(&tree)
                .ok_or_else(|| invalid(format!("leaf weight for unknown tree {tree}")))?;
            let leaf = trees[*slot].1.get_mut(&id).ok_or_else(|| {
                invalid(format!("leaf weight for unknown node {id} of tree {tree}"))
            })?;
            leaf.weight += weights[i];
        }
        Ok(Ensemble { trees })
    }

    /// The sum over the trees for one row.
    fn predict(&self, row: &[f32]) -> Result<f32> {
        let mut sum = 0.0f32;
        for (root, nodes) in &self.trees {
            let mut id = *root;
            for step in 0.. {
                if step > nodes.len() {
                    return Err(invalid(format!("the tree rooted at node {root} loops")));
                }
                let node = nodes
                    .get(&id)
                    .ok_or_else(|| invalid(format!("a branch leads to missing node {id}")))?;
                if node.leaf {
                    sum += node.weight;
                    break;
                }
                let v = *row.get(node.feature).ok_or_else(|| {
                    invalid(format!(
                        "feature {} of a {}-feature row",
                        node.feature,
                        row.len()
                    ))
                })?;
                let go_true = if v.is_nan() {
                    node.nan_true
                } else {
                    v <= node.threshold
                };
                id = if go_true { node.true_id } else { node.false_id };
            }
        }
        Ok(sum)
    }
}

/// The outputs of the tree ensemble in `bytes` for `rows` (row-major, `features` each).
pub fn run_tree_ensemble(bytes: &[u8], rows: &[f32], features: usize) -> Result<Vec<f32>> {
    let model = ModelProto::decode(bytes)
        .map_err(|e| AtbError::Export(format!("the file is not an ONNX model: {e}")))?;
    let graph = model
        .graph
        .ok_or_else(|| AtbError::Export("the model has no graph".to_string()))?;
    let node = graph
        .node
        .iter()
        .find(|n| n.op_type == "TreeEnsembleRegressor")
        .ok_or_else(|| AtbError::Export("the graph has no TreeEnsembleRegressor".to_string()))?;
    let ensemble = Ensemble::decode(node)?;
    rows.chunks(features.max(1))
        .map(|row| ensemble.predict(row))
        .collect()
}
