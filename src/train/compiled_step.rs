//! `CompiledStep`: run a training step's body once under capture, then replay the captured
//! plan on every later call — no pipeline, bind group or buffer is created in the step loop.
//! On the CPU backend the body simply runs every time.
//!
//! The body must be replay-safe: everything that changes between steps (batch number,
//! optimizer step, dropout step, learning rate) is read by its kernels from device buffers
//! ([`StepCounter`](crate::ops::StepCounter), parameter buffers), never captured as a host
//! value.

use crate::Result;
use crate::device::{ComputeDevice, Plan};

/// A step's captured plan on a GPU (nothing on the CPU).
pub struct CompiledStep {
    device: ComputeDevice,
    plan: Option<Plan>,
}

impl CompiledStep {
    /// A step for `device`; nothing is captured until the first [`CompiledStep::run`].
    pub fn new(device: &ComputeDevice) -> CompiledStep {
        CompiledStep {
            device: device.clone(),
            plan: None,
        }
    }

    /// Runs one step: `body` itself on the CPU and, on a GPU, the first time (captured);
    /// later calls on a GPU replay the plan and do not call `body`. Work is recorded, not
    /// waited for.
    pub fn run(&mut self, body: impl FnOnce() -> Result<()>) -> Result<()> {
        let ComputeDevice::Gpu(ctx) = &self.device else {
            return body();
        };
        if let Some(plan) = &self.plan {
            return ctx.replay(plan);
        }
        ctx.begin_capture()?;
        let outcome = body();
        let plan = ctx.end_capture();
        outcome?;
        self.plan = Some(plan);
        Ok(())
    }

    /// The number of GPU dispatches one step records (0 before the first run or on a CPU).
    pub fn dispatches(&self) -> usize {
        self.plan.as_ref().map_or(0, Plan::dispatches)
    }
}
