//! atb-gpu: GPU-first training, evaluation and export of price-forecasting models.
//!
//! Compute runs as hand-written WGSL kernels (`shaders/`) through `wgpu`; every kernel has a CPU
//! reference in [`cpu`] that doubles as a complete CPU backend. [`ops`] is the device-neutral
//! entry point: it validates shapes once and dispatches to [`kernels`] or [`cpu`]. Both take
//! their shapes and options from `descriptors`, below them. Modules import only downward
//! (docs/architecture.md, "Layering"; checked by `tests/layering.rs`).
//!
//! `cpu` and `kernels` are crate-internal apart from the references and launchers that
//! `kernels-tests/` compares directly (`cpu::{adam, attention, layer_norm, lstm, mse,
//! softmax}`, `kernels::lstm`); everything else reaches them through [`ops`].

pub mod activation;
pub mod autograd;
pub mod cli;
pub mod cpu;
pub mod data;
pub(crate) mod descriptors;
pub mod device;
pub mod error;
pub mod eval;
pub mod export;
pub mod gbdt;
pub mod kernels;
pub mod models;
pub mod nn;
pub mod ops;
pub mod pipeline;
pub mod plots;
pub mod registry;
pub mod tensor;
pub mod train;
pub mod tune;

pub use device::{BackendChoice, ComputeDevice, DeviceChoice, DeviceRequest};
pub use error::{AtbError, Result};
pub use tensor::Tensor;
