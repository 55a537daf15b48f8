//! Backward rule of `matmul` (with transposes, batching, shared operands and a fused bias).

use super::tape::{Tape, Var};
use crate::activation::Activation;
use crate::ops::{self, MatmulOptions, MatmulShape, ReduceAxis, ReduceOp};
use crate::{Result, Tensor};

/// `op(a)·op(b)` with the given transposes (no epilogue).
fn mm(a: &Tensor, b: &Tensor, trans_a: bool, trans_b: bool) -> Result<Tensor> {
    let opts = MatmulOptions {
        trans_a,
        trans_b,
        activation: Activation::None,
    };
    ops::matmul(a, b, None, &opts)
}

/// Sums a batched gradient `[B, r, c]` over the batch when its operand was shared (2-D).
fn unbatch(grad: Tensor, operand_shape: &[usize]) -> Result<Tensor> {
    if grad.shape().len() == operand_shape.len() {
        return Ok(grad);
    }
    let batch = grad.shape()[0];
    let rest: usize = operand_shape.iter().product();
    let summed = ops::reduce(
        &grad.reshape(&[batch, rest])?,
        ReduceOp::Sum,
        ReduceAxis::Rows,
    )?;
    summed.reshape(operand_shape)
}

/// Gradients of A and B for `C = op(A)·op(B)` given dC.
fn matmul_grads(
    a: &Tensor,
    b: &Tensor,
    dc: &Tensor,
    opts: &MatmulOptions,
) -> Result<(Tensor, Tensor)> {
    let shape = MatmulShape::infer(a.shape(), b.shape(), None, opts)?;
    let (ta, tb) = (opts.trans_a, opts.trans_b);
    // Fast path of a layer over a sequence: A [B, M, K] batched, B [K, N] shared, no transposes:
    // dB = A₂ᵀ·dC₂ with the batch folded into the rows, no batched temporary.
    if shape.a_batched && !shape.b_batched && !ta {
        let rows = shape.batch * shape.m;
        let a2 = a.reshape(&[rows, shape.k])?;
        let dc2 = dc.reshape(&[rows, shape.n])?;
        let da = mm(&dc2, b, false, !tb)?.reshape(a.shape())?;
        let db = if tb {
            mm(&dc2, &a2, true, false)?
        } else {
            mm(&a2, &dc2, true, false)?
        };
        return Ok((da, db));
    }
    let da = match (ta, tb) {
        (false, false) => mm(dc, b, false, true)?,
        (false, true) => mm(dc, b, false, false)?,
        (true, false) => mm(b, dc, false, true)?,
        (true, true) => mm(b, dc, true, true)?,
    };
    let db = match (ta, tb) {
        (false, false) => mm(a, dc, true, false)?,
        (true, false) => mm(a, dc, false, false)?,
        (false, true) => mm(dc, a, true, false)?,
        (true, true) => mm(dc, a, true, true)?,
    };
    Ok((unbatch(da, a.shape())?, unbatch(db, b.shape())?))
}

impl Tape {
    /// `act(op(a)·op(b) + bias)`, differentiable in all three. The activation runs as its own
    /// recorded step so its backward sees the pre-activation.
    pub fn matmul(&self, a: &Var, b: &Var, bias: Option<&Var>, opts: MatmulOptions) -> Result<Var> {
        let linear = MatmulOptions {
            activation: Activation::None,
            ..opts
        };
        let value = ops::matmul(a.value(), b.value(), bias.map(Var::value), &linear)?;
        let (av, bv) = (a.value().clone(), b.value().clone());
        let has_bias = bias.is_some();
        let mut inputs = vec![a, b];
        inputs.extend(bias);
        let out = self.record(value, &inputs, move |dc| {
            let (da, db) = matmul_grads(&av, &bv, dc, &linear)?;
            let mut grads = vec![Some(da), Some(db)];
            if has_bias {
                grads.push(Some(ops::reduce(dc, ReduceOp::Sum, ReduceAxis::Rows)?));
            }
            Ok(grads)
        });
        match opts.activation {
            Activation::None => Ok(out),
            act => self.activation(&out, act),
        }
    }
}
