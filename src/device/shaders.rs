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
    /// `shaders/lstm.wgsl`: LSTM recurrence, forward and backward, sequence and per-step kernels.
    pub const LSTM: Shader = Shader {
        file: "shaders/lstm.wgsl",
        source: include_str!("../../shaders/lstm.wgsl"),
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
    /// `shaders/gather.wgsl`: windows along an axis (slice, concat) and row gathers.
    pub const GATHER: Shader = Shader {
        file: "shaders/gather.wgsl",
        source: include_str!("../../shaders/gather.wgsl"),
    };
    /// `shaders/counter.wgsl`: GPU-resident step counters.
    pub const COUNTER: Shader = Shader {
        file: "shaders/counter.wgsl",
        source: include_str!("../../shaders/counter.wgsl"),
    };
    /// `shaders/gbdt_histogram.wgsl`: integer-atomic leaf histograms for gradient boosting.
    pub const GBDT_HISTOGRAM: Shader = Shader {
        file: "shaders/gbdt_histogram.wgsl",
        source: include_str!("../../shaders/gbdt_histogram.wgsl"),
    };
    /// `shaders/gbdt_predict.wgsl`: walks boosted trees over binned rows.
    pub const GBDT_PREDICT: Shader = Shader {
        file: "shaders/gbdt_predict.wgsl",
        source: include_str!("../../shaders/gbdt_predict.wgsl"),
    };
    /// `shaders/gbdt_partition.wgsl`: stable GPU partition of a leaf's rows into its children.
    pub const GBDT_PARTITION: Shader = Shader {
        file: "shaders/gbdt_partition.wgsl",
        source: include_str!("../../shaders/gbdt_partition.wgsl"),
    };
    /// `shaders/attention.wgsl`: fused multi-head self-attention forward and backward.
    pub const ATTENTION: Shader = Shader {
        file: "shaders/attention.wgsl",
        source: include_str!("../../shaders/attention.wgsl"),
    };
    /// `shaders/conv1d.wgsl`: dilated causal convolution, forward and input/weight gradients.
    pub const CONV1D: Shader = Shader {
        file: "shaders/conv1d.wgsl",
        source: include_str!("../../shaders/conv1d.wgsl"),
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
