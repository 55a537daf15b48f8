//! The WGSL shaders compiled into the binary, one per kernel family.
//!
//! The files in `shaders/` are embedded as they are and composed with the prelude parts they
//! list (`// prelude: grid, reduce`, see [`super::prelude`]) when their module is built: the
//! composed source naga validates in CI (`cargo run --example validate_shaders`) is the source
//! that runs. Variants are chosen with `override` constants at pipeline creation.

use super::prelude::{Composed, PreludePart, compose};

/// One WGSL shader: its file name (for errors and cache keys) and its source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Shader {
    /// The file, relative to the crate root, e.g. `shaders/matmul.wgsl`; unique per shader.
    pub file: &'static str,
    /// The shader's own WGSL source, before its prelude parts are appended.
    pub source: &'static str,
}

impl Shader {
    /// Every shader compiled into the binary.
    pub const ALL: &'static [Shader] = &[
        Shader::ELEMENTWISE,
        Shader::LSTM,
        Shader::MATMUL,
        Shader::REDUCE,
        Shader::GATHER,
        Shader::COUNTER,
        Shader::GBDT_HISTOGRAM,
        Shader::GBDT_PREDICT,
        Shader::GBDT_PARTITION,
        Shader::ATTENTION,
        Shader::CONV1D,
        Shader::SOFTMAX,
        Shader::LAYER_NORM,
        Shader::DROPOUT,
        Shader::MSE,
        Shader::ADAM,
        Shader::CLIP,
    ];

    /// The source that is compiled: this shader with the embedded prelude parts it lists.
    /// An error (one line) names the shader file, the line and the part.
    pub fn compose(&self) -> Result<Composed, String> {
        compose(self.file, self.source, |name| {
            PreludePart::find(name).map(|part| part.source.to_owned())
        })
    }
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    use naga::front::wgsl;
    use naga::valid::{Capabilities, ValidationFlags, Validator};

    use super::*;

    /// The `*.wgsl` file names in `dir` of the crate, sorted.
    fn wgsl_files(dir: &str) -> Vec<String> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
        let mut files: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "wgsl"))
            .map(|path| path.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        files.sort();
        files
    }

    #[test]
    fn every_shader_and_prelude_part_on_disk_is_embedded() {
        let mut shaders: Vec<String> = Shader::ALL
            .iter()
            .map(|shader| shader.file.trim_start_matches("shaders/").to_owned())
            .collect();
        shaders.sort();
        assert_eq!(shaders, wgsl_files("shaders"));
        let parts: Vec<String> = PreludePart::ALL
            .iter()
            .map(|part| format!("{}.wgsl", part.name))
            .collect();
        assert_eq!(parts, wgsl_files("shaders/prelude"));
    }

    #[test]
    fn every_shader_composes_and_validates_with_naga() {
        let capabilities = Capabilities::SHADER_FLOAT16
            | Capabilities::SUBGROUP
            | Capabilities::SUBGROUP_BARRIER
            | Capabilities::IMMEDIATES;
        for shader in Shader::ALL {
            let composed = shader.compose().unwrap();
            let module = wgsl::parse_str(&composed.source).unwrap_or_else(|e| {
                panic!(
                    "{}: {}",
                    composed.line_map(),
                    e.emit_to_string_with_path(&composed.source, shader.file)
                )
            });
            Validator::new(ValidationFlags::all(), capabilities)
                .validate(&module)
                .unwrap_or_else(|e| {
                    panic!(
                        "{}: {}",
                        composed.line_map(),
                        e.emit_to_string_with_path(&composed.source, shader.file)
                    )
                });
        }
    }

    #[test]
    fn a_shader_listing_a_missing_part_fails_to_compose_naming_the_shader() {
        let shader = Shader {
            file: "shaders/broken.wgsl",
            source: "// prelude: grid, missing\n",
        };
        let err = shader.compose().unwrap_err();
        assert!(
            err.starts_with("shaders/broken.wgsl line 1: unknown prelude part `missing`"),
            "{err}"
        );
    }
}
