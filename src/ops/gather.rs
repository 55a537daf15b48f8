//! Data movement with gradients in mind: slices and concatenation along any axis, and row
//! gathers by an index list (batch assembly from a device-resident data set).

use std::sync::Arc;

use super::counter::StepCounter;
use super::operands::{Operands, contiguous, operands};
use crate::descriptors::gather::Window;
use crate::device::{BufferClass, ComputeDevice, GpuBuffer, GpuContext};
use crate::{AtbError, Result, Tensor, cpu, kernels};

fn split_at_axis(shape: &[usize], axis: usize, op: &'static str) -> Result<(usize, usize, usize)> {
    if axis >= shape.len() {
        return Err(AtbError::Shape {
            op,
            detail: format!("axis {axis} of a {}-D tensor {shape:?}", shape.len()),
        });
    }
    let outer = shape[..axis].iter().product();
    let inner = shape[axis + 1..].iter().product();
    Ok((outer, shape[axis], inner))
}

/// Positions `start..start + len` of `axis` (e.g. the last time step: axis 1, start T-1, len 1).
pub fn slice(x: &Tensor, axis: usize, start: usize, len: usize) -> Result<Tensor> {
    let (outer, size, inner) = split_at_axis(x.shape(), axis, "slice")?;
    if start + len > size {
        return Err(AtbError::Shape {
            op: "slice",
            detail: format!(
                "positions {start}..{} of axis {axis} of {:?}",
                start + len,
                x.shape()
            ),
        });
    }
    let mut shape = x.shape().to_vec();
    shape[axis] = len;
    let window = Window {
        outer,
        src_axis: size,
        dst_axis: len,
        inner,
        src_start: start,
        dst_start: 0,
        len,
    };
    match operands("slice", &[x])? {
        Operands::Cpu(a) => {
            let mut out = vec![0.0; shape.iter().product()];
            cpu::gather::copy_window(&contiguous(a[0]), &mut out, &window);
            Tensor::from_vec(&shape, out)
        }
        Operands::Gpu(ctx, b) => {
            let n: usize = shape.iter().product();
            let out = ctx.alloc(BufferClass::Storage, 4 * n as u64, "slice output")?;
            if n > 0 {
                kernels::gather::copy_window(ctx, b[0], &out, &window)?;
            }
            Ok(Tensor::from_gpu(ctx.clone(), out, shape))
        }
    }
}

/// The adjoint of [`slice`]: a zero tensor of `shape` with `x` placed at `start` along `axis`.
pub fn place(x: &Tensor, shape: &[usize], axis: usize, start: usize) -> Result<Tensor> {
    let (outer, size, inner) = split_at_axis(shape, axis, "place")?;
    let len = x.shape().get(axis).copied().unwrap_or(0);
    let mut expected = shape.to_vec();
    if let Some(d) = expected.get_mut(axis) {
        *d = len;
    }
    if x.shape() != expected.as_slice() || start + len > size {
        return Err(AtbError::Shape {
            op: "place",
            detail: format!("{:?} at {start} along axis {axis} of {shape:?}", x.shape()),
        });
    }
    let window = Window {
        outer,
        src_axis: len,
        dst_axis: size,
        inner,
        src_start: 0,
        dst_start: start,
        len,
    };
    match operands("place", &[x])? {
        Operands::Cpu(a) => {
            let mut data = vec![0.0; shape.iter().product()];
            cpu::gather::copy_window(&contiguous(a[0]), &mut data, &window);
            Tensor::from_vec(shape, data)
        }
        Operands::Gpu(ctx, b) => {
            let n: usize = shape.iter().product();
            let out = kernels::elementwise::fill(ctx, n, 0.0)?;
            if outer * len * inner > 0 {
                kernels::gather::copy_window(ctx, b[0], &out, &window)?;
            }
            Ok(Tensor::from_gpu(ctx.clone(), out, shape.to_vec()))
        }
    }
}

/// Joins tensors along `axis`; every other dimension must agree.
pub fn concat(parts: &[&Tensor], axis: usize) -> Result<Tensor> {
    let Some(first) = parts.first() else {
        return Err(AtbError::Shape {
            op: "concat",
            detail: "nothing to concatenate".to_string(),
        });
    };
    let (outer, _, inner) = split_at_axis(first.shape(), axis, "concat")?;
    let mut shape = first.shape().to_vec();
    shape[axis] = 0;
    for p in parts {
        let mut other = p.shape().to_vec();
        if other.len() != shape.len() {
            return Err(AtbError::Shape {
                op: "concat",
                detail: format!("{:?} and {:?} differ in rank", first.shape(), p.shape()),
            });
        }
        let size = other[axis];
        other[axis] = 0;
        let mut expected = first.shape().to_vec();
        expected[axis] = 0;
        if other != expected {
            return Err(AtbError::Shape {
                op: "concat",
                detail: format!(
                    "{:?} and {:?} differ outside axis {axis}",
                    first.shape(),
                    p.shape()
                ),
            });
        }
        shape[axis] += size;
    }
    let total_axis = shape[axis];
    let n: usize = shape.iter().product();
    let windows = parts.iter().scan(0, |start, p| {
        let len = p.shape()[axis];
        let w = Window {
            outer,
            src_axis: len,
            dst_axis: total_axis,
            inner,
            src_start: 0,
            dst_start: *start,
            len,
        };
        *start += len;
        Some(w)
    });
    match operands("concat", parts)? {
        Operands::Cpu(arrays) => {
            let mut out = vec![0.0; n];
            for (a, w) in arrays.iter().zip(windows) {
                cpu::gather::copy_window(&contiguous(a), &mut out, &w);
            }
            Tensor::from_vec(&shape, out)
        }
        Operands::Gpu(ctx, buffers) => {
            let out = ctx.alloc(BufferClass::Storage, 4 * n as u64, "concat output")?;
            for (b, w) in buffers.iter().zip(windows) {
                if w.outer * w.len * w.inner > 0 {
                    kernels::gather::copy_window(ctx, b, &out, &w)?;
                }
            }
            Ok(Tensor::from_gpu(ctx.clone(), out, shape))
        }
    }
}

/// A list of row indices on one device (e.g. an epoch's shuffled sample order).
#[derive(Clone)]
pub enum RowIndices {
    /// In host memory.
    Cpu(Arc<Vec<u32>>),
    /// In a GPU buffer.
    Gpu {
        /// The device.
        ctx: Arc<GpuContext>,
        /// The indices.
        buffer: Arc<GpuBuffer>,
        /// How many.
        len: usize,
    },
}

impl RowIndices {
    /// Puts `indices` on `device`.
    pub fn new(device: &ComputeDevice, indices: Vec<u32>) -> Result<RowIndices> {
        match device {
            ComputeDevice::Cpu => Ok(RowIndices::Cpu(Arc::new(indices))),
            ComputeDevice::Gpu(ctx) => Ok(RowIndices::Gpu {
                ctx: Arc::clone(ctx),
                buffer: Arc::new(ctx.upload(&indices, "row indices")?),
                len: indices.len(),
            }),
        }
    }

    /// Replaces the indices (same length) after all work recorded so far.
    pub fn set(&mut self, indices: &[u32]) -> Result<()> {
        match self {
            RowIndices::Cpu(values) => {
                *values = Arc::new(indices.to_vec());
                Ok(())
            }
            RowIndices::Gpu { ctx, buffer, len } => {
                if indices.len() != *len {
                    return Err(AtbError::Shape {
                        op: "RowIndices::set",
                        detail: format!("{} indices replace {len}", indices.len()),
                    });
                }
                ctx.write(buffer, indices)
            }
        }
    }

    fn len(&self) -> usize {
        match self {
            RowIndices::Cpu(v) => v.len(),
            RowIndices::Gpu { len, .. } => *len,
        }
    }
}

/// Rows `indices[b·rows .. (b+1)·rows]` of a 2-D `table`, where b = `counter[slot]` (read on
/// the device when the step runs). Indices must be below the table's row count.
pub fn gather_rows(
    table: &Tensor,
    indices: &RowIndices,
    counter: &StepCounter,
    slot: u32,
    rows: usize,
) -> Result<Tensor> {
    let &[table_rows, cols] = table.shape() else {
        return Err(AtbError::Shape {
            op: "gather_rows",
            detail: format!("the table must be 2-D, got {:?}", table.shape()),
        });
    };
    let shape = vec![rows, cols];
    match (operands("gather_rows", &[table])?, indices, counter) {
        (Operands::Cpu(a), RowIndices::Cpu(idx), StepCounter::Cpu(_)) => {
            let batch = counter.get(slot)? as usize;
            if (batch + 1) * rows > idx.len() {
                return Err(AtbError::Shape {
                    op: "gather_rows",
                    detail: format!(
                        "batch {batch} of {rows} rows runs past {} indices",
                        idx.len()
                    ),
                });
            }
            if let Some(&bad) = idx[batch * rows..(batch + 1) * rows]
                .iter()
                .find(|&&i| i as usize >= table_rows)
            {
                return Err(AtbError::Shape {
                    op: "gather_rows",
                    detail: format!("row index {bad} of a {table_rows}-row table"),
                });
            }
            Tensor::from_vec(
                &shape,
                cpu::gather::gather_rows(&contiguous(a[0]), cols, idx, batch, rows),
            )
        }
        (
            Operands::Gpu(ctx, b),
            RowIndices::Gpu { buffer: idx, .. },
            StepCounter::Gpu { buffer: cnt, .. },
        ) => {
            if rows > indices.len() {
                return Err(AtbError::Shape {
                    op: "gather_rows",
                    detail: format!("{rows} rows from {} indices", indices.len()),
                });
            }
            let out = ctx.alloc(
                BufferClass::Storage,
                4 * (rows * cols) as u64,
                "gathered rows",
            )?;
            if rows * cols > 0 {
                kernels::gather::gather_rows(ctx, b[0], cols, idx, cnt, slot, rows, &out)?;
            }
            Ok(Tensor::from_gpu(ctx.clone(), out, shape))
        }
        _ => Err(AtbError::DeviceMismatch {
            op: "gather_rows",
            detail: "the table, the indices and the counter must share a device".to_string(),
        }),
    }
}
