//! Device-neutral tensor operations: each validates shapes once, then runs the WGSL kernel
//! (`kernels::NAME`) or the CPU reference (`cpu::NAME`) depending on where the operands live.
//! The shapes and options they take live in `descriptors/`, below both backends.

mod accumulator;
mod adam;
mod attention;
mod checks;
mod clip;
mod conv1d;
mod counter;
mod dropout;
mod elementwise;
mod gather;
mod layer_norm;
mod lstm;
mod matmul;
mod mse;
mod operands;
mod receptive_field;
mod reduce;
mod softmax;

pub use accumulator::Accumulator;
pub use adam::{AdamConfig, AdamMoments, AdamState, adam_step};
pub use attention::{AttentionForward, AttentionGrads, attention, attention_backward};
pub use clip::{ClipScale, clip_apply, clip_by_global_norm, clip_scale};
pub use conv1d::{Conv1dGrads, conv1d, conv1d_backward};
pub use counter::StepCounter;
pub use dropout::{
    dropout, dropout_backward, dropout_backward_counted, dropout_counted, dropout_mask,
};
pub use elementwise::{activation_backward, binary, fill, unary};
pub use gather::{RowIndices, concat, gather_rows, place, slice};
pub use layer_norm::{LayerNormCache, layer_norm, layer_norm_backward};
pub use lstm::{LstmForward, LstmGrads, lstm, lstm_backward, lstm_backward_with_options};
pub use matmul::matmul;
pub use mse::{mse_backward, mse_backward_upstream, mse_loss};
pub use receptive_field::receptive_field;
pub use reduce::{expand, reduce};
pub use softmax::{softmax, softmax_backward};

// The descriptors callers build, re-exported so `ops::MatmulShape` and friends keep working.
pub use crate::descriptors::attention::{AttentionOptions, AttentionShape};
pub use crate::descriptors::conv1d::Conv1dShape;
pub use crate::descriptors::elementwise::{BinaryOp, UnaryOp};
pub use crate::descriptors::lstm::{LstmOptions, LstmPath, LstmShape};
pub use crate::descriptors::matmul::{MatmulOptions, MatmulShape};
pub use crate::descriptors::reduce::{ReduceAxis, ReduceOp};
