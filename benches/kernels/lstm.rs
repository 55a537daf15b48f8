//! LSTM layer throughput: forward, and forward + backward through time, at the shapes the
//! models use (T = 60 steps of F = 15 features, H = 64 / 128 / 256, batch 32 and 256), on
//! the GPU adapter (automatic path, and the per-step path for comparison) and on the CPU
//! reference.
//!
//! Throughput counts floating-point operations of the matmuls (forward 2·B·T·4H·(F + H),
//! backward twice that), so criterion's "Gelem/s" reads as GFLOP/s. The CPU reference runs
//! at batch 32 only, and software adapters only at batch 32 with H = 64, unless
//! `ATB_BENCH_FULL=1`.

use std::time::Duration;

use atb_gpu::ops::{self, LstmOptions, LstmPath};
use atb_gpu::{ComputeDevice, DeviceChoice, DeviceRequest, Tensor};
use criterion::{BenchmarkId, Criterion, Throughput};

const STEPS: usize = 60;
const FEATURES: usize = 15;

/// The operands of one layer: x, W_ih, W_hh, bias and an upstream gradient dh.
struct Layer {
    x: Tensor,
    w_ih: Tensor,
    w_hh: Tensor,
    bias: Tensor,
    dh: Tensor,
}

impl Layer {
    fn new(batch: usize, hidden: usize) -> Layer {
        let g4 = 4 * hidden;
        Layer {
            x: super::random_tensor(&[batch, STEPS, FEATURES], 1),
            w_ih: super::random_tensor(&[FEATURES, g4], 2),
            w_hh: super::random_tensor(&[hidden, g4], 3),
            bias: super::random_tensor(&[g4], 4),
            dh: super::random_tensor(&[batch, STEPS, hidden], 5),
        }
    }

    fn to_device(&self, device: &ComputeDevice) -> Layer {
        let up = |t: &Tensor| t.to_device(device).expect("upload");
        Layer {
            x: up(&self.x),
            w_ih: up(&self.w_ih),
            w_hh: up(&self.w_hh),
            bias: up(&self.bias),
            dh: up(&self.dh),
        }
    }

    fn forward(&self, path: LstmPath) -> ops::LstmForward {
        let opts = LstmOptions { path };
        ops::lstm(&self.x, &self.w_ih, &self.w_hh, &self.bias, &opts).expect("lstm forward")
    }

    fn forward_backward(&self, path: LstmPath) -> ops::LstmGrads {
        let forward = self.forward(path);
        let opts = LstmOptions { path };
        ops::lstm_backward_with_options(&self.x, &self.w_ih, &self.w_hh, &forward, &self.dh, &opts)
            .expect("lstm backward")
    }
}

/// Forward and forward + backward of one LSTM layer on the GPU adapter and the CPU.
pub fn lstm(c: &mut Criterion) {
    let request = DeviceRequest {
        device: DeviceChoice::Gpu,
        backend: None,
        allow_software: true,
    };
    let gpu = ComputeDevice::open(&request)
        .map_err(|err| eprintln!("no GPU adapter, benchmarking the LSTM on the CPU only: {err}"))
        .ok()
        .and_then(|device| device.gpu().cloned());
    let software = gpu
        .as_ref()
        .is_some_and(|ctx| ctx.adapter_info().device_type == wgpu::DeviceType::Cpu);
    let full = std::env::var("ATB_BENCH_FULL").is_ok_and(|v| v == "1");
    let mut group = c.benchmark_group("lstm");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    for batch in [32, 256] {
        for hidden in [64, 128, 256] {
            let label = format!("b{batch}_t{STEPS}_f{FEATURES}_h{hidden}");
            let forward_flops = 2 * (batch * STEPS * 4 * hidden * (FEATURES + hidden)) as u64;
            let layer = Layer::new(batch, hidden);
            let gpu_here = gpu
                .as_ref()
                .filter(|_| full || !software || (batch == 32 && hidden == 64));
            if let Some(ctx) = gpu_here {
                let device = ComputeDevice::Gpu(ctx.clone());
                let on_gpu = layer.to_device(&device);
                // Auto (the sequence kernel at these sizes) and the per-step path, to show
                // what keeping the state on chip saves.
                for (name, path) in [("gpu", LstmPath::Auto), ("gpu_per_step", LstmPath::PerStep)] {
                    group.throughput(Throughput::Elements(forward_flops));
                    group.bench_function(
                        BenchmarkId::new(format!("{name}_forward"), &label),
                        |b| {
                            b.iter(|| {
                                let out = on_gpu.forward(path);
                                ctx.synchronize().expect("gpu");
                                out
                            })
                        },
                    );
                    group.throughput(Throughput::Elements(3 * forward_flops));
                    let id = BenchmarkId::new(format!("{name}_forward_backward"), &label);
                    group.bench_function(id, |b| {
                        b.iter(|| {
                            let out = on_gpu.forward_backward(path);
                            ctx.synchronize().expect("gpu");
                            out
                        })
                    });
                }
            }
            if full || batch == 32 {
                group.throughput(Throughput::Elements(forward_flops));
                group.bench_function(BenchmarkId::new("cpu_forward", &label), |b| {
                    b.iter(|| layer.forward(LstmPath::Auto))
                });
                group.throughput(Throughput::Elements(3 * forward_flops));
                group.bench_function(BenchmarkId::new("cpu_forward_backward", &label), |b| {
                    b.iter(|| layer.forward_backward(LstmPath::Auto))
                });
            }
        }
    }
    group.finish();
}
