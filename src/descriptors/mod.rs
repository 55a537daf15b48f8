//! Op descriptors: the shapes, options and enums that describe one kernel call, below both
//! backends. `cpu/` and `kernels/` take them as arguments and `ops/` builds them (and
//! re-exports the ones callers name), so imports only run downward. One file per kernel
//! family, with the family's name.

pub mod attention;
pub mod conv1d;
pub mod dropout;
pub mod elementwise;
pub mod gather;
pub mod lstm;
pub mod matmul;
pub mod reduce;
