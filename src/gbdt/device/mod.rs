//! The boosting wing's device code: the launchers of `shaders/gbdt_*.wgsl` (`*_gpu`) and their
//! CPU references (`*_cpu`), which are also the CPU learner. `tree_backend` is the one switch
//! between them; nothing outside `gbdt/` imports these files.
//!
//! `partition_rule` and `predict_cpu` are public because `kernels-tests/gbdt.rs` builds rules
//! and compares the GPU forest against the CPU prediction.

pub(crate) mod histogram_cpu;
pub(crate) mod histogram_gpu;
pub(crate) mod partition_cpu;
pub(crate) mod partition_gpu;
pub mod partition_rule;
pub mod predict_cpu;
pub(crate) mod predict_gpu;
