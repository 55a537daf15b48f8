//! CPU reference of `shaders/elementwise.wgsl`.

use ndarray::ArrayD;

use crate::activation::Activation;
use crate::descriptors::elementwise::{BinaryOp, UnaryOp};
use crate::descriptors::reduce::ReduceAxis;

/// Applies `op` to every element.
pub fn unary(op: UnaryOp, x: &ArrayD<f32>) -> ArrayD<f32> {
    match op {
        UnaryOp::Scale(alpha) => x.mapv(|v| v * alpha),
        UnaryOp::Activation(act) => x.mapv(|v| act.apply(v)),
        UnaryOp::Abs => x.mapv(f32::abs),
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

/// `dy · act'(x)` element by element (same shapes).
pub fn activation_backward(act: Activation, x: &[f32], dy: &[f32]) -> Vec<f32> {
    x.iter()
        .zip(dy)
        .map(|(&x, &g)| g * act.derivative(x))
        .collect()
}

/// `alpha · src` repeated to `n` elements: `src[i / len]` along the last axis of length `len`
/// (`ReduceAxis::Last`'s adjoint) or `src[i % len]` over rows (`ReduceAxis::Rows`'s adjoint).
pub fn expand(src: &[f32], n: usize, len: usize, axis: ReduceAxis, alpha: f32) -> Vec<f32> {
    (0..n)
        .map(|i| {
            let j = match axis {
                ReduceAxis::Last => i / len,
                ReduceAxis::Rows => i % len,
            };
            alpha * src[j]
        })
        .collect()
}
