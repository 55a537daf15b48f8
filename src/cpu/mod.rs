//! The ndarray reference of every kernel, with the same names as `kernels/` and `shaders/`.
//! It checks the WGSL kernels in `kernels-tests/` and is the complete CPU backend, except
//! where [`fast`] restructures an operation for speed (checked against the reference).

pub mod adam;
pub mod attention;
pub mod clip;
pub mod conv1d;
pub mod dropout;
pub mod elementwise;
pub mod fast;
pub mod gather;
pub mod gbdt_histogram;
pub mod gbdt_partition;
pub mod gbdt_predict;
pub mod layer_norm;
pub mod lstm;
pub mod matmul;
pub mod mse;
pub mod real;
pub mod reduce;
pub mod softmax;
