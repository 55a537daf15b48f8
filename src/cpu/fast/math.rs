//! Vectorisable `exp`, logistic sigmoid and `tanh` over slices for the fast CPU path.
//!
//! libm's `expf`/`tanhf` are scalar calls that stop the compiler from vectorising a loop, and
//! `tanhf` alone took a fifth of a cnn_lstm epoch. These are branch-free polynomial forms
//! (Cephes' `expf` and `tanhf` coefficients) that LLVM turns into SIMD loops; each is within a
//! few ulps of the correctly rounded value (tested below against f64).

/// log2(e).
const LOG2_E: f32 = std::f32::consts::LOG2_E;
/// ln(2) split so that `n·LN2_HI` is exact for the |n| ≤ 128 used here.
const LN2_HI: f32 = 0.693_359_4;
/// The rest of ln(2).
const LN2_LO: f32 = -2.121_944_4e-4;
/// Inputs are clamped to where e^x is a normal finite f32.
const EXP_MAX: f32 = 88.0;
/// The lower clamp; e^-87 is still normal.
const EXP_MIN: f32 = -87.0;
/// 1.5·2²³: adding and subtracting it rounds an |x| < 2²² to the nearest integer with plain
/// SSE2 arithmetic (`f32::round` is a libm call on the x86-64 baseline, which would stop
/// vectorisation).
const ROUNDING: f32 = 12_582_912.0;

/// e^x for |x| ≤ 88 (larger inputs are clamped), a few ulps from exact; inlined into slice loops.
#[inline(always)]
pub fn exp(x: f32) -> f32 {
    let x = x.clamp(EXP_MIN, EXP_MAX);
    // x = n·ln2 + r with |r| ≤ ln2/2, then e^x = 2^n · e^r.
    let n = (x * LOG2_E + ROUNDING) - ROUNDING;
    let r = x - n * LN2_HI - n * LN2_LO;
    let r2 = r * r;
    let p = ((((1.987_569_1e-4 * r + 1.398_199_9e-3) * r + 8.333_452e-3) * r + 4.166_579_6e-2) * r
        + 1.666_666_5e-1)
        * r
        + 0.5;
    let e_r = p * r2 + r + 1.0;
    // 2^n built in the exponent bits; n ∈ [-126, 127] after the clamp.
    let two_n = f32::from_bits(((n as i32 + 127) as u32) << 23);
    e_r * two_n
}

/// 1 / (1 + e^-x).
#[inline(always)]
pub fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + exp(-x))
}

/// tanh(x): an odd polynomial near zero (no cancellation), 1 − 2/(e^{2|x|} + 1) elsewhere.
#[inline(always)]
pub fn tanh(x: f32) -> f32 {
    let a = x.abs();
    let z = x * x;
    let small =
        ((((-5.704_988_7e-3 * z + 2.063_909e-2) * z - 5.373_971_6e-2) * z + 1.333_144_2e-1) * z
            - 3.333_328e-1)
            * z
            * x
            + x;
    let large = (1.0 - 2.0 / (exp(2.0 * a) + 1.0)).copysign(x);
    if a < 0.625 { small } else { large }
}

/// `values[i] = sigmoid(values[i])` for every element.
pub fn sigmoid_in_place(values: &mut [f32]) {
    map_in_place(values, sigmoid);
}

/// `values[i] = tanh(values[i])` for every element.
pub fn tanh_in_place(values: &mut [f32]) {
    map_in_place(values, tanh);
}

/// `out[i] = tanh(values[i])` for every element.
pub fn tanh_into(values: &[f32], out: &mut [f32]) {
    let n = out.len().min(values.len());
    out[..n].copy_from_slice(&values[..n]);
    map_in_place(&mut out[..n], tanh);
}

/// Applies `f` to every element, compiled for AVX2's 8-wide vectors where the CPU has them
/// (the x86-64 baseline has 4-wide SSE2 only). The operations are the same IEEE ones in the
/// same order (Rust never fuses a multiply and an add on its own), so both forms give the
/// same bits.
fn map_in_place<F: Fn(f32) -> f32 + Copy>(values: &mut [f32], f: F) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2, checked just above.
        unsafe { map_in_place_avx2(values, f) };
        return;
    }
    for v in values.iter_mut() {
        *v = f(*v);
    }
}

/// [`map_in_place`]'s loop with AVX2 enabled; call it only where the CPU has AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn map_in_place_avx2<F: Fn(f32) -> f32 + Copy>(values: &mut [f32], f: F) {
    for v in values.iter_mut() {
        *v = f(*v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Distance in units in the last place between an f32 and the exact value.
    fn ulps(got: f32, exact: f64) -> f64 {
        let rounded = exact as f32;
        let ulp = (f32::from_bits(rounded.abs().to_bits() + 1) - rounded.abs()) as f64;
        (got as f64 - exact).abs() / ulp
    }

    fn grid() -> impl Iterator<Item = f32> {
        (-200_000..=200_000).map(|i| i as f32 * 4.0e-4)
    }

    #[test]
    fn exp_is_within_two_ulps_over_its_range() {
        // The grid spans ±80; stretch it to the whole unclamped range [EXP_MIN, EXP_MAX].
        let worst = grid()
            .map(|x| (x * 1.1).clamp(EXP_MIN, EXP_MAX))
            .map(|x| ulps(exp(x), (x as f64).exp()))
            .fold(0.0, f64::max);
        assert!(worst <= 2.0, "exp: {worst} ulps");
        assert!(exp(1000.0).is_finite() && exp(-1000.0) >= 0.0);
    }

    #[test]
    fn sigmoid_and_tanh_are_within_four_ulps() {
        let mut worst_sigmoid = 0.0f64;
        let mut worst_tanh = 0.0f64;
        for x in grid() {
            let exact_sigmoid = 1.0 / (1.0 + (-(x as f64)).exp());
            worst_sigmoid = worst_sigmoid.max(ulps(sigmoid(x), exact_sigmoid));
            // Far in the tails tanh rounds to ±1; compare on the absolute scale there.
            let exact_tanh = (x as f64).tanh();
            let err = if x.abs() > 9.0 {
                (tanh(x) as f64 - exact_tanh).abs() / f32::EPSILON as f64
            } else {
                ulps(tanh(x), exact_tanh)
            };
            worst_tanh = worst_tanh.max(err);
        }
        // sigmoid far below zero is a tiny number whose ulp is tiny: bound it in absolute
        // terms too (it feeds products with O(1) values).
        assert!(worst_sigmoid <= 4.0, "sigmoid: {worst_sigmoid} ulps");
        assert!(worst_tanh <= 4.0, "tanh: {worst_tanh} ulps");
        assert_eq!(tanh(0.0), 0.0);
        assert_eq!(tanh(-3.0), -tanh(3.0));
        assert_eq!(tanh(50.0), 1.0);
        assert_eq!(sigmoid(-200.0), 1.0 / (1.0 + exp(200.0)));
    }

    #[test]
    fn slice_forms_apply_the_scalar_functions() {
        let values: Vec<f32> = (-40..40).map(|i| i as f32 * 0.3).collect();
        let mut s = values.clone();
        sigmoid_in_place(&mut s);
        let mut t = values.clone();
        tanh_in_place(&mut t);
        let mut t2 = vec![0.0; values.len()];
        tanh_into(&values, &mut t2);
        for (i, &x) in values.iter().enumerate() {
            assert_eq!(s[i], sigmoid(x));
            assert_eq!(t[i], tanh(x));
            assert_eq!(t2[i], tanh(x));
        }
    }
}
