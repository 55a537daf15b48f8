//! The ndarray reference of every kernel, with the same names as `kernels/` and `shaders/`.
//! It checks the WGSL kernels in `kernels-tests/` and is the complete CPU backend,
//! except where [`fast`] restructures an operation for speed (checked against the reference). The files
//! `kernels-tests/` calls directly are public; the rest are reached through `ops`.

pub mod adam;
pub mod attention;
pub(crate) mod clip;
pub mod conv1d;
pub(crate) mod dropout;
pub(crate) mod elementwise;
pub mod fast;
pub(crate) mod gather;
pub mod layer_norm;
pub mod lstm;
pub mod matmul;
pub mod mse;
pub(crate) mod real;
pub(crate) mod reduce;
pub mod softmax;
