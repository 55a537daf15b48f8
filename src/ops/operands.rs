//! Where the operands of one operation live, checked once per call.

use std::borrow::Cow;
use std::sync::Arc;

use ndarray::ArrayD;

use crate::device::{GpuBuffer, GpuContext};
use crate::error::{AtbError, Result};
use crate::tensor::Storage;
use crate::tensor::Tensor;

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
