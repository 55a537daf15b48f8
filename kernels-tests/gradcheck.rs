//! Gradient checks shared by the autograd and layer tests: CPU gradients of a scalar function
//! vs central finite differences, and GPU gradients vs CPU gradients (1e-3 relative).

use atb_gpu::autograd::{Tape, Var};
use atb_gpu::ops::{ReduceAxis, ReduceOp};
use atb_gpu::{ComputeDevice, Result, Tensor};

use crate::common::{gpu, random};

/// A scalar function of some inputs, built on a tape.
pub type Build = dyn Fn(&Tape, &[Var]) -> Result<Var>;

/// Analytic gradients of `build` at `inputs` on `device` (inputs are parameters 0..n).
fn analytic(build: &Build, inputs: &[Tensor], device: &ComputeDevice) -> Vec<Vec<f32>> {
    let tape = Tape::new();
    let vars: Vec<Var> = inputs
        .iter()
        .enumerate()
        .map(|(i, t)| tape.param(t.to_device(device).unwrap(), i))
        .collect();
    let loss = build(&tape, &vars).unwrap();
    let grads = tape.backward(&loss).unwrap();
    (0..inputs.len())
        .map(|i| match grads.get(i) {
            Some(g) => {
                assert_eq!(
                    g.shape(),
                    inputs[i].shape(),
                    "gradient {i} has its input's shape"
                );
                g.to_vec().unwrap()
            }
            None => vec![0.0; inputs[i].len()],
        })
        .collect()
}

fn loss_at(build: &Build, inputs: &[Tensor]) -> f64 {
    let tape = Tape::new();
    let vars: Vec<Var> = inputs.iter().map(|t| tape.constant(t.clone())).collect();
    f64::from(build(&tape, &vars).unwrap().value().to_vec().unwrap()[0])
}

/// Checks CPU gradients against central differences and GPU gradients against CPU ones.
pub fn check(name: &str, build: &Build, inputs: Vec<Tensor>) {
    let cpu = analytic(build, &inputs, &ComputeDevice::Cpu);
    let h = 1e-2f32;
    for (i, input) in inputs.iter().enumerate() {
        let base = input.to_vec().unwrap();
        for j in 0..base.len() {
            let at = |delta: f32| {
                let mut data = base.clone();
                data[j] += delta;
                let mut moved = inputs.clone();
                moved[i] = Tensor::from_vec(input.shape(), data).unwrap();
                loss_at(build, &moved)
            };
            let numeric = (at(h) - at(-h)) / (2.0 * f64::from(h));
            let got = f64::from(cpu[i][j]);
            let tol = 2e-2 * numeric.abs().max(got.abs()) + 2e-3;
            assert!(
                (numeric - got).abs() <= tol,
                "{name}: d/d input {i}[{j}]: analytic {got}, numeric {numeric}"
            );
        }
    }
    let on_gpu = analytic(build, &inputs, &gpu());
    for (i, (g, c)) in on_gpu.iter().zip(&cpu).enumerate() {
        for (j, (&g, &c)) in g.iter().zip(c).enumerate() {
            let tol = 1e-3 * c.abs().max(g.abs()) + 1e-5;
            assert!(
                (g - c).abs() <= tol,
                "{name}: GPU grad {i}[{j}] {g} vs CPU {c}"
            );
        }
    }
}

/// Σ r ⊙ y for a fixed random r: a scalar that weighs every output differently.
pub fn weighted_sum(tape: &Tape, y: &Var, seed: u64) -> Result<Var> {
    let r = Tensor::from_vec(y.shape(), random(y.value().len(), seed))?
        .to_device(&y.value().device())?;
    let prod = tape.mul(y, &tape.constant(r))?;
    let n = prod.value().len();
    let flat = tape.reshape(&prod, &[1, n])?;
    tape.reduce(&flat, ReduceOp::Sum, ReduceAxis::Last)
}
