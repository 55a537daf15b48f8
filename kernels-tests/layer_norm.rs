//! `shaders/layer_norm.wgsl` vs `cpu::layer_norm`, and the CPU gradients vs finite
//! differences.

use atb_gpu::cpu::layer_norm::{layer_norm_backward, layer_norm_forward};
use atb_gpu::ops::{self, LayerNormCache};
use atb_gpu::{AtbError, Tensor};

use crate::common::{assert_close, assert_within, gpu, random, random_tensor};
use crate::finite_difference::{assert_gradient, central_difference, random64, weighted_sum};

const SHAPES: &[&[usize]] = &[
    &[1],
    &[1, 1],
    &[7, 7],
    &[3, 33],
    &[257, 5],
    &[2, 257],
    &[5, 3, 16],
    &[2, 1000],
];

/// `scale · u + offset` for u uniform in [-1, 1).
fn shifted(shape: &[usize], seed: u64, scale: f32, offset: f32) -> Tensor {
    let len = shape.iter().product();
    let data = random(len, seed)
        .iter()
        .map(|v| scale * v + offset)
        .collect();
    Tensor::from_vec(shape, data).unwrap()
}

/// Inputs with an offset (3·u + 2), so a one-pass variance would lose digits.
fn input(shape: &[usize], seed: u64) -> Tensor {
    shifted(shape, seed, 3.0, 2.0)
}

/// `gamma` in [0.5, 2.5) and `beta` in [-1, 1).
fn affine(cols: usize, seed: u64) -> (Tensor, Tensor) {
    (
        shifted(&[cols], seed, 1.0, 1.5),
        random_tensor(&[cols], seed + 1),
    )
}

fn on_gpu(t: &Tensor) -> Tensor {
    t.to_device(&gpu()).unwrap()
}

#[test]
fn forward_matches_cpu_on_odd_shapes() {
    for (seed, shape) in SHAPES.iter().enumerate() {
        let seed = seed as u64 * 3;
        let x = input(shape, seed);
        let (gamma, beta) = affine(*shape.last().unwrap(), seed + 1);
        for eps in [1e-3, 1e-5] {
            let (want, want_cache) = ops::layer_norm(&x, &gamma, &beta, eps).unwrap();
            let (got, got_cache) =
                ops::layer_norm(&on_gpu(&x), &on_gpu(&gamma), &on_gpu(&beta), eps).unwrap();
            let what = format!("{shape:?} eps {eps}");
            assert_eq!(got.shape(), *shape);
            assert_eq!(got_cache.mean.shape(), want_cache.mean.shape());
            assert_close(
                &got.to_vec().unwrap(),
                &want.to_vec().unwrap(),
                &format!("y {what}"),
            );
            assert_close(
                &got_cache.mean.to_vec().unwrap(),
                &want_cache.mean.to_vec().unwrap(),
                &format!("mean {what}"),
            );
            assert_close(
                &got_cache.rstd.to_vec().unwrap(),
                &want_cache.rstd.to_vec().unwrap(),
                &format!("rstd {what}"),
            );
        }
    }
}

#[test]
fn constant_rows_give_beta() {
    let x = Tensor::from_vec(&[3, 4], vec![5.0; 12]).unwrap();
    let (gamma, beta) = affine(4, 9);
    let want = beta.to_vec().unwrap().repeat(3);
    let (cpu, _) = ops::layer_norm(&x, &gamma, &beta, 1e-3).unwrap();
    let (gpu_y, _) = ops::layer_norm(&on_gpu(&x), &on_gpu(&gamma), &on_gpu(&beta), 1e-3).unwrap();
    assert_close(&cpu.to_vec().unwrap(), &want, "cpu");
    assert_close(&gpu_y.to_vec().unwrap(), &want, "gpu");
}

#[test]
fn backward_matches_cpu_within_1e3() {
    for (seed, shape) in SHAPES.iter().enumerate() {
        let seed = seed as u64 * 5;
        let x = input(shape, seed);
        let (gamma, beta) = affine(*shape.last().unwrap(), seed + 1);
        let dy = random_tensor(shape, seed + 3);
        let (_, cache) = ops::layer_norm(&x, &gamma, &beta, 1e-3).unwrap();
        let want = ops::layer_norm_backward(&x, &gamma, &cache, &dy).unwrap();
        let gpu_cache = LayerNormCache {
            mean: on_gpu(&cache.mean),
            rstd: on_gpu(&cache.rstd),
        };
        let got = ops::layer_norm_backward(&on_gpu(&x), &on_gpu(&gamma), &gpu_cache, &on_gpu(&dy))
            .unwrap();
        let pairs = [
            ("dx", &got.0, &want.0),
            ("dgamma", &got.1, &want.1),
            ("dbeta", &got.2, &want.2),
        ];
        for (name, g, w) in pairs {
            assert_eq!(g.shape(), w.shape(), "{name}");
            let w = w.to_vec().unwrap();
            // dgamma/dbeta sum over up to 257 rows of |terms| ≲ 4: allow that f32 rounding.
            let rows = (x.len() / shape.last().unwrap()) as f64;
            let floor = 1e-6 + rows * 4.0 * f64::from(f32::EPSILON);
            assert_within(
                &g.to_vec().unwrap(),
                &w,
                |i| 1e-3 * f64::from(w[i].abs()) + floor,
                &format!("{name} {shape:?}"),
            );
        }
    }
}

#[test]
fn backward_is_deterministic() {
    let x = on_gpu(&input(&[300, 40], 1));
    let (gamma, beta) = affine(40, 2);
    let (gamma, beta) = (on_gpu(&gamma), on_gpu(&beta));
    let dy = on_gpu(&random_tensor(&[300, 40], 3));
    let (_, cache) = ops::layer_norm(&x, &gamma, &beta, 1e-3).unwrap();
    let run = || {
        let (dx, dg, db) = ops::layer_norm_backward(&x, &gamma, &cache, &dy).unwrap();
        [dx, dg, db].map(|t| t.to_vec().unwrap())
    };
    assert_eq!(run(), run());
}

#[test]
fn cpu_gradients_match_finite_differences() {
    let eps = 1e-3;
    for (seed, &(rows, cols)) in [(1, 1), (1, 7), (3, 5), (2, 33)].iter().enumerate() {
        let seed = seed as u64 * 7;
        let n = rows * cols;
        let x: Vec<f64> = random64(n, seed).iter().map(|v| 2.0 * v + 1.0).collect();
        let gamma: Vec<f64> = random64(cols, seed + 1).iter().map(|v| v + 1.5).collect();
        let beta = random64(cols, seed + 2);
        let w = random64(n, seed + 3);
        let fwd = layer_norm_forward(&x, &gamma, &beta, cols, eps);
        let grads = layer_norm_backward(&x, &gamma, &fwd.mean, &fwd.rstd, &w, cols);
        let loss = |x: &[f64], g: &[f64], b: &[f64]| {
            weighted_sum(&w, &layer_norm_forward(x, g, b, cols, eps).y)
        };
        let what = format!("{rows}x{cols}");
        let dx = central_difference(&x, 1e-5, |v| loss(v, &gamma, &beta));
        assert_gradient(&grads.dx, &dx, &format!("dx {what}"));
        let dgamma = central_difference(&gamma, 1e-5, |v| loss(&x, v, &beta));
        assert_gradient(&grads.dgamma, &dgamma, &format!("dgamma {what}"));
        let dbeta = central_difference(&beta, 1e-5, |v| loss(&x, &gamma, v));
        assert_gradient(&grads.dbeta, &dbeta, &format!("dbeta {what}"));
    }
}

#[test]
fn bad_arguments_are_clear_errors() {
    let x = random_tensor(&[2, 3], 1);
    let (gamma, beta) = affine(3, 2);
    let err = ops::layer_norm(&x, &random_tensor(&[4], 3), &beta, 1e-3).unwrap_err();
    assert!(
        err.to_string().contains("gamma must have shape [3]"),
        "{err}"
    );
    let err = ops::layer_norm(&x, &gamma, &beta, 0.0).unwrap_err();
    assert!(matches!(err, AtbError::InvalidArgument { .. }), "{err}");
    let empty_axis = Tensor::from_vec(&[2, 0], vec![]).unwrap();
    let none = Tensor::from_vec(&[0], vec![]).unwrap();
    let err = ops::layer_norm(&empty_axis, &none, &none, 1e-3).unwrap_err();
    assert!(err.to_string().contains("is empty"), "{err}");
    let (_, cache) = ops::layer_norm(&x, &gamma, &beta, 1e-3).unwrap();
    let err = ops::layer_norm_backward(&x, &gamma, &cache, &random_tensor(&[3, 2], 4)).unwrap_err();
    assert!(
        err.to_string().contains("dy must have shape [2, 3]"),
        "{err}"
    );
    let err = ops::layer_norm(&on_gpu(&x), &gamma, &beta, 1e-3).unwrap_err();
    assert!(matches!(err, AtbError::DeviceMismatch { .. }), "{err}");
}

#[test]
fn more_rows_than_one_grid_axis_holds() {
    // 70 000 rows need more workgroups than max_compute_workgroups_per_dimension (65 535).
    let shape = [70_000, 3];
    let x = input(&shape, 21);
    let (gamma, beta) = affine(3, 22);
    let dy = random_tensor(&shape, 23);
    let (want, cache) = ops::layer_norm(&x, &gamma, &beta, 1e-3).unwrap();
    let (got, _) = ops::layer_norm(&on_gpu(&x), &on_gpu(&gamma), &on_gpu(&beta), 1e-3).unwrap();
    assert_close(
        &got.to_vec().unwrap(),
        &want.to_vec().unwrap(),
        "layer_norm 70000x3",
    );
    let want_dx = ops::layer_norm_backward(&x, &gamma, &cache, &dy).unwrap().0;
    // The backward gets the CPU statistics, so only the backward kernel is compared.
    let gpu_cache = LayerNormCache {
        mean: on_gpu(&cache.mean),
        rstd: on_gpu(&cache.rstd),
    };
    let got_dx = ops::layer_norm_backward(&on_gpu(&x), &on_gpu(&gamma), &gpu_cache, &on_gpu(&dy))
        .unwrap()
        .0;
    let want_dx = want_dx.to_vec().unwrap();
    assert_within(
        &got_dx.to_vec().unwrap(),
        &want_dx,
        |i| 1e-3 * f64::from(want_dx[i].abs()) + 1e-5,
        "layer_norm dx 70000x3",
    );
}
