//! `shaders/clip.wgsl` vs `cpu::clip`: global norm, clip factor and clipped gradients.
//!
//! Tolerance of the norm: Σ g² of n terms in f32 is within n·ε relative whatever the order,
//! so the norm (its square root) is within n·ε/2 relative, plus the forward contract.

use atb_gpu::ops::{self, AdamConfig, AdamState, ClipScale, UnaryOp};
use atb_gpu::{AtbError, ComputeDevice, DeviceChoice, DeviceRequest, Tensor};

use crate::common::{assert_close, assert_within, gpu, random_tensor};

const SIZES: &[usize] = &[1, 7, 33, 257, 4097, 100_003];

fn on_gpu(t: &Tensor) -> Tensor {
    t.to_device(&gpu()).unwrap()
}

fn norm64(v: &[f32]) -> f64 {
    v.iter().map(|&g| f64::from(g).powi(2)).sum::<f64>().sqrt()
}

#[test]
fn norm_scale_and_clipped_gradients_match_cpu() {
    for (seed, &n) in SIZES.iter().enumerate() {
        let grads = random_tensor(&[n], seed as u64);
        let exact = norm64(&grads.to_vec().unwrap());
        // One max_norm below the norm (clips) and one above (leaves the gradients alone).
        for max_norm in [(exact * 0.5) as f32, (exact * 2.0) as f32] {
            let what = format!("n {n} max_norm {max_norm}");
            let (want, want_norm) = ops::clip_by_global_norm(&grads, max_norm).unwrap();
            let (got, got_norm) = ops::clip_by_global_norm(&on_gpu(&grads), max_norm).unwrap();
            assert_eq!(got_norm.shape(), &[1]);
            let want_norm = want_norm.to_vec().unwrap();
            let bound = 1e-5 + 1e-4 * exact + n as f64 * f64::from(f32::EPSILON) * exact;
            assert_within(
                &got_norm.to_vec().unwrap(),
                &want_norm,
                |_| bound,
                &format!("norm {what}"),
            );
            assert!(
                (f64::from(want_norm[0]) - exact).abs() <= 1e-6 * exact,
                "{what}"
            );
            let got = got.to_vec().unwrap();
            assert_close(&got, &want.to_vec().unwrap(), &format!("clipped {what}"));
            let clipped_norm = norm64(&got);
            let expected = exact.min(f64::from(max_norm));
            assert!(
                (clipped_norm - expected).abs() <= 1e-4 * expected,
                "{what}: clipped norm {clipped_norm}, want {expected}"
            );
        }
    }
}

#[test]
fn small_and_zero_gradients_are_left_alone() {
    let grads = random_tensor(&[257], 3);
    let zeros = Tensor::from_vec(&[5], vec![0.0; 5]).unwrap();
    for g in [grads.clone(), on_gpu(&grads), zeros.clone(), on_gpu(&zeros)] {
        let scale = ops::clip_scale(&g, 1e6).unwrap();
        assert_eq!(scale.scale.to_vec().unwrap(), vec![1.0]);
        let (clipped, _) = ops::clip_by_global_norm(&g, 1e6).unwrap();
        assert_eq!(clipped.to_vec().unwrap(), g.to_vec().unwrap());
    }
    let norm = ops::clip_scale(&on_gpu(&zeros), 1.0).unwrap().norm;
    assert_eq!(norm.to_vec().unwrap(), vec![0.0]);
    let empty = Tensor::from_vec(&[0], vec![]).unwrap();
    for g in [empty.clone(), on_gpu(&empty)] {
        let ClipScale { norm, scale } = ops::clip_scale(&g, 1.0).unwrap();
        assert_eq!(norm.to_vec().unwrap(), vec![0.0], "empty norm");
        assert_eq!(scale.to_vec().unwrap(), vec![1.0], "empty scale");
    }
}

#[test]
fn norm_is_deterministic() {
    let grads = on_gpu(&random_tensor(&[60_001], 4));
    let first = ops::clip_scale(&grads, 1.0).unwrap().norm.to_vec().unwrap();
    for _ in 0..3 {
        let again = ops::clip_scale(&grads, 1.0).unwrap().norm.to_vec().unwrap();
        assert_eq!(first, again);
    }
}

#[test]
fn clip_factor_fuses_into_adam_on_the_gpu() {
    let n = 1000;
    let params = random_tensor(&[n], 5);
    let grads = ops::unary(UnaryOp::Scale(10.0), &random_tensor(&[n], 6)).unwrap();
    let config = AdamConfig::default();
    // CPU: clip, then a plain Adam step on the clipped gradients.
    let (clipped, _) = ops::clip_by_global_norm(&grads, 1.0).unwrap();
    let mut cpu = AdamState::new(params.clone(), &config).unwrap();
    ops::adam_step(&mut cpu, &clipped, None, None).unwrap();
    // GPU: the clip factor stays on the device and scales the gradients inside Adam.
    let grads_gpu = on_gpu(&grads);
    let scale = ops::clip_scale(&grads_gpu, 1.0).unwrap().scale;
    let mut fused = AdamState::new(on_gpu(&params), &config).unwrap();
    ops::adam_step(&mut fused, &grads_gpu, None, Some(&scale)).unwrap();
    for (name, got, want) in [
        ("params", fused.params(), cpu.params()),
        ("m", fused.m(), cpu.m()),
        ("v", fused.v(), cpu.v()),
    ] {
        assert_close(
            &got.to_vec().unwrap(),
            &want.to_vec().unwrap(),
            &format!("fused {name}"),
        );
    }
}

#[test]
fn bad_arguments_are_clear_errors() {
    let g = random_tensor(&[4], 1);
    for max_norm in [0.0, -1.0, f32::INFINITY, f32::NAN] {
        let err = ops::clip_scale(&g, max_norm).unwrap_err();
        assert!(matches!(err, AtbError::InvalidArgument { .. }), "{err}");
    }
    let err = ops::clip_apply(&g, &random_tensor(&[2], 2)).unwrap_err();
    assert!(
        err.to_string().contains("scale must have shape [1]"),
        "{err}"
    );
}

#[test]
fn clipped_adam_steps_never_wait_for_the_host() {
    // A context of its own, so no other test's readback moves the submit counter.
    let request = DeviceRequest {
        device: DeviceChoice::Gpu,
        backend: None,
        allow_software: true,
    };
    let device = ComputeDevice::open(&request).unwrap();
    let ctx = device.gpu().unwrap().clone();
    let n = 5000;
    let params = random_tensor(&[n], 7);
    let grads = ops::unary(UnaryOp::Scale(10.0), &random_tensor(&[n], 8)).unwrap();
    let grads_gpu = grads.to_device(&device).unwrap();
    let mut state =
        AdamState::new(params.to_device(&device).unwrap(), &AdamConfig::default()).unwrap();
    let before = ctx.stats().submits;
    for _ in 0..3 {
        let scale = ops::clip_scale(&grads_gpu, 1.0).unwrap().scale;
        ops::adam_step(&mut state, &grads_gpu, None, Some(&scale)).unwrap();
    }
    assert_eq!(
        ctx.stats().submits,
        before,
        "clip + adam must not submit or read back"
    );
    let mut cpu = AdamState::new(params, &AdamConfig::default()).unwrap();
    for _ in 0..3 {
        let (clipped, _) = ops::clip_by_global_norm(&grads, 1.0).unwrap();
        ops::adam_step(&mut cpu, &clipped, None, None).unwrap();
    }
    assert_close(
        &state.params().to_vec().unwrap(),
        &cpu.params().to_vec().unwrap(),
        "3 clipped steps",
    );
}
