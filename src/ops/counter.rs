//! `StepCounter`: small integer counters on the device (batch number, optimizer step, dropout
//! step) that a captured training step reads and advances without any host write.

use std::sync::{Arc, Mutex, PoisonError};

use crate::device::{ComputeDevice, GpuBuffer, GpuContext};
use crate::{AtbError, Result, kernels};

/// A fixed number of u32 counters on one device.
#[derive(Clone)]
pub enum StepCounter {
    /// Counters in host memory.
    Cpu(Arc<Mutex<Vec<u32>>>),
    /// Counters in a GPU buffer.
    Gpu {
        /// The device.
        ctx: Arc<GpuContext>,
        /// `slots` u32 values.
        buffer: Arc<GpuBuffer>,
        /// Number of counters.
        slots: usize,
    },
}

impl StepCounter {
    /// `slots` counters, all zero, on `device`.
    pub fn new(device: &ComputeDevice, slots: usize) -> Result<StepCounter> {
        match device {
            ComputeDevice::Cpu => Ok(StepCounter::Cpu(Arc::new(Mutex::new(vec![0; slots])))),
            ComputeDevice::Gpu(ctx) => Ok(StepCounter::Gpu {
                ctx: Arc::clone(ctx),
                buffer: Arc::new(ctx.upload(&vec![0u32; slots.max(1)], "step counter")?),
                slots,
            }),
        }
    }

    fn check(&self, slot: u32) -> Result<()> {
        let slots = match self {
            StepCounter::Cpu(values) => values.lock().unwrap_or_else(PoisonError::into_inner).len(),
            StepCounter::Gpu { slots, .. } => *slots,
        };
        if (slot as usize) < slots {
            Ok(())
        } else {
            Err(AtbError::Shape {
                op: "StepCounter",
                detail: format!("slot {slot} of {slots} counters"),
            })
        }
    }

    /// Sets a counter (after all work recorded so far).
    pub fn set(&self, slot: u32, value: u32) -> Result<()> {
        self.check(slot)?;
        match self {
            StepCounter::Cpu(values) => {
                values.lock().unwrap_or_else(PoisonError::into_inner)[slot as usize] = value;
                Ok(())
            }
            StepCounter::Gpu { ctx, buffer, .. } => {
                let slot_view = ctx.read::<u32>(buffer).map(|mut all| {
                    all[slot as usize] = value;
                    all
                })?;
                ctx.write(buffer, &slot_view)
            }
        }
    }

    /// Reads a counter (waits for the GPU).
    pub fn get(&self, slot: u32) -> Result<u32> {
        self.check(slot)?;
        match self {
            StepCounter::Cpu(values) => {
                Ok(values.lock().unwrap_or_else(PoisonError::into_inner)[slot as usize])
            }
            StepCounter::Gpu { ctx, buffer, .. } => Ok(ctx.read::<u32>(buffer)?[slot as usize]),
        }
    }

    /// Adds `amount` to a counter: on the GPU, as a recorded kernel (so plans replay it).
    pub fn advance(&self, slot: u32, amount: u32) -> Result<()> {
        self.check(slot)?;
        match self {
            StepCounter::Cpu(values) => {
                let mut values = values.lock().unwrap_or_else(PoisonError::into_inner);
                values[slot as usize] = values[slot as usize].wrapping_add(amount);
                Ok(())
            }
            StepCounter::Gpu { ctx, buffer, .. } => {
                kernels::counter::advance(ctx, buffer, slot, amount)
            }
        }
    }
}
