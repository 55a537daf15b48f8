//! Backward rules of the pointwise operations.

use super::tape::{Tape, Var};
use crate::activation::Activation;
use crate::ops::{self, BinaryOp, ReduceAxis, ReduceOp, UnaryOp};
use crate::{Result, Tensor};

/// Brings a gradient back to its operand's shape: sums the rows when the operand was one row
/// broadcast over them.
fn to_operand(grad: Tensor, operand: &Tensor) -> Result<Tensor> {
    if grad.shape() == operand.shape() {
        Ok(grad)
    } else {
        ops::reduce(&grad, ReduceOp::Sum, ReduceAxis::Rows)
    }
}

impl Tape {
    /// `lhs op rhs`, with `rhs` of `lhs`'s shape or one row broadcast over it.
    pub fn binary(&self, op: BinaryOp, lhs: &Var, rhs: &Var) -> Result<Var> {
        let value = ops::binary(op, lhs.value(), rhs.value())?;
        let (l, r) = (lhs.value().clone(), rhs.value().clone());
        Ok(self.record(value, &[lhs, rhs], move |dy| {
            let (dl, dr) = match op {
                BinaryOp::Add => (dy.clone(), dy.clone()),
                BinaryOp::Sub => (dy.clone(), ops::unary(UnaryOp::Scale(-1.0), dy)?),
                BinaryOp::Mul => (
                    ops::binary(BinaryOp::Mul, dy, &r)?,
                    ops::binary(BinaryOp::Mul, dy, &l)?,
                ),
            };
            Ok(vec![Some(dl), Some(to_operand(dr, &r)?)])
        }))
    }

    /// `lhs + rhs` (see [`Tape::binary`]).
    pub fn add(&self, lhs: &Var, rhs: &Var) -> Result<Var> {
        self.binary(BinaryOp::Add, lhs, rhs)
    }

    /// `lhs - rhs` (see [`Tape::binary`]).
    pub fn sub(&self, lhs: &Var, rhs: &Var) -> Result<Var> {
        self.binary(BinaryOp::Sub, lhs, rhs)
    }

    /// `lhs · rhs` element by element (see [`Tape::binary`]).
    pub fn mul(&self, lhs: &Var, rhs: &Var) -> Result<Var> {
        self.binary(BinaryOp::Mul, lhs, rhs)
    }

    /// `x · alpha`.
    pub fn scale(&self, x: &Var, alpha: f32) -> Result<Var> {
        let value = ops::unary(UnaryOp::Scale(alpha), x.value())?;
        Ok(self.record(value, &[x], move |dy| {
            Ok(vec![Some(ops::unary(UnaryOp::Scale(alpha), dy)?)])
        }))
    }

    /// An activation function.
    pub fn activation(&self, x: &Var, act: Activation) -> Result<Var> {
        if act == Activation::None {
            return Ok(x.clone());
        }
        let value = ops::unary(UnaryOp::Activation(act), x.value())?;
        let input = x.value().clone();
        Ok(self.record(value, &[x], move |dy| {
            Ok(vec![Some(ops::activation_backward(act, &input, dy)?)])
        }))
    }
}
