//! Feature importance by split count or by total split gain (LightGBM's two kinds).

use super::booster::LightGbmModel;

/// How importance is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportanceType {
    /// Number of splits on the feature (LightGBM's default `split`).
    Split,
    /// Sum of the gains of the splits on the feature (`gain`).
    Gain,
}

/// One feature's importance.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureImportance {
    /// Feature name.
    pub feature: String,
    /// Split count or total gain.
    pub importance: f64,
}

/// Importance of every feature, in feature order.
pub fn feature_importances(model: &LightGbmModel, kind: ImportanceType) -> Vec<f64> {
    let mut out = vec![0.0; model.bin_mappers().len()];
    for tree in model.trees() {
        for (&f, &gain) in tree.split_feature.iter().zip(&tree.split_gain) {
            out[f] += match kind {
                ImportanceType::Split => 1.0,
                ImportanceType::Gain => gain,
            };
        }
    }
    out
}

/// The guide's `get_feature_importance(model, feature_names, top_n)`: the `top_n` most
/// important features, most important first (ties in feature order). `feature_names` labels
/// the columns (pass `model.feature_names()` to use the training names); missing names fall
/// back to `f{index}`.
pub fn get_feature_importance(
    model: &LightGbmModel,
    feature_names: &[String],
    top_n: usize,
    kind: ImportanceType,
) -> Vec<FeatureImportance> {
    let scores = feature_importances(model, kind);
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    order
        .into_iter()
        .take(top_n)
        .map(|i| FeatureImportance {
            feature: feature_names
                .get(i)
                .cloned()
                .unwrap_or_else(|| format!("f{i}")),
            importance: scores[i],
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ComputeDevice;
    use crate::gbdt::booster::{LightGbmModel, train};
    use crate::gbdt::matrix::FeatureMatrix;
    use crate::gbdt::params::GbdtParams;

    #[test]
    fn the_informative_feature_ranks_first_by_split_and_gain() {
        let rows = 400;
        let values: Vec<f32> = (0..rows * 3)
            .map(|i| ((i * 7919 + i / 3 * 104_729) % 1000) as f32 / 1000.0)
            .collect();
        let x = FeatureMatrix::with_default_names(rows, 3, values).unwrap();
        let y: Vec<f32> = (0..rows).map(|r| 10.0 * x.get(r, 1)).collect();
        let model = LightGbmModel::new(GbdtParams::default().num_iterations(5)).unwrap();
        let model = train(model, &x, &y, None, &ComputeDevice::Cpu).unwrap();
        let names = model.feature_names().to_vec();
        for kind in [ImportanceType::Split, ImportanceType::Gain] {
            let top = get_feature_importance(&model, &names, 2, kind);
            assert_eq!(top.len(), 2);
            assert_eq!(top[0].feature, "f1", "{kind:?}: {top:?}");
            assert!(top[0].importance >= top[1].importance);
        }
        let splits: f64 = feature_importances(&model, ImportanceType::Split)
            .iter()
            .sum();
        let nodes: usize = model.trees().iter().map(|t| t.split_feature.len()).sum();
        assert_eq!(splits, nodes as f64);
    }
}
