//! The four architectures: every type and variant trains on a small slice on the GPU adapter
//! and on the CPU backend, one step from the same weights gives the same loss on both, and
//! attention weights come out normalised.

use atb_gpu::models::{Model, ModelConfig, ModelType, Overrides, Variant, create_model};
use atb_gpu::ops::AdamConfig;
use atb_gpu::train::{self, DeviceDataset, FitConfig, get_model_callbacks};
use atb_gpu::{ComputeDevice, Tensor};

use crate::common::{gpu, random};

const T: usize = 12;
const F: usize = 5;

fn data(device: &ComputeDevice, n: usize, seed: u64) -> DeviceDataset {
    let x = random(n * T * F, seed);
    // A target the inputs explain: the mean of the last step's features.
    let y = (0..n)
        .map(|i| x[(i * T + T - 1) * F..(i * T + T) * F].iter().sum::<f32>() / F as f32)
        .collect();
    DeviceDataset::new(device, x, y, &[T, F]).unwrap()
}

fn fit_config(epochs: usize) -> FitConfig {
    FitConfig {
        epochs,
        batch_size: 16,
        adam: AdamConfig::default(),
        clip_norm: Some(1.0),
        seed: 5,
        callbacks: get_model_callbacks("test", 10),
        checkpoint: None,
    }
}

/// Small sizes so every variant trains in CI; the variant's structure (depth) is kept.
fn small(model_type: &str, variant: &str) -> Overrides {
    let sets: &[&str] = match (model_type, variant) {
        ("attention_lstm", "deep") => &[
            "lstm_units=[12, 10, 8]",
            "attention_key_dim=4",
            "dense_units=8",
        ],
        ("attention_lstm", _) => &["lstm_units=[12, 8]", "attention_key_dim=4", "dense_units=8"],
        ("cnn_lstm" | "adaptive", _) => &["conv_filters=[8, 8]", "lstm_units=[8]", "dense_units=8"],
        ("tcn_attention", _) => &[
            "num_filters=8",
            "attention_key_dim=4",
            "num_attention_heads=2",
            "dense_units=8",
        ],
        _ => &["num_filters=8", "dense_units=8"],
    };
    Overrides::parse(sets).unwrap()
}

#[test]
fn every_type_and_variant_trains_on_both_devices() {
    for model_type in [
        "cnn_lstm",
        "adaptive",
        "attention_lstm",
        "tcn",
        "tcn_attention",
    ] {
        for variant in ["lightweight", "default", "deep"] {
            for device in [ComputeDevice::Cpu, gpu()] {
                let mut model = create_model(
                    model_type,
                    (T, F),
                    variant,
                    &small(model_type, variant),
                    1,
                    &device,
                )
                .unwrap();
                let (train_set, val_set) = (data(&device, 48, 1), data(&device, 16, 2));
                let outcome = train::fit(
                    &model.network,
                    &mut model.params,
                    &train_set,
                    &val_set,
                    &fit_config(2),
                    |_, _| {},
                )
                .unwrap();
                assert_eq!(
                    outcome.history.epochs.len(),
                    2,
                    "{model_type} {variant} {device:?}"
                );
                assert!(
                    outcome
                        .history
                        .epochs
                        .iter()
                        .all(|e| e.loss.is_finite() && e.val_loss.is_finite())
                );
                let predictions = train::predict(&model.network, &model.params, &val_set).unwrap();
                assert_eq!(predictions.len(), 16);
            }
        }
    }
}

#[test]
fn one_step_from_the_same_weights_gives_the_same_loss_on_both_devices() {
    for model_type in [
        ModelType::CnnLstm,
        ModelType::AttentionLstm,
        ModelType::Tcn,
        ModelType::TcnAttention,
    ] {
        let config = ModelConfig::new(
            model_type,
            (T, F),
            Variant::Lightweight,
            &small(model_type.name(), "lightweight"),
        )
        .unwrap();
        let mut losses = Vec::new();
        let mut weights = Vec::new();
        for device in [ComputeDevice::Cpu, gpu()] {
            let mut model = Model::build(&config, 9, &device).unwrap();
            let (train_set, val_set) = (data(&device, 16, 3), data(&device, 16, 4));
            let outcome = train::fit(
                &model.network,
                &mut model.params,
                &train_set,
                &val_set,
                &fit_config(1),
                |_, _| {},
            )
            .unwrap();
            losses.push(outcome.history.epochs[0].loss);
            weights.push(model.params.to_host().unwrap());
        }
        let (cpu, gpu_loss) = (losses[0], losses[1]);
        assert!(
            (cpu - gpu_loss).abs() <= 1e-4 * cpu.abs().max(1e-6),
            "{model_type:?}: CPU {cpu}, GPU {gpu_loss}"
        );
        // Adam's first step moves a weight by lr·g/(|g| + ε) (m̂ = g, v̂ = g²), so a gradient
        // difference δ between the devices moves it by lr·ε·δ/(|g| + ε)². Where |g| ≥ 9ε the
        // step is ≥ 0.9·lr and that factor is ≤ lr/(100ε): both devices must agree to the usual
        // 1e-4. Where |g| < 9ε (a gradient that is zero but for rounding, such as a key bias,
        // which softmax ignores, or one within an order of magnitude of ε) the factor reaches
        // lr/ε = 10⁴, so f32 rounding of the gradient moves the step by a visible fraction of
        // lr; there the one thing to assert is Adam's own bound, |step| < 0.9·lr on each device.
        let initial = Model::build(&config, 9, &ComputeDevice::Cpu)
            .unwrap()
            .params
            .to_host()
            .unwrap();
        let lr = fit_config(1).adam.learning_rate;
        for ((c, g), w0) in weights[0].iter().zip(&weights[1]).zip(&initial) {
            for ((a, b), w) in c.values.iter().zip(&g.values).zip(&w0.values) {
                let noise_step = (a - w).abs() < 0.9 * lr && (b - w).abs() < 0.9 * lr;
                let bound = if noise_step {
                    lr
                } else {
                    1e-4 * a.abs().max(1e-2)
                };
                assert!(
                    (a - b).abs() <= bound,
                    "{model_type:?} {}: {a} vs {b} (from {w})",
                    c.name
                );
            }
        }
    }
}

#[test]
fn attention_models_expose_normalised_attention_weights() {
    let x = Tensor::from_vec(&[2, T, F], random(2 * T * F, 7)).unwrap();
    for model_type in ["attention_lstm", "tcn_attention", "tcn"] {
        let model = create_model(
            model_type,
            (T, F),
            "lightweight",
            &small(model_type, "lightweight"),
            2,
            &ComputeDevice::Cpu,
        )
        .unwrap();
        let weights = model.network.attention_weights(&model.params, &x).unwrap();
        if model_type == "tcn" {
            assert!(weights.is_none());
            continue;
        }
        let weights = weights.unwrap();
        assert_eq!(weights.shape()[0], 2);
        assert_eq!(&weights.shape()[2..], &[T, T]);
        for row in weights.to_vec().unwrap().chunks(T) {
            assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-5);
        }
    }
}

#[test]
fn sentiment_columns_get_their_own_branch() {
    let ModelConfig::CnnLstm(mut config) = ModelConfig::new(
        ModelType::CnnLstm,
        (T, F),
        Variant::Lightweight,
        &Overrides::parse(&["has_sentiment=true", "conv_filters=[4]", "lstm_units=[4]"]).unwrap(),
    )
    .unwrap() else {
        panic!("a cnn_lstm config")
    };
    config.sentiment_features = 2;
    let with = Model::build(
        &ModelConfig::CnnLstm(config.clone()),
        1,
        &ComputeDevice::Cpu,
    )
    .unwrap();
    config.sentiment_features = 0;
    let without = Model::build(
        &ModelConfig::CnnLstm(config.clone()),
        1,
        &ComputeDevice::Cpu,
    )
    .unwrap();
    assert!(
        with.params
            .entries()
            .iter()
            .any(|e| e.name.starts_with("sentiment"))
    );
    assert!(
        !without
            .params
            .entries()
            .iter()
            .any(|e| e.name.starts_with("sentiment"))
    );
    config.sentiment_features = F;
    assert!(Model::build(&ModelConfig::CnnLstm(config), 1, &ComputeDevice::Cpu).is_err());
}
