//! Dilated causal 1-D convolution (Keras `Conv1D(padding='causal')`) and its gradients.
//!
//! Layout: x `[B, T, Cin]`, w `[K, Cin, Cout]`, bias `[Cout]`, y `[B, T, Cout]`, with
//! `y[b,t,co] = bias[co] + Σ_{k,ci} w[k,ci,co] · x[b, t - (K-1-k)·d, ci]` and x = 0 at
//! negative time, so output t never sees input after t.

use super::operands::{Operands, contiguous, operands};
use super::reduce::reduce;
use crate::descriptors::conv1d::Conv1dShape;
use crate::descriptors::reduce::{ReduceAxis, ReduceOp};
use crate::{AtbError, Result, Tensor, cpu, kernels};

/// The gradients of a causal convolution with respect to its operands.
#[derive(Debug, Clone)]
pub struct Conv1dGrads {
    /// ∂L/∂x, `[B, T, Cin]`.
    pub dx: Tensor,
    /// ∂L/∂w, `[K, Cin, Cout]`.
    pub dw: Tensor,
    /// ∂L/∂bias, `[Cout]`.
    pub dbias: Tensor,
}

/// The dilated causal convolution of `x` `[B,T,Cin]` with `w` `[K,Cin,Cout]` plus `bias`.
pub fn conv1d(x: &Tensor, w: &Tensor, bias: Option<&Tensor>, dilation: usize) -> Result<Tensor> {
    let shape = Conv1dShape::infer(x.shape(), w.shape(), bias.map(Tensor::shape), dilation)?;
    let mut inputs = vec![x, w];
    inputs.extend(bias);
    match operands("conv1d", &inputs)? {
        Operands::Cpu(arrays) => {
            let bias = arrays.get(2).map(|b| contiguous(b));
            let y = cpu::fast::conv1d::conv1d_forward(
                &contiguous(arrays[0]),
                &contiguous(arrays[1]),
                bias.as_deref(),
                &shape,
            );
            Tensor::from_vec(&shape.output_shape(), y)
        }
        Operands::Gpu(ctx, buffers) => {
            let y = kernels::conv1d::conv1d_forward(
                ctx,
                buffers[0],
                buffers[1],
                buffers.get(2).copied(),
                &shape,
            )?;
            Ok(Tensor::from_gpu(ctx.clone(), y, shape.output_shape()))
        }
    }
}

/// Gradients of [`conv1d`] given the upstream gradient `dy` `[B,T,Cout]` (the bias does not
/// enter them, so it is not needed).
pub fn conv1d_backward(
    x: &Tensor,
    w: &Tensor,
    dy: &Tensor,
    dilation: usize,
) -> Result<Conv1dGrads> {
    let shape = Conv1dShape::infer(x.shape(), w.shape(), None, dilation)?;
    if dy.shape() != shape.output_shape().as_slice() {
        return Err(AtbError::Shape {
            op: "conv1d_backward",
            detail: format!(
                "dy must have the output shape {:?}, got {:?}",
                shape.output_shape(),
                dy.shape()
            ),
        });
    }
    let operands = operands("conv1d_backward", &[x, w, dy])?;
    let dbias = if shape.batch * shape.time == 0 {
        Tensor::from_vec(&[shape.out_channels], vec![0.0; shape.out_channels])?
            .to_device(&dy.device())?
    } else {
        reduce(dy, ReduceOp::Sum, ReduceAxis::Rows)?
    };
    let (dx, dw) = match operands {
        Operands::Cpu(arrays) => {
            let (x, w, dy) = (
                contiguous(arrays[0]),
                contiguous(arrays[1]),
                contiguous(arrays[2]),
            );
            let dx = cpu::fast::conv1d::conv1d_backward_input(&w, &dy, &shape);
            let dw = cpu::fast::conv1d::conv1d_backward_weight(&x, &dy, &shape);
            (
                Tensor::from_vec(&shape.input_shape(), dx)?,
                Tensor::from_vec(&shape.weight_shape(), dw)?,
            )
        }
        Operands::Gpu(ctx, buffers) => {
            let dx = kernels::conv1d::conv1d_backward_input(ctx, buffers[1], buffers[2], &shape)?;
            let dw = kernels::conv1d::conv1d_backward_weight(ctx, buffers[0], buffers[2], &shape)?;
            (
                Tensor::from_gpu(ctx.clone(), dx, shape.input_shape()),
                Tensor::from_gpu(ctx.clone(), dw, shape.weight_shape()),
            )
        }
    };
    Ok(Conv1dGrads { dx, dw, dbias })
}
