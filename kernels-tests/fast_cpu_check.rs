//! Shared checks of the fast CPU path (`cpu::fast`) against the readable references.
//!
//! The accuracy criterion for the nonlinear layers (LSTM, attention): the fast path and the
//! f32 reference evaluate the same formulas in f32 with sums of the same lengths, in a
//! different association order (GEMM blocks instead of scalar loops). Their errors against
//! the f64 reference are therefore of the same size, and the test asserts, tensor-wise,
//! `max|fast − f64| ≤ 4·max|ref32 − f64| + n·u·max|f64|`: 4 allows for the reordered sums
//! (each rounding error is at most u = 2⁻²⁴ relative either way, and the worst-case bound
//! γ_n·Σ|terms| is the same for both), and the last term, the worst-case error of one sum of
//! n terms of the tensor's magnitude, keeps the bound meaningful where the reference happens
//! to be exact (T = 1, a single feature).

use rayon::ThreadPoolBuilder;

/// f32's unit roundoff.
pub const UNIT_ROUNDOFF: f64 = 1.0 / (1u64 << 24) as f64;

/// Runs `f` on a private rayon pool of `threads` threads.
pub fn with_threads<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a local rayon pool starts")
        .install(f)
}

/// The largest `|a − b|`.
fn max_diff(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

/// Widens f32 values to f64.
pub fn wide(v: &[f32]) -> Vec<f64> {
    v.iter().map(|&x| f64::from(x)).collect()
}

/// Asserts the criterion of this module's doc for one tensor: `fast` and `reference32`
/// against the exact `reference64`, with `terms` the longest sum behind one element.
pub fn assert_as_accurate(
    fast: &[f32],
    reference32: &[f32],
    reference64: &[f64],
    terms: usize,
    what: &str,
) {
    assert_eq!(fast.len(), reference64.len(), "{what}: lengths differ");
    assert_eq!(
        reference32.len(),
        reference64.len(),
        "{what}: reference lengths differ"
    );
    let magnitude = reference64.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let fast_err = max_diff(&wide(fast), reference64);
    let ref_err = max_diff(&wide(reference32), reference64);
    let bound = 4.0 * ref_err + terms as f64 * UNIT_ROUNDOFF * magnitude;
    assert!(
        fast_err <= bound,
        "{what}: fast path error {fast_err:.3e} > bound {bound:.3e} (f32 reference error {ref_err:.3e}, magnitude {magnitude:.3e})"
    );
}

/// Asserts that `f` gives bit-identical results on 1, 2 and 3 threads.
pub fn assert_thread_count_invariant<T: PartialEq + std::fmt::Debug + Send>(
    f: impl Fn() -> T + Sync,
    what: &str,
) {
    let one = with_threads(1, &f);
    for threads in [2, 3] {
        assert!(
            with_threads(threads, &f) == one,
            "{what}: {threads} threads differ from 1"
        );
    }
}
