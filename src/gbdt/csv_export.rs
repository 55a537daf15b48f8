//! Feature matrices as CSV, the exchange format of the LightGBM parity check
//! (`tools/lightgbm_parity.py`): a header of the feature names and extra columns, then every
//! value printed exactly (an f32 as the shortest f64 that round-trips).

use std::fmt::Write as _;
use std::path::Path;

use super::matrix::FeatureMatrix;
use crate::{AtbError, Result};

/// `x`'s rows followed by the `extra` columns (e.g. `prediction`, `label`), as CSV text.
pub fn feature_csv(x: &FeatureMatrix, extra: &[(&str, &[f64])]) -> String {
    let mut s = String::new();
    let mut header: Vec<&str> = x.names().iter().map(String::as_str).collect();
    header.extend(extra.iter().map(|(n, _)| *n));
    s.push_str(&header.join(","));
    s.push('\n');
    for r in 0..x.rows() {
        let mut cells: Vec<String> = x.row(r).iter().map(|&v| f64::from(v).to_string()).collect();
        cells.extend(extra.iter().map(|(_, col)| col[r].to_string()));
        let _ = writeln!(s, "{}", cells.join(","));
    }
    s
}

/// Writes [`feature_csv`] to `path`.
pub fn write_feature_csv(path: &Path, x: &FeatureMatrix, extra: &[(&str, &[f64])]) -> Result<()> {
    std::fs::write(path, feature_csv(x, extra)).map_err(|source| AtbError::Io {
        path: path.to_path_buf(),
        source,
    })
}
