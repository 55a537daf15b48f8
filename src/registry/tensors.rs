//! Model weights as a standard safetensors file (F32, little-endian), readable by the Python
//! `safetensors` package.

use std::collections::HashSet;
use std::path::Path;

use safetensors::tensor::{Dtype, SafeTensors, TensorView};

use crate::error::{AtbError, Result};

/// A tensor to store: name, shape, row-major values.
pub type NamedTensor<'a> = (&'a str, &'a [usize], &'a [f32]);

/// A tensor read back: name, shape, row-major values.
pub type OwnedTensor = (String, Vec<usize>, Vec<f32>);

/// The safetensors bytes of `tensors`. Names must be unique and non-empty, and each shape's
/// product must equal its value count.
pub fn serialize_tensors(tensors: &[NamedTensor<'_>]) -> Result<Vec<u8>> {
    let mut seen = HashSet::new();
    let mut encoded = Vec::with_capacity(tensors.len());
    for &(name, shape, values) in tensors {
        if name.is_empty() || !seen.insert(name) {
            return Err(AtbError::Registry(format!(
                "tensor names must be unique and non-empty, got {name:?} twice or empty"
            )));
        }
        let count: usize = shape.iter().product();
        if count != values.len() {
            return Err(AtbError::Registry(format!(
                "tensor {name:?}: shape {shape:?} holds {count} values but {} were given",
                values.len()
            )));
        }
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        encoded.push((name, shape.to_vec(), bytes));
    }
    let views = encoded
        .iter()
        .map(|(name, shape, bytes)| {
            TensorView::new(Dtype::F32, shape.clone(), bytes).map(|view| (*name, view))
        })
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| AtbError::Registry(format!("safetensors: {e}")))?;
    safetensors::serialize(views, None).map_err(|e| AtbError::Registry(format!("safetensors: {e}")))
}

/// Every tensor of the safetensors file at `path`, sorted by name, as (name, shape, values).
/// Only F32 tensors are accepted.
pub fn read_tensors(path: &Path) -> Result<Vec<OwnedTensor>> {
    let bytes = std::fs::read(path).map_err(|source| AtbError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let invalid = |detail: String| AtbError::Registry(format!("{}: {detail}", path.display()));
    let file = SafeTensors::deserialize(&bytes)
        .map_err(|e| invalid(format!("not a safetensors file: {e}")))?;
    let mut out = Vec::with_capacity(file.len());
    for (name, view) in file.tensors() {
        if view.dtype() != Dtype::F32 {
            return Err(invalid(format!(
                "tensor {name:?} is {:?}, only F32 is supported",
                view.dtype()
            )));
        }
        let values = view
            .data()
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        out.push((name, view.shape().to_vec(), values));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}
