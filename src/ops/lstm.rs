//! LSTM layer (Keras semantics, batch-first, zero initial state), forward and backward
//! through time. See `shaders/lstm.wgsl` and docs/kernels.md for the kernel design.

use super::operands::{Operands, contiguous, operands};
use crate::descriptors::lstm::{LstmOptions, LstmShape};
use crate::{AtbError, Result, Tensor, cpu, kernels};

/// What the forward pass keeps: every step's state and activated gates.
#[derive(Debug, Clone)]
pub struct LstmForward {
    /// Hidden states `[B,T,H]` (the layer's output; the last step is `h[:, T-1]`).
    pub h: Tensor,
    /// Cell states `[B,T,H]`.
    pub c: Tensor,
    /// Activated gates `[B,T,4H]` in the order i, f, g, o along the last axis.
    pub gates: Tensor,
}

/// Gradients of a loss with respect to the LSTM's inputs and parameters.
#[derive(Debug, Clone)]
pub struct LstmGrads {
    /// `[B,T,F]`.
    pub dx: Tensor,
    /// `[F,4H]`.
    pub dw_ih: Tensor,
    /// `[H,4H]`.
    pub dw_hh: Tensor,
    /// `[4H]`.
    pub dbias: Tensor,
}

/// Runs an LSTM layer over x `[B,T,F]` with weights W_ih `[F,4H]`, W_hh `[H,4H]` and bias
/// `[4H]` (gate order i, f, g, o).
pub fn lstm(
    x: &Tensor,
    w_ih: &Tensor,
    w_hh: &Tensor,
    bias: &Tensor,
    opts: &LstmOptions,
) -> Result<LstmForward> {
    let shape = LstmShape::infer(x.shape(), w_ih.shape(), w_hh.shape(), bias.shape())?;
    let state_shape = [shape.batch, shape.steps, shape.hidden];
    let gates_shape = [shape.batch, shape.steps, 4 * shape.hidden];
    match operands("lstm", &[x, w_ih, w_hh, bias])? {
        Operands::Cpu(a) => {
            let out = cpu::fast::lstm::forward(
                &contiguous(a[0]),
                &contiguous(a[1]),
                &contiguous(a[2]),
                &contiguous(a[3]),
                &shape,
            );
            Ok(LstmForward {
                h: Tensor::from_vec(&state_shape, out.h)?,
                c: Tensor::from_vec(&state_shape, out.c)?,
                gates: Tensor::from_vec(&gates_shape, out.gates)?,
            })
        }
        Operands::Gpu(ctx, b) => {
            let out = kernels::lstm::forward(ctx, b[0], b[1], b[2], b[3], &shape, opts.path)?;
            Ok(LstmForward {
                h: Tensor::from_gpu(ctx.clone(), out.h, state_shape.to_vec()),
                c: Tensor::from_gpu(ctx.clone(), out.c, state_shape.to_vec()),
                gates: Tensor::from_gpu(ctx.clone(), out.gates, gates_shape.to_vec()),
            })
        }
    }
}

/// Backward through time of [`lstm`] for the upstream gradient `dh` `[B,T,H]` of every
/// step's output (zeros where a step's output is unused), with the automatic path.
pub fn lstm_backward(
    x: &Tensor,
    w_ih: &Tensor,
    w_hh: &Tensor,
    forward: &LstmForward,
    dh: &Tensor,
) -> Result<LstmGrads> {
    lstm_backward_with_options(x, w_ih, w_hh, forward, dh, &LstmOptions::default())
}

/// [`lstm_backward`] with a chosen recurrence path.
pub fn lstm_backward_with_options(
    x: &Tensor,
    w_ih: &Tensor,
    w_hh: &Tensor,
    forward: &LstmForward,
    dh: &Tensor,
    opts: &LstmOptions,
) -> Result<LstmGrads> {
    let gates_len = w_hh.shape().get(1).copied().unwrap_or(0);
    let shape = LstmShape::infer(x.shape(), w_ih.shape(), w_hh.shape(), &[gates_len])?;
    let state_shape = [shape.batch, shape.steps, shape.hidden];
    let gates_shape = [shape.batch, shape.steps, 4 * shape.hidden];
    for (name, tensor, want) in [
        ("h", &forward.h, &state_shape[..]),
        ("c", &forward.c, &state_shape[..]),
        ("gates", &forward.gates, &gates_shape[..]),
        ("dh", dh, &state_shape[..]),
    ] {
        if tensor.shape() != want {
            return Err(AtbError::Shape {
                op: "lstm_backward",
                detail: format!("{name} must be {want:?}, got {:?}", tensor.shape()),
            });
        }
    }
    let inputs = [x, w_ih, w_hh, &forward.h, &forward.c, &forward.gates, dh];
    let (b, t, f, h4) = (shape.batch, shape.steps, shape.features, 4 * shape.hidden);
    match operands("lstm_backward", &inputs)? {
        Operands::Cpu(a) => {
            let g = cpu::fast::lstm::backward(
                &contiguous(a[0]),
                &contiguous(a[1]),
                &contiguous(a[2]),
                cpu::lstm::LstmStateRef {
                    h: &contiguous(a[3]),
                    c: &contiguous(a[4]),
                    gates: &contiguous(a[5]),
                },
                &contiguous(a[6]),
                &shape,
            );
            Ok(LstmGrads {
                dx: Tensor::from_vec(&[b, t, f], g.dx)?,
                dw_ih: Tensor::from_vec(&[f, h4], g.dw_ih)?,
                dw_hh: Tensor::from_vec(&[shape.hidden, h4], g.dw_hh)?,
                dbias: Tensor::from_vec(&[h4], g.dbias)?,
            })
        }
        Operands::Gpu(ctx, bufs) => {
            let state = kernels::lstm::ForwardRefs {
                h: bufs[3],
                c: bufs[4],
                gates: bufs[5],
            };
            let g = kernels::lstm::backward(
                ctx, bufs[0], bufs[1], bufs[2], &state, bufs[6], &shape, opts.path,
            )?;
            Ok(LstmGrads {
                dx: Tensor::from_gpu(ctx.clone(), g.dx, vec![b, t, f]),
                dw_ih: Tensor::from_gpu(ctx.clone(), g.dw_ih, vec![f, h4]),
                dw_hh: Tensor::from_gpu(ctx.clone(), g.dw_hh, vec![shape.hidden, h4]),
                dbias: Tensor::from_gpu(ctx.clone(), g.dbias, vec![h4]),
            })
        }
    }
}
