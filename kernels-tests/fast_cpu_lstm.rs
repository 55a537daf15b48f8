//! `cpu::fast::lstm` (batched GEMMs, fused gates, batch slices on threads) against the
//! reference `cpu::lstm`, forward and every gradient, on odd shapes: a single sample, step,
//! feature or unit; batches that do not divide into the thread count; T = 1. The bound is the
//! one derived in `fast_cpu_check`; the longest sum behind one element is F + H + 1 terms
//! per step for the forward and dx/dh, and B·T terms for the weight and bias gradients.

use atb_gpu::cpu::fast::lstm as fast;
use atb_gpu::cpu::lstm as reference;
use atb_gpu::ops::LstmShape;

use crate::common::random;
use crate::fast_cpu_check::{
    assert_as_accurate, assert_thread_count_invariant, wide, with_threads,
};

struct Operands {
    shape: LstmShape,
    x: Vec<f32>,
    w_ih: Vec<f32>,
    w_hh: Vec<f32>,
    bias: Vec<f32>,
    dh: Vec<f32>,
}

fn operands(batch: usize, steps: usize, features: usize, hidden: usize, seed: u64) -> Operands {
    let g4 = 4 * hidden;
    let scaled = |len: usize, seed: u64, scale: f32| -> Vec<f32> {
        random(len, seed).into_iter().map(|v| v * scale).collect()
    };
    Operands {
        shape: LstmShape {
            batch,
            steps,
            features,
            hidden,
        },
        x: scaled(batch * steps * features, seed, 1.0),
        w_ih: scaled(features * g4, seed + 1, 1.0 / (features as f32).sqrt()),
        w_hh: scaled(hidden * g4, seed + 2, 1.0 / (hidden as f32).sqrt()),
        bias: scaled(g4, seed + 3, 0.5),
        dh: scaled(batch * steps * hidden, seed + 4, 1.0),
    }
}

fn check(o: &Operands, threads: usize) {
    let s = &o.shape;
    let what = format!("{s:?} on {threads} threads");
    let fwd = with_threads(threads, || {
        fast::forward(&o.x, &o.w_ih, &o.w_hh, &o.bias, s)
    });
    let grads = with_threads(threads, || {
        fast::backward(&o.x, &o.w_ih, &o.w_hh, fwd.as_ref(), &o.dh, s)
    });
    let ref32 = reference::forward(&o.x, &o.w_ih, &o.w_hh, &o.bias, s);
    let grads32 = reference::backward(&o.x, &o.w_ih, &o.w_hh, ref32.as_ref(), &o.dh, s);
    let (x, w_ih, w_hh, bias, dh) = (
        wide(&o.x),
        wide(&o.w_ih),
        wide(&o.w_hh),
        wide(&o.bias),
        wide(&o.dh),
    );
    let ref64 = reference::forward(&x, &w_ih, &w_hh, &bias, s);
    let grads64 = reference::backward(&x, &w_ih, &w_hh, ref64.as_ref(), &dh, s);
    let step_terms = s.features + s.hidden + 1;
    let all_rows = s.batch * s.steps;
    assert_as_accurate(&fwd.h, &ref32.h, &ref64.h, step_terms, &format!("{what} h"));
    assert_as_accurate(&fwd.c, &ref32.c, &ref64.c, step_terms, &format!("{what} c"));
    assert_as_accurate(
        &fwd.gates,
        &ref32.gates,
        &ref64.gates,
        step_terms,
        &format!("{what} gates"),
    );
    assert_as_accurate(
        &grads.dx,
        &grads32.dx,
        &grads64.dx,
        4 * s.hidden,
        &format!("{what} dx"),
    );
    assert_as_accurate(
        &grads.dw_ih,
        &grads32.dw_ih,
        &grads64.dw_ih,
        all_rows,
        &format!("{what} dW_ih"),
    );
    assert_as_accurate(
        &grads.dw_hh,
        &grads32.dw_hh,
        &grads64.dw_hh,
        all_rows,
        &format!("{what} dW_hh"),
    );
    assert_as_accurate(
        &grads.dbias,
        &grads32.dbias,
        &grads64.dbias,
        all_rows,
        &format!("{what} dbias"),
    );
}

#[test]
fn fast_lstm_matches_the_reference_on_odd_shapes() {
    for (i, &(b, t, f, h)) in [
        (1, 1, 1, 1),
        (7, 1, 3, 5),
        (1, 7, 1, 33),
        (33, 7, 5, 7),
        (7, 33, 7, 1),
        (5, 9, 33, 16),
    ]
    .iter()
    .enumerate()
    {
        for threads in [1, 3] {
            check(&operands(b, t, f, h, 100 + i as u64), threads);
        }
    }
}

#[test]
fn fast_lstm_is_bit_identical_for_any_thread_count() {
    // 33·7 = 231 rows: several GEMM row blocks and uneven batch slices.
    let o = operands(33, 7, 5, 7, 7);
    let s = o.shape;
    assert_thread_count_invariant(
        || {
            let fwd = fast::forward(&o.x, &o.w_ih, &o.w_hh, &o.bias, &s);
            let grads = fast::backward(&o.x, &o.w_ih, &o.w_hh, fwd.as_ref(), &o.dh, &s);
            (fwd, grads)
        },
        "lstm",
    );
}
