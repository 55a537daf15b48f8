//! Shape checks shared by the training ops (softmax, layer norm, dropout, mse, adam, clip).

use crate::{AtbError, Result, Tensor};

/// `(rows, cols)` of a shape seen as rows × last dimension; an error for 0-D shapes.
pub(crate) fn rows_cols(shape: &[usize], op: &'static str) -> Result<(usize, usize)> {
    match shape.split_last() {
        Some((&cols, leading)) => Ok((leading.iter().product(), cols)),
        None => Err(AtbError::Shape {
            op,
            detail: "needs at least one axis, got a 0-dimensional tensor".to_string(),
        }),
    }
}

/// An error naming `name` unless `tensor` has shape `want`.
pub(crate) fn expect_shape(
    op: &'static str,
    name: &str,
    tensor: &Tensor,
    want: &[usize],
) -> Result<()> {
    if tensor.shape() == want {
        Ok(())
    } else {
        Err(AtbError::Shape {
            op,
            detail: format!("{name} must have shape {want:?}, got {:?}", tensor.shape()),
        })
    }
}
