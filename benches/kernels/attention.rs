//! Multi-head self-attention throughput at the guide's Attention-LSTM shape (T = 60, 4 heads,
//! key_dim = value_dim = 64) for batch 32 and 256: forward (with the weights returned, as
//! training keeps them) and forward + backward, on the GPU adapter and on the CPU reference.
//!
//! Throughput counts floating-point operations: forward 2·B·H·T²·(dk + dv) (scores and weighted
//! sum, unmasked), backward twice that, so criterion's "Gelem/s" reads as GFLOP/s. Software
//! adapters run batch 32 only unless `ATB_BENCH_FULL=1`.

use std::time::Duration;

use atb_gpu::ops::{self, AttentionOptions, AttentionShape};
use atb_gpu::{ComputeDevice, DeviceChoice, DeviceRequest, Tensor};
use criterion::{BenchmarkId, Criterion, Throughput};

const STEPS: usize = 60;
const HEADS: usize = 4;
const KEY_DIM: usize = 64;

const OPTIONS: AttentionOptions = AttentionOptions {
    num_heads: HEADS,
    causal: false,
    return_weights: true,
};

/// q, k, v and an upstream gradient of the output.
struct Operands {
    q: Tensor,
    k: Tensor,
    v: Tensor,
    d_out: Tensor,
}

impl Operands {
    fn new(batch: usize) -> Operands {
        let shape = [batch, STEPS, HEADS * KEY_DIM];
        Operands {
            q: super::random_tensor(&shape, 1),
            k: super::random_tensor(&shape, 2),
            v: super::random_tensor(&shape, 3),
            d_out: super::random_tensor(&shape, 4),
        }
    }

    fn to_device(&self, device: &ComputeDevice) -> Operands {
        let up = |t: &Tensor| t.to_device(device).expect("upload");
        Operands {
            q: up(&self.q),
            k: up(&self.k),
            v: up(&self.v),
            d_out: up(&self.d_out),
        }
    }

    fn forward(&self) -> ops::AttentionForward {
        ops::attention(&self.q, &self.k, &self.v, &OPTIONS).expect("attention forward")
    }

    fn forward_backward(&self) -> ops::AttentionGrads {
        let forward = self.forward();
        ops::attention_backward(
            &self.q,
            &self.k,
            &self.v,
            forward.weights.as_ref(),
            &self.d_out,
            &OPTIONS,
        )
        .expect("attention backward")
    }
}

/// Forward and forward + backward of the attention core on the GPU adapter and the CPU.
pub fn attention(c: &mut Criterion) {
    let request = DeviceRequest {
        device: DeviceChoice::Gpu,
        backend: None,
        allow_software: true,
    };
    let gpu = ComputeDevice::open(&request)
        .map_err(|err| eprintln!("no GPU adapter, benchmarking attention on the CPU only: {err}"))
        .ok()
        .and_then(|device| device.gpu().cloned());
    let software = gpu
        .as_ref()
        .is_some_and(|ctx| ctx.adapter_info().device_type == wgpu::DeviceType::Cpu);
    let full = std::env::var("ATB_BENCH_FULL").is_ok_and(|v| v == "1");
    let mut group = c.benchmark_group("attention");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    for batch in [32, 256] {
        let label = format!("b{batch}_t{STEPS}_h{HEADS}_dk{KEY_DIM}");
        let shape = AttentionShape {
            batch,
            seq_len: STEPS,
            num_heads: HEADS,
            key_dim: KEY_DIM,
            value_dim: KEY_DIM,
        };
        let forward_flops = shape.forward_flops();
        let operands = Operands::new(batch);
        if let Some(ctx) = gpu.as_ref().filter(|_| full || !software || batch == 32) {
            let on_gpu = operands.to_device(&ComputeDevice::Gpu(ctx.clone()));
            group.throughput(Throughput::Elements(forward_flops));
            group.bench_function(BenchmarkId::new("gpu_forward", &label), |b| {
                b.iter(|| {
                    let out = on_gpu.forward();
                    ctx.synchronize().expect("gpu");
                    out
                })
            });
            group.throughput(Throughput::Elements(3 * forward_flops));
            group.bench_function(BenchmarkId::new("gpu_forward_backward", &label), |b| {
                b.iter(|| {
                    let out = on_gpu.forward_backward();
                    ctx.synchronize().expect("gpu");
                    out
                })
            });
        }
        group.throughput(Throughput::Elements(forward_flops));
        group.bench_function(BenchmarkId::new("cpu_forward", &label), |b| {
            b.iter(|| operands.forward())
        });
        group.throughput(Throughput::Elements(3 * forward_flops));
        group.bench_function(BenchmarkId::new("cpu_forward_backward", &label), |b| {
            b.iter(|| operands.forward_backward())
        });
    }
    group.finish();
}
