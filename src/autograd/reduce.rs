//! Backward rules of sums and means.

use super::tape::{Tape, Var};
use crate::Result;
use crate::ops::{self, ReduceAxis, ReduceOp};

impl Tape {
    /// Sum or mean along `axis` (see [`ops::reduce`]); the gradient spreads back evenly.
    pub fn reduce(&self, x: &Var, op: ReduceOp, axis: ReduceAxis) -> Result<Var> {
        let value = ops::reduce(x.value(), op, axis)?;
        let shape = x.shape().to_vec();
        let count = match axis {
            ReduceAxis::Last => shape.last().copied().unwrap_or(1),
            ReduceAxis::Rows => shape.iter().rev().skip(1).product(),
        };
        let alpha = match op {
            ReduceOp::Sum => 1.0,
            ReduceOp::Mean => 1.0 / count.max(1) as f32,
        };
        Ok(self.record(value, &[x], move |dy| {
            Ok(vec![Some(ops::expand(dy, axis, &shape, alpha)?)])
        }))
    }
}
