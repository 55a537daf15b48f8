//! `cpu::fast::attention` (GEMMs per batch entry and head) against the reference
//! `cpu::attention`, forward and every gradient, causal and not, on odd shapes: one head,
//! several heads, T = 1, key and value widths that differ. The bound is the one derived in
//! `fast_cpu_check`; the longest sum behind one element is dk (scores), T (the softmax sum
//! and the weighted sum of values) or T·max(dk, dv) for the gradients through the scores.

use atb_gpu::cpu::attention as reference;
use atb_gpu::cpu::fast::attention as fast;
use atb_gpu::ops::AttentionShape;

use crate::common::random;
use crate::fast_cpu_check::{
    assert_as_accurate, assert_thread_count_invariant, wide, with_threads,
};

#[test]
fn fast_attention_matches_the_reference_on_odd_shapes() {
    // (B, T, H, dk, dv)
    let cases = [
        (1, 1, 1, 1, 1),
        (2, 7, 3, 5, 4),
        (33, 7, 1, 3, 2),
        (3, 33, 4, 8, 8),
        (1, 9, 2, 16, 1),
    ];
    for (i, &(batch, seq_len, num_heads, key_dim, value_dim)) in cases.iter().enumerate() {
        let s = AttentionShape {
            batch,
            seq_len,
            num_heads,
            key_dim,
            value_dim,
        };
        let seed = 20 * i as u64;
        let qk_len = batch * seq_len * num_heads * key_dim;
        let v_len = batch * seq_len * num_heads * value_dim;
        let (q, k, v, d_out) = (
            random(qk_len, seed),
            random(qk_len, seed + 1),
            random(v_len, seed + 2),
            random(v_len, seed + 3),
        );
        let (q64, k64, v64, d64) = (wide(&q), wide(&k), wide(&v), wide(&d_out));
        let scores = seq_len * key_dim.max(value_dim);
        for causal in [false, true] {
            let (out32, p32) = reference::forward(&q, &k, &v, &s, causal);
            let (dq32, dk32, dv32) = reference::backward(&q, &k, &v, &p32, &d_out, &s, causal);
            let (out64, p64) = reference::forward(&q64, &k64, &v64, &s, causal);
            let (dq64, dk64, dv64) = reference::backward(&q64, &k64, &v64, &p64, &d64, &s, causal);
            for threads in [1, 3] {
                let what = format!("{s:?} causal {causal} on {threads} threads");
                let (out, p) = with_threads(threads, || fast::forward(&q, &k, &v, &s, causal));
                let (dq, dk, dv) =
                    with_threads(threads, || fast::backward(&q, &k, &v, &p, &d_out, &s));
                assert_as_accurate(
                    &p,
                    &p32,
                    &p64,
                    key_dim + seq_len,
                    &format!("{what} weights"),
                );
                assert_as_accurate(
                    &out,
                    &out32,
                    &out64,
                    key_dim + seq_len,
                    &format!("{what} out"),
                );
                assert_as_accurate(&dq, &dq32, &dq64, scores, &format!("{what} dq"));
                assert_as_accurate(&dk, &dk32, &dk64, scores, &format!("{what} dk"));
                assert_as_accurate(&dv, &dv32, &dv64, seq_len, &format!("{what} dv"));
                if causal {
                    for (j, &w) in p.iter().enumerate() {
                        let (t, s_key) = ((j / seq_len) % seq_len, j % seq_len);
                        assert!(s_key <= t || w == 0.0, "{what}: masked weight {j} is {w}");
                    }
                }
            }
        }
    }
}

#[test]
fn fast_attention_is_bit_identical_for_any_thread_count() {
    let s = AttentionShape {
        batch: 5,
        seq_len: 9,
        num_heads: 3,
        key_dim: 4,
        value_dim: 2,
    };
    let (q, k) = (random(5 * 9 * 12, 1), random(5 * 9 * 12, 2));
    let (v, d_out) = (random(5 * 9 * 6, 3), random(5 * 9 * 6, 4));
    assert_thread_count_invariant(
        || {
            let (out, p) = fast::forward(&q, &k, &v, &s, true);
            let grads = fast::backward(&q, &k, &v, &p, &d_out, &s);
            (out, p, grads)
        },
        "attention",
    );
}
