//! Sum and mean over the last axis or over all leading rows.

use super::{Operands, contiguous, operands};
use crate::{AtbError, Result, Tensor, cpu, kernels};

/// What to compute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReduceOp {
    /// Sum.
    Sum,
    /// Arithmetic mean.
    Mean,
}

/// Which axis to reduce, viewing the tensor as rows × last dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReduceAxis {
    /// Reduce the last axis: shape `[.., n]` → `[..]`.
    Last,
    /// Reduce every row: shape `[.., n]` → `[n]` (e.g. a bias gradient).
    Rows,
}

/// Reduces `x` (at least 1-D) along `axis`.
pub fn reduce(x: &Tensor, op: ReduceOp, axis: ReduceAxis) -> Result<Tensor> {
    let Some((&cols, leading)) = x.shape().split_last() else {
        return Err(AtbError::Shape {
            op: "reduce",
            detail: "cannot reduce a 0-dimensional tensor".to_string(),
        });
    };
    let rows: usize = leading.iter().product();
    let (reduced, out_shape) = match axis {
        ReduceAxis::Last => (cols, leading.to_vec()),
        ReduceAxis::Rows => (rows, vec![cols]),
    };
    let out_len: usize = out_shape.iter().product();
    if reduced == 0 && out_len > 0 {
        return Err(AtbError::Shape {
            op: "reduce",
            detail: format!("the reduced axis of shape {:?} is empty", x.shape()),
        });
    }
    match operands("reduce", &[x])? {
        Operands::Cpu(a) => {
            let out = cpu::reduce::reduce(&contiguous(a[0]), rows, cols, op, axis);
            Tensor::from_vec(&out_shape, out)
        }
        Operands::Gpu(ctx, b) => {
            let out = kernels::reduce::reduce(ctx, b[0], rows, cols, op, axis)?;
            Ok(Tensor::from_gpu(ctx.clone(), out, out_shape))
        }
    }
}
