//! The WGSL shaders compiled into the binary, one per kernel family.
//!
//! The files in `shaders/` are embedded as they are: the file naga validates in CI is the file
//! that runs. Variants are chosen with `override` constants at pipeline creation.

/// One WGSL shader: its file name (for errors and cache keys) and its source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Shader {
    /// The file, relative to the crate root, e.g. `shaders/matmul.wgsl`; unique per shader.
    pub file: &'static str,
    /// The WGSL source.
    pub source: &'static str,
}

impl Shader {
    /// `shaders/elementwise.wgsl`: unary and binary pointwise ops with row broadcasting.
    pub const ELEMENTWISE: Shader = Shader {
        file: "shaders/elementwise.wgsl",
        source: include_str!("../../shaders/elementwise.wgsl"),
    };
    /// `shaders/matmul.wgsl`: tiled, batched matmul with transposes and a bias/activation epilogue.
    pub const MATMUL: Shader = Shader {
        file: "shaders/matmul.wgsl",
        source: include_str!("../../shaders/matmul.wgsl"),
    };
    /// `shaders/reduce.wgsl`: sum and mean over the last axis or over rows.
    pub const REDUCE: Shader = Shader {
        file: "shaders/reduce.wgsl",
        source: include_str!("../../shaders/reduce.wgsl"),
    };
    /// `shaders/conv1d.wgsl`: dilated causal convolution, forward and input/weight gradients.
    pub const CONV1D: Shader = Shader {
        file: "shaders/conv1d.wgsl",
        source: include_str!("../../shaders/conv1d.wgsl"),
    };
}
