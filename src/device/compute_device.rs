//! Where tensors live and kernels run.

use std::sync::Arc;

use super::context::GpuContext;

/// Where tensors live and kernels run: a wgpu device or the ndarray CPU backend.
#[derive(Clone)]
pub enum ComputeDevice {
    /// A GPU (or software GPU) adapter through wgpu.
    Gpu(Arc<GpuContext>),
    /// The CPU reference backend.
    Cpu,
}

impl ComputeDevice {
    /// A one-line description, e.g. `gpu: NVIDIA H200 (Vulkan)` or `cpu`.
    pub fn describe(&self) -> String {
        match self {
            ComputeDevice::Gpu(ctx) => {
                let info = ctx.adapter_info();
                format!("gpu: {} ({:?})", info.name, info.backend)
            }
            ComputeDevice::Cpu => "cpu (ndarray reference backend)".to_string(),
        }
    }

    /// The GPU context, if this is a GPU device.
    pub fn gpu(&self) -> Option<&Arc<GpuContext>> {
        match self {
            ComputeDevice::Gpu(ctx) => Some(ctx),
            ComputeDevice::Cpu => None,
        }
    }
}

impl std::fmt::Debug for ComputeDevice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}
