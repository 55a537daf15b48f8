//! `cpu::fast::attention` (loops interchanged to vectorise, batch entries on threads, every
//! sum in the reference's order) against the reference `cpu::attention`, forward and every
//! gradient, causal and not, on odd shapes: one head, several heads, T = 1, key and value
//! widths that differ. The fast path keeps the reference's order of every sum, so the bound
//! is equality, bit for bit.

use atb_gpu::cpu::attention as reference;
use atb_gpu::cpu::fast::attention as fast;
use atb_gpu::ops::AttentionShape;

use crate::common::random;
use crate::fast_cpu_check::{assert_thread_count_invariant, with_threads};

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
        for causal in [false, true] {
            let (out32, p32) = reference::forward(&q, &k, &v, &s, causal);
            let (dq32, dk32, dv32) = reference::backward(&q, &k, &v, &p32, &d_out, &s, causal);
            for threads in [1, 3] {
                let what = format!("{s:?} causal {causal} on {threads} threads");
                let (out, p) = with_threads(threads, || fast::forward(&q, &k, &v, &s, causal));
                let (dq, dk, dv) = with_threads(threads, || {
                    fast::backward(&q, &k, &v, &p, &d_out, &s, causal)
                });
                assert_eq!(p, p32, "{what} weights");
                assert_eq!(out, out32, "{what} out");
                assert_eq!(dq, dq32, "{what} dq");
                assert_eq!(dk, dk32, "{what} dk");
                assert_eq!(dv, dv32, "{what} dv");
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
            let grads = fast::backward(&q, &k, &v, &p, &d_out, &s, true);
            (out, p, grads)
        },
        "attention",
    );
}
