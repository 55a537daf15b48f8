//! Losses.

use super::{Tape, Var};
use crate::Result;
use crate::ops::{ReduceAxis, ReduceOp};

impl Tape {
    /// Mean squared error over all elements, as a one-element value.
    pub fn mse(&self, pred: &Var, target: &Var) -> Result<Var> {
        let diff = self.sub(pred, target)?;
        let squared = self.mul(&diff, &diff)?;
        let n = squared.value().len();
        let flat = self.reshape(&squared, &[1, n])?;
        self.reduce(&flat, ReduceOp::Mean, ReduceAxis::Last)
    }
}
