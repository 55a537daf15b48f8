//! Reverse-mode automatic differentiation over [`Tensor`](crate::Tensor) operations.
//!
//! A [`Tape`] records each differentiable operation as it runs (define-by-run); its backward
//! rule calls `ops::*`, so the same graph code runs on the GPU kernels and on the CPU reference.
//! `tape.backward(&loss)` walks the records in reverse and returns the gradient of every
//! parameter leaf. One file per family of rules.

mod linear;
mod loss;
mod normalize;
mod pointwise;
mod reduce;
mod sequence;
mod shape;
mod tape;

pub use tape::{Gradients, Tape, Var};
