//! The wgpu device layer: adapter choice, the GPU context, buffer pool, pipeline cache,
//! timestamp profiler, the registry of embedded shaders and the
//! composer of their shared prelude.

mod adapters;
mod buffer_pool;
mod context;
mod pipeline_cache;
mod plan;
mod prelude;
mod profiler;
mod shaders;

pub use adapters::{
    AdapterSummary, BackendChoice, DeviceChoice, DeviceRequest, Selection, choose_adapter,
    list_adapters,
};
pub use buffer_pool::{BufferClass, GpuBuffer};
pub use context::{Binding, ContextStats, Dispatch, GpuContext};
pub use plan::Plan;
pub use prelude::{Composed, PRELUDE_DIRECTIVE, PreludePart, compose};
pub use profiler::KernelTiming;
pub use shaders::Shader;

use std::sync::Arc;

/// Where tensors live and kernels run: a wgpu device or the ndarray CPU backend.
#[derive(Clone)]
pub enum ComputeDevice {
    /// A GPU (or software GPU) adapter through wgpu.
    Gpu(Arc<GpuContext>),
    /// The CPU reference backend.
    Cpu,
}

impl ComputeDevice {
    /// Opens the device a request asks for (see [`DeviceRequest`]).
    pub fn open(request: &DeviceRequest) -> crate::Result<ComputeDevice> {
        adapters::open(request)
    }

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
