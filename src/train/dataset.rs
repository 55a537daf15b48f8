//! `DeviceDataset`: windows and targets uploaded once, then gathered batch by batch on the
//! device by an index list and a step counter (no host transfer inside an epoch).

use crate::autograd::{Tape, Var};
use crate::device::ComputeDevice;
use crate::ops::{self, RowIndices, StepCounter};
use crate::{AtbError, Result, Tensor};

/// Samples of shape `sample_shape` with one target each, resident on one device.
pub struct DeviceDataset {
    x: Tensor,
    y: Tensor,
    sample_shape: Vec<usize>,
}

impl DeviceDataset {
    /// Uploads `x` (N samples of `sample_shape`, row-major) and `y` (N targets).
    pub fn new(
        device: &ComputeDevice,
        x: Vec<f32>,
        y: Vec<f32>,
        sample_shape: &[usize],
    ) -> Result<DeviceDataset> {
        let per_sample: usize = sample_shape.iter().product();
        let n = y.len();
        if per_sample == 0 || x.len() != n * per_sample {
            return Err(AtbError::Shape {
                op: "DeviceDataset::new",
                detail: format!(
                    "{} values for {n} samples of shape {sample_shape:?}",
                    x.len()
                ),
            });
        }
        Ok(DeviceDataset {
            x: Tensor::from_vec(&[n, per_sample], x)?.to_device(device)?,
            y: Tensor::from_vec(&[n, 1], y)?.to_device(device)?,
            sample_shape: sample_shape.to_vec(),
        })
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.y.shape()[0]
    }

    /// True when there are no samples.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every target, in order (read back from the device).
    pub fn targets(&self) -> Result<Vec<f32>> {
        self.y.to_vec()
    }

    /// The shape of one sample, e.g. [T, F].
    pub fn sample_shape(&self) -> &[usize] {
        &self.sample_shape
    }

    /// Batch `counter[slot]` of `rows` samples in the order `indices`, as tape constants
    /// (x shaped [rows, sample_shape..], y [rows, 1]).
    pub fn batch(
        &self,
        tape: &Tape,
        indices: &RowIndices,
        counter: &StepCounter,
        slot: u32,
        rows: usize,
    ) -> Result<(Var, Var)> {
        let x = ops::gather_rows(&self.x, indices, counter, slot, rows)?;
        let mut shape = vec![rows];
        shape.extend_from_slice(&self.sample_shape);
        let y = ops::gather_rows(&self.y, indices, counter, slot, rows)?;
        Ok((tape.constant(x.reshape(&shape)?), tape.constant(y)))
    }

    /// Inputs of samples `start..start+len` in order (evaluation), shaped
    /// [len, sample_shape..], on the device.
    pub fn samples(&self, start: usize, len: usize) -> Result<Tensor> {
        let x = ops::slice(&self.x, 0, start, len)?;
        let mut shape = vec![len];
        shape.extend_from_slice(&self.sample_shape);
        x.reshape(&shape)
    }
}
