//! `Network`: what the fit loop trains — a forward pass from a batch of inputs to one
//! prediction per sample — and the `Mode` that tells dropout whether it is training.

use crate::Result;
use crate::autograd::{Tape, Var};
use crate::nn::Params;
use crate::ops::StepCounter;

/// Training (dropout active, its masks drawn from a device step counter) or inference.
#[derive(Clone, Copy)]
pub enum Mode<'a> {
    /// Training: dropout draws masks from (`seed`, `counter[slot]`).
    Train {
        /// The device step counter.
        counter: &'a StepCounter,
        /// Its slot holding the global step.
        slot: u32,
        /// The run's seed.
        seed: u64,
    },
    /// Inference: dropout is the identity.
    Eval,
}

impl Mode<'_> {
    /// Dropout of `x` at `rate` for the layer numbered `layer` (each layer its own masks).
    pub fn dropout(&self, tape: &Tape, x: &Var, rate: f32, layer: u64) -> Result<Var> {
        match *self {
            Mode::Train {
                counter,
                slot,
                seed,
            } => {
                let layer_seed = seed ^ layer.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
                tape.dropout(x, rate, layer_seed, counter, slot)
            }
            Mode::Eval => Ok(x.clone()),
        }
    }
}

/// A trainable model: parameters declared at construction, a forward pass to `[B, 1]`.
pub trait Network {
    /// Predictions `[B, 1]` for inputs `x` (`[B, sample_shape..]`).
    fn forward(&self, tape: &Tape, params: &Params, x: &Var, mode: Mode<'_>) -> Result<Var>;
}
