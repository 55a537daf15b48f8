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

/// A step body and, on a GPU, its captured plan.
pub struct CompiledStep<F> {
    device: ComputeDevice,
    body: F,
    plan: Option<Plan>,
}

impl<F: FnMut() -> Result<()>> CompiledStep<F> {
    /// Wraps `body`; nothing runs until [`CompiledStep::run`].
    pub fn new(device: &ComputeDevice, body: F) -> CompiledStep<F> {
        CompiledStep {
            device: device.clone(),
            body,
            plan: None,
        }
    }

    /// Runs one step: the body (captured the first time on a GPU) or the plan's replay.
    /// Work is recorded, not waited for.
    pub fn run(&mut self) -> Result<()> {
        let ComputeDevice::Gpu(ctx) = &self.device else {
            return (self.body)();
        };
        if let Some(plan) = &self.plan {
            return ctx.replay(plan);
        }
        ctx.begin_capture()?;
        let outcome = (self.body)();
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
