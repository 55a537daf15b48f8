//! ONNX export: every model type as an ONNX file (opset 17, `ai.onnx.ml` 3) written with
//! prost messages of the official schema, and the checks that run an exported file — tract for
//! the networks, a decoder of the tree ensemble for boosted models — to compare it with our
//! own predictions. The jobs that load a saved version and validate it live in `pipeline`.

mod agreement;
mod attention;
mod attention_lstm;
mod attributes;
mod cnn_lstm;
mod conv;
mod dense;
mod graph;
mod lstm;
mod neural;
pub mod proto;
mod sequence;
mod tcn;
mod tcn_attention;
mod tract_run;
mod tree_check;
mod tree_ensemble;
mod weights;

pub use agreement::{Agreement, RELATIVE_BOUND};
pub use graph::{IR_VERSION, ML_DOMAIN, ML_OPSET, ModelHeader, OPSET};
pub use neural::{FORECAST_OUTPUT, WINDOW_INPUT, neural_model};
pub use proto::ModelProto;
pub use tract_run::run_tract;
pub use tree_check::run_tree_ensemble;
pub use tree_ensemble::{FEATURES_INPUT, tree_ensemble_model};
pub use weights::Weights;

/// The file's bytes.
pub fn encode(model: &ModelProto) -> Vec<u8> {
    prost::Message::encode_to_vec(model)
}
