//! `shaders/dropout.wgsl` vs `cpu::dropout`: bit-identical masks, keep rate, regeneration.

use atb_gpu::ops;
use atb_gpu::{AtbError, ComputeDevice, Tensor};

use crate::common::{gpu, random_tensor};

const CASES: &[(f32, u64, u64)] = &[
    (0.5, 0, 0),
    (0.2, 42, 1),
    (0.3, 42, 2),
    (0.9, 0x1234_5678_9ABC_DEF0, u64::MAX),
    (1e-9, 7, 3),
];

#[test]
fn gpu_and_cpu_masks_are_bit_identical() {
    for &n in &[1usize, 7, 33, 257, 100_003] {
        for &(rate, seed, step) in CASES {
            let cpu = ops::dropout_mask(&[n], &ComputeDevice::Cpu, rate, seed, step).unwrap();
            let gpu_mask = ops::dropout_mask(&[n], &gpu(), rate, seed, step).unwrap();
            assert_eq!(
                cpu.to_vec().unwrap(),
                gpu_mask.to_vec().unwrap(),
                "n {n} rate {rate} seed {seed} step {step}"
            );
        }
    }
}

#[test]
fn forward_and_backward_match_cpu_bit_for_bit() {
    for (i, shape) in [&[1usize][..], &[7], &[3, 33], &[257, 5]]
        .iter()
        .enumerate()
    {
        let x = random_tensor(shape, i as u64);
        let xg = x.to_device(&gpu()).unwrap();
        for &(rate, seed, step) in CASES {
            let what = format!("{shape:?} rate {rate} seed {seed} step {step}");
            let y = ops::dropout(&x, rate, seed, step).unwrap();
            let yg = ops::dropout(&xg, rate, seed, step).unwrap();
            assert_eq!(yg.shape(), *shape);
            assert_eq!(y.to_vec().unwrap(), yg.to_vec().unwrap(), "forward {what}");
            let dx = ops::dropout_backward(&x, rate, seed, step).unwrap();
            let dxg = ops::dropout_backward(&xg, rate, seed, step).unwrap();
            assert_eq!(
                dx.to_vec().unwrap(),
                dxg.to_vec().unwrap(),
                "backward {what}"
            );
            // The backward regenerates the forward's mask: applied to the same values it
            // gives the same result.
            assert_eq!(
                y.to_vec().unwrap(),
                dx.to_vec().unwrap(),
                "regenerated {what}"
            );
        }
    }
}

#[test]
fn kept_elements_are_scaled_and_dropped_ones_are_zero() {
    let rate = 0.25;
    let x = random_tensor(&[4099], 1);
    let mask = ops::dropout_mask(&[4099], &gpu(), rate, 9, 4).unwrap();
    let y = ops::dropout(&x.to_device(&gpu()).unwrap(), rate, 9, 4).unwrap();
    let (x, mask, y) = (
        x.to_vec().unwrap(),
        mask.to_vec().unwrap(),
        y.to_vec().unwrap(),
    );
    for i in 0..x.len() {
        let want = if mask[i] == 1.0 { x[i] / 0.75 } else { 0.0 };
        assert!(
            (y[i] - want).abs() <= 1e-6,
            "element {i}: {} vs {want}",
            y[i]
        );
    }
}

#[test]
fn keep_rate_is_one_minus_rate_on_a_large_tensor() {
    let n = 1 << 20;
    for rate in [0.1f32, 0.3, 0.5, 0.8] {
        let mask = ops::dropout_mask(&[n], &gpu(), rate, 1234, 77).unwrap();
        let kept: f64 = mask.to_vec().unwrap().iter().map(|&v| f64::from(v)).sum();
        let p = 1.0 - f64::from(rate);
        // Six standard deviations of a binomial proportion.
        let tolerance = 6.0 * (p * (1.0 - p) / n as f64).sqrt();
        let observed = kept / n as f64;
        assert!(
            (observed - p).abs() <= tolerance,
            "rate {rate}: kept {observed}, want {p} ± {tolerance}"
        );
    }
}

#[test]
fn masks_change_with_step_and_seed() {
    let n = 1 << 16;
    let base = ops::dropout_mask(&[n], &gpu(), 0.5, 5, 10).unwrap();
    let base = base.to_vec().unwrap();
    for (seed, step) in [(5, 11), (6, 10), (5 + (1 << 32), 10), (5, 10 + (1 << 32))] {
        let other = ops::dropout_mask(&[n], &gpu(), 0.5, seed, step).unwrap();
        let same = base
            .iter()
            .zip(other.to_vec().unwrap())
            .filter(|(a, b)| **a == *b)
            .count() as f64
            / n as f64;
        // Independent masks at rate 0.5 agree on half the elements.
        assert!(
            (same - 0.5).abs() < 0.02,
            "seed {seed} step {step}: agreement {same}"
        );
    }
}

#[test]
fn rate_zero_is_identity_and_bad_rates_are_errors() {
    let x = random_tensor(&[3, 7], 2);
    for t in [x.clone(), x.to_device(&gpu()).unwrap()] {
        let y = ops::dropout(&t, 0.0, 1, 1).unwrap();
        assert_eq!(y.to_vec().unwrap(), x.to_vec().unwrap());
        for rate in [1.0, -0.1, f32::NAN, 1.5] {
            let err = ops::dropout(&t, rate, 1, 1).unwrap_err();
            assert!(
                matches!(err, AtbError::InvalidArgument { op: "dropout", .. }),
                "{err}"
            );
        }
    }
    let empty = Tensor::from_vec(&[0, 3], vec![]).unwrap();
    let y = ops::dropout(&empty.to_device(&gpu()).unwrap(), 0.5, 1, 1).unwrap();
    assert_eq!(y.shape(), &[0, 3]);
}

#[test]
fn counted_dropout_draws_its_step_from_the_device_counter() {
    use atb_gpu::ops::StepCounter;
    let x = crate::common::random_tensor(&[3, 257], 40);
    let mut masks = Vec::new();
    for device in [atb_gpu::ComputeDevice::Cpu, crate::common::gpu()] {
        let xd = x.to_device(&device).unwrap();
        let counter = StepCounter::new(&device, 2).unwrap();
        counter.set(1, 5).unwrap();
        let counted = ops::dropout_counted(&xd, 0.3, 9, 100, &counter, 1).unwrap();
        let fixed = ops::dropout(&x, 0.3, 9, 105).unwrap();
        assert_eq!(
            counted.to_vec().unwrap(),
            fixed.to_vec().unwrap(),
            "{device:?}: step 100 + 5"
        );
        let dy = crate::common::random_tensor(&[3, 257], 41)
            .to_device(&device)
            .unwrap();
        let back = ops::dropout_backward_counted(&dy, 0.3, 9, 100, &counter, 1).unwrap();
        let back_fixed = ops::dropout_backward(
            &dy.to_device(&atb_gpu::ComputeDevice::Cpu).unwrap(),
            0.3,
            9,
            105,
        )
        .unwrap();
        assert_eq!(back.to_vec().unwrap(), back_fixed.to_vec().unwrap());
        counter.advance(1, 1).unwrap();
        let next = ops::dropout_counted(&xd, 0.3, 9, 100, &counter, 1)
            .unwrap()
            .to_vec()
            .unwrap();
        assert_ne!(
            next,
            counted.to_vec().unwrap(),
            "a new step draws a new mask"
        );
        masks.push(next);
        assert!(ops::dropout_counted(&xd, 0.3, 9, 100, &counter, 2).is_err());
    }
    assert_eq!(masks[0], masks[1], "CPU and GPU agree");
}
