//! One full training step of a two-layer MLP (forward, MSE, backward, clipped Adam) at batch
//! 32 and 256, on the GPU adapter (a replayed compiled step) and on the CPU backend.

use std::time::Duration;

use atb_gpu::activation::Activation;
use atb_gpu::autograd::Var;
use atb_gpu::nn::{Forward, Linear, Network, ParamBuilder, Params};
use atb_gpu::ops::AdamConfig;
use atb_gpu::train::{DeviceDataset, FitConfig, Trainer, get_model_callbacks};
use atb_gpu::{ComputeDevice, DeviceChoice, DeviceRequest, Result};
use criterion::{BenchmarkId, Criterion};

const FEATURES: usize = 15;
const HIDDEN: usize = 128;
const SAMPLES: usize = 8192;

struct Mlp {
    hidden: Linear,
    out: Linear,
}

impl Network for Mlp {
    fn forward(&self, f: &Forward<'_>, x: &Var) -> Result<Var> {
        let h = self.hidden.forward(f.tape, f.params, x)?;
        self.out.forward(f.tape, f.params, &h)
    }
}

fn setup(device: &ComputeDevice) -> (Mlp, Params, DeviceDataset) {
    let mut builder = ParamBuilder::new(1);
    let hidden = Linear::new(&mut builder, "hidden", FEATURES, HIDDEN, Activation::Relu);
    let out = Linear::new(&mut builder, "out", HIDDEN, 1, Activation::None);
    let params = builder.build(device).expect("parameters");
    let x = (0..SAMPLES * FEATURES)
        .map(|i| ((i * 7919) % 1000) as f32 / 500.0 - 1.0)
        .collect();
    let y = (0..SAMPLES)
        .map(|i| ((i * 104_729) % 1000) as f32 / 500.0 - 1.0)
        .collect();
    let data = DeviceDataset::new(device, x, y, &[FEATURES]).expect("dataset");
    (Mlp { hidden, out }, params, data)
}

/// Criterion group: `mlp_step/{gpu,cpu}/b{32,256}`.
pub fn training(c: &mut Criterion) {
    let request = DeviceRequest {
        device: DeviceChoice::Gpu,
        backend: None,
        allow_software: true,
    };
    let mut devices = vec![("cpu", ComputeDevice::Cpu)];
    if let Ok(gpu) = ComputeDevice::open(&request) {
        devices.insert(0, ("gpu", gpu));
    }
    let mut group = c.benchmark_group("mlp_step");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    for (name, device) in &devices {
        for batch in [32usize, 256] {
            let (net, mut params, data) = setup(device);
            let config = FitConfig {
                epochs: 1,
                batch_size: batch,
                adam: AdamConfig::default(),
                clip_norm: Some(1.0),
                seed: 1,
                callbacks: get_model_callbacks("mlp", 10),
                checkpoint: None,
            };
            let mut trainer = Trainer::new(&net, &params, &data, &config).expect("trainer");
            trainer.start_epoch(true).expect("epoch");
            let mut done = 0;
            group.bench_function(BenchmarkId::new(*name, format!("b{batch}")), |b| {
                b.iter(|| {
                    if done == trainer.steps_per_epoch() {
                        trainer.start_epoch(false).expect("epoch");
                        done = 0;
                    }
                    trainer.step(&mut params).expect("step");
                    done += 1;
                    if let Some(ctx) = device.gpu() {
                        ctx.synchronize().expect("gpu");
                    }
                })
            });
        }
    }
    group.finish();
}
