//! Every WGSL kernel on the GPU adapter against its CPU reference (and against exact f64
//! arithmetic where that makes the bound sharper). In CI the adapter is Mesa's lavapipe.

mod adam;
mod attention;
mod autograd;
mod clip;
mod common;
mod conv1d;
mod device;
mod dropout;
mod elementwise;
mod fast_cpu_attention;
mod fast_cpu_check;
mod fast_cpu_conv1d;
mod fast_cpu_lstm;
mod fast_cpu_matmul;
mod finite_difference;
mod gather;
mod gbdt;
mod gradcheck;
mod layer_norm;
mod lstm;
mod matmul;
mod models;
mod mse;
mod nn;
mod reduce;
mod softmax;
mod training;
