//! `shaders/softmax.wgsl` vs `cpu::softmax`, and the CPU gradient vs finite differences.

use atb_gpu::cpu::softmax::{softmax_backward, softmax_forward};
use atb_gpu::ops::{self, UnaryOp};
use atb_gpu::{AtbError, Tensor};

use crate::common::{assert_close, assert_within, gpu, random_tensor};
use crate::finite_difference::{assert_gradient, central_difference, random64, weighted_sum};

const SHAPES: &[&[usize]] = &[
    &[1],
    &[1, 1],
    &[7],
    &[3, 33],
    &[257, 7],
    &[2, 257],
    &[5, 1],
    &[2, 3, 1000],
];

#[test]
fn forward_matches_cpu_on_odd_shapes() {
    for (seed, shape) in SHAPES.iter().enumerate() {
        // Spread to ±4 so rows are far from uniform.
        let x = ops::unary(UnaryOp::Scale(4.0), &random_tensor(shape, seed as u64)).unwrap();
        let want = ops::softmax(&x).unwrap();
        let got = ops::softmax(&x.to_device(&gpu()).unwrap()).unwrap();
        assert_eq!(got.shape(), *shape);
        assert_close(
            &got.to_vec().unwrap(),
            &want.to_vec().unwrap(),
            &format!("softmax {shape:?}"),
        );
    }
}

#[test]
fn huge_inputs_stay_finite_and_rows_sum_to_one() {
    let x = ops::unary(UnaryOp::Scale(1e4), &random_tensor(&[9, 65], 3)).unwrap();
    for device in [None, Some(gpu())] {
        let x = match &device {
            Some(d) => x.to_device(d).unwrap(),
            None => x.clone(),
        };
        let y = ops::softmax(&x).unwrap().to_vec().unwrap();
        assert!(y.iter().all(|v| v.is_finite() && *v >= 0.0), "{device:?}");
        for row in y.chunks(65) {
            let sum: f32 = row.iter().sum();
            assert!((sum - 1.0).abs() < 1e-5, "{device:?}: row sums to {sum}");
        }
    }
}

#[test]
fn backward_matches_cpu_within_1e3() {
    for (seed, shape) in SHAPES.iter().enumerate() {
        let x = ops::unary(UnaryOp::Scale(3.0), &random_tensor(shape, seed as u64)).unwrap();
        let dy = random_tensor(shape, 100 + seed as u64);
        let y = ops::softmax(&x).unwrap();
        let want = ops::softmax_backward(&y, &dy).unwrap().to_vec().unwrap();
        let (yg, dyg) = (y.to_device(&gpu()).unwrap(), dy.to_device(&gpu()).unwrap());
        let got = ops::softmax_backward(&yg, &dyg).unwrap();
        assert_eq!(got.shape(), *shape);
        assert_within(
            &got.to_vec().unwrap(),
            &want,
            |i| 1e-3 * f64::from(want[i].abs()) + 1e-6,
            &format!("softmax_backward {shape:?}"),
        );
    }
}

#[test]
fn cpu_gradient_matches_finite_differences() {
    for (seed, &(rows, cols)) in [(1, 1), (1, 7), (3, 5), (2, 33)].iter().enumerate() {
        let x: Vec<f64> = random64(rows * cols, seed as u64)
            .iter()
            .map(|v| 3.0 * v)
            .collect();
        let w = random64(rows * cols, 50 + seed as u64);
        let y = softmax_forward(&x, cols);
        let analytic = softmax_backward(&y, &w, cols);
        let numeric = central_difference(&x, 1e-5, |x| weighted_sum(&w, &softmax_forward(x, cols)));
        assert_gradient(&analytic, &numeric, &format!("softmax {rows}x{cols}"));
    }
}

#[test]
fn empty_and_bad_shapes() {
    let empty = Tensor::from_vec(&[0, 5], vec![]).unwrap();
    for t in [empty.clone(), empty.to_device(&gpu()).unwrap()] {
        let y = ops::softmax(&t).unwrap();
        assert_eq!(y.shape(), &[0, 5]);
        assert!(y.to_vec().unwrap().is_empty());
    }
    let scalar = Tensor::from_vec(&[], vec![1.0]).unwrap();
    let err = ops::softmax(&scalar).unwrap_err();
    assert!(
        matches!(err, AtbError::Shape { op: "softmax", .. }),
        "{err}"
    );
    let err =
        ops::softmax_backward(&random_tensor(&[2, 3], 1), &random_tensor(&[3, 2], 2)).unwrap_err();
    assert!(
        err.to_string().contains("dy must have shape [2, 3]"),
        "{err}"
    );
}

#[test]
fn more_rows_than_one_grid_axis_holds() {
    // 70 000 rows need more workgroups than max_compute_workgroups_per_dimension (65 535).
    let x = random_tensor(&[70_000, 3], 11);
    let y = ops::softmax(&x).unwrap();
    let dy = random_tensor(&[70_000, 3], 12);
    let got = ops::softmax(&x.to_device(&gpu()).unwrap()).unwrap();
    assert_close(
        &got.to_vec().unwrap(),
        &y.to_vec().unwrap(),
        "softmax 70000x3",
    );
    let want = ops::softmax_backward(&y, &dy).unwrap().to_vec().unwrap();
    let got = ops::softmax_backward(
        &y.to_device(&gpu()).unwrap(),
        &dy.to_device(&gpu()).unwrap(),
    )
    .unwrap();
    assert_within(
        &got.to_vec().unwrap(),
        &want,
        |i| 1e-3 * f64::from(want[i].abs()) + 1e-6,
        "softmax_backward 70000x3",
    );
}
