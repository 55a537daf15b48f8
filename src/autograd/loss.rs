//! Losses.

use super::tape::{Tape, Var};
use crate::Result;
use crate::ops::{self, UnaryOp};

impl Tape {
    /// Mean squared error over all elements, as a one-element value (one fused kernel each
    /// way; the upstream gradient stays on the device).
    pub fn mse(&self, pred: &Var, target: &Var) -> Result<Var> {
        let value = ops::mse_loss(pred.value(), target.value())?;
        let (p, t) = (pred.value().clone(), target.value().clone());
        Ok(self.record(value, &[pred, target], move |dloss| {
            let dpred = ops::mse_backward_upstream(&p, &t, dloss)?;
            let dtarget = ops::unary(UnaryOp::Scale(-1.0), &dpred)?;
            Ok(vec![Some(dpred), Some(dtarget)])
        }))
    }
}
