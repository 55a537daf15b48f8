//! Sum and mean over the last axis or over all leading rows.

use super::operands::{Operands, contiguous, operands};
use crate::descriptors::reduce::{ReduceAxis, ReduceOp};
use crate::{AtbError, Result, Tensor, cpu, kernels};

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

/// The adjoint of [`reduce`]: `alpha · src` repeated to `shape` — along the last axis
/// (`src` has shape `shape[..-1]`) or over every row (`src` has shape `[shape[-1]]`).
pub fn expand(src: &Tensor, axis: ReduceAxis, shape: &[usize], alpha: f32) -> Result<Tensor> {
    let Some((&cols, leading)) = shape.split_last() else {
        return Err(AtbError::Shape {
            op: "expand",
            detail: "cannot expand to a 0-dimensional shape".to_string(),
        });
    };
    let (expected, len) = match axis {
        ReduceAxis::Last => (leading.to_vec(), cols),
        ReduceAxis::Rows => (vec![cols], cols),
    };
    if src.shape() != expected.as_slice() {
        return Err(AtbError::Shape {
            op: "expand",
            detail: format!(
                "expanding to {shape:?} needs a source of shape {expected:?}, got {:?}",
                src.shape()
            ),
        });
    }
    let n: usize = shape.iter().product();
    match operands("expand", &[src])? {
        Operands::Cpu(a) => Tensor::from_vec(
            shape,
            cpu::elementwise::expand(&contiguous(a[0]), n, len, axis, alpha),
        ),
        Operands::Gpu(ctx, b) => {
            let out = kernels::elementwise::expand(ctx, b[0], n, len, axis, alpha)?;
            Ok(Tensor::from_gpu(ctx.clone(), out, shape.to_vec()))
        }
    }
}
