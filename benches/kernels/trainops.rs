//! Training-op kernels: softmax, layer norm, dropout, MSE, fused Adam and global-norm clip,
//! on the GPU adapter and on the CPU reference, at the sizes one training step of the models
//! uses (activations of batch 32 × 60 steps × 128 features; 1 M parameters). Throughput is in
//! elements per second (elements of the main operand).

use std::time::Duration;

use atb_gpu::ops::{self, AdamConfig, AdamState};
use atb_gpu::{ComputeDevice, DeviceChoice, DeviceRequest, Tensor};
use criterion::{BenchmarkId, Criterion, Throughput};

/// Rows × features of one step's activations.
const ACTIVATIONS: [usize; 2] = [32 * 60, 128];
/// Parameters updated by one optimizer step.
const PARAMETERS: usize = 1 << 20;

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

/// Runs `f` on every device in `devices`, synchronising the GPU after each call.
fn bench_on(
    c: &mut Criterion,
    name: &str,
    elements: usize,
    devices: &[ComputeDevice],
    f: impl Fn(&ComputeDevice) -> Box<dyn FnMut()>,
) {
    let mut group = c.benchmark_group(name);
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Elements(elements as u64));
    for device in devices {
        let label = if device.gpu().is_some() { "gpu" } else { "cpu" };
        let mut run = f(device);
        group.bench_function(BenchmarkId::new(label, elements), |bench| {
            bench.iter(|| {
                run();
                if let Some(ctx) = device.gpu() {
                    ctx.synchronize().expect("gpu");
                }
            })
        });
    }
    group.finish();
}

/// The GPU adapter (software adapters included), or none with a note.
fn open_gpu() -> Option<ComputeDevice> {
    let request = DeviceRequest {
        device: DeviceChoice::Gpu,
        backend: None,
        allow_software: true,
    };
    match ComputeDevice::open(&request) {
        Ok(device) => Some(device),
        Err(err) => {
            eprintln!("no GPU adapter, benchmarking the CPU reference only: {err}");
            None
        }
    }
}

/// Benchmarks every training-op family on the GPU adapter (when present) and the CPU.
pub fn trainops(c: &mut Criterion) {
    let mut devices: Vec<ComputeDevice> = open_gpu().into_iter().collect();
    devices.push(ComputeDevice::Cpu);
    let n = ACTIVATIONS.iter().product();
    let up = |t: &Tensor, d: &ComputeDevice| t.to_device(d).expect("upload");
    bench_on(c, "softmax_fwd_bwd", n, &devices, |d| {
        let (x, dy) = (
            up(&random_tensor(&ACTIVATIONS, 1), d),
            up(&random_tensor(&ACTIVATIONS, 2), d),
        );
        Box::new(move || {
            let y = ops::softmax(&x).expect("softmax");
            ops::softmax_backward(&y, &dy).expect("softmax backward");
        })
    });
    bench_on(c, "layer_norm_fwd_bwd", n, &devices, |d| {
        let cols = ACTIVATIONS[1];
        let (x, dy) = (
            up(&random_tensor(&ACTIVATIONS, 3), d),
            up(&random_tensor(&ACTIVATIONS, 4), d),
        );
        let (gamma, beta) = (
            up(&random_tensor(&[cols], 5), d),
            up(&random_tensor(&[cols], 6), d),
        );
        Box::new(move || {
            let (_, cache) = ops::layer_norm(&x, &gamma, &beta, 1e-3).expect("layer norm");
            ops::layer_norm_backward(&x, &gamma, &cache, &dy).expect("layer norm backward");
        })
    });
    bench_on(c, "dropout_fwd_bwd", n, &devices, |d| {
        let x = up(&random_tensor(&ACTIVATIONS, 7), d);
        let mut step = 0;
        Box::new(move || {
            step += 1;
            let y = ops::dropout(&x, 0.2, 42, step).expect("dropout");
            ops::dropout_backward(&y, 0.2, 42, step).expect("dropout backward");
        })
    });
    bench_on(c, "mse_loss_bwd", n, &devices, |d| {
        let (p, t) = (
            up(&random_tensor(&ACTIVATIONS, 8), d),
            up(&random_tensor(&ACTIVATIONS, 9), d),
        );
        Box::new(move || {
            ops::mse_loss(&p, &t).expect("mse");
            ops::mse_backward(&p, &t, 1.0).expect("mse backward");
        })
    });
    bench_on(c, "clip_then_adam", PARAMETERS, &devices, |d| {
        let grads = up(&random_tensor(&[PARAMETERS], 10), d);
        let params = up(&random_tensor(&[PARAMETERS], 11), d);
        let mut state = AdamState::new(params, &AdamConfig::default()).expect("adam state");
        Box::new(move || {
            let scale = ops::clip_scale(&grads, 1.0).expect("clip").scale;
            ops::adam_step(&mut state, &grads, None, Some(&scale)).expect("adam");
        })
    });
}
