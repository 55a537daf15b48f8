//! A model's parameters: declared with a [`ParamBuilder`], then placed on a device as
//! [`Params`]. On a GPU every parameter is a view into ONE flat buffer (offsets aligned to the
//! adapter's view alignment), with gradient and optimizer-moment buffers of the same layout,
//! so the optimizer updates all of them in a single dispatch.

use std::sync::Arc;

use super::dropout_site::DropoutSite;
use super::init::{Init, InitRng};
use crate::autograd::Gradients;
use crate::device::{ComputeDevice, GpuBuffer};
use crate::ops;
use crate::tensor::Storage;
use crate::{AtbError, Result, Tensor};

/// Index of a parameter in its [`Params`].
pub type ParamId = usize;

struct Spec {
    name: String,
    shape: Vec<usize>,
    values: Vec<f32>,
    decay: bool,
}

/// Declares parameters and their initial values (seeded, computed on the host), and hands
/// out the model's dropout sites.
pub struct ParamBuilder {
    specs: Vec<Spec>,
    rng: InitRng,
    dropout_sites: u64,
}

impl ParamBuilder {
    /// A builder whose initialisers draw from `seed`.
    pub fn new(seed: u64) -> ParamBuilder {
        ParamBuilder {
            specs: Vec::new(),
            rng: InitRng::new(seed),
            dropout_sites: 0,
        }
    }

    /// The next dropout site of the model: sequential and unique within one builder.
    pub fn dropout_site(&mut self) -> DropoutSite {
        self.dropout_sites += 1;
        DropoutSite::new(self.dropout_sites - 1)
    }

    /// Declares a parameter; `decay` says whether weight decay applies (kernels yes, biases
    /// and norm parameters no).
    pub fn add(&mut self, name: &str, shape: &[usize], init: Init, decay: bool) -> ParamId {
        let values = init.values(shape, &mut self.rng);
        self.specs.push(Spec {
            name: name.to_string(),
            shape: shape.to_vec(),
            values,
            decay,
        });
        self.specs.len() - 1
    }

    /// Declares a parameter with explicit initial values (e.g. an LSTM bias whose forget-gate
    /// part starts at one).
    pub fn add_values(
        &mut self,
        name: &str,
        shape: &[usize],
        values: Vec<f32>,
        decay: bool,
    ) -> Result<ParamId> {
        if values.len() != shape.iter().product::<usize>() {
            return Err(AtbError::Shape {
                op: "ParamBuilder::add_values",
                detail: format!("{} values for '{name}' of shape {shape:?}", values.len()),
            });
        }
        self.specs.push(Spec {
            name: name.to_string(),
            shape: shape.to_vec(),
            values,
            decay,
        });
        Ok(self.specs.len() - 1)
    }

    /// Places the parameters on `device`.
    pub fn build(self, device: &ComputeDevice) -> Result<Params> {
        Params::place(device, self.specs)
    }
}

/// Where one parameter lives in the flat layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamEntry {
    /// Name, e.g. `lstm_0/kernel`.
    pub name: String,
    /// Shape.
    pub shape: Vec<usize>,
    /// First element in the flat buffers.
    pub offset: usize,
    /// Number of elements.
    pub len: usize,
    /// Weight decay applies.
    pub decay: bool,
}

/// A named tensor copied to the host (a saved parameter).
#[derive(Debug, Clone, PartialEq)]
pub struct HostTensor {
    /// Parameter name.
    pub name: String,
    /// Shape.
    pub shape: Vec<usize>,
    /// Row-major values.
    pub values: Vec<f32>,
}

/// The flat GPU buffers behind the parameters.
pub struct FlatBuffers {
    /// All parameter values.
    pub values: Arc<GpuBuffer>,
    /// Gradients, same layout.
    pub grads: Arc<GpuBuffer>,
}

/// A model's parameters on one device.
pub struct Params {
    device: ComputeDevice,
    entries: Vec<ParamEntry>,
    tensors: Vec<Tensor>,
    flat_len: usize,
    flat: Option<FlatBuffers>,
}

impl Params {
    fn place(device: &ComputeDevice, specs: Vec<Spec>) -> Result<Params> {
        let align = match device {
            ComputeDevice::Gpu(ctx) => (ctx.view_alignment() / 4).max(1) as usize,
            ComputeDevice::Cpu => 1,
        };
        let mut entries = Vec::with_capacity(specs.len());
        let mut offset = 0;
        for s in &specs {
            let len = s.values.len();
            entries.push(ParamEntry {
                name: s.name.clone(),
                shape: s.shape.clone(),
                offset,
                len,
                decay: s.decay,
            });
            offset += len.div_ceil(align).max(1) * align;
        }
        let flat_len = offset;
        match device {
            ComputeDevice::Cpu => {
                let tensors = specs
                    .into_iter()
                    .map(|s| Tensor::from_vec(&s.shape, s.values))
                    .collect::<Result<Vec<_>>>()?;
                Ok(Params {
                    device: device.clone(),
                    entries,
                    tensors,
                    flat_len,
                    flat: None,
                })
            }
            ComputeDevice::Gpu(ctx) => {
                let mut host = vec![0.0f32; flat_len];
                for (e, s) in entries.iter().zip(&specs) {
                    host[e.offset..e.offset + e.len].copy_from_slice(&s.values);
                }
                let values = Arc::new(ctx.upload(&host, "parameters")?);
                let grads = Arc::new(ctx.upload(&vec![0.0f32; flat_len], "gradients")?);
                let tensors = entries
                    .iter()
                    .map(|e| {
                        let view = ctx.view(&values, 4 * e.offset as u64, 4 * e.len as u64)?;
                        Ok(Tensor::from_gpu(Arc::clone(ctx), view, e.shape.clone()))
                    })
                    .collect::<Result<Vec<_>>>()?;
                Ok(Params {
                    device: device.clone(),
                    entries,
                    tensors,
                    flat_len,
                    flat: Some(FlatBuffers { values, grads }),
                })
            }
        }
    }

    /// The device the parameters live on.
    pub fn device(&self) -> &ComputeDevice {
        &self.device
    }

    /// Number of parameter tensors.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Total number of scalar parameters (without alignment padding).
    pub fn count(&self) -> usize {
        self.entries.iter().map(|e| e.len).sum()
    }

    /// The layout of every parameter.
    pub fn entries(&self) -> &[ParamEntry] {
        &self.entries
    }

    /// Length of the flat buffers in elements (with padding).
    pub fn flat_len(&self) -> usize {
        self.flat_len
    }

    /// The flat GPU buffers (`None` on the CPU).
    pub fn flat(&self) -> Option<&FlatBuffers> {
        self.flat.as_ref()
    }

    /// The current value of parameter `id`.
    pub fn value(&self, id: ParamId) -> &Tensor {
        &self.tensors[id]
    }

    /// Replaces the CPU value of parameter `id` (the CPU optimizer's write-back).
    pub fn set_cpu_value(&mut self, id: ParamId, value: Tensor) -> Result<()> {
        if value.shape() != self.entries[id].shape.as_slice() || self.flat.is_some() {
            return Err(AtbError::Shape {
                op: "Params::set_cpu_value",
                detail: format!(
                    "parameter {} is {:?}",
                    self.entries[id].name, self.entries[id].shape
                ),
            });
        }
        self.tensors[id] = value;
        Ok(())
    }

    /// Every parameter's name, shape and values, e.g. for saving.
    pub fn to_host(&self) -> Result<Vec<HostTensor>> {
        self.entries
            .iter()
            .zip(&self.tensors)
            .map(|(e, t)| {
                Ok(HostTensor {
                    name: e.name.clone(),
                    shape: e.shape.clone(),
                    values: t.to_vec()?,
                })
            })
            .collect()
    }

    /// Overwrites every parameter from (name, values) pairs, matched by name; every parameter
    /// must be given with its exact length.
    pub fn load(&mut self, values: &[(String, Vec<f32>)]) -> Result<()> {
        for (id, entry) in self.entries.clone().iter().enumerate() {
            let Some((_, data)) = values.iter().find(|(n, _)| n == &entry.name) else {
                return Err(AtbError::Shape {
                    op: "Params::load",
                    detail: format!("no values for parameter '{}'", entry.name),
                });
            };
            if data.len() != entry.len {
                return Err(AtbError::Shape {
                    op: "Params::load",
                    detail: format!(
                        "'{}' needs {} values, got {}",
                        entry.name,
                        entry.len,
                        data.len()
                    ),
                });
            }
            match (&self.device, &self.flat) {
                (ComputeDevice::Gpu(ctx), Some(flat)) => {
                    let view =
                        ctx.view(&flat.values, 4 * entry.offset as u64, 4 * entry.len as u64)?;
                    ctx.write(&view, data)?;
                }
                _ => self.tensors[id] = Tensor::from_vec(&entry.shape, data.clone())?,
            }
        }
        Ok(())
    }

    /// The gradient of every parameter from a backward pass (zeros for parameters the loss
    /// did not reach). On a GPU they are also copied into the flat gradient buffer, where the
    /// fused optimizer reads them; the copies are recorded, so a captured step replays them.
    pub fn gather_gradients(&self, grads: &Gradients) -> Result<Vec<Tensor>> {
        let mut out = Vec::with_capacity(self.entries.len());
        for (id, e) in self.entries.iter().enumerate() {
            let grad = match grads.get(id) {
                Some(g) => g.clone(),
                None => ops::fill(&self.device, &e.shape, 0.0)?,
            };
            if let (ComputeDevice::Gpu(ctx), Some(flat), Storage::Gpu { buffer, .. }) =
                (&self.device, &self.flat, grad.storage())
            {
                let view = ctx.view(&flat.grads, 4 * e.offset as u64, 4 * e.len as u64)?;
                ctx.copy(buffer, &view)?;
            }
            out.push(grad);
        }
        Ok(out)
    }
}
