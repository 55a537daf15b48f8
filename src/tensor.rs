//! `Tensor`: a shape and its f32 storage, either on a GPU or in an ndarray on the CPU.

use std::sync::Arc;

use ndarray::{ArrayD, IxDyn};

use crate::device::{ComputeDevice, GpuBuffer, GpuContext};
use crate::{AtbError, Result};

/// Where a tensor's elements are.
#[derive(Clone)]
pub enum Storage {
    /// Row-major (standard layout) ndarray on the host, shared between clones.
    Cpu(Arc<ArrayD<f32>>),
    /// A row-major buffer on a GPU device.
    Gpu {
        /// The device that owns the buffer.
        ctx: Arc<GpuContext>,
        /// The elements.
        buffer: Arc<GpuBuffer>,
    },
}

/// An n-dimensional f32 tensor. Cloning is cheap (GPU buffers are shared).
#[derive(Clone)]
pub struct Tensor {
    shape: Vec<usize>,
    storage: Storage,
}

impl Tensor {
    /// A CPU tensor owning `array` (copied to standard layout if needed).
    pub fn from_array(array: ArrayD<f32>) -> Tensor {
        let array = if array.is_standard_layout() {
            array
        } else {
            array.as_standard_layout().into_owned()
        };
        Tensor {
            shape: array.shape().to_vec(),
            storage: Storage::Cpu(Arc::new(array)),
        }
    }

    /// A CPU tensor from row-major data; the length must match the shape.
    pub fn from_vec(shape: &[usize], data: Vec<f32>) -> Result<Tensor> {
        let expected: usize = shape.iter().product();
        let array = ArrayD::from_shape_vec(IxDyn(shape), data).map_err(|_| AtbError::Shape {
            op: "Tensor::from_vec",
            detail: format!("shape {shape:?} needs {expected} elements"),
        })?;
        Ok(Tensor::from_array(array))
    }

    /// Wraps a GPU buffer holding `shape.iter().product()` f32 values.
    pub fn from_gpu(ctx: Arc<GpuContext>, buffer: GpuBuffer, shape: Vec<usize>) -> Tensor {
        Tensor {
            shape,
            storage: Storage::Gpu {
                ctx,
                buffer: Arc::new(buffer),
            },
        }
    }

    /// Wraps a GPU buffer shared with other owners (e.g. a model's flat parameter buffer):
    /// work on this tensor and on the other owners sees the same memory.
    pub fn from_shared_gpu(
        ctx: Arc<GpuContext>,
        buffer: Arc<GpuBuffer>,
        shape: Vec<usize>,
    ) -> Tensor {
        Tensor {
            shape,
            storage: Storage::Gpu { ctx, buffer },
        }
    }

    /// The dimensions.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    /// True when the tensor has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The same elements under another shape with as many elements (row-major order kept;
    /// free on the GPU, a copy on the CPU).
    pub fn reshape(&self, shape: &[usize]) -> Result<Tensor> {
        let len: usize = shape.iter().product();
        if len != self.len() {
            return Err(AtbError::Shape {
                op: "reshape",
                detail: format!("cannot view {:?} as {shape:?}", self.shape),
            });
        }
        let storage = match &self.storage {
            Storage::Gpu { ctx, buffer } => Storage::Gpu {
                ctx: Arc::clone(ctx),
                buffer: Arc::clone(buffer),
            },
            Storage::Cpu(array) => {
                let owned = Arc::unwrap_or_clone(Arc::clone(array));
                let reshaped =
                    owned
                        .into_shape_with_order(IxDyn(shape))
                        .map_err(|e| AtbError::Shape {
                            op: "reshape",
                            detail: e.to_string(),
                        })?;
                Storage::Cpu(Arc::new(reshaped))
            }
        };
        Ok(Tensor {
            shape: shape.to_vec(),
            storage,
        })
    }

    /// The storage (for kernels and device dispatch).
    pub fn storage(&self) -> &Storage {
        &self.storage
    }

    /// The device the tensor lives on.
    pub fn device(&self) -> ComputeDevice {
        match &self.storage {
            Storage::Cpu(_) => ComputeDevice::Cpu,
            Storage::Gpu { ctx, .. } => ComputeDevice::Gpu(Arc::clone(ctx)),
        }
    }

    /// A copy on `device` (a cheap clone when it is already there).
    pub fn to_device(&self, device: &ComputeDevice) -> Result<Tensor> {
        match (device, &self.storage) {
            (ComputeDevice::Cpu, Storage::Cpu(_)) => Ok(self.clone()),
            (ComputeDevice::Gpu(target), Storage::Gpu { ctx, .. }) if Arc::ptr_eq(target, ctx) => {
                Ok(self.clone())
            }
            (ComputeDevice::Cpu, Storage::Gpu { .. }) => Ok(Tensor::from_array(self.to_array()?)),
            (ComputeDevice::Gpu(target), _) => {
                let data = self.to_vec()?;
                let buffer = target.upload(&data, "tensor")?;
                Ok(Tensor::from_gpu(
                    Arc::clone(target),
                    buffer,
                    self.shape.clone(),
                ))
            }
        }
    }

    /// The elements in row-major order (reads back from the GPU if needed).
    pub fn to_vec(&self) -> Result<Vec<f32>> {
        match &self.storage {
            Storage::Cpu(array) => Ok(array.iter().copied().collect()),
            Storage::Gpu { ctx, buffer } => ctx.read(buffer),
        }
    }

    /// The tensor as an ndarray (reads back from the GPU if needed).
    pub fn to_array(&self) -> Result<ArrayD<f32>> {
        match &self.storage {
            Storage::Cpu(array) => Ok(ArrayD::clone(array)),
            Storage::Gpu { .. } => {
                let data = self.to_vec()?;
                ArrayD::from_shape_vec(IxDyn(&self.shape), data).map_err(|e| AtbError::Shape {
                    op: "Tensor::to_array",
                    detail: e.to_string(),
                })
            }
        }
    }
}

impl std::fmt::Debug for Tensor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tensor({:?} on {:?})", self.shape, self.device())
    }
}
