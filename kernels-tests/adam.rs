//! `shaders/adam.wgsl` vs `cpu::adam` over several steps, and the CPU step vs an independent
//! f64 evaluation of Keras' Adam/AdamW.
//!
//! Tolerance GPU vs CPU: both evaluate the same f32 expressions in the same order, so they
//! differ only where the GPU compiler contracts a multiply-add into an FMA or its sqrt/divide
//! is not correctly rounded: a few ulps per step. The bound is 16 ulps of the value (plus
//! 1e-30 for exact zeros), accumulated over 5 steps.

use atb_gpu::cpu::adam::AdamScalars;
use atb_gpu::ops::{self, AdamConfig, AdamState};
use atb_gpu::{AtbError, Tensor};

use crate::common::{assert_within, gpu, random, random_tensor};

const SIZES: &[usize] = &[1, 7, 33, 257, 70_001];
const STEPS: u32 = 5;

fn on_gpu(t: &Tensor) -> Tensor {
    t.to_device(&gpu()).unwrap()
}

fn adamw() -> AdamConfig {
    AdamConfig {
        learning_rate: 3e-3,
        weight_decay: 0.05,
        ..AdamConfig::default()
    }
}

/// A 0/1 mask excluding every third element from weight decay.
fn decay_mask(n: usize) -> Tensor {
    let data = (0..n).map(|i| if i % 3 == 0 { 0.0 } else { 1.0 }).collect();
    Tensor::from_vec(&[n], data).unwrap()
}

fn assert_ulps(got: &Tensor, want: &Tensor, what: &str) {
    let want = want.to_vec().unwrap();
    assert_within(
        &got.to_vec().unwrap(),
        &want,
        |i| 16.0 * f64::from(f32::EPSILON) * f64::from(want[i].abs()) + 1e-30,
        what,
    );
}

#[test]
fn several_steps_match_cpu_to_a_few_ulps() {
    for (seed, &n) in SIZES.iter().enumerate() {
        let seed = seed as u64 * 100;
        for (label, config, masked, scaled) in [
            ("adam", AdamConfig::default(), false, false),
            ("adamw+mask+scale", adamw(), true, true),
        ] {
            let params = random_tensor(&[n], seed);
            let mask = masked.then(|| decay_mask(n));
            let scale = scaled.then(|| Tensor::from_vec(&[1], vec![0.7]).unwrap());
            let (mask_g, scale_g) = (mask.as_ref().map(on_gpu), scale.as_ref().map(on_gpu));
            let mut cpu = AdamState::new(params.clone(), &config).unwrap();
            let mut gpu_state = AdamState::new(on_gpu(&params), &config).unwrap();
            for step in 0..STEPS {
                let grads = random_tensor(&[n], seed + 1 + u64::from(step));
                ops::adam_step(&mut cpu, &grads, mask.as_ref(), scale.as_ref()).unwrap();
                ops::adam_step(
                    &mut gpu_state,
                    &on_gpu(&grads),
                    mask_g.as_ref(),
                    scale_g.as_ref(),
                )
                .unwrap();
            }
            assert_eq!(gpu_state.step().unwrap(), STEPS);
            assert_eq!(cpu.step().unwrap(), STEPS);
            let what = format!("{label} n {n} after {STEPS} steps");
            assert_ulps(gpu_state.params(), cpu.params(), &format!("params {what}"));
            assert_ulps(gpu_state.m(), cpu.m(), &format!("m {what}"));
            assert_ulps(gpu_state.v(), cpu.v(), &format!("v {what}"));
        }
    }
}

/// Keras' Adam with decoupled decay, in f64 from the same f32 inputs.
fn keras_adam_f64(
    params: &mut [f64],
    m: &mut [f64],
    v: &mut [f64],
    grads: &[f64],
    mask: &[f64],
    c: &AdamConfig,
    t: i32,
) {
    let (lr, b1, b2) = (
        f64::from(c.learning_rate),
        f64::from(c.beta1),
        f64::from(c.beta2),
    );
    let alpha = lr * (1.0 - b2.powi(t)).sqrt() / (1.0 - b1.powi(t));
    for i in 0..params.len() {
        params[i] -= params[i] * f64::from(c.weight_decay) * lr * mask[i];
        m[i] += (grads[i] - m[i]) * (1.0 - b1);
        v[i] += (grads[i] * grads[i] - v[i]) * (1.0 - b2);
        params[i] -= m[i] * alpha / (v[i].sqrt() + f64::from(c.epsilon));
    }
}

#[test]
fn cpu_steps_follow_keras_adamw_in_f64() {
    let n = 257;
    let config = adamw();
    let params = random(n, 1);
    let mask: Vec<f64> = (0..n).map(|i| if i % 3 == 0 { 0.0 } else { 1.0 }).collect();
    let mut state =
        AdamState::new(Tensor::from_vec(&[n], params.clone()).unwrap(), &config).unwrap();
    let mut p: Vec<f64> = params.iter().map(|&x| f64::from(x)).collect();
    let (mut m, mut v) = (vec![0.0; n], vec![0.0; n]);
    for t in 1..=10 {
        let grads = random(n, 10 + t as u64);
        let g64: Vec<f64> = grads.iter().map(|&x| f64::from(x)).collect();
        keras_adam_f64(&mut p, &mut m, &mut v, &g64, &mask, &config, t);
        let g = Tensor::from_vec(&[n], grads).unwrap();
        ops::adam_step(&mut state, &g, Some(&decay_mask(n)), None).unwrap();
    }
    let exact: Vec<f32> = p.iter().map(|&x| x as f32).collect();
    assert_within(
        &state.params().to_vec().unwrap(),
        &exact,
        |i| 1e-6 + 1e-5 * f64::from(exact[i].abs()),
        "cpu adamw vs f64 keras",
    );
}

#[test]
fn first_step_moves_each_parameter_by_the_learning_rate() {
    // With zero moments, bias correction makes the first update lr · g / (|g| + eps·...) ≈ lr·sign(g).
    let n = 33;
    let params = random_tensor(&[n], 3);
    let grads = random_tensor(&[n], 4);
    let config = AdamConfig::default();
    for device_params in [params.clone(), on_gpu(&params)] {
        let g = grads.to_device(&device_params.device()).unwrap();
        let mut state = AdamState::new(device_params, &config).unwrap();
        ops::adam_step(&mut state, &g, None, None).unwrap();
        let (before, after, g) = (
            params.to_vec().unwrap(),
            state.params().to_vec().unwrap(),
            grads.to_vec().unwrap(),
        );
        for i in 0..n {
            let want = before[i] - 1e-3 * g[i].signum();
            assert!(
                (after[i] - want).abs() < 1e-6,
                "element {i}: {} vs {want}",
                after[i]
            );
        }
    }
}

#[test]
fn masked_elements_escape_weight_decay() {
    // Zero gradients: the Adam term is 0 / (0 + eps) = 0, only the decay moves parameters.
    let n = 10;
    let params = random_tensor(&[n], 5);
    let zeros = Tensor::from_vec(&[n], vec![0.0; n]).unwrap();
    let config = AdamConfig {
        learning_rate: 0.1,
        weight_decay: 0.5,
        ..AdamConfig::default()
    };
    for (p, g, mask) in [
        (params.clone(), zeros.clone(), decay_mask(n)),
        (on_gpu(&params), on_gpu(&zeros), on_gpu(&decay_mask(n))),
    ] {
        let mut state = AdamState::new(p, &config).unwrap();
        ops::adam_step(&mut state, &g, Some(&mask), None).unwrap();
        let (before, after) = (params.to_vec().unwrap(), state.params().to_vec().unwrap());
        for i in 0..n {
            let want = if i % 3 == 0 {
                before[i]
            } else {
                before[i] - before[i] * 0.05
            };
            assert!(
                (after[i] - want).abs() <= 1e-7,
                "element {i}: {} vs {want}",
                after[i]
            );
        }
    }
}

#[test]
fn the_schedule_follows_the_step_count_on_both_backends() {
    // alpha(t) = lr·sqrt(1 - beta2^t) / (1 - beta1^t) from running powers kept on the device:
    // two device steps equal two host-computed updates.
    let c = AdamConfig::default();
    let exact = |t: f64| {
        f64::from(c.learning_rate) * (1.0 - f64::from(c.beta2).powf(t)).sqrt()
            / (1.0 - f64::from(c.beta1).powf(t))
    };
    let mut schedule = [0.0, 0.0, 1.0, 1.0];
    let mut p = vec![1.0f32];
    let (mut m, mut v) = (vec![0.0f32], vec![0.0f32]);
    for t in 1..=2 {
        atb_gpu::cpu::adam::advance_schedule(&mut schedule, c.learning_rate, c.beta1, c.beta2, 0.0);
        let want = exact(f64::from(t));
        assert!(
            (f64::from(schedule[0]) - want).abs() < 1e-4 * want,
            "alpha({t}) {} vs {want}",
            schedule[0]
        );
        let s = AdamScalars {
            alpha: schedule[0],
            one_minus_beta1: 1.0 - c.beta1,
            one_minus_beta2: 1.0 - c.beta2,
            eps: c.epsilon,
            decay: 0.0,
        };
        atb_gpu::cpu::adam::adam_step(&mut p, &[0.5], &mut m, &mut v, None, None, &s);
    }
    for device in [atb_gpu::ComputeDevice::Cpu, gpu()] {
        let start = Tensor::from_vec(&[1], vec![1.0])
            .unwrap()
            .to_device(&device)
            .unwrap();
        let mut state = AdamState::new(start, &c).unwrap();
        let g = Tensor::from_vec(&[1], vec![0.5])
            .unwrap()
            .to_device(&device)
            .unwrap();
        ops::adam_step(&mut state, &g, None, None).unwrap();
        ops::adam_step(&mut state, &g, None, None).unwrap();
        let got = state.params().to_vec().unwrap();
        assert_within(
            &got,
            &p,
            |_| 16.0 * f64::from(f32::EPSILON),
            &format!("{device:?} two steps"),
        );
    }
}

#[test]
fn a_new_learning_rate_applies_to_the_following_steps() {
    let c = AdamConfig::default();
    for device in [atb_gpu::ComputeDevice::Cpu, gpu()] {
        let start = Tensor::from_vec(&[1], vec![1.0])
            .unwrap()
            .to_device(&device)
            .unwrap();
        let mut state = AdamState::new(start, &c).unwrap();
        let g = Tensor::from_vec(&[1], vec![0.5])
            .unwrap()
            .to_device(&device)
            .unwrap();
        state.set_learning_rate(0.1).unwrap();
        ops::adam_step(&mut state, &g, None, None).unwrap();
        // The first step moves by about lr · sign(g).
        let moved = 1.0 - state.params().to_vec().unwrap()[0];
        assert!((moved - 0.1).abs() < 1e-5, "{device:?}: moved {moved}");
        assert!(state.set_learning_rate(f32::NAN).is_err());
    }
}

#[test]
fn bad_arguments_are_clear_errors() {
    let params = random_tensor(&[4], 1);
    let mut state = AdamState::new(params.clone(), &AdamConfig::default()).unwrap();
    let err = ops::adam_step(&mut state, &random_tensor(&[5], 2), None, None).unwrap_err();
    assert!(
        err.to_string().contains("grads must have shape [4]"),
        "{err}"
    );
    let bad = AdamConfig {
        beta1: 1.0,
        ..AdamConfig::default()
    };
    let err = AdamState::new(params.clone(), &bad).unwrap_err();
    assert!(matches!(err, AtbError::InvalidArgument { .. }), "{err}");
    assert_eq!(state.step().unwrap(), 0, "a failed step does not count");
    // On the GPU the parameters are written in place, so they must not alias the gradients.
    let mut gpu_state = AdamState::new(on_gpu(&params), &AdamConfig::default()).unwrap();
    let aliased = gpu_state.params().clone();
    let err = ops::adam_step(&mut gpu_state, &aliased, None, None).unwrap_err();
    assert!(err.to_string().contains("must not alias"), "{err}");
    let err = ops::adam_step(&mut gpu_state, &random_tensor(&[4], 3), None, None).unwrap_err();
    assert!(matches!(err, AtbError::DeviceMismatch { .. }), "{err}");
}
