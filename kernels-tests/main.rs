//! Every WGSL kernel on the GPU adapter against its CPU reference (and against exact f64
//! arithmetic where that makes the bound sharper). In CI the adapter is Mesa's lavapipe.

mod adam;
mod clip;
mod common;
mod device;
mod dropout;
mod elementwise;
mod gradcheck;
mod layer_norm;
mod matmul;
mod mse;
mod reduce;
mod softmax;
