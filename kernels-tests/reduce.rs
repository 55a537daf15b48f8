//! `shaders/reduce.wgsl` vs `cpu::reduce` (which accumulates in f64).
//!
//! Tolerance: an f32 sum of n terms may be off by about n·ε·Σ|x| in any order, so the bound
//! is 1e-5 + 1e-4·|want| + n·ε·Σ|x| / divisor (the documented looser bound for long reductions).

use atb_gpu::ops::{self, ReduceAxis, ReduceOp};
use atb_gpu::{AtbError, Tensor};

use crate::common::{assert_within, gpu, random_tensor};

fn check(shape: &[usize], seed: u64) {
    let x = random_tensor(shape, seed);
    let xg = x.to_device(&gpu()).unwrap();
    let cols = *shape.last().unwrap();
    let rows: usize = shape[..shape.len() - 1].iter().product();
    for axis in [ReduceAxis::Last, ReduceAxis::Rows] {
        let n = if axis == ReduceAxis::Last { cols } else { rows } as f64;
        for op in [ReduceOp::Sum, ReduceOp::Mean] {
            let want = ops::reduce(&x, op, axis).unwrap();
            let got = ops::reduce(&xg, op, axis).unwrap();
            assert_eq!(got.shape(), want.shape());
            let divisor = if op == ReduceOp::Mean { n } else { 1.0 };
            let want = want.to_vec().unwrap();
            // |x| <= 1, so Σ|x| <= n.
            let bound = |i: usize| {
                1e-5 + 1e-4 * f64::from(want[i].abs()) + n * n * f64::from(f32::EPSILON) / divisor
            };
            assert_within(
                &got.to_vec().unwrap(),
                &want,
                bound,
                &format!("{op:?} {axis:?} {shape:?}"),
            );
        }
    }
}

#[test]
fn sums_and_means_match_on_odd_shapes() {
    for (seed, shape) in [
        &[1usize, 1][..],
        &[7, 33],
        &[257, 257],
        &[3, 5, 7],
        &[1],
        &[2, 1000],
    ]
    .iter()
    .enumerate()
    {
        check(shape, seed as u64);
    }
}

#[test]
fn more_rows_than_one_grid_axis_holds() {
    // 70 000 rows need more workgroups than max_compute_workgroups_per_dimension (65 535).
    check(&[70_000, 2], 9);
}

#[test]
fn reduction_is_deterministic() {
    let xg = random_tensor(&[64, 4099], 5).to_device(&gpu()).unwrap();
    let first = ops::reduce(&xg, ReduceOp::Sum, ReduceAxis::Last)
        .unwrap()
        .to_vec()
        .unwrap();
    for _ in 0..3 {
        let again = ops::reduce(&xg, ReduceOp::Sum, ReduceAxis::Last)
            .unwrap()
            .to_vec()
            .unwrap();
        assert_eq!(first, again, "same input must give bit-identical sums");
    }
}

#[test]
fn empty_inputs() {
    let no_rows = Tensor::from_vec(&[0, 4], vec![])
        .unwrap()
        .to_device(&gpu())
        .unwrap();
    let out = ops::reduce(&no_rows, ReduceOp::Sum, ReduceAxis::Last).unwrap();
    assert_eq!(out.shape(), &[0]);
    assert!(out.to_vec().unwrap().is_empty());
    let err = ops::reduce(&no_rows, ReduceOp::Mean, ReduceAxis::Rows).unwrap_err();
    assert!(matches!(err, AtbError::Shape { op: "reduce", .. }), "{err}");
}

#[test]
fn expand_is_the_adjoint_of_reduce() {
    // <reduce(x), g> == <x, expand(g)> for both axes, on both devices.
    let x = random_tensor(&[6, 33], 21);
    for device in [atb_gpu::ComputeDevice::Cpu, gpu()] {
        let xd = x.to_device(&device).unwrap();
        for (axis, g_shape) in [(ReduceAxis::Last, vec![6]), (ReduceAxis::Rows, vec![33])] {
            let g = random_tensor(&g_shape, 22).to_device(&device).unwrap();
            let reduced = ops::reduce(&xd, ReduceOp::Mean, axis)
                .unwrap()
                .to_vec()
                .unwrap();
            let n = if axis == ReduceAxis::Last { 33.0 } else { 6.0 };
            let expanded = ops::expand(&g, axis, &[6, 33], 1.0 / n).unwrap();
            assert_eq!(expanded.shape(), &[6, 33]);
            let lhs: f64 = reduced
                .iter()
                .zip(g.to_vec().unwrap())
                .map(|(a, b)| f64::from(*a) * f64::from(b))
                .sum();
            let rhs: f64 = x
                .to_vec()
                .unwrap()
                .iter()
                .zip(expanded.to_vec().unwrap())
                .map(|(a, b)| f64::from(*a) * f64::from(b))
                .sum();
            assert!(
                (lhs - rhs).abs() < 1e-4,
                "{device:?} {axis:?}: {lhs} vs {rhs}"
            );
        }
        let bad = ops::expand(&random_tensor(&[5], 1), ReduceAxis::Last, &[6, 33], 1.0);
        assert!(matches!(bad, Err(AtbError::Shape { op: "expand", .. })));
    }
}
