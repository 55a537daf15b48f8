//! Whole training on both devices: a two-layer MLP on a synthetic regression set trains to the
//! same loss curve on the GPU and the CPU, beats the target's variance by far, and its
//! compiled steps create nothing after the first epoch.

use std::sync::{Arc, Mutex};

use atb_gpu::activation::Activation;
use atb_gpu::autograd::Var;
use atb_gpu::nn::{Dropout, Forward, Linear, Network, ParamBuilder, Params};
use atb_gpu::ops::AdamConfig;
use atb_gpu::train::{self, DeviceDataset, FitConfig, get_model_callbacks};
use atb_gpu::{ComputeDevice, DeviceChoice, DeviceRequest, Result};

use crate::common::random;

struct Mlp {
    hidden: Linear,
    dropout: Dropout,
    out: Linear,
}

impl Mlp {
    fn new(seed: u64, device: &ComputeDevice) -> (Mlp, Params) {
        let mut builder = ParamBuilder::new(seed);
        let hidden = Linear::new(&mut builder, "hidden", 8, 32, Activation::Tanh);
        let dropout = Dropout::new(&mut builder, 0.1);
        let out = Linear::new(&mut builder, "out", 32, 1, Activation::None);
        let params = builder.build(device).unwrap();
        (
            Mlp {
                hidden,
                dropout,
                out,
            },
            params,
        )
    }
}

impl Network for Mlp {
    fn forward(&self, f: &Forward<'_>, x: &Var) -> Result<Var> {
        let h = self.hidden.forward(f.tape, f.params, x)?;
        let h = self.dropout.forward(f, &h)?;
        self.out.forward(f.tape, f.params, &h)
    }
}

/// y = sin(2·x0) + x1·x2 + 0.5·x3 + noise (σ = 0.05); returns (x, y, variance of y).
fn synthetic(n: usize, seed: u64) -> (Vec<f32>, Vec<f32>, f64) {
    let x = random(n * 8, seed);
    let noise = random(n, seed + 1);
    let y: Vec<f32> = (0..n)
        .map(|i| {
            let r = &x[i * 8..i * 8 + 8];
            (2.0 * r[0]).sin() + r[1] * r[2] + 0.5 * r[3] + 0.05 * 1.732 * noise[i]
        })
        .collect();
    let mean = y.iter().map(|&v| f64::from(v)).sum::<f64>() / n as f64;
    let var = y
        .iter()
        .map(|&v| (f64::from(v) - mean).powi(2))
        .sum::<f64>()
        / n as f64;
    (x, y, var)
}

fn config(epochs: usize) -> FitConfig {
    FitConfig {
        epochs,
        batch_size: 32,
        adam: AdamConfig {
            learning_rate: 1e-2,
            ..AdamConfig::default()
        },
        clip_norm: Some(5.0),
        seed: 7,
        callbacks: get_model_callbacks("mlp", 50),
        checkpoint: None,
    }
}

fn run(
    device: &ComputeDevice,
    epochs: usize,
    on_epoch: impl FnMut(usize, &train::EpochMetrics),
) -> (Vec<f64>, f64, f64, usize) {
    let (xt, yt, _) = synthetic(1024, 1);
    let (xv, yv, var) = synthetic(256, 2);
    let train_set = DeviceDataset::new(device, xt, yt, &[8]).unwrap();
    let val_set = DeviceDataset::new(device, xv, yv, &[8]).unwrap();
    let (net, mut params) = Mlp::new(3, device);
    let outcome = train::fit(
        &net,
        &mut params,
        &train_set,
        &val_set,
        &config(epochs),
        on_epoch,
    )
    .unwrap();
    let losses = outcome.history.epochs.iter().map(|e| e.loss).collect();
    let (val_mse, _) = train::evaluate(&net, &params, &val_set).unwrap();
    (losses, val_mse, var, outcome.dispatches_per_step)
}

#[test]
fn an_mlp_trains_to_the_same_curve_on_gpu_and_cpu_and_learns() {
    let request = DeviceRequest {
        device: DeviceChoice::Gpu,
        backend: None,
        allow_software: true,
    };
    let gpu = ComputeDevice::open(&request).unwrap();
    let ctx = gpu.gpu().unwrap().clone();
    let stats = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&stats);
    let (gpu_losses, gpu_val, var, dispatches) =
        run(&gpu, 25, move |_, _| seen.lock().unwrap().push(ctx.stats()));
    let (cpu_losses, cpu_val, _, cpu_dispatches) = run(&ComputeDevice::Cpu, 25, |_, _| {});
    for (epoch, (g, c)) in gpu_losses.iter().zip(&cpu_losses).enumerate() {
        assert!(
            (g - c).abs() <= 2e-3 * c.abs().max(1e-3),
            "epoch {epoch}: GPU loss {g}, CPU loss {c}"
        );
    }
    assert!(
        (gpu_val - cpu_val).abs() <= 5e-3 * cpu_val,
        "val MSE {gpu_val} vs {cpu_val}"
    );
    assert!(
        gpu_val < 0.1 * var,
        "validation MSE {gpu_val} is not well below the target variance {var}"
    );
    assert!(gpu_losses.last() < gpu_losses.first(), "{gpu_losses:?}");
    assert!(dispatches > 10 && cpu_dispatches == 0);
    // After the first epoch (capture, warm pool, eval pipelines) nothing new is created.
    let stats = stats.lock().unwrap();
    let (first, last) = (stats[0], stats[stats.len() - 1]);
    assert_eq!(
        last.pipelines_built, first.pipelines_built,
        "{first:?} -> {last:?}"
    );
    assert_eq!(
        last.buffers_created, first.buffers_created,
        "{first:?} -> {last:?}"
    );
}

/// The weights after `epochs` of the MLP fit on `device`, checkpointing as `checkpoint` says.
fn weights_after(
    device: &ComputeDevice,
    epochs: usize,
    checkpoint: Option<train::CheckpointPlan>,
) -> Vec<Vec<f32>> {
    let (xt, yt, _) = synthetic(512, 1);
    let (xv, yv, _) = synthetic(128, 2);
    let train_set = DeviceDataset::new(device, xt, yt, &[8]).unwrap();
    let val_set = DeviceDataset::new(device, xv, yv, &[8]).unwrap();
    let (net, mut params) = Mlp::new(3, device);
    let config = FitConfig {
        checkpoint,
        ..config(epochs)
    };
    train::fit(&net, &mut params, &train_set, &val_set, &config, |_, _| {}).unwrap();
    params
        .to_host()
        .unwrap()
        .into_iter()
        .map(|t| t.values)
        .collect()
}

/// A fit stopped after 3 epochs and resumed from its checkpoint to 6 ends with the weights of
/// an uninterrupted 6-epoch fit, bit for bit, on the GPU adapter and on the CPU: Adam's
/// moments, schedule and step count, the shuffling generator and the dropout step counter all
/// come back.
#[test]
fn a_fit_resumed_from_its_checkpoint_ends_where_an_uninterrupted_one_does() {
    let request = DeviceRequest {
        device: DeviceChoice::Gpu,
        backend: None,
        allow_software: true,
    };
    for device in [ComputeDevice::open(&request).unwrap(), ComputeDevice::Cpu] {
        let dir = tempfile::tempdir().unwrap();
        let plan = |resume| train::CheckpointPlan {
            dir: dir.path().join("checkpoint"),
            resume,
            key: "mlp".to_string(),
        };
        let straight = weights_after(&device, 6, None);
        let first_half = weights_after(&device, 3, Some(plan(false)));
        assert_ne!(first_half, straight, "{device:?}: 3 epochs are not 6");
        let resumed = weights_after(&device, 6, Some(plan(true)));
        assert_eq!(resumed, straight, "{device:?}: resumed weights differ");
    }
}
