//! Backward rules of reshapes, slices and concatenation.

use super::tape::{Tape, Var};
use crate::Result;
use crate::ops;

impl Tape {
    /// The same values under another shape.
    pub fn reshape(&self, x: &Var, shape: &[usize]) -> Result<Var> {
        let value = x.value().reshape(shape)?;
        let original = x.shape().to_vec();
        Ok(self.record(value, &[x], move |dy| {
            Ok(vec![Some(dy.reshape(&original)?)])
        }))
    }

    /// Positions `start..start+len` of `axis` (e.g. the last time step).
    pub fn slice(&self, x: &Var, axis: usize, start: usize, len: usize) -> Result<Var> {
        let value = ops::slice(x.value(), axis, start, len)?;
        let shape = x.shape().to_vec();
        Ok(self.record(value, &[x], move |dy| {
            Ok(vec![Some(ops::place(dy, &shape, axis, start)?)])
        }))
    }

    /// Concatenation along `axis`.
    pub fn concat(&self, parts: &[&Var], axis: usize) -> Result<Var> {
        let values: Vec<&crate::Tensor> = parts.iter().map(|v| v.value()).collect();
        let value = ops::concat(&values, axis)?;
        let sizes: Vec<usize> = parts.iter().map(|v| v.shape()[axis]).collect();
        Ok(self.record(value, parts, move |dy| {
            let mut start = 0;
            let mut grads = Vec::with_capacity(sizes.len());
            for &len in &sizes {
                grads.push(Some(ops::slice(dy, axis, start, len)?));
                start += len;
            }
            Ok(grads)
        }))
    }
}
