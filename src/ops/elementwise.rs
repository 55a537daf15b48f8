//! Pointwise operations: `unary` (scale, relu, tanh, sigmoid, gelu) and `binary` (add, sub,
//! mul) with broadcasting of one row over the last axis (e.g. a bias).

use super::operands::{Operands, contiguous, operands};
use crate::activation::Activation;
use crate::descriptors::elementwise::{BinaryOp, UnaryOp};
use crate::device::ComputeDevice;
use crate::{AtbError, Result, Tensor, cpu, kernels};

/// Applies `op` to every element of `x`.
pub fn unary(op: UnaryOp, x: &Tensor) -> Result<Tensor> {
    match operands("unary", &[x])? {
        Operands::Cpu(a) => Ok(Tensor::from_array(cpu::elementwise::unary(op, a[0]))),
        Operands::Gpu(ctx, b) => {
            let out = kernels::elementwise::unary(ctx, op, b[0], x.len())?;
            Ok(Tensor::from_gpu(ctx.clone(), out, x.shape().to_vec()))
        }
    }
}

/// `lhs op rhs`, where `rhs` has `lhs`'s shape or is one row of `lhs`'s last dimension
/// (shape `[last]`), broadcast over every row.
pub fn binary(op: BinaryOp, lhs: &Tensor, rhs: &Tensor) -> Result<Tensor> {
    let same = lhs.shape() == rhs.shape();
    let row = rhs.shape().len() == 1 && lhs.shape().last() == rhs.shape().first();
    if !same && !row {
        return Err(AtbError::Shape {
            op: "binary",
            detail: format!(
                "rhs must have lhs's shape {:?} or be one row of its last dimension, got {:?}",
                lhs.shape(),
                rhs.shape()
            ),
        });
    }
    match operands("binary", &[lhs, rhs])? {
        Operands::Cpu(a) => Ok(Tensor::from_array(cpu::elementwise::binary(op, a[0], a[1]))),
        Operands::Gpu(ctx, b) => {
            let out = kernels::elementwise::binary(ctx, op, b[0], b[1], lhs.len(), rhs.len())?;
            Ok(Tensor::from_gpu(ctx.clone(), out, lhs.shape().to_vec()))
        }
    }
}

/// The gradient through an activation: `dy · act'(x)`, where `x` is the activation's input.
pub fn activation_backward(act: Activation, x: &Tensor, dy: &Tensor) -> Result<Tensor> {
    if x.shape() != dy.shape() {
        return Err(AtbError::Shape {
            op: "activation_backward",
            detail: format!("x {:?} and dy {:?} differ", x.shape(), dy.shape()),
        });
    }
    match operands("activation_backward", &[x, dy])? {
        Operands::Cpu(a) => {
            let out =
                cpu::elementwise::activation_backward(act, &contiguous(a[0]), &contiguous(a[1]));
            Tensor::from_vec(x.shape(), out)
        }
        Operands::Gpu(ctx, b) => {
            let out = kernels::elementwise::activation_backward(ctx, act, b[0], b[1], x.len())?;
            Ok(Tensor::from_gpu(ctx.clone(), out, x.shape().to_vec()))
        }
    }
}

/// A tensor of `shape` filled with `value` on `device`.
pub fn fill(device: &ComputeDevice, shape: &[usize], value: f32) -> Result<Tensor> {
    let n: usize = shape.iter().product();
    match device {
        ComputeDevice::Cpu => Tensor::from_vec(shape, vec![value; n]),
        ComputeDevice::Gpu(ctx) => {
            let out = kernels::elementwise::fill(ctx, n, value)?;
            Ok(Tensor::from_gpu(ctx.clone(), out, shape.to_vec()))
        }
    }
}
