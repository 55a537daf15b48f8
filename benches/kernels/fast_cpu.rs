//! The fast CPU path beside the readable reference it replaces, at the models' shapes
//! (batch 32, T = 60): LSTM H = 64 over F = 15 (forward + backward), conv1d 64 → 64
//! channels, k = 5, d = 4 (forward + both gradients), attention 4 heads × 16 (forward +
//! backward). `cargo bench --bench kernels -- fast_cpu`; the fast path uses every core.

use std::time::Duration;

use atb_gpu::cpu;
use atb_gpu::ops::{AttentionShape, Conv1dShape, LstmShape};
use criterion::Criterion;

fn values(len: usize, seed: u32) -> Vec<f32> {
    super::random_tensor(&[len], seed)
        .to_vec()
        .expect("CPU tensor")
}

/// Fast path vs reference for the three sequence operations.
pub fn fast_cpu(c: &mut Criterion) {
    let mut group = c.benchmark_group("fast_cpu");
    group
        .measurement_time(Duration::from_secs(3))
        .sample_size(10);

    let l = LstmShape {
        batch: 32,
        steps: 60,
        features: 15,
        hidden: 64,
    };
    let (x, w_ih, w_hh, bias) = (
        values(32 * 60 * 15, 1),
        values(15 * 256, 2),
        values(64 * 256, 3),
        values(256, 4),
    );
    let dh = values(l.state_len(), 5);
    group.bench_function("lstm_b32_h64/fast", |b| {
        b.iter(|| {
            let s = cpu::fast::lstm::forward(&x, &w_ih, &w_hh, &bias, &l);
            cpu::fast::lstm::backward(&x, &w_ih, &w_hh, s.as_ref(), &dh, &l)
        })
    });
    group.bench_function("lstm_b32_h64/reference", |b| {
        b.iter(|| {
            let s = cpu::lstm::forward(&x, &w_ih, &w_hh, &bias, &l);
            cpu::lstm::backward(&x, &w_ih, &w_hh, s.as_ref(), &dh, &l)
        })
    });

    let cs = Conv1dShape {
        batch: 32,
        time: 60,
        in_channels: 64,
        out_channels: 64,
        kernel_size: 5,
        dilation: 4,
    };
    let (cx, cw, cdy) = (
        values(32 * 60 * 64, 6),
        values(5 * 64 * 64, 7),
        values(32 * 60 * 64, 8),
    );
    group.bench_function("conv1d_b32_c64_k5/fast", |b| {
        b.iter(|| {
            (
                cpu::fast::conv1d::conv1d_forward(&cx, &cw, None, &cs),
                cpu::fast::conv1d::conv1d_backward_input(&cw, &cdy, &cs),
                cpu::fast::conv1d::conv1d_backward_weight(&cx, &cdy, &cs),
            )
        })
    });
    group.bench_function("conv1d_b32_c64_k5/reference", |b| {
        b.iter(|| {
            (
                cpu::conv1d::conv1d_forward(&cx, &cw, None, &cs),
                cpu::conv1d::conv1d_backward_input(&cw, &cdy, &cs),
                cpu::conv1d::conv1d_backward_weight(&cx, &cdy, &cs),
            )
        })
    });

    let a = AttentionShape {
        batch: 32,
        seq_len: 60,
        num_heads: 4,
        key_dim: 16,
        value_dim: 16,
    };
    let len = 32 * 60 * 64;
    let (q, k, v, d_out) = (
        values(len, 9),
        values(len, 10),
        values(len, 11),
        values(len, 12),
    );
    group.bench_function("attention_b32_h4x16/fast", |b| {
        b.iter(|| {
            let (_, p) = cpu::fast::attention::forward(&q, &k, &v, &a, false);
            cpu::fast::attention::backward(&q, &k, &v, &p, &d_out, &a, false)
        })
    });
    group.bench_function("attention_b32_h4x16/reference", |b| {
        b.iter(|| {
            let (_, p) = cpu::attention::forward(&q, &k, &v, &a, false);
            cpu::attention::backward(&q, &k, &v, &p, &d_out, &a, false)
        })
    });
    group.finish();
}
