//! `shaders/lstm.wgsl` (both the sequence and the per-step paths) vs `cpu::lstm`, and
//! `cpu::lstm`'s backward vs central finite differences in f64.
//!
//! Tolerances: forward values within the DESIGN.md contract max(1e-5 abs, 1e-4 rel) (the
//! recurrence contracts errors: every step multiplies them by σ' ≤ 1/4 or tanh' ≤ 1, and the
//! weights are scaled like a Glorot initialisation); gradients within 1e-3 relative with a
//! 1e-5 absolute floor for elements that sum to about zero.

use atb_gpu::cpu::lstm as cpu_lstm;
use atb_gpu::kernels::lstm::{
    Pass, TileLimits, sequence_tile, weight_gradient_chunks, workgroup_bytes,
};
use atb_gpu::ops::{self, LstmForward, LstmOptions, LstmPath, LstmShape};
use atb_gpu::{AtbError, Tensor};

use crate::common::{assert_close, assert_within, ctx, gpu, random};

/// The operands of one test case (CPU tensors), weights scaled by 1/√fan-in.
struct Case {
    shape: LstmShape,
    x: Tensor,
    w_ih: Tensor,
    w_hh: Tensor,
    bias: Tensor,
    dh: Tensor,
}

fn scaled(shape: &[usize], seed: u64, scale: f32) -> Tensor {
    let len = shape.iter().product();
    let data = random(len, seed).into_iter().map(|v| v * scale).collect();
    Tensor::from_vec(shape, data).unwrap()
}

fn case(batch: usize, steps: usize, features: usize, hidden: usize, seed: u64) -> Case {
    let g4 = 4 * hidden;
    Case {
        shape: LstmShape {
            batch,
            steps,
            features,
            hidden,
        },
        x: scaled(&[batch, steps, features], seed, 1.0),
        w_ih: scaled(&[features, g4], seed + 1, 1.0 / (features as f32).sqrt()),
        w_hh: scaled(&[hidden, g4], seed + 2, 1.0 / (hidden as f32).sqrt()),
        bias: scaled(&[g4], seed + 3, 0.5),
        dh: scaled(&[batch, steps, hidden], seed + 4, 1.0),
    }
}

fn on_gpu(t: &Tensor) -> Tensor {
    t.to_device(&gpu()).unwrap()
}

fn values(t: &Tensor) -> Vec<f32> {
    t.to_vec().unwrap()
}

fn assert_grad_close(got: &Tensor, want: &Tensor, what: &str) {
    let want = values(want);
    assert_within(
        &values(got),
        &want,
        |i| 1e-5 + 1e-3 * f64::from(want[i].abs()),
        what,
    );
}

/// GPU forward and backward on `path` vs the CPU reference; returns the GPU results.
fn check_path(c: &Case, path: LstmPath) -> (LstmForward, ops::LstmGrads) {
    let opts = LstmOptions { path };
    let what = format!("{:?} {path:?}", c.shape);
    let want = ops::lstm(&c.x, &c.w_ih, &c.w_hh, &c.bias, &opts).unwrap();
    let (x, w_ih, w_hh, bias) = (
        on_gpu(&c.x),
        on_gpu(&c.w_ih),
        on_gpu(&c.w_hh),
        on_gpu(&c.bias),
    );
    let got = ops::lstm(&x, &w_ih, &w_hh, &bias, &opts).unwrap();
    let (b, t, h) = (c.shape.batch, c.shape.steps, c.shape.hidden);
    assert_eq!(got.h.shape(), &[b, t, h]);
    assert_eq!(got.c.shape(), &[b, t, h]);
    assert_eq!(got.gates.shape(), &[b, t, 4 * h]);
    assert_close(&values(&got.h), &values(&want.h), &format!("h {what}"));
    assert_close(&values(&got.c), &values(&want.c), &format!("c {what}"));
    assert_close(
        &values(&got.gates),
        &values(&want.gates),
        &format!("gates {what}"),
    );

    let want_grads =
        ops::lstm_backward_with_options(&c.x, &c.w_ih, &c.w_hh, &want, &c.dh, &opts).unwrap();
    let got_grads =
        ops::lstm_backward_with_options(&x, &w_ih, &w_hh, &got, &on_gpu(&c.dh), &opts).unwrap();
    for (name, g, w) in [
        ("dx", &got_grads.dx, &want_grads.dx),
        ("dw_ih", &got_grads.dw_ih, &want_grads.dw_ih),
        ("dw_hh", &got_grads.dw_hh, &want_grads.dw_hh),
        ("dbias", &got_grads.dbias, &want_grads.dbias),
    ] {
        assert_eq!(g.shape(), w.shape(), "{name} {what}");
        assert_grad_close(g, w, &format!("{name} {what}"));
    }
    (got, got_grads)
}

/// Both GPU paths vs the CPU and vs each other.
fn check(batch: usize, steps: usize, features: usize, hidden: usize, seed: u64) {
    let c = case(batch, steps, features, hidden, seed);
    let (seq, seq_grads) = check_path(&c, LstmPath::Sequence);
    let (step, step_grads) = check_path(&c, LstmPath::PerStep);
    let what = format!("sequence vs per-step {:?}", c.shape);
    assert_close(&values(&seq.h), &values(&step.h), &format!("h {what}"));
    assert_close(&values(&seq.c), &values(&step.c), &format!("c {what}"));
    for (name, a, b) in [
        ("dx", &seq_grads.dx, &step_grads.dx),
        ("dw_ih", &seq_grads.dw_ih, &step_grads.dw_ih),
        ("dw_hh", &seq_grads.dw_hh, &step_grads.dw_hh),
        ("dbias", &seq_grads.dbias, &step_grads.dbias),
    ] {
        assert_grad_close(a, b, &format!("{name} {what}"));
    }
}

#[test]
fn single_step_and_single_unit() {
    check(1, 1, 1, 1, 1);
    check(5, 1, 15, 7, 2);
    check(1, 6, 1, 1, 3);
}

#[test]
fn hidden_sizes_off_the_workgroup_size() {
    // These hidden sizes split each recurrent dot product over several threads.
    let limits = TileLimits::of(&ctx());
    for (hidden, pass) in [(33, Pass::Forward), (65, Pass::Backward)] {
        assert!(sequence_tile(pass, 3, hidden, limits).unwrap().ksplit > 1);
    }
    check(5, 4, 15, 7, 10);
    check(2, 3, 1, 33, 11);
    check(3, 5, 15, 65, 12);
}

#[test]
fn partial_row_tiles_and_several_units_per_thread() {
    // 129 rows: two rows per workgroup, the last workgroup half empty.
    let limits = TileLimits::of(&ctx());
    assert_eq!(
        sequence_tile(Pass::Forward, 129, 5, limits).unwrap().rows,
        2
    );
    check(129, 3, 2, 5, 20);
    // 257 units on at most 256 lanes: one lane owns two units (and its splits two chunks).
    check(2, 2, 3, 257, 21);
}

/// A one-unit LSTM over two steps, written out by hand (gate order i, f, g, o).
#[test]
fn scalar_lstm_matches_hand_computation() {
    let sig = |v: f64| 1.0 / (1.0 + (-v).exp());
    let (x, w_ih, w_hh, bias) = (
        [0.5f32, -1.5],
        [0.3f32, -0.2, 0.7, 0.1],
        [0.4f32, 0.6, -0.5, 0.9],
        [0.05f32, -0.1, 0.2, 0.0],
    );
    let (mut h, mut c) = (0.0f64, 0.0f64);
    let mut want = Vec::new();
    for &xt in &x {
        let z: Vec<f64> = (0..4)
            .map(|q| f64::from(xt * w_ih[q]) + h * f64::from(w_hh[q]) + f64::from(bias[q]))
            .collect();
        c = sig(z[1]) * c + sig(z[0]) * z[2].tanh();
        h = sig(z[3]) * c.tanh();
        want.push(h as f32);
    }
    let tensor = |shape: &[usize], data: &[f32]| Tensor::from_vec(shape, data.to_vec()).unwrap();
    let (xt, wi, wh, b) = (
        tensor(&[1, 2, 1], &x),
        tensor(&[1, 4], &w_ih),
        tensor(&[1, 4], &w_hh),
        tensor(&[4], &bias),
    );
    for path in [LstmPath::Sequence, LstmPath::PerStep] {
        let opts = LstmOptions { path };
        let cpu = ops::lstm(&xt, &wi, &wh, &b, &opts).unwrap();
        assert_close(&values(&cpu.h), &want, "cpu");
        let gpu = ops::lstm(&on_gpu(&xt), &on_gpu(&wi), &on_gpu(&wh), &on_gpu(&b), &opts).unwrap();
        assert_close(&values(&gpu.h), &want, &format!("gpu {path:?}"));
    }
}

/// Σ h·r of the f64 CPU forward.
fn loss(c: &Case64, x: &[f64], w_ih: &[f64], w_hh: &[f64], bias: &[f64]) -> f64 {
    let state = cpu_lstm::forward(x, w_ih, w_hh, bias, &c.shape);
    state.h.iter().zip(&c.r).map(|(h, r)| h * r).sum()
}

struct Case64 {
    shape: LstmShape,
    params: [Vec<f64>; 4],
    r: Vec<f64>,
}

#[test]
fn cpu_gradients_match_finite_differences() {
    for (seed, &(batch, steps, features, hidden)) in [(1, 1, 1, 1), (2, 3, 2, 3), (3, 4, 1, 2)]
        .iter()
        .enumerate()
    {
        let c = case(batch, steps, features, hidden, 40 + seed as u64);
        let to64 = |t: &Tensor| -> Vec<f64> { values(t).into_iter().map(f64::from).collect() };
        // Larger weights than `case` so the gates leave their linear range.
        let big = |t: &Tensor| -> Vec<f64> { to64(t).into_iter().map(|v| 2.0 * v).collect() };
        let c64 = Case64 {
            shape: c.shape,
            params: [to64(&c.x), big(&c.w_ih), big(&c.w_hh), big(&c.bias)],
            r: to64(&c.dh),
        };
        let [x, w_ih, w_hh, bias] = &c64.params;
        let state = cpu_lstm::forward(x, w_ih, w_hh, bias, &c.shape);
        let grads = cpu_lstm::backward(x, w_ih, w_hh, state.as_ref(), &c64.r, &c.shape);
        let analytic = [&grads.dx, &grads.dw_ih, &grads.dw_hh, &grads.dbias];
        let eps = 1e-6;
        for (which, name) in ["x", "w_ih", "w_hh", "bias"].iter().enumerate() {
            for index in 0..c64.params[which].len() {
                let shifted = |delta: f64| {
                    let mut p = c64.params.clone();
                    p[which][index] += delta;
                    loss(&c64, &p[0], &p[1], &p[2], &p[3])
                };
                let numeric = (shifted(eps) - shifted(-eps)) / (2.0 * eps);
                let got = analytic[which][index];
                assert!(
                    (got - numeric).abs() <= 1e-7 + 1e-6 * numeric.abs(),
                    "{:?} d{name}[{index}]: analytic {got}, finite difference {numeric}",
                    c.shape
                );
            }
        }
    }
}

#[test]
fn sequence_tiles_follow_the_workgroup_memory_rule() {
    let limits = TileLimits {
        workgroup_storage: 32 << 10,
        threads: 1024,
    };
    let tile = |pass, batch, hidden| {
        sequence_tile(pass, batch, hidden, limits).map(|t| (t.rows, t.ksplit, t.threads))
    };
    // Small batch: one row per workgroup; each dot product split while chunks keep 16 terms.
    assert_eq!(tile(Pass::Forward, 32, 64), Some((1, 4, 256)));
    assert_eq!(tile(Pass::Forward, 4096, 7), Some((8, 1, 32)));
    // Large batch: 4 rows per workgroup leave 64 workgroups; the split shrinks to fit memory.
    assert_eq!(tile(Pass::Forward, 256, 128), Some((4, 2, 256)));
    assert!(workgroup_bytes(Pass::Forward, 4, 4, 128) > u64::from(limits.workgroup_storage));
    // Splits are capped by the thread limit, then split and rows shrink to fit memory.
    assert_eq!(tile(Pass::Forward, 32, 300), Some((1, 4, 1024)));
    assert_eq!(tile(Pass::Backward, 4096, 300), Some((4, 1, 256)));
    assert!(workgroup_bytes(Pass::Backward, 8, 1, 300) > u64::from(limits.workgroup_storage));
    let few_threads = TileLimits {
        threads: 256,
        ..limits
    };
    assert_eq!(
        sequence_tile(Pass::Forward, 32, 300, few_threads).map(|t| (t.ksplit, t.threads)),
        Some((1, 256))
    );
    // 24 bytes per hidden unit at ROWS = KSPLIT = 1; beyond that the per-step fallback.
    for pass in [Pass::Forward, Pass::Backward] {
        assert_eq!(tile(pass, 1, 1365), Some((1, 1, 256)));
        assert_eq!(tile(pass, 1, 1366), None);
    }
}

#[test]
fn weight_gradients_are_split_into_whole_sequence_chunks() {
    // The GPU cases above run with 1, 2, 3 and 5 chunks (batch 1, 2, 129 and 5).
    for (batch, chunks) in [
        (1, 1),
        (2, 2),
        (5, 5),
        (129, 3),
        (32, 32),
        (256, 32),
        (97, 1),
    ] {
        assert_eq!(weight_gradient_chunks(batch), chunks, "batch {batch}");
    }
}

#[test]
fn auto_falls_back_to_per_step_when_the_tile_does_not_fit() {
    let limits = TileLimits::of(&ctx());
    // The smallest hidden size whose tiles do not fit this adapter (24 bytes per unit).
    let hidden = (limits.workgroup_storage / 24 + 1) as usize;
    assert!(sequence_tile(Pass::Forward, 1, hidden - 1, limits).is_some());
    assert!(sequence_tile(Pass::Backward, 1, hidden, limits).is_none());
    let c = case(1, 2, 1, hidden, 50);
    let (x, w_ih, w_hh) = (on_gpu(&c.x), on_gpu(&c.w_ih), on_gpu(&c.w_hh));
    let auto = LstmOptions::default();
    let fwd = ops::lstm(&x, &w_ih, &w_hh, &on_gpu(&c.bias), &auto).unwrap();
    let want = ops::lstm(&c.x, &c.w_ih, &c.w_hh, &c.bias, &auto).unwrap();
    assert_close(&values(&fwd.h), &values(&want.h), "h");
    let dh = on_gpu(&c.dh);
    let got = ops::lstm_backward(&x, &w_ih, &w_hh, &fwd, &dh).unwrap();
    let want_grads = ops::lstm_backward(&c.x, &c.w_ih, &c.w_hh, &want, &c.dh).unwrap();
    assert_grad_close(&got.dw_hh, &want_grads.dw_hh, "dw_hh");
    assert_grad_close(&got.dx, &want_grads.dx, "dx");
    let forced = LstmOptions {
        path: LstmPath::Sequence,
    };
    let err = ops::lstm_backward_with_options(&x, &w_ih, &w_hh, &fwd, &dh, &forced).unwrap_err();
    assert!(matches!(err, AtbError::WorkgroupMemory { .. }), "{err}");
}

#[test]
fn bad_shapes_are_clear_errors() {
    let c = case(2, 3, 4, 5, 60);
    let opts = LstmOptions::default();
    let expect = |x: &Tensor, w_ih: &Tensor, w_hh: &Tensor, bias: &Tensor, needle: &str| {
        let err = ops::lstm(x, w_ih, w_hh, bias, &opts).unwrap_err();
        assert!(matches!(err, AtbError::Shape { op: "lstm", .. }), "{err}");
        assert!(err.to_string().contains(needle), "{err}");
    };
    let t = |shape: &[usize]| scaled(shape, 1, 1.0);
    expect(&t(&[2, 12]), &c.w_ih, &c.w_hh, &c.bias, "x must be");
    expect(&c.x, &t(&[3, 20]), &c.w_hh, &c.bias, "W_ih must be");
    expect(&c.x, &c.w_ih, &t(&[5, 19]), &c.bias, "W_hh must be");
    expect(&c.x, &c.w_ih, &c.w_hh, &t(&[21]), "bias must be");
    expect(&t(&[0, 3, 4]), &c.w_ih, &c.w_hh, &c.bias, "at least 1");
    let fwd = ops::lstm(&c.x, &c.w_ih, &c.w_hh, &c.bias, &opts).unwrap();
    let err = ops::lstm_backward(&c.x, &c.w_ih, &c.w_hh, &fwd, &t(&[2, 3, 4])).unwrap_err();
    assert!(err.to_string().contains("dh must be"), "{err}");
    let mixed = ops::lstm(&on_gpu(&c.x), &c.w_ih, &c.w_hh, &c.bias, &opts).unwrap_err();
    assert!(matches!(mixed, AtbError::DeviceMismatch { .. }), "{mixed}");
}
