//! Device-neutral tensor operations: each validates shapes once, then runs the WGSL kernel
//! (`kernels::NAME`) or the CPU reference (`cpu::NAME`) depending on where the operands live.

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
mod receptive_field;
mod reduce;
mod softmax;

pub use accumulator::Accumulator;
pub use adam::{AdamConfig, AdamState, adam_step};
pub use attention::{
    AttentionForward, AttentionGrads, AttentionOptions, AttentionProjections, AttentionShape,
    attention, attention_backward, multi_head_self_attention,
};
pub use clip::{ClipScale, clip_apply, clip_by_global_norm, clip_scale};
pub use conv1d::{Conv1dGrads, Conv1dShape, conv1d, conv1d_backward};
pub use counter::StepCounter;
pub use dropout::{
    dropout, dropout_backward, dropout_backward_counted, dropout_counted, dropout_mask,
};
pub use elementwise::{BinaryOp, UnaryOp, activation_backward, binary, fill, unary};
pub use gather::{RowIndices, concat, gather_rows, place, slice};
pub use layer_norm::{LayerNormCache, layer_norm, layer_norm_backward};
pub use lstm::{
    LstmForward, LstmGrads, LstmOptions, LstmPath, LstmShape, lstm, lstm_backward,
    lstm_backward_with_options,
};
pub use matmul::{MatmulOptions, MatmulShape, matmul};
pub use mse::{mse_backward, mse_backward_upstream, mse_loss};
pub use receptive_field::receptive_field;
pub use reduce::{ReduceAxis, ReduceOp, expand, reduce};
pub use softmax::{softmax, softmax_backward};

use std::borrow::Cow;
use std::sync::Arc;

use ndarray::ArrayD;

use crate::device::{GpuBuffer, GpuContext};
use crate::tensor::Storage;
use crate::{AtbError, Result, Tensor};

/// Where all operands of one operation live.
pub(crate) enum Operands<'a> {
    /// Every operand on the CPU.
    Cpu(Vec<&'a ArrayD<f32>>),
    /// Every operand on the same GPU device.
    Gpu(&'a Arc<GpuContext>, Vec<&'a GpuBuffer>),
}

/// Checks that all operands share one device and returns their storages in order.
pub(crate) fn operands<'a>(op: &'static str, tensors: &[&'a Tensor]) -> Result<Operands<'a>> {
    let mismatch = || AtbError::DeviceMismatch {
        op,
        detail: tensors
            .iter()
            .map(|t| t.device().describe())
            .collect::<Vec<_>>()
            .join(", "),
    };
    match tensors.first().map(|t| t.storage()) {
        Some(Storage::Gpu { ctx, .. }) => {
            let mut buffers = Vec::with_capacity(tensors.len());
            for t in tensors {
                match t.storage() {
                    Storage::Gpu { ctx: c, buffer } if Arc::ptr_eq(c, ctx) => {
                        buffers.push(&**buffer)
                    }
                    _ => return Err(mismatch()),
                }
            }
            Ok(Operands::Gpu(ctx, buffers))
        }
        _ => {
            let mut arrays = Vec::with_capacity(tensors.len());
            for t in tensors {
                match t.storage() {
                    Storage::Cpu(a) => arrays.push(&**a),
                    Storage::Gpu { .. } => return Err(mismatch()),
                }
            }
            Ok(Operands::Cpu(arrays))
        }
    }
}

/// The elements of a CPU operand in row-major order, borrowed when already contiguous.
pub(crate) fn contiguous(array: &ArrayD<f32>) -> Cow<'_, [f32]> {
    match array.as_slice() {
        Some(slice) => Cow::Borrowed(slice),
        None => Cow::Owned(array.iter().copied().collect()),
    }
}
