//! Dilated causal convolution at the guide's TCN shapes: input (60, 15), 64 filters, kernel 5,
//! dilations 1, 2, 4, 8, 16 (the first layer maps 15 channels to 64, the others 64 to 64), at
//! batch 32 and 256. `forward` runs the five layers in a chain; `forward_backward` adds the
//! input, weight and bias gradients of every layer in reverse. Throughput counts the forward
//! floating-point operations (3× that for forward_backward), so "Gelem/s" reads as GFLOP/s.

use std::time::Duration;

use atb_gpu::ops::{self, Conv1dShape};
use atb_gpu::{ComputeDevice, DeviceChoice, DeviceRequest, Tensor};
use criterion::{BenchmarkId, Criterion, Throughput};

const TIME: usize = 60;
const FEATURES: usize = 15;
const FILTERS: usize = 64;
const KERNEL: usize = 5;
const DILATIONS: [usize; 5] = [1, 2, 4, 8, 16];

/// One TCN stack's parameters on one device.
struct Stack {
    weights: Vec<Tensor>,
    biases: Vec<Tensor>,
}

impl Stack {
    fn new(device: &ComputeDevice) -> Stack {
        let upload = |t: Tensor| t.to_device(device).expect("upload");
        let mut weights = Vec::new();
        let mut biases = Vec::new();
        for (layer, _) in DILATIONS.iter().enumerate() {
            let cin = if layer == 0 { FEATURES } else { FILTERS };
            let seed = 10 + layer as u32;
            weights.push(upload(crate::random_tensor(&[KERNEL, cin, FILTERS], seed)));
            biases.push(upload(crate::random_tensor(&[FILTERS], seed + 100)));
        }
        Stack { weights, biases }
    }

    /// The layer inputs and the final output.
    fn forward(&self, x: &Tensor) -> Vec<Tensor> {
        let mut activations = vec![x.clone()];
        for ((w, b), &d) in self.weights.iter().zip(&self.biases).zip(&DILATIONS) {
            let input = activations.last().expect("the input is there");
            activations.push(ops::conv1d(input, w, Some(b), d).expect("conv1d"));
        }
        activations
    }

    /// Forward, then every layer's gradients from the top down; returns the input gradient.
    fn forward_backward(&self, x: &Tensor, dy: &Tensor) -> Tensor {
        let activations = self.forward(x);
        let mut grad = dy.clone();
        for (layer, &d) in DILATIONS.iter().enumerate().rev() {
            let grads = ops::conv1d_backward(&activations[layer], &self.weights[layer], &grad, d)
                .expect("conv1d_backward");
            grad = grads.dx;
        }
        grad
    }
}

fn forward_flops(batch: usize) -> u64 {
    DILATIONS
        .iter()
        .enumerate()
        .map(|(layer, &dilation)| {
            Conv1dShape {
                batch,
                time: TIME,
                in_channels: if layer == 0 { FEATURES } else { FILTERS },
                out_channels: FILTERS,
                kernel_size: KERNEL,
                dilation,
            }
            .flops()
        })
        .sum()
}

/// The TCN conv stack on the GPU adapter (software adapters included) and the CPU reference.
pub fn conv1d(c: &mut Criterion) {
    let request = DeviceRequest {
        device: DeviceChoice::Gpu,
        backend: None,
        allow_software: true,
    };
    let mut devices = vec![("cpu", ComputeDevice::Cpu)];
    match ComputeDevice::open(&request) {
        Ok(device) => devices.insert(0, ("gpu", device)),
        Err(err) => eprintln!("no GPU adapter, benchmarking the CPU reference only: {err}"),
    }
    let mut group = c.benchmark_group("conv1d_tcn");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    for batch in [32, 256] {
        let x = crate::random_tensor(&[batch, TIME, FEATURES], 1);
        let dy = crate::random_tensor(&[batch, TIME, FILTERS], 2);
        let flops = forward_flops(batch);
        for (name, device) in &devices {
            let stack = Stack::new(device);
            let (x, dy) = (
                x.to_device(device).expect("upload"),
                dy.to_device(device).expect("upload"),
            );
            let finish = |t: Tensor| {
                if let Some(ctx) = device.gpu() {
                    ctx.synchronize().expect("gpu");
                }
                t
            };
            let label = format!("{name}/b{batch}");
            group.throughput(Throughput::Elements(flops));
            group.bench_with_input(BenchmarkId::new("forward", &label), &batch, |bench, _| {
                bench.iter(|| finish(stack.forward(&x).pop().expect("an output")))
            });
            group.throughput(Throughput::Elements(3 * flops));
            group.bench_with_input(
                BenchmarkId::new("forward_backward", &label),
                &batch,
                |bench, _| bench.iter(|| finish(stack.forward_backward(&x, &dy))),
            );
        }
    }
    group.finish();
}
