//! The one inference entry point: a fresh tape that records no gradients, the input placed on
//! the parameters' device, the network in [`Mode::Eval`], and the result read back.

use super::network::{Forward, Mode, Network};
use super::params::Params;
use crate::autograd::{Tape, Var};
use crate::{Result, Tensor};

/// Runs `pass` over `x` in inference mode and returns what it computes (e.g. predictions, or
/// attention weights).
pub fn infer<R>(
    params: &Params,
    x: &Tensor,
    pass: impl FnOnce(&Forward<'_>, &Var) -> Result<R>,
) -> Result<R> {
    let tape = Tape::new();
    let input = tape.constant(x.to_device(params.device())?);
    let f = Forward {
        tape: &tape,
        params,
        mode: Mode::Eval,
    };
    tape.no_grad(|| pass(&f, &input))
}

/// One prediction per sample of `x` ([N, sample_shape..]), read back to the host.
pub fn predict(net: &dyn Network, params: &Params, x: &Tensor) -> Result<Vec<f32>> {
    infer(params, x, |f, x| net.forward(f, x)?.value().to_vec())
}
