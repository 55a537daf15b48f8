//! `shaders/matmul.wgsl` vs `cpu::matmul`, both checked against exact f64 arithmetic.
//!
//! Tolerance: a dot product of length K in f32 carries a rounding error of at most about
//! K·ε·Σ|a||b| whatever the summation order, so each element may differ from the exact value
//! by 1e-5 + 1e-4·|c| + K·ε·Σ|a||b| (the documented looser bound for long reductions).

use atb_gpu::activation::Activation;
use atb_gpu::ops::{self, MatmulOptions, MatmulShape};
use atb_gpu::{AtbError, Tensor};

use crate::common::{assert_within, ctx, gpu, random_tensor};

/// Exact (f64) result and Σ|a||b| per element, from the stored layouts.
fn reference(
    a: &[f32],
    b: &[f32],
    bias: Option<&[f32]>,
    s: &MatmulShape,
    o: &MatmulOptions,
) -> (Vec<f64>, Vec<f64>) {
    let (mut exact, mut magnitude) = (Vec::new(), Vec::new());
    for t in 0..s.batch {
        let a_base = if s.a_batched { t * s.m * s.k } else { 0 };
        let b_base = if s.b_batched { t * s.k * s.n } else { 0 };
        for i in 0..s.m {
            for j in 0..s.n {
                let (mut sum, mut mag) = (0.0f64, 0.0f64);
                for p in 0..s.k {
                    let av = if o.trans_a {
                        a[a_base + p * s.m + i]
                    } else {
                        a[a_base + i * s.k + p]
                    };
                    let bv = if o.trans_b {
                        b[b_base + j * s.k + p]
                    } else {
                        b[b_base + p * s.n + j]
                    };
                    sum += f64::from(av) * f64::from(bv);
                    mag += f64::from(av.abs()) * f64::from(bv.abs());
                }
                let z = sum + bias.map_or(0.0, |b| f64::from(b[j]));
                exact.push(f64::from(o.activation.apply(z as f32)));
                magnitude.push(mag + bias.map_or(0.0, |b| f64::from(b[j].abs())));
            }
        }
    }
    (exact, magnitude)
}

fn check(a_shape: &[usize], b_shape: &[usize], with_bias: bool, opts: MatmulOptions, seed: u64) {
    let a = random_tensor(a_shape, seed);
    let b = random_tensor(b_shape, seed + 1);
    let shape = MatmulShape::infer(a_shape, b_shape, None, &opts).unwrap();
    let bias = with_bias.then(|| random_tensor(&[shape.n], seed + 2));
    let cpu = ops::matmul(&a, &b, bias.as_ref(), &opts).unwrap();
    let (ag, bg) = (a.to_device(&gpu()).unwrap(), b.to_device(&gpu()).unwrap());
    let biasg = bias.as_ref().map(|t| t.to_device(&gpu()).unwrap());
    let got = ops::matmul(&ag, &bg, biasg.as_ref(), &opts).unwrap();
    assert_eq!(got.shape(), cpu.shape());
    assert_eq!(got.shape(), shape.output_shape().as_slice());

    let bias_data = bias.as_ref().map(|t| t.to_vec().unwrap());
    let (exact, magnitude) = reference(
        &a.to_vec().unwrap(),
        &b.to_vec().unwrap(),
        bias_data.as_deref(),
        &shape,
        &opts,
    );
    let exact32: Vec<f32> = exact.iter().map(|&v| v as f32).collect();
    let eps = f64::from(f32::EPSILON);
    let bound =
        |i: usize| 1e-5 + 1e-4 * exact[i].abs() + (shape.k as f64 + 1.0) * eps * magnitude[i];
    let what = format!("A {a_shape:?} B {b_shape:?} bias {with_bias} {opts:?}");
    assert_within(
        &got.to_vec().unwrap(),
        &exact32,
        bound,
        &format!("gpu {what}"),
    );
    assert_within(
        &cpu.to_vec().unwrap(),
        &exact32,
        bound,
        &format!("cpu {what}"),
    );
}

fn stored(rows: usize, cols: usize, transposed: bool) -> Vec<usize> {
    if transposed {
        vec![cols, rows]
    } else {
        vec![rows, cols]
    }
}

#[test]
fn odd_sizes_and_all_transposes_match() {
    let sizes = [
        (1, 1, 1),
        (7, 7, 7),
        (33, 17, 65),
        (257, 33, 7),
        (64, 64, 64),
        (1, 257, 1),
        (65, 129, 63),
    ];
    for (seed, &(m, k, n)) in sizes.iter().enumerate() {
        for (trans_a, trans_b) in [(false, false), (true, false), (false, true), (true, true)] {
            let opts = MatmulOptions {
                trans_a,
                trans_b,
                activation: Activation::None,
            };
            check(
                &stored(m, k, trans_a),
                &stored(k, n, trans_b),
                false,
                opts,
                seed as u64 * 10,
            );
        }
    }
}

#[test]
fn bias_and_every_activation_are_fused() {
    for act in [
        Activation::None,
        Activation::Relu,
        Activation::Tanh,
        Activation::Sigmoid,
        Activation::Gelu,
    ] {
        let opts = MatmulOptions {
            trans_a: false,
            trans_b: false,
            activation: act,
        };
        check(&[33, 15], &[15, 70], true, opts, 7);
        check(&[32, 15], &[15, 512], true, opts, 8);
    }
}

#[test]
fn batched_with_shared_and_per_batch_operands() {
    let plain = MatmulOptions::default();
    check(&[3, 17, 9], &[3, 9, 33], false, plain, 1);
    check(
        &[5, 7, 15],
        &[15, 64],
        true,
        MatmulOptions {
            activation: Activation::Relu,
            ..plain
        },
        2,
    );
    check(&[13, 7], &[4, 7, 5], false, plain, 3);
    let both = MatmulOptions {
        trans_a: true,
        trans_b: true,
        activation: Activation::None,
    };
    check(&[2, 11, 6], &[2, 9, 11], false, both, 4);
}

#[test]
fn empty_output_is_an_empty_result() {
    let a = Tensor::from_vec(&[0, 4], vec![])
        .unwrap()
        .to_device(&gpu())
        .unwrap();
    let b = random_tensor(&[4, 3], 1).to_device(&gpu()).unwrap();
    let c = ops::matmul(&a, &b, None, &MatmulOptions::default()).unwrap();
    assert_eq!(c.shape(), &[0, 3]);
    assert!(c.to_vec().unwrap().is_empty());
}

#[test]
fn bad_shapes_are_clear_errors() {
    let opts = MatmulOptions::default();
    let a = random_tensor(&[3, 4], 1);
    let expect_shape_error = |b_shape: &[usize], bias_shape: Option<&[usize]>, expected: &str| {
        let b = random_tensor(b_shape, 2);
        let bias = bias_shape.map(|s| random_tensor(s, 3));
        let err = ops::matmul(&a, &b, bias.as_ref(), &opts).unwrap_err();
        assert!(matches!(err, AtbError::Shape { op: "matmul", .. }), "{err}");
        assert!(err.to_string().contains(expected), "{err}");
    };
    expect_shape_error(&[5, 2], None, "inner dimensions differ");
    expect_shape_error(&[4, 2], Some(&[3]), "bias must have shape [2]");
    expect_shape_error(&[4], None, "B must be 2-D or 3-D");
    expect_shape_error(&[2, 4, 2, 1], None, "B must be 2-D or 3-D");
    let shared_a = ops::matmul(&a, &random_tensor(&[2, 4, 2], 4), None, &opts).unwrap();
    assert_eq!(shared_a.shape(), &[2, 3, 2]);
    let zero_k = ops::matmul(
        &Tensor::from_vec(&[2, 0], vec![]).unwrap(),
        &Tensor::from_vec(&[0, 2], vec![]).unwrap(),
        None,
        &opts,
    );
    assert!(zero_k.unwrap_err().to_string().contains("K is 0"));
}

#[test]
fn repeated_calls_reuse_pipelines_and_buffers() {
    let a = random_tensor(&[9, 5], 1).to_device(&gpu()).unwrap();
    let b = random_tensor(&[5, 6], 2).to_device(&gpu()).unwrap();
    let opts = MatmulOptions {
        activation: Activation::Sigmoid,
        ..MatmulOptions::default()
    };
    // Warm up: the first calls build the pipeline and fill the pool.
    for _ in 0..3 {
        ops::matmul(&a, &b, None, &opts).unwrap().to_vec().unwrap();
    }
    let before = ctx().stats();
    for _ in 0..5 {
        ops::matmul(&a, &b, None, &opts).unwrap().to_vec().unwrap();
    }
    let after = ctx().stats();
    // Other tests share the device and may build their own pipelines concurrently, so only
    // the hit counter is asserted to move; creation is checked in device.rs on a private context.
    assert!(after.pipeline_hits >= before.pipeline_hits + 5);
}
