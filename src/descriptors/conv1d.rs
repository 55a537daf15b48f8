//! The validated shape of a dilated causal 1-D convolution.

use crate::error::{AtbError, Result};

/// The validated sizes of one causal convolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Conv1dShape {
    /// Sequences in the batch (B).
    pub batch: usize,
    /// Time steps per sequence (T).
    pub time: usize,
    /// Input channels (Cin).
    pub in_channels: usize,
    /// Output channels (Cout).
    pub out_channels: usize,
    /// Taps of the kernel (K).
    pub kernel_size: usize,
    /// Spacing of the taps in time steps (d ≥ 1).
    pub dilation: usize,
}

impl Conv1dShape {
    /// Infers and checks the sizes from x `[B,T,Cin]`, w `[K,Cin,Cout]` and bias `[Cout]`.
    pub fn infer(
        x: &[usize],
        w: &[usize],
        bias: Option<&[usize]>,
        dilation: usize,
    ) -> Result<Conv1dShape> {
        let err = |detail: String| AtbError::Shape {
            op: "conv1d",
            detail,
        };
        let &[batch, time, in_channels] = x else {
            return Err(err(format!("x must be [batch, time, channels], got {x:?}")));
        };
        let &[kernel_size, w_in, out_channels] = w else {
            return Err(err(format!(
                "w must be [kernel_size, in_channels, out_channels], got {w:?}"
            )));
        };
        if w_in != in_channels {
            return Err(err(format!(
                "x {x:?} has {in_channels} channels but w {w:?} expects {w_in}"
            )));
        }
        if kernel_size == 0 || in_channels == 0 || out_channels == 0 {
            return Err(err(format!(
                "kernel_size, in_channels and out_channels must be at least 1, got w {w:?}"
            )));
        }
        if dilation == 0 {
            return Err(err("dilation must be at least 1, got 0".to_string()));
        }
        if (kernel_size - 1).checked_mul(dilation).is_none() {
            return Err(err(format!(
                "the receptive span (kernel_size - 1)·dilation = {}·{dilation} overflows",
                kernel_size - 1
            )));
        }
        if let Some(bias) = bias
            && bias != [out_channels]
        {
            return Err(err(format!(
                "bias must have shape [{out_channels}], got {bias:?}"
            )));
        }
        Ok(Conv1dShape {
            batch,
            time,
            in_channels,
            out_channels,
            kernel_size,
            dilation,
        })
    }

    /// The shape of y and dy: `[B, T, Cout]`.
    pub fn output_shape(&self) -> Vec<usize> {
        vec![self.batch, self.time, self.out_channels]
    }

    /// The shape of x and dx: `[B, T, Cin]`.
    pub fn input_shape(&self) -> Vec<usize> {
        vec![self.batch, self.time, self.in_channels]
    }

    /// The shape of w and dw: `[K, Cin, Cout]`.
    pub fn weight_shape(&self) -> Vec<usize> {
        vec![self.kernel_size, self.in_channels, self.out_channels]
    }

    /// How far back tap `k` looks: `(K-1-k)·d` time steps.
    pub(crate) fn shift(&self, k: usize) -> usize {
        (self.kernel_size - 1 - k) * self.dilation
    }

    /// Floating-point operations of the forward pass (2·B·T·K·Cin·Cout, padding included).
    pub fn flops(&self) -> u64 {
        2 * (self.batch * self.time * self.kernel_size * self.in_channels * self.out_channels)
            as u64
    }
}
