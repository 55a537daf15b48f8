//! `cpu::fast::conv1d` (im2col GEMMs) against the reference `cpu::conv1d`, forward and both
//! gradients, on odd shapes: one channel, one tap, T = 1, dilation reaching past T. The GEMMs
//! sum in another order than the reference, so both are held to the criterion of
//! `fast_cpu_check` against an f64 evaluation of the same convolution.

use atb_gpu::cpu::conv1d as reference;
use atb_gpu::cpu::fast::conv1d as fast;
use atb_gpu::ops::Conv1dShape;

use crate::common::random;
use crate::fast_cpu_check::{
    assert_as_accurate, assert_thread_count_invariant, wide, with_threads,
};

/// The convolution, its input gradient and its weight gradient in f64, by definition:
/// y[b,t,o] = bias[o] + Σ_k Σ_i x[b, t − shift(k), i]·w[k,i,o] over the taps inside the sample.
fn exact(
    x: &[f64],
    w: &[f64],
    bias: &[f64],
    dy: &[f64],
    s: &Conv1dShape,
) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let (t_len, cin, cout, taps) = (s.time, s.in_channels, s.out_channels, s.kernel_size);
    let mut y = vec![0.0; s.batch * t_len * cout];
    let mut dx = vec![0.0; s.batch * t_len * cin];
    let mut dw = vec![0.0; taps * cin * cout];
    for b in 0..s.batch {
        for t in 0..t_len {
            let row = b * t_len + t;
            for o in 0..cout {
                y[row * cout + o] = bias[o];
            }
            for k in 0..taps {
                let shift = (taps - 1 - k) * s.dilation;
                if shift > t {
                    continue;
                }
                let src = row - shift;
                for i in 0..cin {
                    for o in 0..cout {
                        let wv = w[(k * cin + i) * cout + o];
                        y[row * cout + o] += x[src * cin + i] * wv;
                        dx[src * cin + i] += dy[row * cout + o] * wv;
                        dw[(k * cin + i) * cout + o] += x[src * cin + i] * dy[row * cout + o];
                    }
                }
            }
        }
    }
    (y, dx, dw)
}

#[test]
fn fast_conv1d_is_as_accurate_as_the_reference_on_odd_shapes() {
    // (B, T, Cin, Cout, K, d)
    let cases = [
        (1, 1, 1, 1, 1, 1),
        (2, 7, 3, 5, 3, 4),
        (33, 7, 5, 1, 2, 1),
        (3, 33, 7, 6, 5, 2),
        (1, 5, 2, 3, 4, 9),
        (70, 9, 4, 3, 3, 1),
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
        let (y64, dx64, dw64) = exact(&wide(&x), &wide(&w), &wide(&bias), &wide(&dy), &s);
        let (y0_64, _, _) = exact(&wide(&x), &wide(&w), &vec![0.0; cout], &wide(&dy), &s);
        for threads in [1, 3] {
            let what = format!("{s:?} on {threads} threads");
            let (y, y0, dx, dw) = with_threads(threads, || {
                (
                    fast::conv1d_forward(&x, &w, Some(&bias), &s),
                    fast::conv1d_forward(&x, &w, None, &s),
                    fast::conv1d_backward_input(&w, &dy, &s),
                    fast::conv1d_backward_weight(&x, &dy, &s),
                )
            });
            let forward_terms = kernel * cin + 1;
            assert_as_accurate(
                &y,
                &reference::conv1d_forward(&x, &w, Some(&bias), &s),
                &y64,
                forward_terms,
                &format!("{what} y"),
            );
            assert_as_accurate(
                &y0,
                &reference::conv1d_forward(&x, &w, None, &s),
                &y0_64,
                forward_terms,
                &format!("{what} y without bias"),
            );
            assert_as_accurate(
                &dx,
                &reference::conv1d_backward_input(&w, &dy, &s),
                &dx64,
                kernel * cout,
                &format!("{what} dx"),
            );
            assert_as_accurate(
                &dw,
                &reference::conv1d_backward_weight(&x, &dy, &s),
                &dw64,
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
