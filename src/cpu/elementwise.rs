//! CPU reference of `shaders/elementwise.wgsl`.

use ndarray::ArrayD;

use crate::ops::{BinaryOp, UnaryOp};

/// Applies `op` to every element.
pub fn unary(op: UnaryOp, x: &ArrayD<f32>) -> ArrayD<f32> {
    match op {
        UnaryOp::Scale(alpha) => x.mapv(|v| v * alpha),
        UnaryOp::Activation(act) => x.mapv(|v| act.apply(v)),
    }
}

/// `lhs op rhs`, `rhs` either `lhs`'s shape or one row broadcast over the last axis
/// (the caller has checked which).
pub fn binary(op: BinaryOp, lhs: &ArrayD<f32>, rhs: &ArrayD<f32>) -> ArrayD<f32> {
    match op {
        BinaryOp::Add => lhs + rhs,
        BinaryOp::Sub => lhs - rhs,
        BinaryOp::Mul => lhs * rhs,
    }
}
