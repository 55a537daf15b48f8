//! Backward rules of the tape: CPU gradients vs central finite differences, GPU gradients vs
//! CPU gradients (1e-3 relative), on odd shapes.

use atb_gpu::Tensor;
use atb_gpu::activation::Activation;
use atb_gpu::autograd::{Tape, Var};
use atb_gpu::ops::{MatmulOptions, ReduceAxis, ReduceOp};

use crate::common::{random, random_tensor};
use crate::gradcheck::{check, weighted_sum};

#[test]
fn matmul_gradients_for_every_transpose_and_batching() {
    for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
        let opts = MatmulOptions {
            trans_a: ta,
            trans_b: tb,
            activation: Activation::None,
        };
        let a_shape = if ta { [5, 3] } else { [3, 5] };
        let b_shape = if tb { [7, 5] } else { [5, 7] };
        let build = move |t: &Tape, v: &[Var]| {
            let y = t.matmul(&v[0], &v[1], Some(&v[2]), opts)?;
            weighted_sum(t, &y, 1)
        };
        check(
            &format!("matmul {ta} {tb}"),
            &build,
            vec![
                random_tensor(&a_shape, 1),
                random_tensor(&b_shape, 2),
                random_tensor(&[7], 3),
            ],
        );
    }
    // A layer applied to every step of a sequence: [B, T, F] · [F, H], and the reverse sharing.
    let seq = |t: &Tape, v: &[Var]| {
        let y = t.matmul(
            &v[0],
            &v[1],
            None,
            MatmulOptions {
                activation: Activation::Tanh,
                ..Default::default()
            },
        )?;
        weighted_sum(t, &y, 2)
    };
    check(
        "sequence layer",
        &seq,
        vec![random_tensor(&[2, 3, 4], 4), random_tensor(&[4, 5], 5)],
    );
    let shared_a = |t: &Tape, v: &[Var]| {
        let opts = MatmulOptions {
            trans_a: true,
            trans_b: true,
            activation: Activation::None,
        };
        let y = t.matmul(&v[0], &v[1], None, opts)?;
        weighted_sum(t, &y, 3)
    };
    check(
        "shared A, batched B",
        &shared_a,
        vec![random_tensor(&[4, 3], 6), random_tensor(&[2, 5, 4], 7)],
    );
}

#[test]
fn pointwise_gradients_with_row_broadcast() {
    for act in [
        Activation::Relu,
        Activation::Tanh,
        Activation::Sigmoid,
        Activation::Gelu,
    ] {
        let build = move |t: &Tape, v: &[Var]| {
            let s = t.add(&v[0], &v[1])?;
            let p = t.mul(&s, &v[2])?;
            let d = t.sub(&p, &v[1])?;
            let y = t.activation(&t.scale(&d, 1.5)?, act)?;
            weighted_sum(t, &y, 4)
        };
        check(
            &format!("pointwise {act:?}"),
            &build,
            vec![
                random_tensor(&[4, 7], 8),
                random_tensor(&[7], 9),
                random_tensor(&[4, 7], 10),
            ],
        );
    }
}

#[test]
fn reduction_reshape_slice_and_concat_gradients() {
    let build = |t: &Tape, v: &[Var]| {
        let last = t.slice(&v[0], 1, 4, 1)?; // [2, 1, 3]
        let first = t.slice(&v[0], 1, 0, 2)?; // [2, 2, 3]
        let joined = t.concat(&[&first, &last, &v[1]], 1)?; // [2, 5, 3]
        let mean_t = t.reduce(
            &t.reshape(&joined, &[10, 3])?,
            ReduceOp::Mean,
            ReduceAxis::Rows,
        )?;
        let sum_f = t.reduce(&joined, ReduceOp::Sum, ReduceAxis::Last)?; // [2, 5]
        let a = weighted_sum(t, &mean_t, 5)?;
        let b = weighted_sum(t, &sum_f, 6)?;
        t.add(&a, &b)
    };
    check(
        "shape ops",
        &build,
        vec![random_tensor(&[2, 5, 3], 11), random_tensor(&[2, 2, 3], 12)],
    );
}

#[test]
fn mse_and_reused_values_accumulate() {
    let build = |t: &Tape, v: &[Var]| {
        let twice = t.mul(&v[0], &v[0])?; // v0 used twice
        let y = t.matmul(&twice, &v[1], None, MatmulOptions::default())?;
        t.mse(
            &y,
            &t.constant(Tensor::from_vec(&[3, 2], random(6, 13))?.to_device(&y.value().device())?),
        )
    };
    check(
        "mse",
        &build,
        vec![random_tensor(&[3, 4], 14), random_tensor(&[4, 2], 15)],
    );
}

#[test]
fn no_grad_records_nothing_and_constants_get_no_gradient() {
    let tape = Tape::new();
    let w = tape.param(random_tensor(&[3, 2], 1), 0);
    let x = tape.constant(random_tensor(&[4, 3], 2));
    let y = tape
        .no_grad(|| tape.matmul(&x, &w, None, MatmulOptions::default()))
        .unwrap();
    assert!(
        tape.len() == 1 && !y.requires_grad(),
        "only the parameter leaf is recorded"
    );
    let loss = tape
        .mse(&y, &tape.constant(random_tensor(&[4, 2], 3)))
        .unwrap();
    assert!(!loss.requires_grad());
    assert!(tape.backward(&loss).unwrap().is_empty());
    let err = tape.backward(&x).unwrap_err();
    assert!(err.to_string().contains("one element"), "{err}");
}

#[test]
fn conv1d_and_attention_gradients() {
    for dilation in [1, 2, 8] {
        let build = move |t: &Tape, v: &[Var]| {
            let y = t.conv1d(&v[0], &v[1], Some(&v[2]), dilation)?;
            weighted_sum(t, &y, 20)
        };
        check(
            &format!("conv1d d={dilation}"),
            &build,
            vec![
                random_tensor(&[2, 6, 3], 21),
                random_tensor(&[3, 3, 4], 22),
                random_tensor(&[4], 23),
            ],
        );
    }
    for causal in [false, true] {
        let opts = atb_gpu::ops::AttentionOptions {
            num_heads: 2,
            causal,
            return_weights: false,
        };
        let build = move |t: &Tape, v: &[Var]| {
            let (o, weights) = t.attention(&v[0], &v[1], &v[2], opts)?;
            assert!(weights.is_none());
            weighted_sum(t, &o, 24)
        };
        check(
            &format!("attention causal={causal}"),
            &build,
            vec![
                random_tensor(&[2, 5, 6], 25),
                random_tensor(&[2, 5, 6], 26),
                random_tensor(&[2, 5, 4], 27),
            ],
        );
    }
}

#[test]
fn softmax_layer_norm_and_dropout_gradients() {
    let soft = |t: &Tape, v: &[Var]| weighted_sum(t, &t.softmax(&v[0])?, 30);
    check("softmax", &soft, vec![random_tensor(&[3, 7], 31)]);
    let norm = |t: &Tape, v: &[Var]| weighted_sum(t, &t.layer_norm(&v[0], &v[1], &v[2], 1e-3)?, 32);
    check(
        "layer_norm",
        &norm,
        vec![
            random_tensor(&[4, 9], 33),
            random_tensor(&[9], 34),
            random_tensor(&[9], 35),
        ],
    );
    let drop = |t: &Tape, v: &[Var]| {
        let counter = atb_gpu::ops::StepCounter::new(&v[0].value().device(), 1)?;
        counter.set(0, 3)?;
        weighted_sum(t, &t.dropout(&v[0], 0.4, 7, &counter, 0)?, 36)
    };
    check("dropout", &drop, vec![random_tensor(&[5, 8], 37)]);
}
