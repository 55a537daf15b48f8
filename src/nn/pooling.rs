//! Pooling over the time axis of [B, T, H] sequences.

use crate::autograd::{Tape, Var};
use crate::ops::MatmulOptions;
use crate::{AtbError, Result, ops};

fn sequence_dims(x: &Var, op: &'static str) -> Result<(usize, usize, usize)> {
    match *x.shape() {
        [b, t, h] if t > 0 => Ok((b, t, h)),
        _ => Err(AtbError::Shape {
            op,
            detail: format!(
                "expected a [batch, time, features] sequence, got {:?}",
                x.shape()
            ),
        }),
    }
}

/// The mean over time, [B, T, H] → [B, H] (Keras `GlobalAveragePooling1D`), as one batched
/// matmul with a shared row of 1/T.
pub fn mean_over_time(tape: &Tape, x: &Var) -> Result<Var> {
    let (b, t, h) = sequence_dims(x, "mean_over_time")?;
    let weights = ops::fill(&x.value().device(), &[1, t], 1.0 / t as f32)?;
    let pooled = tape.matmul(&tape.constant(weights), x, None, MatmulOptions::default())?;
    tape.reshape(&pooled, &[b, h])
}

/// The last time step, [B, T, H] → [B, H].
pub fn last_step(tape: &Tape, x: &Var) -> Result<Var> {
    let (b, t, h) = sequence_dims(x, "last_step")?;
    let last = tape.slice(x, 1, t - 1, 1)?;
    tape.reshape(&last, &[b, h])
}
