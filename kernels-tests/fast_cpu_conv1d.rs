//! `cpu::fast::conv1d` (im2col GEMMs) against the reference `cpu::conv1d`, forward and both
//! gradients, on odd shapes: one channel, one tap, T = 1, dilation reaching past T.
//!
//! Bound (per element, rigorous): each output is a sum of n products (forward n = K·Cin + 1
//! with the bias, dx n = K·Cout, dw n = B·T). Any f32 evaluation of such a sum, in any order
//! and with or without fused multiply-adds, lies within γ_n·Σ|terms| of the exact value,
//! γ_n = n·u/(1 − n·u). The fast path and the reference are two such evaluations, so they
//! differ by at most 2·γ_n·Σ|terms|. The convolution is linear, so Σ|terms| is the reference
//! run on the absolute values of the operands; that run is itself an f32 sum of positive
//! terms, at most γ_n below the exact magnitude, which the factor 1/(1 − γ_n) restores.

use atb_gpu::cpu::conv1d as reference;
use atb_gpu::cpu::fast::conv1d as fast;
use atb_gpu::ops::Conv1dShape;

use crate::common::{assert_within, random};
use crate::fast_cpu_check::{UNIT_ROUNDOFF, assert_thread_count_invariant, with_threads};

fn gamma(n: usize) -> f64 {
    let nu = n as f64 * UNIT_ROUNDOFF;
    nu / (1.0 - nu)
}

fn abs(v: &[f32]) -> Vec<f32> {
    v.iter().map(|x| x.abs()).collect()
}

/// Asserts |got − want| ≤ 2·γ_n·magnitude/(1 − γ_n) element by element.
fn assert_sum_bound(got: &[f32], want: &[f32], magnitude: &[f32], n: usize, what: &str) {
    let g = gamma(n);
    assert_within(
        got,
        want,
        |i| 2.0 * g * f64::from(magnitude[i]) / (1.0 - g),
        what,
    );
}

#[test]
fn fast_conv1d_matches_the_reference_on_odd_shapes() {
    // (B, T, Cin, Cout, K, d)
    let cases = [
        (1, 1, 1, 1, 1, 1),
        (2, 7, 3, 5, 3, 4),
        (33, 7, 5, 1, 2, 1),
        (3, 33, 7, 6, 5, 2),
        (1, 5, 2, 3, 4, 9),
    ];
    for (i, &(batch, time, cin, cout, kernel, dilation)) in cases.iter().enumerate() {
        let s = Conv1dShape {
            batch,
            time,
            in_channels: cin,
            out_channels: cout,
            kernel_size: kernel,
            dilation,
        };
        let seed = 10 * i as u64;
        let x = random(batch * time * cin, seed);
        let w = random(kernel * cin * cout, seed + 1);
        let bias = random(cout, seed + 2);
        let dy = random(batch * time * cout, seed + 3);
        for threads in [1, 3] {
            let what = format!("{s:?} on {threads} threads");
            let (y, dx, dw) = with_threads(threads, || {
                (
                    fast::conv1d_forward(&x, &w, Some(&bias), &s),
                    fast::conv1d_backward_input(&w, &dy, &s),
                    fast::conv1d_backward_weight(&x, &dy, &s),
                )
            });
            assert_sum_bound(
                &y,
                &reference::conv1d_forward(&x, &w, Some(&bias), &s),
                &reference::conv1d_forward(&abs(&x), &abs(&w), Some(&abs(&bias)), &s),
                kernel * cin + 1,
                &format!("{what} y"),
            );
            assert_sum_bound(
                &fast::conv1d_forward(&x, &w, None, &s),
                &reference::conv1d_forward(&x, &w, None, &s),
                &reference::conv1d_forward(&abs(&x), &abs(&w), None, &s),
                kernel * cin,
                &format!("{what} y without bias"),
            );
            assert_sum_bound(
                &dx,
                &reference::conv1d_backward_input(&w, &dy, &s),
                &reference::conv1d_backward_input(&abs(&w), &abs(&dy), &s),
                kernel * cout,
                &format!("{what} dx"),
            );
            assert_sum_bound(
                &dw,
                &reference::conv1d_backward_weight(&x, &dy, &s),
                &reference::conv1d_backward_weight(&abs(&x), &abs(&dy), &s),
                batch * time,
                &format!("{what} dw"),
            );
        }
    }
}

#[test]
fn fast_conv1d_is_bit_identical_for_any_thread_count() {
    let s = Conv1dShape {
        batch: 33,
        time: 7,
        in_channels: 5,
        out_channels: 6,
        kernel_size: 3,
        dilation: 2,
    };
    let x = random(33 * 7 * 5, 1);
    let w = random(3 * 5 * 6, 2);
    let dy = random(33 * 7 * 6, 3);
    assert_thread_count_invariant(
        || {
            (
                fast::conv1d_forward(&x, &w, None, &s),
                fast::conv1d_backward_input(&w, &dy, &s),
                fast::conv1d_backward_weight(&x, &dy, &s),
            )
        },
        "conv1d",
    );
}
