//! Launchers of the WGSL kernels: one file per shader family, each packing the parameter
//! block, choosing the override constants and the grid, and recording the dispatch. Only
//! `lstm` is public (`kernels-tests/lstm.rs` drives its two recurrence paths directly); the
//! rest are reached through `ops`.

pub(crate) mod adam;
pub(crate) mod attention;
pub(crate) mod clip;
pub(crate) mod conv1d;
pub(crate) mod counter;
pub(crate) mod dropout;
pub(crate) mod elementwise;
pub(crate) mod gather;
pub(crate) mod grid;
pub(crate) mod layer_norm;
pub mod lstm;
pub(crate) mod matmul;
pub(crate) mod mse;
pub(crate) mod reduce;
mod row_threads;
pub(crate) mod softmax;
