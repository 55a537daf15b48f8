//! `shaders/elementwise.wgsl` vs `cpu::elementwise`.

use atb_gpu::activation::Activation;
use atb_gpu::ops::{self, BinaryOp, UnaryOp};
use atb_gpu::{AtbError, Tensor};

use crate::common::{assert_close, gpu, random_tensor};

const SHAPES: &[&[usize]] = &[&[1], &[7], &[33], &[257], &[3, 33], &[5, 7, 257], &[70_001]];

fn unary_ops() -> Vec<UnaryOp> {
    let mut all = vec![UnaryOp::Scale(-2.5), UnaryOp::Abs];
    for act in [
        Activation::None,
        Activation::Relu,
        Activation::Tanh,
        Activation::Sigmoid,
        Activation::Gelu,
    ] {
        all.push(UnaryOp::Activation(act));
    }
    all
}

#[test]
fn unary_ops_match_cpu_on_odd_shapes() {
    for (s, shape) in SHAPES.iter().enumerate() {
        // Spread inputs to ±8 so tanh/sigmoid/gelu saturate on both sides too.
        let x = ops::unary(UnaryOp::Scale(8.0), &random_tensor(shape, s as u64)).unwrap();
        let xg = x.to_device(&gpu()).unwrap();
        for op in unary_ops() {
            let want = ops::unary(op, &x).unwrap().to_vec().unwrap();
            let got = ops::unary(op, &xg).unwrap();
            assert_eq!(got.shape(), *shape);
            assert_close(&got.to_vec().unwrap(), &want, &format!("{op:?} {shape:?}"));
        }
    }
}

#[test]
fn tanh_and_sigmoid_stay_finite_for_huge_inputs() {
    let x = Tensor::from_vec(&[4], vec![-1e4, -90.0, 90.0, 1e4]).unwrap();
    let xg = x.to_device(&gpu()).unwrap();
    let tanh = ops::unary(UnaryOp::Activation(Activation::Tanh), &xg).unwrap();
    assert_eq!(tanh.to_vec().unwrap(), vec![-1.0, -1.0, 1.0, 1.0]);
    let sig = ops::unary(UnaryOp::Activation(Activation::Sigmoid), &xg).unwrap();
    assert_close(&sig.to_vec().unwrap(), &[0.0, 0.0, 1.0, 1.0], "sigmoid");
}

#[test]
fn binary_ops_match_cpu_full_and_row_broadcast() {
    for (s, shape) in SHAPES.iter().enumerate() {
        let lhs = random_tensor(shape, 100 + s as u64);
        let full = random_tensor(shape, 200 + s as u64);
        let row = random_tensor(&shape[shape.len() - 1..], 300 + s as u64);
        for rhs in [&full, &row] {
            let (lg, rg) = (
                lhs.to_device(&gpu()).unwrap(),
                rhs.to_device(&gpu()).unwrap(),
            );
            for op in [BinaryOp::Add, BinaryOp::Sub, BinaryOp::Mul] {
                let want = ops::binary(op, &lhs, rhs).unwrap().to_vec().unwrap();
                let got = ops::binary(op, &lg, &rg).unwrap().to_vec().unwrap();
                assert_close(
                    &got,
                    &want,
                    &format!("{op:?} {shape:?} rhs {:?}", rhs.shape()),
                );
            }
        }
    }
}

#[test]
fn empty_tensors_give_empty_results() {
    let empty = Tensor::from_vec(&[0, 5], vec![])
        .unwrap()
        .to_device(&gpu())
        .unwrap();
    let row = random_tensor(&[5], 1).to_device(&gpu()).unwrap();
    let out = ops::unary(UnaryOp::Activation(Activation::Relu), &empty).unwrap();
    assert_eq!(out.shape(), &[0, 5]);
    assert!(out.to_vec().unwrap().is_empty());
    let sum = ops::binary(BinaryOp::Add, &empty, &row).unwrap();
    assert_eq!(sum.shape(), &[0, 5]);
    assert!(sum.to_vec().unwrap().is_empty());
}

#[test]
fn mismatched_shapes_and_devices_are_errors() {
    let a = random_tensor(&[3, 4], 1);
    let wrong = random_tensor(&[3], 2);
    let err = ops::binary(BinaryOp::Add, &a, &wrong).unwrap_err();
    assert!(matches!(err, AtbError::Shape { op: "binary", .. }), "{err}");
    let on_gpu = random_tensor(&[3, 4], 3).to_device(&gpu()).unwrap();
    let err = ops::binary(BinaryOp::Add, &a, &on_gpu).unwrap_err();
    assert!(matches!(err, AtbError::DeviceMismatch { .. }), "{err}");
}

#[test]
fn activation_gradients_match_cpu_and_finite_differences() {
    let x = ops::unary(UnaryOp::Scale(4.0), &random_tensor(&[257], 11)).unwrap();
    let dy = random_tensor(&[257], 12);
    let (xg, dyg) = (x.to_device(&gpu()).unwrap(), dy.to_device(&gpu()).unwrap());
    let xs = x.to_vec().unwrap();
    for act in [
        Activation::Relu,
        Activation::Tanh,
        Activation::Sigmoid,
        Activation::Gelu,
    ] {
        let want = ops::activation_backward(act, &x, &dy)
            .unwrap()
            .to_vec()
            .unwrap();
        let got = ops::activation_backward(act, &xg, &dyg)
            .unwrap()
            .to_vec()
            .unwrap();
        assert_close(&got, &want, &format!("{act:?} backward"));
        // The CPU derivative against a central difference of the CPU forward, in f64.
        let h = 1e-3f64;
        for &v in xs.iter().filter(|v| v.abs() > 0.01) {
            let f = |z: f64| f64::from(act.apply(z as f32));
            let numeric = (f(f64::from(v) + h) - f(f64::from(v) - h)) / (2.0 * h);
            let analytic = f64::from(act.derivative(v));
            assert!(
                (numeric - analytic).abs() < 2e-3,
                "{act:?}'({v}) = {analytic}, numeric {numeric}"
            );
        }
    }
}
