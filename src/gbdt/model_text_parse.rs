//! Reader of the `model.txt` files [`super::model_text`] writes: feature names and each tree's
//! splits and leaf values, enough to route rows and sum leaves exactly as training predicted
//! (`value <= threshold` goes left, `NaN` follows the default direction).
//!
//! Only what our writer produces is accepted: numerical splits whose missing type is NaN
//! (`decision_type` 8 or 10). Anything else is an error naming the file, line and field.

use crate::{AtbError, Result};

/// One tree as stored: internal nodes `0..num_leaves − 1`, a child `c < 0` is leaf `!c`.
#[derive(Debug, Clone, PartialEq)]
pub struct TextTree {
    /// Feature of each internal node.
    pub split_feature: Vec<usize>,
    /// `value <= threshold` goes left.
    pub threshold: Vec<f64>,
    /// Whether `NaN` goes left.
    pub default_left: Vec<bool>,
    /// Left child of each internal node.
    pub left_child: Vec<i32>,
    /// Right child of each internal node.
    pub right_child: Vec<i32>,
    /// Output of each leaf (shrinkage and, in the first tree, the initial score included).
    pub leaf_value: Vec<f64>,
}

impl TextTree {
    /// The leaf a row of raw feature values reaches.
    pub fn leaf_of(&self, row: &[f32]) -> usize {
        if self.split_feature.is_empty() {
            return 0;
        }
        let mut node = 0i32;
        while node >= 0 {
            let n = node as usize;
            let v = row[self.split_feature[n]];
            let left = if v.is_nan() {
                self.default_left[n]
            } else {
                f64::from(v) <= self.threshold[n]
            };
            node = if left {
                self.left_child[n]
            } else {
                self.right_child[n]
            };
        }
        !node as usize
    }
}

/// A boosted model read from `model.txt`.
#[derive(Debug, Clone, PartialEq)]
pub struct TextModel {
    /// Feature names, in column order.
    pub feature_names: Vec<String>,
    /// The trees, summed.
    pub trees: Vec<TextTree>,
}

impl TextModel {
    /// The prediction for one row (f64 sum over the trees in order, as training predicted).
    pub fn predict_row(&self, row: &[f32]) -> f64 {
        self.trees
            .iter()
            .map(|t| t.leaf_value[t.leaf_of(row)])
            .sum()
    }
}

/// One `key=value` line with its 1-based line number.
struct Field<'a> {
    line: usize,
    key: &'a str,
    value: &'a str,
}

/// Parses `model.txt` text read from `file`.
pub fn parse_text_model(file: &str, text: &str) -> Result<TextModel> {
    let error = |line: usize, message: String| AtbError::Data {
        file: file.to_string(),
        line: Some(line),
        column: None,
        message,
    };
    let fields: Vec<Field<'_>> = text
        .lines()
        .enumerate()
        .take_while(|(_, l)| l.trim() != "end of trees")
        .filter_map(|(i, l)| {
            l.split_once('=').map(|(key, value)| Field {
                line: i + 1,
                key: key.trim(),
                value: value.trim(),
            })
        })
        .collect();
    let names = fields
        .iter()
        .find(|f| f.key == "feature_names")
        .ok_or_else(|| {
            error(
                1,
                "no feature_names= line: not a LightGBM model file".into(),
            )
        })?;
    let feature_names: Vec<String> = names.value.split_whitespace().map(String::from).collect();
    let starts: Vec<usize> = (0..fields.len())
        .filter(|&i| fields[i].key == "Tree")
        .collect();
    let mut trees = Vec::with_capacity(starts.len());
    for (k, &start) in starts.iter().enumerate() {
        let end = starts.get(k + 1).copied().unwrap_or(fields.len());
        trees.push(parse_tree(
            &fields[start..end],
            feature_names.len(),
            &error,
        )?);
    }
    if trees.is_empty() {
        return Err(error(
            fields.last().map_or(1, |f| f.line),
            "no Tree= blocks".into(),
        ));
    }
    Ok(TextModel {
        feature_names,
        trees,
    })
}

/// The values of `key` in a tree block, parsed, `count` of them.
fn values<T: std::str::FromStr>(
    block: &[Field<'_>],
    key: &str,
    count: usize,
    error: &impl Fn(usize, String) -> AtbError,
) -> Result<Vec<T>> {
    let tree_line = block.first().map_or(1, |f| f.line);
    let field = block
        .iter()
        .find(|f| f.key == key)
        .ok_or_else(|| error(tree_line, format!("the tree has no {key}= line")))?;
    let parsed = field
        .value
        .split_whitespace()
        .map(|v| {
            v.parse::<T>()
                .map_err(|_| error(field.line, format!("{key}: '{v}' is not a number")))
        })
        .collect::<Result<Vec<T>>>()?;
    if parsed.len() != count {
        return Err(error(
            field.line,
            format!("{key} has {} values, expected {count}", parsed.len()),
        ));
    }
    Ok(parsed)
}

fn parse_tree(
    block: &[Field<'_>],
    features: usize,
    error: &impl Fn(usize, String) -> AtbError,
) -> Result<TextTree> {
    let tree_line = block.first().map_or(1, |f| f.line);
    let leaves: usize = values(block, "num_leaves", 1, error)?[0];
    if leaves == 0 {
        return Err(error(tree_line, "num_leaves is 0".into()));
    }
    let leaf_value = values(block, "leaf_value", leaves, error)?;
    if leaves == 1 {
        return Ok(TextTree {
            split_feature: vec![],
            threshold: vec![],
            default_left: vec![],
            left_child: vec![],
            right_child: vec![],
            leaf_value,
        });
    }
    let internal = leaves - 1;
    let split_feature: Vec<usize> = values(block, "split_feature", internal, error)?;
    let threshold = values(block, "threshold", internal, error)?;
    let decision: Vec<u32> = values(block, "decision_type", internal, error)?;
    let left_child: Vec<i32> = values(block, "left_child", internal, error)?;
    let right_child: Vec<i32> = values(block, "right_child", internal, error)?;
    let in_range = |c: i32| {
        if c >= 0 {
            (c as usize) < internal
        } else {
            (!c as usize) < leaves
        }
    };
    if let Some(&bad) = split_feature.iter().find(|&&f| f >= features) {
        return Err(error(
            tree_line,
            format!("split_feature {bad} is not one of the {features} features"),
        ));
    }
    if let Some(&bad) = left_child
        .iter()
        .chain(&right_child)
        .find(|&&c| !in_range(c))
    {
        return Err(error(
            tree_line,
            format!("child {bad} is outside the tree's {internal} nodes and {leaves} leaves"),
        ));
    }
    // Each node is the child of at most one node and the root of none: no walk can loop.
    let mut parents = vec![0usize; internal + leaves];
    for &c in left_child.iter().chain(&right_child) {
        parents[if c >= 0 {
            c as usize
        } else {
            internal + !c as usize
        }] += 1;
    }
    if parents[0] > 0 || parents.iter().any(|&p| p > 1) {
        return Err(error(
            tree_line,
            "left_child/right_child do not form a tree (a node has two parents or the root has one)"
                .into(),
        ));
    }
    if let Some(&bad) = decision.iter().find(|&&d| d & !2 != 8) {
        return Err(error(
            tree_line,
            format!(
                "decision_type {bad}: only numerical splits with NaN as the missing value \
                 (8, or 10 with default left) are read, as atb-gpu writes them"
            ),
        ));
    }
    Ok(TextTree {
        split_feature,
        threshold,
        default_left: decision.iter().map(|d| d & 2 != 0).collect(),
        left_child,
        right_child,
        leaf_value,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ComputeDevice;
    use crate::gbdt::booster::{LightGbmModel, predict, train};
    use crate::gbdt::matrix::FeatureMatrix;
    use crate::gbdt::model_text::to_model_string;
    use crate::gbdt::params::GbdtParams;

    #[test]
    fn a_written_model_reads_back_and_predicts_bit_for_bit() {
        let values: Vec<f32> = (0..600)
            .map(|i| {
                if i % 11 == 0 {
                    f32::NAN
                } else {
                    ((i * 37) % 101) as f32 / 7.0
                }
            })
            .collect();
        let x = FeatureMatrix::with_default_names(200, 3, values).unwrap();
        let y: Vec<f32> = (0..200)
            .map(|r| x.get(r, 0).max(0.0).sin() + 0.1 * x.get(r, 2).max(0.0))
            .collect();
        let model = LightGbmModel::new(GbdtParams::default().num_iterations(8)).unwrap();
        let model = train(model, &x, &y, None, &ComputeDevice::Cpu).unwrap();
        let read = parse_text_model("model.txt", &to_model_string(&model).unwrap()).unwrap();
        assert_eq!(read.feature_names, ["f0", "f1", "f2"]);
        assert_eq!(read.trees.len(), model.trees().len());
        let ours = predict(&model, &x, &ComputeDevice::Cpu).unwrap();
        for (r, want) in ours.iter().enumerate() {
            let got = read.predict_row(x.row(r));
            assert!((got - want).abs() <= 1e-12 * want.abs().max(1.0), "row {r}");
        }
    }

    #[test]
    fn malformed_trees_are_errors_naming_the_line() {
        let text = "tree\nfeature_names=a b\n\nTree=0\nnum_leaves=2\nsplit_feature=5\n\
                    threshold=1\ndecision_type=8\nleft_child=-1\nright_child=-2\nleaf_value=1 2\n";
        let e = parse_text_model("m.txt", text).unwrap_err().to_string();
        assert!(
            e.contains("m.txt:4") && e.contains("split_feature 5"),
            "{e}"
        );
        let looped = text
            .replace("split_feature=5", "split_feature=0")
            .replace("right_child=-2", "right_child=-1");
        let e = parse_text_model("m.txt", &looped).unwrap_err().to_string();
        assert!(e.contains("do not form a tree"), "{e}");
        let zero_missing = text
            .replace("split_feature=5", "split_feature=0")
            .replace("decision_type=8", "decision_type=4");
        let e = parse_text_model("m.txt", &zero_missing)
            .unwrap_err()
            .to_string();
        assert!(e.contains("decision_type 4"), "{e}");
        let e = parse_text_model("m.txt", "hello").unwrap_err().to_string();
        assert!(e.contains("feature_names"), "{e}");
    }
}
