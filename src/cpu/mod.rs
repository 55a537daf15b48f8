//! The ndarray reference of every kernel, with the same names as `kernels/` and `shaders/`.
//! It checks the WGSL kernels in `kernels-tests/` and is the complete CPU backend.

pub mod adam;
pub mod clip;
pub mod dropout;
pub mod elementwise;
pub mod layer_norm;
pub mod matmul;
pub mod mse;
pub mod real;
pub mod reduce;
pub mod softmax;
