//! The wgpu device layer: adapter choice, the GPU context, buffer pool, pipeline cache,
//! timestamp profiler, the registry of embedded shaders and the
//! composer of their shared prelude; and the host memory a run can still use.

mod adapters;
mod buffer_pool;
mod compute_device;
mod context;
mod host_memory;
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
pub use compute_device::ComputeDevice;
pub use context::{Binding, ContextStats, Dispatch, GpuContext};
pub use host_memory::{available_host_memory, mem_available};
pub use plan::Plan;
pub use prelude::{Composed, PRELUDE_DIRECTIVE, PreludePart, compose};
pub use profiler::KernelTiming;
pub use shaders::Shader;
