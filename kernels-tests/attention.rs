//! `shaders/attention.wgsl` vs `cpu::attention`, and `cpu::attention` vs central finite
//! differences in f64.
//!
//! Tolerances: outputs and weights meet the forward contract max(1e-5 abs, 1e-4 rel) (inputs in
//! [-1, 1], T <= 60, dk <= 128: observed differences stay below 2e-7). Gradients: 1e-3 relative
//! to the element, with a floor of 1e-4 of the tensor's largest magnitude for entries that
//! cancel to nearly zero (dS = P ⊙ (dP − D) subtracts nearly equal numbers).

use atb_gpu::autograd::Tape;
use atb_gpu::cpu;
use atb_gpu::nn::{self, ParamBuilder};
use atb_gpu::ops::{self, AttentionOptions, AttentionShape};
use atb_gpu::{AtbError, ComputeDevice, Tensor};

use crate::common::{assert_close, assert_within, gpu, random, random_tensor};

/// (batch, time, heads, key_dim, value_dim)
type Dims = (usize, usize, usize, usize, usize);

fn options(heads: usize, causal: bool) -> AttentionOptions {
    AttentionOptions {
        num_heads: heads,
        causal,
        return_weights: true,
    }
}

fn inputs((b, t, h, dk, dv): Dims, seed: u64) -> [Tensor; 3] {
    [
        random_tensor(&[b, t, h * dk], seed),
        random_tensor(&[b, t, h * dk], seed + 1),
        random_tensor(&[b, t, h * dv], seed + 2),
    ]
}

fn on_gpu(tensors: &[Tensor]) -> Vec<Tensor> {
    tensors
        .iter()
        .map(|t| t.to_device(&gpu()).unwrap())
        .collect()
}

fn assert_gradient_close(got: &[f32], want: &[f32], what: &str) {
    let largest = want.iter().fold(0.0f64, |m, &x| m.max(f64::from(x.abs())));
    assert_within(
        got,
        want,
        |i| 1e-3 * f64::from(want[i].abs()) + 1e-4 * largest,
        what,
    );
}

fn check(dims: Dims, causal: bool, seed: u64) {
    let (b, t, h, dk, dv) = dims;
    let what = format!("B {b} T {t} H {h} dk {dk} dv {dv} causal {causal}");
    let opts = options(h, causal);
    let [q, k, v] = inputs(dims, seed);
    let d_out = random_tensor(&[b, t, h * dv], seed + 3);
    let cpu_fwd = ops::attention(&q, &k, &v, &opts).unwrap();
    let cpu_weights = cpu_fwd.weights.as_ref().unwrap();
    let cpu_grads = ops::attention_backward(&q, &k, &v, Some(cpu_weights), &d_out, &opts).unwrap();

    let g = on_gpu(&[q, k, v, d_out]);
    let gpu_fwd = ops::attention(&g[0], &g[1], &g[2], &opts).unwrap();
    let gpu_weights = gpu_fwd.weights.as_ref().unwrap();
    assert_eq!(gpu_fwd.out.shape(), &[b, t, h * dv]);
    assert_eq!(gpu_weights.shape(), &[b, h, t, t]);
    let gpu_grads =
        ops::attention_backward(&g[0], &g[1], &g[2], Some(gpu_weights), &g[3], &opts).unwrap();

    assert_close(
        &gpu_fwd.out.to_vec().unwrap(),
        &cpu_fwd.out.to_vec().unwrap(),
        &format!("out {what}"),
    );
    assert_close(
        &gpu_weights.to_vec().unwrap(),
        &cpu_weights.to_vec().unwrap(),
        &format!("weights {what}"),
    );
    for (name, got, want) in [
        ("dq", &gpu_grads.dq, &cpu_grads.dq),
        ("dk", &gpu_grads.dk, &cpu_grads.dk),
        ("dv", &gpu_grads.dv, &cpu_grads.dv),
    ] {
        assert_eq!(got.shape(), want.shape(), "{name} {what}");
        assert_gradient_close(
            &got.to_vec().unwrap(),
            &want.to_vec().unwrap(),
            &format!("{name} {what}"),
        );
    }
}

const SHAPES: [Dims; 10] = [
    (1, 1, 1, 4, 4),
    (2, 1, 3, 5, 2),
    (2, 7, 2, 5, 3),
    (3, 7, 8, 3, 12),
    (1, 33, 4, 8, 8),
    (1, 33, 1, 64, 64),
    (2, 60, 4, 16, 16),
    (1, 60, 8, 5, 7),
    (1, 20, 1, 128, 128),
    (1, 257, 2, 4, 3),
];

#[test]
fn forward_weights_and_gradients_match_cpu() {
    for (seed, &dims) in SHAPES.iter().enumerate() {
        check(dims, false, 10 * seed as u64);
    }
}

#[test]
fn causal_forward_weights_and_gradients_match_cpu() {
    for (seed, &dims) in SHAPES.iter().enumerate() {
        check(dims, true, 10 * seed as u64 + 5);
    }
}

#[test]
fn guide_shape_matches_cpu() {
    // The guide's Attention-LSTM: T = 60, 4 heads, key_dim 64.
    check((2, 60, 4, 64, 64), false, 99);
    check((1, 60, 4, 64, 64), true, 98);
}

#[test]
fn large_scores_stay_finite_and_match_cpu() {
    // Inputs in [-8, 8]: scores up to 16·8²/sqrt(16) = 256, where exp overflows f32 unless the
    // row max is subtracted. A score's rounding error is at most (dk + 1)·ε·256, which moves an
    // output (|v| <= 8) by at most 2·8 times that.
    let dims = (2, 40, 2, 16, 8);
    let bound = 2.0 * 8.0 * 17.0 * f64::from(f32::EPSILON) * 256.0;
    let [q, _, v] = inputs(dims, 21).map(|x| Tensor::from_array(x.to_array().unwrap() * 8.0));
    // k = q: the diagonal scores |q_t|²/4 then exceed ln(f32::MAX) ≈ 88.7 somewhere.
    let largest_diagonal = q
        .to_vec()
        .unwrap()
        .chunks_exact(16)
        .map(|row| row.iter().map(|&x| f64::from(x * x)).sum::<f64>() / 4.0)
        .fold(0.0, f64::max);
    assert!(
        largest_diagonal > 88.8,
        "scores too small: {largest_diagonal}"
    );
    let scaled = [q.clone(), q, v];
    for causal in [false, true] {
        let opts = options(2, causal);
        let cpu_fwd = ops::attention(&scaled[0], &scaled[1], &scaled[2], &opts).unwrap();
        let g = on_gpu(&scaled);
        let gpu_fwd = ops::attention(&g[0], &g[1], &g[2], &opts).unwrap();
        let got = gpu_fwd.out.to_vec().unwrap();
        assert!(got.iter().all(|x| x.is_finite()), "non-finite output");
        assert_within(
            &got,
            &cpu_fwd.out.to_vec().unwrap(),
            |_| bound,
            &format!("large scores, causal {causal}"),
        );
        let weights = gpu_fwd.weights.unwrap().to_vec().unwrap();
        assert!(weights.iter().all(|p| p.is_finite() && *p >= 0.0));
    }
}

#[test]
fn weight_rows_sum_to_one_and_causal_weights_vanish() {
    let dims = (2, 33, 4, 6, 5);
    let g = on_gpu(&inputs(dims, 3));
    for causal in [false, true] {
        for (device, tensors) in [("gpu", g.clone()), ("cpu", inputs(dims, 3).to_vec())] {
            let fwd =
                ops::attention(&tensors[0], &tensors[1], &tensors[2], &options(4, causal)).unwrap();
            let weights = fwd.weights.unwrap().to_vec().unwrap();
            for (r, row) in weights.chunks_exact(33).enumerate() {
                let t = r % 33;
                let sum: f64 = row.iter().map(|&p| f64::from(p)).sum();
                assert!((sum - 1.0).abs() < 1e-5, "{device} row {r}: sum {sum}");
                assert!(row.iter().all(|&p| p >= 0.0), "{device} row {r}: {row:?}");
                if causal {
                    assert!(
                        row[t + 1..].iter().all(|&p| p == 0.0),
                        "{device} row {r} attends to the future: {row:?}"
                    );
                }
            }
        }
    }
}

/// Changes q, k and v at `time` (every batch entry and column).
fn perturbed(tensors: &[Tensor], time: usize) -> Vec<Tensor> {
    tensors
        .iter()
        .map(|x| {
            let mut a = x.to_array().unwrap();
            for (index, value) in a.indexed_iter_mut() {
                if index[1] == time {
                    *value = 2.0 - *value * 3.0;
                }
            }
            Tensor::from_array(a)
        })
        .collect()
}

#[test]
fn causal_outputs_ignore_the_future_bit_for_bit() {
    let dims = (2, 33, 2, 8, 5);
    let (t_len, width) = (33, 10);
    let opts = AttentionOptions {
        num_heads: 2,
        causal: true,
        return_weights: false,
    };
    let base = inputs(dims, 7).to_vec();
    for device in ["cpu", "gpu"] {
        let run = |tensors: &[Tensor]| {
            let tensors = if device == "gpu" {
                on_gpu(tensors)
            } else {
                tensors.to_vec()
            };
            let fwd = ops::attention(&tensors[0], &tensors[1], &tensors[2], &opts).unwrap();
            assert!(fwd.weights.is_none());
            fwd.out.to_vec().unwrap()
        };
        let reference = run(&base);
        for time in [0, 5, 15, 16, 32] {
            let changed = run(&perturbed(&base, time));
            for b in 0..2 {
                let row = |out: &[f32], t: usize| {
                    out[(b * t_len + t) * width..(b * t_len + t + 1) * width].to_vec()
                };
                for t in 0..time {
                    let (before, after) = (row(&reference, t), row(&changed, t));
                    let same = before
                        .iter()
                        .zip(&after)
                        .all(|(x, y)| x.to_bits() == y.to_bits());
                    assert!(same, "{device}: change at {time} moved output {t}");
                }
                assert_ne!(
                    row(&reference, time),
                    row(&changed, time),
                    "{device}: output {time} should depend on its own input"
                );
            }
        }
    }
}

/// Σ out·r in f64 through the CPU reference.
fn loss(q: &[f64], k: &[f64], v: &[f64], r: &[f64], shape: &AttentionShape, causal: bool) -> f64 {
    let (out, _) = cpu::attention::forward(q, k, v, shape, causal);
    out.iter().zip(r).map(|(o, r)| o * r).sum()
}

#[test]
fn cpu_gradients_match_central_finite_differences() {
    let to64 = |x: Vec<f32>| x.into_iter().map(f64::from).collect::<Vec<f64>>();
    for (dims, causal) in [
        ((2, 4, 2, 3, 2), false),
        ((2, 4, 2, 3, 2), true),
        ((1, 5, 1, 5, 4), true),
        ((1, 1, 2, 2, 3), false),
    ] {
        let (b, t, h, dk, dv) = dims;
        let shape = AttentionShape {
            batch: b,
            seq_len: t,
            num_heads: h,
            key_dim: dk,
            value_dim: dv,
        };
        let q = to64(random(b * t * h * dk, 1));
        let k = to64(random(b * t * h * dk, 2));
        let v = to64(random(b * t * h * dv, 3));
        let r = to64(random(b * t * h * dv, 4));
        let (_, weights) = cpu::attention::forward(&q, &k, &v, &shape, causal);
        let (dq, dk_grad, dv_grad) =
            cpu::attention::backward(&q, &k, &v, &weights, &r, &shape, causal);
        let step = 1e-6;
        for (name, which, analytic) in [("dq", 0, &dq), ("dk", 1, &dk_grad), ("dv", 2, &dv_grad)] {
            for i in 0..analytic.len() {
                let mut args = [q.clone(), k.clone(), v.clone()];
                args[which][i] += step;
                let up = loss(&args[0], &args[1], &args[2], &r, &shape, causal);
                args[which][i] -= 2.0 * step;
                let down = loss(&args[0], &args[1], &args[2], &r, &shape, causal);
                let numeric = (up - down) / (2.0 * step);
                assert!(
                    (numeric - analytic[i]).abs() <= 1e-8 + 1e-6 * analytic[i].abs(),
                    "{name}[{i}] {dims:?} causal {causal}: analytic {}, numeric {numeric}",
                    analytic[i]
                );
            }
        }
    }
}

#[test]
fn backward_recomputes_missing_weights_and_reruns_are_bit_identical() {
    let dims = (2, 19, 2, 6, 4);
    let opts = options(2, true);
    let mut tensors = inputs(dims, 11).to_vec();
    tensors.push(random_tensor(&[2, 19, 8], 14));
    for device_tensors in [tensors.clone(), on_gpu(&tensors)] {
        let [q, k, v, d_out] = &device_tensors[..] else {
            unreachable!("four tensors")
        };
        let fwd = ops::attention(q, k, v, &opts).unwrap();
        let given = ops::attention_backward(q, k, v, fwd.weights.as_ref(), d_out, &opts).unwrap();
        let again = ops::attention_backward(q, k, v, None, d_out, &opts).unwrap();
        for (a, b) in [
            (&given.dq, &again.dq),
            (&given.dk, &again.dk),
            (&given.dv, &again.dv),
        ] {
            let (a, b) = (a.to_vec().unwrap(), b.to_vec().unwrap());
            assert!(a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits()));
        }
        let rerun = ops::attention(q, k, v, &opts).unwrap();
        assert_eq!(
            fwd.out.to_vec().unwrap(),
            rerun.out.to_vec().unwrap(),
            "forward reruns differ"
        );
    }
}

#[test]
fn bad_shapes_are_clear_errors() {
    let expect = |result: Result<_, AtbError>, expected: &str| match result {
        Err(err @ AtbError::Shape { .. }) => {
            assert!(err.to_string().contains(expected), "{err}")
        }
        Err(err) => panic!("expected a shape error containing '{expected}', got {err}"),
        Ok(_) => panic!("expected a shape error containing '{expected}'"),
    };
    let t = |shape: &[usize]| random_tensor(shape, 1);
    let (q, v) = (t(&[2, 5, 12]), t(&[2, 5, 8]));
    let opts = options(4, false);
    let attention = |q: &Tensor, k: &Tensor, v: &Tensor, o: &AttentionOptions| {
        ops::attention(q, k, v, o).map(|_| ())
    };
    expect(
        attention(&q, &q, &v, &options(5, false)),
        "does not divide the q/k width 12",
    );
    expect(
        attention(&q, &q, &t(&[2, 5, 7]), &opts),
        "does not divide the v width 7",
    );
    expect(attention(&q, &q, &v, &options(0, false)), "num_heads is 0");
    expect(
        attention(&q, &t(&[2, 5, 8]), &v, &opts),
        "q width 12 and k width 8",
    );
    expect(
        attention(&q, &t(&[2, 4, 12]), &v, &opts),
        "share batch and time",
    );
    expect(
        attention(&q, &q, &t(&[3, 5, 8]), &opts),
        "share batch and time",
    );
    expect(attention(&t(&[5, 12]), &q, &v, &opts), "q must be 3-D");
    let fwd = ops::attention(&q, &q, &v, &opts).unwrap();
    expect(
        ops::attention_backward(&q, &q, &v, fwd.weights.as_ref(), &t(&[2, 5, 12]), &opts)
            .map(|_| ()),
        "d_out must have the output shape [2, 5, 8]",
    );
    expect(
        ops::attention_backward(&q, &q, &v, Some(&t(&[2, 4, 5, 4])), &t(&[2, 5, 8]), &opts)
            .map(|_| ()),
        "weights must have shape [B, H, T, T] = [2, 4, 5, 5]",
    );
    let wide = on_gpu(&[t(&[1, 3, 129]), t(&[1, 3, 2])]);
    expect(
        attention(&wide[0], &wide[0], &wide[1], &options(1, false)),
        "key_dim = 129 per head exceeds the 128",
    );
    let mixed = ops::attention(&q.to_device(&gpu()).unwrap(), &q, &v, &opts);
    assert!(matches!(mixed, Err(AtbError::DeviceMismatch { .. })));
}

#[test]
fn empty_batch_and_sequence_give_empty_results() {
    for (b, t) in [(0, 5), (2, 0)] {
        let g = on_gpu(&inputs((b, t, 2, 3, 4), 1));
        let fwd = ops::attention(&g[0], &g[1], &g[2], &options(2, true)).unwrap();
        assert_eq!(fwd.out.shape(), &[b, t, 8]);
        assert!(fwd.out.to_vec().unwrap().is_empty());
        let d_out = on_gpu(&[random_tensor(&[b, t, 8], 2)]);
        let grads =
            ops::attention_backward(&g[0], &g[1], &g[2], None, &d_out[0], &options(2, true))
                .unwrap();
        assert!(grads.dq.to_vec().unwrap().is_empty());
    }
}

/// `x·w + b` in f64 for x `[rows, f]`, w `[f, n]`.
fn dense64(x: &[f64], w: &[f32], b: &[f32], n: usize) -> Vec<f64> {
    let f = w.len() / n;
    x.chunks_exact(f)
        .flat_map(|row| {
            (0..n).map(move |j| {
                f64::from(b[j])
                    + row
                        .iter()
                        .enumerate()
                        .map(|(i, &xi)| xi * f64::from(w[i * n + j]))
                        .sum::<f64>()
            })
        })
        .collect()
}

#[test]
fn projected_self_attention_matches_an_f64_composition() {
    // `nn::MultiHeadAttention` projects to H·dk for queries, keys and values and back to F.
    let (b, t, f, h, dk) = (2, 13, 15, 4, 8);
    let (dv, f_out) = (dk, f);
    let x = random_tensor(&[b, t, f], 40);
    let params = [
        random_tensor(&[f, h * dk], 41),
        random_tensor(&[h * dk], 42),
        random_tensor(&[f, h * dk], 43),
        random_tensor(&[h * dk], 44),
        random_tensor(&[f, h * dv], 45),
        random_tensor(&[h * dv], 46),
        random_tensor(&[h * dv, f_out], 47),
        random_tensor(&[f_out], 48),
    ];
    let data: Vec<Vec<f32>> = params.iter().map(|p| p.to_vec().unwrap()).collect();
    let names = ["query", "key", "value", "attention_output"];
    let values: Vec<(String, Vec<f32>)> = names
        .iter()
        .enumerate()
        .flat_map(|(i, name)| {
            [
                (format!("mha/{name}/kernel"), data[2 * i].clone()),
                (format!("mha/{name}/bias"), data[2 * i + 1].clone()),
            ]
        })
        .collect();
    let x64: Vec<f64> = x.to_vec().unwrap().into_iter().map(f64::from).collect();
    let shape = AttentionShape {
        batch: b,
        seq_len: t,
        num_heads: h,
        key_dim: dk,
        value_dim: dv,
    };
    for causal in [false, true] {
        let q = dense64(&x64, &data[0], &data[1], h * dk);
        let k = dense64(&x64, &data[2], &data[3], h * dk);
        let v = dense64(&x64, &data[4], &data[5], h * dv);
        let (core, weights) = cpu::attention::forward(&q, &k, &v, &shape, causal);
        let want: Vec<f32> = dense64(&core, &data[6], &data[7], f_out)
            .into_iter()
            .map(|y| y as f32)
            .collect();
        let want_weights: Vec<f32> = weights.into_iter().map(|p| p as f32).collect();
        for (device_name, device) in [("cpu", ComputeDevice::Cpu), ("gpu", gpu())] {
            let mut builder = ParamBuilder::new(0);
            let mha = nn::MultiHeadAttention::new(&mut builder, "mha", f, h, dk, causal);
            let mut layer_params = builder.build(&device).unwrap();
            layer_params.load(&values).unwrap();
            let tape = Tape::new();
            let xv = tape.constant(x.to_device(&device).unwrap());
            let (out, fwd_weights) = mha.forward(&tape, &layer_params, &xv, true).unwrap();
            assert_eq!(out.shape(), &[b, t, f_out]);
            let what = format!("{device_name} causal {causal}");
            assert_close(
                &out.value().to_vec().unwrap(),
                &want,
                &format!("out {what}"),
            );
            assert_close(
                &fwd_weights.unwrap().to_vec().unwrap(),
                &want_weights,
                &format!("weights {what}"),
            );
        }
    }
    let mut builder = ParamBuilder::new(0);
    let mha = nn::MultiHeadAttention::new(&mut builder, "mha", f, h, dk, false);
    let layer_params = builder.build(&ComputeDevice::Cpu).unwrap();
    let tape = Tape::new();
    let bad = mha.forward(
        &tape,
        &layer_params,
        &tape.constant(random_tensor(&[t, f], 1)),
        false,
    );
    assert!(bad.unwrap_err().to_string().contains("must be 3-D"));
}
