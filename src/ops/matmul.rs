//! Matrix multiply: `act(op(A) · op(B) + bias)`, 2-D or batched 3-D, with transposes.

use super::operands::{Operands, contiguous, operands};
use crate::descriptors::matmul::{MatmulOptions, MatmulShape};
use crate::{Result, Tensor, cpu, kernels};

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
