//! The fast CPU path: the same operations as the readable references one directory up,
//! restructured for speed (GEMMs over the whole batch, fused element-wise loops, rayon
//! threads). `ops::*` runs these for CPU tensors; `kernels-tests/fast_cpu_*.rs` checks each one
//! against its reference, forward and every gradient.
//!
//! Determinism: every function splits its work into pieces whose boundaries depend on the
//! problem size only, never on the thread count, and every element is computed by one
//! thread in a fixed order, so the results are bit-identical for any `--threads`.

pub mod attention;
pub mod conv1d;
pub mod gemm;
pub mod lstm;
pub mod math;
pub mod matmul;
pub mod threads;
