//! `shaders/mse.wgsl` vs `cpu::mse`, and the CPU gradient vs finite differences.
//!
//! Tolerance of the loss: an f32 sum of n non-negative terms is within n·ε of its exact value
//! relative to the sum whatever the order, so the loss bound is 1e-5 + 1e-4·|l| + n·ε·l (the
//! documented looser bound for long reductions). The two-pass tree is far tighter in practice.

use atb_gpu::cpu::mse::{mse_backward, mse_loss};
use atb_gpu::{AtbError, Tensor, ops};

use crate::common::{assert_within, gpu, random_tensor};
use crate::finite_difference::{assert_gradient, central_difference, random64};

const SHAPES: &[&[usize]] = &[&[1], &[7], &[33], &[257], &[3, 257], &[4097], &[100_003]];

fn on_gpu(t: &Tensor) -> Tensor {
    t.to_device(&gpu()).unwrap()
}

#[test]
fn loss_matches_cpu_on_odd_sizes() {
    for (seed, shape) in SHAPES.iter().enumerate() {
        let pred = random_tensor(shape, seed as u64);
        let target = random_tensor(shape, 100 + seed as u64);
        let want = ops::mse_loss(&pred, &target).unwrap().to_vec().unwrap();
        let got = ops::mse_loss(&on_gpu(&pred), &on_gpu(&target)).unwrap();
        assert_eq!(got.shape(), &[1]);
        let n = pred.len() as f64;
        let eps = f64::from(f32::EPSILON);
        assert_within(
            &got.to_vec().unwrap(),
            &want,
            |i| 1e-5 + 1e-4 * f64::from(want[i]) + n * eps * f64::from(want[i]),
            &format!("mse {shape:?}"),
        );
    }
}

#[test]
fn loss_of_known_values() {
    let pred = Tensor::from_vec(&[3], vec![1.0, 2.0, 3.0]).unwrap();
    let target = Tensor::from_vec(&[3], vec![0.0, 0.0, 1.0]).unwrap();
    for (p, t) in [
        (pred.clone(), target.clone()),
        (on_gpu(&pred), on_gpu(&target)),
    ] {
        let loss = ops::mse_loss(&p, &t).unwrap().to_vec().unwrap();
        assert!((loss[0] - 3.0).abs() < 1e-6, "{loss:?}");
    }
}

#[test]
fn loss_is_deterministic() {
    let pred = on_gpu(&random_tensor(&[50_001], 1));
    let target = on_gpu(&random_tensor(&[50_001], 2));
    let first = ops::mse_loss(&pred, &target).unwrap().to_vec().unwrap();
    for _ in 0..3 {
        let again = ops::mse_loss(&pred, &target).unwrap().to_vec().unwrap();
        assert_eq!(first, again);
    }
}

#[test]
fn backward_matches_cpu_within_1e3() {
    for (seed, shape) in SHAPES.iter().enumerate() {
        let pred = random_tensor(shape, seed as u64);
        let target = random_tensor(shape, 100 + seed as u64);
        for scale in [1.0, 0.37] {
            let want = ops::mse_backward(&pred, &target, scale)
                .unwrap()
                .to_vec()
                .unwrap();
            let got = ops::mse_backward(&on_gpu(&pred), &on_gpu(&target), scale).unwrap();
            assert_eq!(got.shape(), *shape);
            assert_within(
                &got.to_vec().unwrap(),
                &want,
                |i| 1e-3 * f64::from(want[i].abs()) + 1e-12,
                &format!("mse_backward {shape:?} scale {scale}"),
            );
        }
    }
}

#[test]
fn upstream_tensor_matches_the_scalar_scale() {
    for (seed, shape) in SHAPES.iter().enumerate() {
        let pred = random_tensor(shape, seed as u64);
        let target = random_tensor(shape, 100 + seed as u64);
        let upstream = Tensor::from_vec(&[1], vec![-0.37]).unwrap();
        let want = ops::mse_backward(&pred, &target, -0.37)
            .unwrap()
            .to_vec()
            .unwrap();
        let cpu = ops::mse_backward_upstream(&pred, &target, &upstream).unwrap();
        assert_eq!(cpu.to_vec().unwrap(), want, "cpu {shape:?}");
        let got = ops::mse_backward_upstream(&on_gpu(&pred), &on_gpu(&target), &on_gpu(&upstream))
            .unwrap();
        assert_within(
            &got.to_vec().unwrap(),
            &want,
            |i| 1e-3 * f64::from(want[i].abs()) + 1e-12,
            &format!("mse_backward_upstream {shape:?}"),
        );
    }
    let err = ops::mse_backward_upstream(
        &random_tensor(&[3], 1),
        &random_tensor(&[3], 2),
        &random_tensor(&[2], 3),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("upstream must have shape [1]"),
        "{err}"
    );
}

#[test]
fn cpu_gradient_matches_finite_differences() {
    for (seed, n) in [1usize, 7, 33].into_iter().enumerate() {
        let pred = random64(n, seed as u64);
        let target = random64(n, 10 + seed as u64);
        for scale in [1.0, -2.5] {
            let analytic = mse_backward(&pred, &target, scale);
            let numeric = central_difference(&pred, 1e-5, |p| scale * mse_loss(p, &target));
            assert_gradient(&analytic, &numeric, &format!("mse n {n} scale {scale}"));
        }
    }
}

#[test]
fn bad_shapes_are_clear_errors() {
    let err = ops::mse_loss(&random_tensor(&[3], 1), &random_tensor(&[4], 2)).unwrap_err();
    assert!(
        err.to_string().contains("target must have shape [3]"),
        "{err}"
    );
    let empty = Tensor::from_vec(&[0], vec![]).unwrap();
    let err = ops::mse_backward(&empty, &empty, 1.0).unwrap_err();
    assert!(
        matches!(
            err,
            AtbError::Shape {
                op: "mse_backward",
                ..
            }
        ),
        "{err}"
    );
}
