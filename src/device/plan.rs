//! A captured sequence of GPU commands — a compiled training or inference step.
//!
//! [`GpuContext::begin_capture`](super::GpuContext::begin_capture) starts recording every
//! dispatch and copy (they still run as usual); `end_capture` returns the `Plan`. Replaying it
//! re-records the same pipelines, bind groups and copies into the pending command encoder:
//! nothing is created, compiled or allocated per replay. Values that change from one replay to
//! the next (step counters, batch offsets) must therefore live in GPU buffers that the plan's
//! own kernels read and update, never in the uniform parameter blocks, which are frozen at
//! capture time.

use std::sync::Arc;

use super::buffer_pool::BufferPool;

/// One recorded GPU command.
pub(crate) enum Command {
    /// A compute dispatch.
    Dispatch {
        pipeline: wgpu::ComputePipeline,
        bind_group: wgpu::BindGroup,
        workgroups: [u32; 3],
        label: &'static str,
    },
    /// A buffer-to-buffer copy.
    Copy {
        src: wgpu::Buffer,
        src_offset: u64,
        dst: wgpu::Buffer,
        dst_offset: u64,
        bytes: u64,
    },
}

/// A replayable command sequence; the buffers it binds stay reserved while it lives.
pub struct Plan {
    pub(crate) commands: Vec<Command>,
    pub(crate) pinned: Vec<wgpu::Buffer>,
    pub(crate) pool: Arc<BufferPool>,
}

impl Plan {
    /// Number of recorded commands.
    pub fn len(&self) -> usize {
        self.commands.len()
    }

    /// True when nothing was captured.
    pub fn is_empty(&self) -> bool {
        self.commands.is_empty()
    }

    /// Number of compute dispatches in the plan.
    pub fn dispatches(&self) -> usize {
        self.commands
            .iter()
            .filter(|c| matches!(c, Command::Dispatch { .. }))
            .count()
    }
}

impl Drop for Plan {
    fn drop(&mut self) {
        self.pool.unpin(&self.pinned);
    }
}

impl std::fmt::Debug for Plan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Plan({} commands)", self.commands.len())
    }
}
