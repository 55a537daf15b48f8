//! Matrix multiply: `act(op(A) · op(B) + bias)`, 2-D or batched 3-D, with transposes.

use super::{Operands, contiguous, operands};
use crate::activation::Activation;
use crate::{AtbError, Result, Tensor, cpu, kernels};

/// Transposes and the fused epilogue of a matmul.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MatmulOptions {
    /// Use Aᵀ: A is stored K×M.
    pub trans_a: bool,
    /// Use Bᵀ: B is stored N×K.
    pub trans_b: bool,
    /// Activation applied after the bias.
    pub activation: Activation,
}

/// The validated sizes of one matmul.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MatmulShape {
    /// Number of matrices in the batch (1 for 2-D operands).
    pub batch: usize,
    /// Rows of the result.
    pub m: usize,
    /// Columns of the result.
    pub n: usize,
    /// The contracted dimension.
    pub k: usize,
    /// A has a batch axis (otherwise one A is shared by the whole batch).
    pub a_batched: bool,
    /// B has a batch axis (otherwise one B is shared by the whole batch).
    pub b_batched: bool,
}

impl MatmulShape {
    /// Infers and checks the sizes from operand shapes: A `[M,K]` or `[B,M,K]` (`[..,K,M]`
    /// when transposed), B likewise, bias `[N]`.
    pub fn infer(
        a: &[usize],
        b: &[usize],
        bias: Option<&[usize]>,
        opts: &MatmulOptions,
    ) -> Result<MatmulShape> {
        let err = |detail: String| AtbError::Shape {
            op: "matmul",
            detail,
        };
        let split = |s: &[usize], name: &str| -> Result<(Option<usize>, usize, usize)> {
            match *s {
                [r, c] => Ok((None, r, c)),
                [bt, r, c] => Ok((Some(bt), r, c)),
                _ => Err(err(format!("{name} must be 2-D or 3-D, got shape {s:?}"))),
            }
        };
        let (batch_a, ra, ca) = split(a, "A")?;
        let (batch_b, rb, cb) = split(b, "B")?;
        let (m, k) = if opts.trans_a { (ca, ra) } else { (ra, ca) };
        let (kb, n) = if opts.trans_b { (cb, rb) } else { (rb, cb) };
        if k != kb {
            return Err(err(format!(
                "inner dimensions differ: A {a:?} gives K = {k}, B {b:?} gives K = {kb} (trans_a = {}, trans_b = {})",
                opts.trans_a, opts.trans_b
            )));
        }
        if k == 0 {
            return Err(err("the inner dimension K is 0".to_string()));
        }
        let batch = match (batch_a, batch_b) {
            (Some(x), Some(y)) if x != y => {
                return Err(err(format!("batch sizes differ: A {a:?}, B {b:?}")));
            }
            (Some(x), _) | (None, Some(x)) => x,
            (None, None) => 1,
        };
        if let Some(bias) = bias
            && bias != [n]
        {
            return Err(err(format!("bias must have shape [{n}], got {bias:?}")));
        }
        Ok(MatmulShape {
            batch,
            m,
            n,
            k,
            a_batched: batch_a.is_some(),
            b_batched: batch_b.is_some(),
        })
    }

    /// The result's shape: `[M,N]`, or `[B,M,N]` when either operand is batched.
    pub fn output_shape(&self) -> Vec<usize> {
        if self.a_batched || self.b_batched {
            vec![self.batch, self.m, self.n]
        } else {
            vec![self.m, self.n]
        }
    }

    /// Floating-point operations of the multiply (2·B·M·N·K).
    pub fn flops(&self) -> u64 {
        2 * (self.batch * self.m * self.n * self.k) as u64
    }
}

/// `act(op(a) · op(b) + bias)`; see [`MatmulShape::infer`] for the accepted shapes.
pub fn matmul(
    a: &Tensor,
    b: &Tensor,
    bias: Option<&Tensor>,
    opts: &MatmulOptions,
) -> Result<Tensor> {
    let shape = MatmulShape::infer(a.shape(), b.shape(), bias.map(Tensor::shape), opts)?;
    let mut inputs = vec![a, b];
    inputs.extend(bias);
    match operands("matmul", &inputs)? {
        Operands::Cpu(arrays) => {
            let bias = arrays.get(2).map(|x| contiguous(x));
            let out = cpu::fast::matmul::matmul(
                &contiguous(arrays[0]),
                &contiguous(arrays[1]),
                bias.as_deref(),
                &shape,
                opts,
            );
            Tensor::from_vec(&shape.output_shape(), out)
        }
        Operands::Gpu(ctx, buffers) => {
            let out = kernels::matmul::matmul(
                ctx,
                buffers[0],
                buffers[1],
                buffers.get(2).copied(),
                &shape,
                opts,
            )?;
            Ok(Tensor::from_gpu(ctx.clone(), out, shape.output_shape()))
        }
    }
}
