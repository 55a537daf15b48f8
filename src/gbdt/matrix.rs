//! The input of the booster: a dense row-major `f32` feature matrix with feature names.

use crate::{AtbError, Result};

/// A dense row-major `rows × cols` matrix of features; `NaN` marks a missing value.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureMatrix {
    rows: usize,
    cols: usize,
    values: Vec<f32>,
    names: Vec<String>,
}

impl FeatureMatrix {
    /// Checks and wraps `values` (row-major). Infinite values are rejected (only `NaN`, a
    /// missing value, is allowed besides finite numbers); `names` must have `cols` entries.
    pub fn new(rows: usize, cols: usize, values: Vec<f32>, names: Vec<String>) -> Result<Self> {
        if cols == 0 {
            return Err(invalid(
                "feature matrix",
                "it has no feature columns".into(),
            ));
        }
        if values.len() != rows * cols {
            return Err(invalid(
                "feature matrix",
                format!(
                    "{} values for {rows} rows x {cols} columns (want {})",
                    values.len(),
                    rows * cols
                ),
            ));
        }
        if names.len() != cols {
            return Err(invalid(
                "feature names",
                format!("{} names for {cols} columns", names.len()),
            ));
        }
        if let Some(bad) = names
            .iter()
            .find(|n| n.is_empty() || n.contains(char::is_whitespace))
        {
            return Err(invalid(
                "feature names",
                format!(
                    "'{bad}' is empty or contains whitespace (LightGBM's model.txt forbids it)"
                ),
            ));
        }
        if let Some(i) = values.iter().position(|v| v.is_infinite()) {
            return Err(invalid(
                &format!("row {}, column '{}'", i / cols, names[i % cols]),
                "infinite value (use NaN for a missing value)".into(),
            ));
        }
        Ok(FeatureMatrix {
            rows,
            cols,
            values,
            names,
        })
    }

    /// Like [`FeatureMatrix::new`] with names `f0, f1, ...`.
    pub fn with_default_names(rows: usize, cols: usize, values: Vec<f32>) -> Result<Self> {
        let names = (0..cols).map(|c| format!("f{c}")).collect();
        Self::new(rows, cols, values, names)
    }

    /// Number of rows (samples).
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns (features).
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// The feature names, one per column.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The row-major values.
    pub fn values(&self) -> &[f32] {
        &self.values
    }

    /// One row.
    pub fn row(&self, r: usize) -> &[f32] {
        &self.values[r * self.cols..(r + 1) * self.cols]
    }

    /// The value at (`r`, `c`).
    pub fn get(&self, r: usize, c: usize) -> f32 {
        self.values[r * self.cols + c]
    }
}

/// An [`AtbError::InvalidInput`] with `context` and `detail`.
pub(crate) fn invalid(context: &str, detail: String) -> AtbError {
    AtbError::InvalidInput {
        context: context.to_string(),
        detail,
    }
}

/// Checks that `labels` has one finite value per row of `x`.
pub(crate) fn check_labels(x: &FeatureMatrix, labels: &[f32], what: &str) -> Result<()> {
    if labels.len() != x.rows() {
        return Err(invalid(
            what,
            format!("{} labels for {} rows", labels.len(), x.rows()),
        ));
    }
    if let Some(i) = labels.iter().position(|v| !v.is_finite()) {
        return Err(invalid(
            &format!("{what}, row {i}"),
            format!("label {} is not finite", labels[i]),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_shapes_names_and_infinities() {
        assert!(FeatureMatrix::with_default_names(2, 2, vec![0.0; 3]).is_err());
        assert!(FeatureMatrix::with_default_names(1, 0, vec![]).is_err());
        assert!(FeatureMatrix::new(1, 1, vec![0.0], vec!["a b".into()]).is_err());
        let err = FeatureMatrix::with_default_names(2, 2, vec![0.0, 1.0, f32::INFINITY, 2.0])
            .unwrap_err()
            .to_string();
        assert!(err.contains("row 1, column 'f0'"), "{err}");
        let x = FeatureMatrix::with_default_names(2, 2, vec![0.0, f32::NAN, 3.0, 4.0]).unwrap();
        assert_eq!(x.row(1), &[3.0, 4.0]);
        assert!(check_labels(&x, &[1.0], "y").is_err());
        assert!(check_labels(&x, &[1.0, f32::NAN], "y").is_err());
        assert!(check_labels(&x, &[1.0, 2.0], "y").is_ok());
    }
}
