//! `cpu::fast::conv1d` (rows or taps on threads, every sum in the reference's order) against
//! the reference `cpu::conv1d`, forward and both gradients, on odd shapes: one channel, one
//! tap, T = 1, dilation reaching past T. The fast path keeps the reference's order of every
//! sum, so the bound is equality, bit for bit.

use atb_gpu::cpu::conv1d as reference;
use atb_gpu::cpu::fast::conv1d as fast;
use atb_gpu::ops::Conv1dShape;

use crate::common::random;
use crate::fast_cpu_check::{assert_thread_count_invariant, with_threads};

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
            assert_eq!(
                y,
                reference::conv1d_forward(&x, &w, Some(&bias), &s),
                "{what} y"
            );
            assert_eq!(
                fast::conv1d_forward(&x, &w, None, &s),
                reference::conv1d_forward(&x, &w, None, &s),
                "{what} y without bias"
            );
            assert_eq!(
                dx,
                reference::conv1d_backward_input(&w, &dy, &s),
                "{what} dx"
            );
            assert_eq!(
                dw,
                reference::conv1d_backward_weight(&x, &dy, &s),
                "{what} dw"
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
