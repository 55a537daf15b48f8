//! Every WGSL kernel on the GPU adapter against its CPU reference (and against exact f64
//! arithmetic where that makes the bound sharper). In CI the adapter is Mesa's lavapipe.

mod attention;
mod autograd;
mod common;
mod conv1d;
mod device;
mod elementwise;
mod gather;
mod gbdt;
mod gradcheck;
mod lstm;
mod matmul;
mod nn;
mod reduce;
