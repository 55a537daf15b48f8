//! `cpu::fast::matmul` (the parallel GEMM, a batched left operand over a shared right one
//! folded into one tall product) against the reference `cpu::matmul`, every transpose and
//! batching combination, with bias and a 1-Lipschitz activation (ReLU).
//!
//! Bound (per element, rigorous; the derivation of `fast_cpu_conv1d`): both are f32 sums of
//! k + 1 terms, so they differ by at most 2·γ_{k+1}·Σ|terms|/(1 − γ), Σ|terms| being the
//! reference on the absolute values; ReLU does not increase a difference.

use atb_gpu::activation::Activation;
use atb_gpu::cpu::fast::matmul as fast;
use atb_gpu::cpu::matmul as reference;
use atb_gpu::ops::{MatmulOptions, MatmulShape};

use crate::common::{assert_within, random};
use crate::fast_cpu_check::{UNIT_ROUNDOFF, assert_thread_count_invariant, with_threads};

fn abs(v: &[f32]) -> Vec<f32> {
    v.iter().map(|x| x.abs()).collect()
}

#[test]
fn fast_matmul_matches_the_reference() {
    let (batch, m, k, n) = (3, 67, 7, 33);
    for a_batched in [false, true] {
        for b_batched in [false, true] {
            for (trans_a, trans_b) in [(false, false), (true, false), (false, true), (true, true)] {
                let shape = MatmulShape {
                    batch: if a_batched || b_batched { batch } else { 1 },
                    m,
                    n,
                    k,
                    a_batched,
                    b_batched,
                };
                let a = random(if a_batched { batch } else { 1 } * m * k, 1);
                let b = random(if b_batched { batch } else { 1 } * k * n, 2);
                let bias = random(n, 3);
                for activation in [Activation::None, Activation::Relu] {
                    let opts = MatmulOptions {
                        trans_a,
                        trans_b,
                        activation,
                    };
                    let what = format!("{shape:?} {opts:?}");
                    let got = with_threads(3, || fast::matmul(&a, &b, Some(&bias), &shape, &opts));
                    let want = reference::matmul(&a, &b, Some(&bias), &shape, &opts);
                    let plain = MatmulOptions {
                        activation: Activation::None,
                        ..opts
                    };
                    let magnitude =
                        reference::matmul(&abs(&a), &abs(&b), Some(&abs(&bias)), &shape, &plain);
                    let nu = (k + 1) as f64 * UNIT_ROUNDOFF;
                    let gamma = nu / (1.0 - nu);
                    assert_within(
                        &got,
                        &want,
                        |i| 2.0 * gamma * f64::from(magnitude[i]) / (1.0 - gamma),
                        &what,
                    );
                }
            }
        }
    }
}

#[test]
fn fast_matmul_is_bit_identical_for_any_thread_count() {
    let shape = MatmulShape {
        batch: 5,
        m: 61,
        n: 9,
        k: 13,
        a_batched: true,
        b_batched: false,
    };
    let (a, b, bias) = (random(5 * 61 * 13, 1), random(13 * 9, 2), random(9, 3));
    let opts = MatmulOptions {
        activation: Activation::Tanh,
        ..MatmulOptions::default()
    };
    assert_thread_count_invariant(
        || fast::matmul(&a, &b, Some(&bias), &shape, &opts),
        "matmul",
    );
}
