//! Kernel throughput: `cargo bench --bench kernels`.
//!
//! Training-op families (softmax, layer norm, dropout, MSE, clip + Adam) are in
//! `kernels/trainops.rs`.
//!
//! Matmul on the GPU adapter (software adapters included) and on the CPU reference, at square
//! sizes and at the shapes the models use. Throughput is reported as elements/s where one
//! element is one floating-point operation, i.e. criterion's "Gelem/s" reads as GFLOP/s.
//! 4096² runs only on hardware adapters (or with `ATB_BENCH_FULL=1`); lavapipe is for
//! correctness, not speed.

#[path = "kernels/attention.rs"]
mod attention;
#[path = "kernels/conv1d.rs"]
mod conv1d;
#[path = "kernels/fast_cpu.rs"]
mod fast_cpu;
#[path = "kernels/lstm.rs"]
mod lstm;

use std::time::Duration;

use atb_gpu::ops::{self, MatmulOptions, MatmulShape};
use atb_gpu::{ComputeDevice, DeviceChoice, DeviceRequest, Tensor};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

#[path = "kernels/training.rs"]
mod training;
#[path = "kernels/trainops.rs"]
mod trainops;

fn random_tensor(shape: &[usize], seed: u32) -> Tensor {
    let len: usize = shape.iter().product();
    let data = (0..len)
        .map(|i| {
            ((i as u32).wrapping_mul(2_654_435_761).wrapping_add(seed) >> 8) as f32
                / (1 << 24) as f32
                - 0.5
        })
        .collect();
    Tensor::from_vec(shape, data).expect("shape matches data")
}

/// (label, M, K, N)
fn shapes(full: bool) -> Vec<(String, usize, usize, usize)> {
    let mut list: Vec<(String, usize, usize, usize)> = [256, 1024, 2048]
        .into_iter()
        .map(|s| (format!("{s}x{s}x{s}"), s, s, s))
        .collect();
    if full {
        list.push(("4096x4096x4096".to_string(), 4096, 4096, 4096));
    }
    list.push(("32x15x512".to_string(), 32, 15, 512));
    list.push(("32x128x512".to_string(), 32, 128, 512));
    list
}

fn matmul(c: &mut Criterion) {
    let request = DeviceRequest {
        device: DeviceChoice::Gpu,
        backend: None,
        allow_software: true,
    };
    let gpu = match ComputeDevice::open(&request) {
        Ok(device) => Some(device),
        Err(err) => {
            eprintln!("no GPU adapter, benchmarking the CPU reference only: {err}");
            None
        }
    };
    let software = gpu
        .as_ref()
        .and_then(ComputeDevice::gpu)
        .is_some_and(|ctx| ctx.adapter_info().device_type == wgpu::DeviceType::Cpu);
    let full = !software || std::env::var("ATB_BENCH_FULL").is_ok_and(|v| v == "1");
    if let Some(device) = &gpu {
        eprintln!("benchmarking on {}", device.describe());
    }
    let opts = MatmulOptions::default();
    let mut group = c.benchmark_group("matmul");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    for (label, m, k, n) in shapes(full) {
        let (a, b) = (random_tensor(&[m, k], 1), random_tensor(&[k, n], 2));
        let flops = MatmulShape::infer(a.shape(), b.shape(), None, &opts).map_or(0, |s| s.flops());
        group.throughput(Throughput::Elements(flops));
        if let Some(ComputeDevice::Gpu(ctx)) = &gpu {
            let device = ComputeDevice::Gpu(ctx.clone());
            let (ag, bg) = (
                a.to_device(&device).expect("upload"),
                b.to_device(&device).expect("upload"),
            );
            group.bench_with_input(BenchmarkId::new("gpu", &label), &label, |bench, _| {
                bench.iter(|| {
                    let out = ops::matmul(&ag, &bg, None, &opts).expect("matmul");
                    ctx.synchronize().expect("gpu");
                    out
                })
            });
        }
        if m * k * n <= 2048 * 2048 * 2048 {
            group.bench_with_input(BenchmarkId::new("cpu", &label), &label, |bench, _| {
                bench.iter(|| ops::matmul(&a, &b, None, &opts).expect("matmul"))
            });
        }
    }
    group.finish();
}

criterion_group!(
    benches,
    matmul,
    conv1d::conv1d,
    lstm::lstm,
    attention::attention,
    fast_cpu::fast_cpu,
    trainops::trainops,
    training::training
);
criterion_main!(benches);
