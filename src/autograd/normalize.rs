//! Backward rules of softmax, layer normalisation and dropout.

use super::tape::{Tape, Var};
use crate::Result;
use crate::ops::{self, StepCounter};

impl Tape {
    /// Softmax over the last axis.
    pub fn softmax(&self, x: &Var) -> Result<Var> {
        let y = ops::softmax(x.value())?;
        let saved = y.clone();
        Ok(self.record(y, &[x], move |dy| {
            Ok(vec![Some(ops::softmax_backward(&saved, dy)?)])
        }))
    }

    /// Layer normalisation over the last axis with scale `gamma` and offset `beta`.
    pub fn layer_norm(&self, x: &Var, gamma: &Var, beta: &Var, eps: f32) -> Result<Var> {
        let (y, cache) = ops::layer_norm(x.value(), gamma.value(), beta.value(), eps)?;
        let (xv, gv) = (x.value().clone(), gamma.value().clone());
        Ok(self.record(y, &[x, gamma, beta], move |dy| {
            let (dx, dgamma, dbeta) = ops::layer_norm_backward(&xv, &gv, &cache, dy)?;
            Ok(vec![Some(dx), Some(dgamma), Some(dbeta)])
        }))
    }

    /// Training-mode dropout whose mask is drawn from (`seed`, `counter[slot]`): a new mask
    /// every step, also when the step is a replayed plan. Identity when `rate` is 0.
    pub fn dropout(
        &self,
        x: &Var,
        rate: f32,
        seed: u64,
        counter: &StepCounter,
        slot: u32,
    ) -> Result<Var> {
        if rate == 0.0 {
            return Ok(x.clone());
        }
        let y = ops::dropout_counted(x.value(), rate, seed, 0, counter, slot)?;
        let counter = counter.clone();
        Ok(self.record(y, &[x], move |dy| {
            Ok(vec![Some(ops::dropout_backward_counted(
                dy, rate, seed, 0, &counter, slot,
            )?)])
        }))
    }
}
