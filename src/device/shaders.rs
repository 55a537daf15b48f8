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
    /// `shaders/softmax.wgsl`: softmax over the last axis and its backward.
    pub const SOFTMAX: Shader = Shader {
        file: "shaders/softmax.wgsl",
        source: include_str!("../../shaders/softmax.wgsl"),
    };
    /// `shaders/layer_norm.wgsl`: layer normalisation over the last axis and its backward.
    pub const LAYER_NORM: Shader = Shader {
        file: "shaders/layer_norm.wgsl",
        source: include_str!("../../shaders/layer_norm.wgsl"),
    };
    /// `shaders/dropout.wgsl`: inverted dropout with a counter-based hash mask.
    pub const DROPOUT: Shader = Shader {
        file: "shaders/dropout.wgsl",
        source: include_str!("../../shaders/dropout.wgsl"),
    };
    /// `shaders/mse.wgsl`: mean squared error loss (two-pass reduction) and its gradient.
    pub const MSE: Shader = Shader {
        file: "shaders/mse.wgsl",
        source: include_str!("../../shaders/mse.wgsl"),
    };
    /// `shaders/adam.wgsl`: fused Adam/AdamW step over one flat parameter buffer.
    pub const ADAM: Shader = Shader {
        file: "shaders/adam.wgsl",
        source: include_str!("../../shaders/adam.wgsl"),
    };
    /// `shaders/clip.wgsl`: global-norm gradient clipping without a host readback.
    pub const CLIP: Shader = Shader {
        file: "shaders/clip.wgsl",
        source: include_str!("../../shaders/clip.wgsl"),
    };
}
