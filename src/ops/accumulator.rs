//! `Accumulator`: a running sum kept on the device (e.g. an epoch's summed loss), added to by
//! recorded kernels so a captured step keeps adding on every replay, read back only on demand.

use std::sync::{Arc, Mutex, PoisonError};

use super::operands::{Operands, contiguous, operands};
use crate::device::{ComputeDevice, GpuBuffer, GpuContext};
use crate::{AtbError, Result, Tensor, kernels};

/// A running elementwise sum of fixed length.
#[derive(Clone)]
pub enum Accumulator {
    /// On the host, in f64.
    Cpu(Arc<Mutex<Vec<f64>>>),
    /// On a GPU, in f32.
    Gpu {
        /// The device.
        ctx: Arc<GpuContext>,
        /// The running sums.
        buffer: Arc<GpuBuffer>,
        /// Number of sums.
        len: usize,
    },
}

impl Accumulator {
    /// `len` sums, all zero, on `device`.
    pub fn new(device: &ComputeDevice, len: usize) -> Result<Accumulator> {
        match device {
            ComputeDevice::Cpu => Ok(Accumulator::Cpu(Arc::new(Mutex::new(vec![0.0; len])))),
            ComputeDevice::Gpu(ctx) => Ok(Accumulator::Gpu {
                ctx: Arc::clone(ctx),
                buffer: Arc::new(ctx.upload(&vec![0.0f32; len.max(1)], "accumulator")?),
                len,
            }),
        }
    }

    /// Adds `value` (same number of elements), recorded on the GPU.
    pub fn add(&self, value: &Tensor) -> Result<()> {
        let len = self.len();
        if value.len() != len {
            return Err(AtbError::Shape {
                op: "Accumulator::add",
                detail: format!("{} values into {len} sums", value.len()),
            });
        }
        match (self, operands("Accumulator::add", &[value])?) {
            (Accumulator::Cpu(sums), Operands::Cpu(a)) => {
                let mut sums = sums.lock().unwrap_or_else(PoisonError::into_inner);
                for (s, v) in sums.iter_mut().zip(contiguous(a[0]).iter()) {
                    *s += f64::from(*v);
                }
                Ok(())
            }
            (Accumulator::Gpu { ctx, buffer, .. }, Operands::Gpu(_, b)) => {
                kernels::elementwise::accumulate(ctx, buffer, b[0], len, 1.0)
            }
            _ => Err(AtbError::DeviceMismatch {
                op: "Accumulator::add",
                detail: "the value and the accumulator live on different devices".to_string(),
            }),
        }
    }

    /// Number of sums.
    pub fn len(&self) -> usize {
        match self {
            Accumulator::Cpu(sums) => sums.lock().unwrap_or_else(PoisonError::into_inner).len(),
            Accumulator::Gpu { len, .. } => *len,
        }
    }

    /// True when it holds no sums.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Reads the sums (waits for the GPU) and resets them to zero.
    pub fn take(&self) -> Result<Vec<f64>> {
        match self {
            Accumulator::Cpu(sums) => {
                let mut sums = sums.lock().unwrap_or_else(PoisonError::into_inner);
                let len = sums.len();
                Ok(std::mem::replace(&mut *sums, vec![0.0; len]))
            }
            Accumulator::Gpu { ctx, buffer, len } => {
                let values: Vec<f32> = ctx.read(buffer)?;
                ctx.write(buffer, &vec![0.0f32; *len])?;
                Ok(values.into_iter().take(*len).map(f64::from).collect())
            }
        }
    }
}
