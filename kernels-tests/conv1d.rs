//! `shaders/conv1d.wgsl` vs `cpu::conv1d`, both checked against exact f64 arithmetic; the CPU
//! gradients also against central finite differences; causality on both devices.
//!
//! Tolerance: every output is a sum of n products (n = K·Cin for y, K·Cout for dx, B·T for dw,
//! plus the chunked second pass of dw), so in f32 it may be off the exact value by about
//! (n+1)·ε·Σ|products| in any order; the bound is 1e-5 + 1e-4·|exact| + (n+1)·ε·Σ|products|,
//! with Σ|products| computed exactly alongside (the documented bound for long reductions).
//! The exact gradients are scattered from the forward definition, independently of the
//! gather formulas the kernels use.

use atb_gpu::ops::{self, Conv1dShape};
use atb_gpu::{AtbError, Tensor};

use crate::common::{assert_within, gpu, random, random_tensor};

/// Exact values and Σ|terms| of y, dx and dw in f64.
struct Exact {
    y: (Vec<f64>, Vec<f64>),
    dx: (Vec<f64>, Vec<f64>),
    dw: (Vec<f64>, Vec<f64>),
}

fn exact(x: &[f32], w: &[f32], bias: &[f32], dy: &[f32], s: &Conv1dShape) -> Exact {
    let (bt, cin, cout) = (s.batch * s.time, s.in_channels, s.out_channels);
    let zeros = |n: usize| (vec![0.0f64; n], vec![0.0f64; n]);
    let (mut dx, mut dw) = (zeros(bt * cin), zeros(w.len()));
    let mut y: (Vec<f64>, Vec<f64>) = bias
        .iter()
        .cycle()
        .take(bt * cout)
        .map(|&b| (f64::from(b), f64::from(b.abs())))
        .unzip();
    for b in 0..s.batch {
        for t in 0..s.time {
            for k in 0..s.kernel_size {
                let Some(src) = t.checked_sub((s.kernel_size - 1 - k) * s.dilation) else {
                    continue;
                };
                for ci in 0..cin {
                    let xv = f64::from(x[(b * s.time + src) * cin + ci]);
                    for co in 0..cout {
                        let wi = (k * cin + ci) * cout + co;
                        let (wv, g) = (
                            f64::from(w[wi]),
                            f64::from(dy[(b * s.time + t) * cout + co]),
                        );
                        let (yi, xi) =
                            ((b * s.time + t) * cout + co, (b * s.time + src) * cin + ci);
                        y.0[yi] += wv * xv;
                        y.1[yi] += (wv * xv).abs();
                        dx.0[xi] += wv * g;
                        dx.1[xi] += (wv * g).abs();
                        dw.0[wi] += xv * g;
                        dw.1[wi] += (xv * g).abs();
                    }
                }
            }
        }
    }
    Exact { y, dx, dw }
}

fn assert_exact(got: &Tensor, want: &(Vec<f64>, Vec<f64>), terms: usize, what: &str) {
    let got = got.to_vec().unwrap();
    let want32: Vec<f32> = want.0.iter().map(|&v| v as f32).collect();
    let eps = f64::from(f32::EPSILON);
    let bound = |i: usize| 1e-5 + 1e-4 * want.0[i].abs() + (terms as f64 + 1.0) * eps * want.1[i];
    assert_within(&got, &want32, bound, what);
}

/// (B, T, Cin, Cout, K, d)
const SHAPES: [(usize, usize, usize, usize, usize, usize); 12] = [
    (1, 1, 1, 1, 1, 1),
    (2, 1, 7, 33, 5, 16),
    (2, 7, 7, 33, 2, 1),
    (3, 9, 33, 7, 5, 2),
    (2, 20, 7, 1, 5, 16),
    (1, 5, 3, 4, 2, 16),
    (2, 33, 1, 7, 3, 4),
    (1, 40, 33, 65, 5, 2),
    (4, 70, 3, 5, 2, 1),
    (3, 37, 15, 64, 5, 8),
    (1, 257, 7, 3, 2, 1),
    (1, 9, 5, 257, 2, 2),
];

fn shape_of(
    &(batch, time, cin, cout, k, d): &(usize, usize, usize, usize, usize, usize),
) -> Conv1dShape {
    Conv1dShape {
        batch,
        time,
        in_channels: cin,
        out_channels: cout,
        kernel_size: k,
        dilation: d,
    }
}

#[test]
fn forward_and_gradients_match_exact_on_gpu_and_cpu() {
    for (seed, case) in SHAPES.iter().enumerate() {
        let s = shape_of(case);
        let seed = seed as u64 * 10;
        let x = random_tensor(&s.input_shape(), seed);
        let w = random_tensor(&s.weight_shape(), seed + 1);
        let bias = random_tensor(&[s.out_channels], seed + 2);
        let dy = random_tensor(&s.output_shape(), seed + 3);
        let want = exact(
            &x.to_vec().unwrap(),
            &w.to_vec().unwrap(),
            &bias.to_vec().unwrap(),
            &dy.to_vec().unwrap(),
            &s,
        );
        let rows = s.batch * s.time;
        for device in [atb_gpu::ComputeDevice::Cpu, gpu()] {
            let on = |t: &Tensor| t.to_device(&device).unwrap();
            let what = format!("{case:?} on {}", device.describe());
            let y = ops::conv1d(&on(&x), &on(&w), Some(&on(&bias)), s.dilation).unwrap();
            assert_eq!(y.shape(), s.output_shape().as_slice());
            assert_exact(
                &y,
                &want.y,
                s.kernel_size * s.in_channels,
                &format!("y {what}"),
            );
            let grads = ops::conv1d_backward(&on(&x), &on(&w), &on(&dy), s.dilation).unwrap();
            assert_eq!(grads.dx.shape(), s.input_shape().as_slice());
            assert_eq!(grads.dw.shape(), s.weight_shape().as_slice());
            assert_eq!(grads.dbias.shape(), &[s.out_channels]);
            assert_exact(
                &grads.dx,
                &want.dx,
                s.kernel_size * s.out_channels,
                &format!("dx {what}"),
            );
            assert_exact(&grads.dw, &want.dw, rows + 64, &format!("dw {what}"));
            let dy_data = dy.to_vec().unwrap();
            let dbias_exact: Vec<f64> = (0..s.out_channels)
                .map(|co| {
                    (0..rows)
                        .map(|r| f64::from(dy_data[r * s.out_channels + co]))
                        .sum()
                })
                .collect();
            let dbias_mag: Vec<f64> = (0..s.out_channels)
                .map(|co| {
                    (0..rows)
                        .map(|r| f64::from(dy_data[r * s.out_channels + co].abs()))
                        .sum()
                })
                .collect();
            assert_exact(
                &grads.dbias,
                &(dbias_exact, dbias_mag),
                rows,
                &format!("dbias {what}"),
            );
        }
    }
}

#[test]
fn forward_without_bias_matches_cpu() {
    let s = shape_of(&(2, 11, 7, 9, 3, 2));
    let x = random_tensor(&s.input_shape(), 5);
    let w = random_tensor(&s.weight_shape(), 6);
    let zero_bias = vec![0.0f32; s.out_channels];
    let want = exact(
        &x.to_vec().unwrap(),
        &w.to_vec().unwrap(),
        &zero_bias,
        &vec![0.0; s.batch * s.time * s.out_channels],
        &s,
    );
    for device in [atb_gpu::ComputeDevice::Cpu, gpu()] {
        let y = ops::conv1d(
            &x.to_device(&device).unwrap(),
            &w.to_device(&device).unwrap(),
            None,
            2,
        )
        .unwrap();
        assert_exact(
            &y,
            &want.y,
            s.kernel_size * s.in_channels,
            &format!("no bias on {}", device.describe()),
        );
    }
}

/// Σ y·r in f64 from the CPU forward.
fn loss(x: &[f32], w: &[f32], bias: &[f32], r: &[f32], s: &Conv1dShape) -> f64 {
    let t = |shape: &[usize], data: &[f32]| Tensor::from_vec(shape, data.to_vec()).unwrap();
    let y = ops::conv1d(
        &t(&s.input_shape(), x),
        &t(&s.weight_shape(), w),
        Some(&t(&[s.out_channels], bias)),
        s.dilation,
    )
    .unwrap()
    .to_vec()
    .unwrap();
    y.iter()
        .zip(r)
        .map(|(&a, &b)| f64::from(a) * f64::from(b))
        .sum()
}

/// Central differences of the loss for every element of one operand.
fn central_differences(values: &[f32], eval: impl Fn(&[f32]) -> f64) -> Vec<f64> {
    // The loss is linear in each operand, so a large step has no truncation error and keeps
    // the f32 rounding of the forward small relative to the difference.
    let h = 0.5f32;
    (0..values.len())
        .map(|i| {
            let mut plus = values.to_vec();
            plus[i] += h;
            let mut minus = values.to_vec();
            minus[i] -= h;
            (eval(&plus) - eval(&minus)) / f64::from(2.0 * h)
        })
        .collect()
}

fn assert_gradient(analytic: &Tensor, numeric: &[f64], what: &str) {
    let analytic = analytic.to_vec().unwrap();
    assert_eq!(analytic.len(), numeric.len(), "{what}");
    for (i, (&a, &n)) in analytic.iter().zip(numeric).enumerate() {
        let err = (f64::from(a) - n).abs();
        assert!(
            err <= 1e-4 + 1e-3 * n.abs(),
            "{what}[{i}]: analytic {a}, finite difference {n}"
        );
    }
}

#[test]
fn cpu_gradients_match_central_differences() {
    for case in [
        (2, 6, 3, 2, 3, 2),
        (1, 4, 1, 3, 2, 8),
        (2, 5, 2, 2, 1, 1),
        (1, 9, 2, 3, 5, 1),
    ] {
        let s = shape_of(&case);
        let x = random(s.batch * s.time * s.in_channels, 1);
        let w = random(s.kernel_size * s.in_channels * s.out_channels, 2);
        let bias = random(s.out_channels, 3);
        let r = random(s.batch * s.time * s.out_channels, 4);
        let dy = Tensor::from_vec(&s.output_shape(), r.clone()).unwrap();
        let grads = ops::conv1d_backward(
            &Tensor::from_vec(&s.input_shape(), x.clone()).unwrap(),
            &Tensor::from_vec(&s.weight_shape(), w.clone()).unwrap(),
            &dy,
            s.dilation,
        )
        .unwrap();
        let dx = central_differences(&x, |v| loss(v, &w, &bias, &r, &s));
        let dw = central_differences(&w, |v| loss(&x, v, &bias, &r, &s));
        let db = central_differences(&bias, |v| loss(&x, &w, v, &r, &s));
        assert_gradient(&grads.dx, &dx, &format!("dx {case:?}"));
        assert_gradient(&grads.dw, &dw, &format!("dw {case:?}"));
        assert_gradient(&grads.dbias, &db, &format!("dbias {case:?}"));
    }
}

#[test]
fn outputs_before_a_changed_input_are_bit_identical() {
    let s = shape_of(&(2, 24, 5, 7, 3, 4));
    let w = random_tensor(&s.weight_shape(), 2);
    let bias = random_tensor(&[s.out_channels], 3);
    let x = random(s.batch * s.time * s.in_channels, 1);
    let row_len = s.time * s.out_channels;
    for changed_t in [0, 1, 9, 23] {
        let mut x_changed = x.clone();
        for b in 0..s.batch {
            for ci in 0..s.in_channels {
                x_changed[(b * s.time + changed_t) * s.in_channels + ci] += 1.0;
            }
        }
        for device in [atb_gpu::ComputeDevice::Cpu, gpu()] {
            let run = |data: &[f32]| {
                let x = Tensor::from_vec(&s.input_shape(), data.to_vec()).unwrap();
                let on = |t: &Tensor| t.to_device(&device).unwrap();
                ops::conv1d(&on(&x), &on(&w), Some(&on(&bias)), s.dilation)
                    .unwrap()
                    .to_vec()
                    .unwrap()
            };
            let (before, after) = (run(&x), run(&x_changed));
            for b in 0..s.batch {
                let split = b * row_len + changed_t * s.out_channels;
                let what = format!("t {changed_t} batch {b} on {}", device.describe());
                assert_eq!(
                    before[b * row_len..split],
                    after[b * row_len..split],
                    "{what}: past outputs moved"
                );
                // The current step sees its own input (tap K-1 has no shift), so it must move.
                assert_ne!(
                    before[split..split + s.out_channels],
                    after[split..split + s.out_channels],
                    "{what}: the changed step had no effect"
                );
            }
        }
    }
}

#[test]
fn weight_gradient_is_deterministic_over_many_chunks() {
    // 3·400 rows are split into several partial sums on the GPU.
    let s = shape_of(&(3, 400, 5, 6, 3, 2));
    let on_gpu = |shape: &[usize], seed| random_tensor(shape, seed).to_device(&gpu()).unwrap();
    let (x, w, dy) = (
        on_gpu(&s.input_shape(), 1),
        on_gpu(&s.weight_shape(), 2),
        on_gpu(&s.output_shape(), 3),
    );
    let first = ops::conv1d_backward(&x, &w, &dy, s.dilation)
        .unwrap()
        .dw
        .to_vec()
        .unwrap();
    for _ in 0..3 {
        let again = ops::conv1d_backward(&x, &w, &dy, s.dilation)
            .unwrap()
            .dw
            .to_vec()
            .unwrap();
        assert_eq!(first, again, "the same inputs must give bit-identical dw");
    }
}

#[test]
fn empty_batch_gives_empty_outputs_and_zero_parameter_gradients() {
    for device in [atb_gpu::ComputeDevice::Cpu, gpu()] {
        let on = |t: Tensor| t.to_device(&device).unwrap();
        let x = on(Tensor::from_vec(&[0, 5, 3], vec![]).unwrap());
        let w = on(random_tensor(&[2, 3, 4], 1));
        let dy = on(Tensor::from_vec(&[0, 5, 4], vec![]).unwrap());
        let y = ops::conv1d(&x, &w, None, 1).unwrap();
        assert_eq!(y.shape(), &[0, 5, 4]);
        let grads = ops::conv1d_backward(&x, &w, &dy, 1).unwrap();
        assert_eq!(grads.dx.shape(), &[0, 5, 3]);
        assert_eq!(grads.dw.to_vec().unwrap(), vec![0.0; 24]);
        assert_eq!(grads.dbias.to_vec().unwrap(), vec![0.0; 4]);
    }
}

#[test]
fn bad_shapes_are_clear_errors() {
    let x = random_tensor(&[2, 5, 3], 1);
    let w = random_tensor(&[2, 3, 4], 2);
    let shape_error = |result: atb_gpu::Result<Tensor>, expected: &str| {
        let err = result.unwrap_err();
        assert!(matches!(err, AtbError::Shape { .. }), "{err}");
        assert!(err.to_string().contains(expected), "{err}");
    };
    shape_error(
        ops::conv1d(&random_tensor(&[5, 3], 1), &w, None, 1),
        "x must be [batch, time, channels]",
    );
    shape_error(
        ops::conv1d(&x, &random_tensor(&[3, 4], 1), None, 1),
        "w must be [kernel_size",
    );
    shape_error(
        ops::conv1d(&x, &random_tensor(&[2, 4, 4], 1), None, 1),
        "has 3 channels but w",
    );
    shape_error(ops::conv1d(&x, &w, None, 0), "dilation must be at least 1");
    shape_error(
        ops::conv1d(&x, &w, Some(&random_tensor(&[3], 1)), 1),
        "bias must have shape [4]",
    );
    shape_error(
        ops::conv1d(&x, &random_tensor(&[0, 3, 4], 1), None, 1),
        "at least 1",
    );
    shape_error(
        ops::conv1d(&x, &random_tensor(&[3, 3, 4], 1), None, usize::MAX),
        "overflows",
    );
    let err = ops::conv1d_backward(&x, &w, &random_tensor(&[2, 5, 3], 3), 1).unwrap_err();
    assert!(
        err.to_string()
            .contains("dy must have the output shape [2, 5, 4]"),
        "{err}"
    );
    let err = ops::conv1d(&x, &w.to_device(&gpu()).unwrap(), None, 1).unwrap_err();
    assert!(
        matches!(err, AtbError::DeviceMismatch { op: "conv1d", .. }),
        "{err}"
    );
}
