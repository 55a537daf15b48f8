//! The pointwise functions of `unary` and `binary`.

use crate::activation::Activation;

/// A one-input pointwise function.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum UnaryOp {
    /// x · alpha.
    Scale(f32),
    /// An activation function.
    Activation(Activation),
    /// |x|.
    Abs,
}

/// A two-input pointwise function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    /// lhs + rhs.
    Add,
    /// lhs - rhs.
    Sub,
    /// lhs · rhs.
    Mul,
}
