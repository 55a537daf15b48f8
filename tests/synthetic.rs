//! On a synthetic series with learnable structure — AR(3) plus a daily sine plus Gaussian
//! noise of known variance σ² — attention_lstm and tcn get close to the noise floor on the CPU
//! backend: test MSE below 1.3 σ² (σ² is the best any forecaster can do).

use atb_gpu::ComputeDevice;
use atb_gpu::models::{Overrides, create_model};
use atb_gpu::nn::InitRng;
use atb_gpu::ops::AdamConfig;
use atb_gpu::train::{self, DeviceDataset, FitConfig, get_model_callbacks};

const SIGMA: f64 = 0.1;
const T: usize = 16;
const FEATURES: usize = 3;

/// s_t = 0.5 s_{t-1} − 0.3 s_{t-2} + 0.2 s_{t-3} + 0.5 sin(2π t / 24) + ε_t, ε ~ N(0, σ²).
fn series(n: usize, seed: u64) -> Vec<f64> {
    let mut rng = InitRng::new(seed);
    let mut s = vec![0.0f64; n];
    for t in 3..n {
        let daily = 0.5 * (2.0 * std::f64::consts::PI * t as f64 / 24.0).sin();
        s[t] = 0.5 * s[t - 1] - 0.3 * s[t - 2] + 0.2 * s[t - 3] + daily + SIGMA * rng.normal();
    }
    s
}

/// Windows of (value, sin, cos of the hour) predicting the next value, for t in `range`.
fn windows(s: &[f64], range: std::ops::Range<usize>, device: &ComputeDevice) -> DeviceDataset {
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for end in range {
        for (t, value) in s.iter().enumerate().take(end).skip(end - T) {
            let phase = 2.0 * std::f64::consts::PI * t as f64 / 24.0;
            x.extend([*value as f32, phase.sin() as f32, phase.cos() as f32]);
        }
        y.push(s[end] as f32);
    }
    DeviceDataset::new(device, x, y, &[T, FEATURES]).unwrap()
}

fn test_mse(model_type: &str, sets: &[&str]) -> f64 {
    let device = ComputeDevice::Cpu;
    let s = series(4200, 11);
    let (train_set, val_set, test_set) = (
        windows(&s, 100..3000, &device),
        windows(&s, 3000..3600, &device),
        windows(&s, 3600..4200, &device),
    );
    let overrides = Overrides::parse(sets).unwrap();
    let mut model = create_model(
        model_type,
        (T, FEATURES),
        "lightweight",
        &overrides,
        3,
        &device,
    )
    .unwrap();
    let config = FitConfig {
        epochs: 40,
        batch_size: 32,
        adam: AdamConfig {
            learning_rate: 1e-2,
            ..AdamConfig::default()
        },
        clip_norm: Some(5.0),
        seed: 1,
        callbacks: get_model_callbacks(model_type, 10),
        checkpoint: None,
    };
    train::fit(
        &model.network,
        &mut model.params,
        &train_set,
        &val_set,
        &config,
        |_, _| {},
    )
    .unwrap();
    train::evaluate(&model.network, &model.params, &test_set)
        .unwrap()
        .0
}

#[test]
fn attention_lstm_and_tcn_get_near_the_noise_floor() {
    let floor = SIGMA * SIGMA;
    for (model_type, sets) in [
        (
            "tcn",
            &[
                "num_filters=16",
                "num_layers=3",
                "kernel_size=3",
                "dense_units=16",
                "dropout=0.0",
            ][..],
        ),
        (
            "attention_lstm",
            &[
                "lstm_units=[32]",
                "attention_key_dim=8",
                "num_attention_heads=2",
                "dense_units=16",
                "dropout=0.0",
            ][..],
        ),
    ] {
        let mse = test_mse(model_type, sets);
        println!("{model_type}: test MSE {mse:.5} = {:.3} σ²", mse / floor);
        assert!(
            mse < 1.3 * floor,
            "{model_type}: test MSE {mse} is not below 1.3 σ² = {}",
            1.3 * floor
        );
    }
}
