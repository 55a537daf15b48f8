//! `Network`: a forward pass from a batch of inputs to one prediction per sample, run in a
//! [`Forward`] context (the tape that records it, the parameters, and the [`Mode`] that tells
//! dropout whether it is training).

use super::params::Params;
use crate::Result;
use crate::autograd::{Tape, Var};
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

/// What one forward pass runs with: the tape recording it, the parameters, the mode.
#[derive(Clone, Copy)]
pub struct Forward<'a> {
    /// The tape the pass is recorded on.
    pub tape: &'a Tape,
    /// The network's parameters.
    pub params: &'a Params,
    /// Training or inference.
    pub mode: Mode<'a>,
}

/// A trainable model: parameters declared at construction, a forward pass to `[B, 1]`.
pub trait Network {
    /// Predictions `[B, 1]` for inputs `x` (`[B, sample_shape..]`).
    fn forward(&self, f: &Forward<'_>, x: &Var) -> Result<Var>;
}
